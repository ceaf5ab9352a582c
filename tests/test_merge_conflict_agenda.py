"""A profile left with git conflict markers: one clear agenda item, no marker in any text."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

CONFLICTED = """\
---
name: Dave Conflict
status: active
phone: "+44 113 496 0001"
owner: dave
---

## Tasks

<<<<<<< HEAD
- [ ] 2026-12-01 Send invoice @dave
=======
- [ ] 2026-12-02 Send the invoice @dave
>>>>>>> theirs

## Log

<<<<<<< HEAD
- 2026-11-01 call: Asked for an invoice.
=======
- 2026-11-01 call: Asked for the invoice
>>>>>>> theirs
"""


def _agenda(run: Run, root: object, *args: str) -> list[dict[str, object]]:
    result = run(root, "agenda", "--date", "2026-12-02", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["items"]


def test_no_marker_leaks_into_task_or_log_text(run: Run, vault: VaultFactory) -> None:
    root = vault({"dave.md": CONFLICTED})
    found = _agenda(run, root)
    texts = [str(i["text"]) for i in found] + [str(i["context"]) for i in found]
    for marker in ("=======", "<<<<<<<", ">>>>>>>"):
        assert not any(marker in text for text in texts), texts
    tasks = sorted(str(i["text"]) for i in found if i["kind"] == "task")
    assert tasks == ["Send invoice @dave", "Send the invoice @dave"]
    plain = run(root, "agenda", "--date", "2026-12-02").stdout
    assert "=======" not in plain and ">>>>>>>" not in plain


@pytest.mark.parametrize(("args", "expected"), [
    ((), 1),                        # the whole business
    (("--owner", "dave"), 1),       # the profile's owner
    (("--owner", "erin"), 0),       # nobody else
    (("--kind", "merge_conflict"), 1),
])
def test_one_merge_conflict_item_for_the_owner(run: Run, vault: VaultFactory,
                                                args: tuple[str, ...], expected: int) -> None:
    root = vault({"dave.md": CONFLICTED, "erin.md": "---\nname: Erin\nowner: erin\n---\n"})
    found = [i for i in _agenda(run, root, *args) if i["kind"] == "merge_conflict"]
    assert len(found) == expected
    for item in found:
        assert item["section"] == "today"
        assert item["text"] == "merge conflict: finish the merge"
        assert item["path"] == "dave.md" and item["line"] == 10
        assert item["owner"] == "dave"
    if expected:
        text = run(root, "agenda", "--date", "2026-12-02", *args).stdout
        assert "merge conflict: finish the merge" in text


def test_fixed_file_has_no_conflict_item(run: Run, vault: VaultFactory) -> None:
    root = vault({"dave.md": CONFLICTED})
    assert any(i["kind"] == "merge_conflict" for i in _agenda(run, root))
    (root / "dave.md").write_text(CONFLICTED.replace("<<<<<<< HEAD\n", "")
                                  .replace("=======\n", "").replace(">>>>>>> theirs\n", ""),
                                  encoding="utf-8")
    assert not any(i["kind"] == "merge_conflict" for i in _agenda(run, root))
