"""``plaincrm pulse`` reads profiles from the index's tables (``Index.lean_profiles``), not by
decoding them: what it reads must be what the full profile says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plaincrm.loader import open_vault
from plaincrm.model import Profile
from plaincrm.reminders import ACTIONABLE, rules, service_due

FIXTURES = Path(__file__).parent / "fixtures"


def _read(p: Profile) -> tuple[object, ...]:
    return (p.path, p.display_name, p.id, p.status, p.owner, p.customer_since, p.service_due,
            p.service_every, p.contact_every, p.field_line("customer_since"),
            p.field_line("service_due"), p.tasks, p.log, p.log_count)


@pytest.mark.parametrize("name", ["vault-example", "broken", "agenda", "checks"])
def test_lean_profiles_hold_what_pulse_reads(name: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAINCRM_CACHE_DIR", str(tmp_path / "cache"))
    source = FIXTURES / name if name != "vault-example" else FIXTURES.parents[1] / name
    root = shutil.copytree(source, tmp_path / name, symlinks=True)
    opened = open_vault(root)
    try:
        opened.refresh()
        full = list(opened.profiles(full=True))
        lean = list(opened.index.lean_profiles())
        config = opened.config
    finally:
        opened.close()
    assert full, "the fixture has profiles"
    assert [_read(p) for p in lean] == [_read(p) for p in full]
    for a, b in zip(lean, full, strict=True):
        assert [r for r in rules(a, config) if r.kind in ACTIONABLE] == \
            [r for r in rules(b, config) if r.kind in ACTIONABLE]
        assert service_due(a) == service_due(b)
    assert any(p.log for p in lean) and any(p.tasks for p in lean)


def test_lean_profiles_are_read_from_one_snapshot(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass reads a few profiles at a time in one read transaction: a file changed and
    indexed by another process half-way through is not half seen."""
    monkeypatch.setenv("PLAINCRM_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "shop"
    root.mkdir()
    for n in range(450):  # more than one batch
        (root / f"c{n:03d}.md").write_text(
            f"---\nname: Customer {n}\n---\n## Log\n- 2026-01-0{1 + n % 9} call: hello\n",
            encoding="utf-8")
    reader, writer = open_vault(root), open_vault(root)
    try:
        reader.refresh()
        stream = reader.index.lean_profiles()
        first = next(stream)
        last = root / "c449.md"
        last.write_text(last.read_text(encoding="utf-8") + "- 2026-02-01 visit: again\n",
                        encoding="utf-8")
        writer.refresh()
        rest = list(stream)
        assert [p.path for p in (first, *rest)] == [f"c{n:03d}.md" for n in range(450)]
        assert len(rest[-1].log) == 1  # as it was when the pass began
        assert len(list(reader.index.lean_profiles())[-1].log) == 2  # the next pass sees it
    finally:
        reader.close()
        writer.close()
