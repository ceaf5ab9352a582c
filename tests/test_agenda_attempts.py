"""An attempt (no answer, a voicemail, a bounced email) is recorded but does not reset
keep-in-touch: it counts from the newest *contact* (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

JO = """\
    ---
    name: Jo Attempt
    status: active
    phone: "+44 20 7946 0000"
    contact_every: 90 days
    ---

    ## Log

    - 2026-05-01 call: Happy with the new boiler.
    {extra}
    """


def keep_in_touch(run: Run, root: Path, day: str = "2026-11-22") -> list[tuple[str, str]]:
    result = run(root, "agenda", "--date", day, "--json", "--kind", "keep_in_touch")
    assert result.exit_code == 0, result.output
    return [(i["section"], i["date"]) for i in json.loads(result.stdout)["items"]]


@pytest.mark.parametrize(("extra", "expected"), [
    ("", [("overdue", "2026-07-30")]),
    ("- 2026-11-20 no-answer: rang twice, no voicemail", [("overdue", "2026-07-30")]),
    ("- 2026-11-20 Voicemail: left a message", [("overdue", "2026-07-30")]),
    ("- 2026-11-20 bounced: the address is gone", [("overdue", "2026-07-30")]),
    ("- 2026-11-20 call: Spoke to her at last.", []),  # due 2027-02-18
    ("- 2026-11-20 Spoke to her at last.", []),  # no kind: a conversation
    ("- 2026-11-20 invoice: 1042", []),  # paperwork is a contact too
])
def test_attempts_do_not_reset_keep_in_touch(run: Run, vault: VaultFactory, extra: str,
                                             expected: list[tuple[str, str]]) -> None:
    root = vault({"jo.md": JO.format(extra=extra)})
    assert keep_in_touch(run, root) == expected


def test_only_attempts_logged_counts_from_customer_since(run: Run, vault: VaultFactory) -> None:
    root = vault({"al.md": """
        ---
        name: Al
        status: active
        customer_since: 2026-01-10
        contact_every: 90 days
        ---

        ## Log

        - 2026-11-01 no-answer: rang out
    """})
    assert keep_in_touch(run, root) == [("overdue", "2026-04-10")]


def test_the_attempt_kinds_come_from_the_config_and_rebuild_the_index(
        run: Run, vault: VaultFactory) -> None:
    root = vault({"jo.md": JO.format(extra="- 2026-11-20 engaged: line busy")})
    assert keep_in_touch(run, root) == []  # engaged is no attempt kind: a contact
    (root / "plaincrm.toml").write_text('[log]\nattempt_kinds = ["engaged"]\n')
    assert keep_in_touch(run, root) == [("overdue", "2026-07-30")]  # the same index, rebuilt
    (root / "plaincrm.toml").write_text('[log]\nattempt_kinds = []\n')
    jo = root / "jo.md"
    jo.write_text(jo.read_text().replace("engaged", "no-answer"))
    assert keep_in_touch(run, root) == []  # no attempt kinds: every entry is a contact


def test_log_kind_no_answer_writes_an_attempt(run: Run, vault: VaultFactory) -> None:
    root = vault({"jo.md": JO.format(extra="")})
    result = run(root, "log", "jo", "rang twice, no voicemail", "--kind", "no-answer",
                 "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert "- 2026-11-20 no-answer: rang twice, no voicemail" in (root / "jo.md").read_text()
    assert keep_in_touch(run, root) == [("overdue", "2026-07-30")]
