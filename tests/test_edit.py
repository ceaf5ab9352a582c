"""log, task and done change exactly the bytes they mean to: byte-exact expectations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plaincrm import edit
from plaincrm.errors import WriteRefused
from tests.conftest import Run, VaultFactory

DAY = dt.date(2026, 11, 20)

PLAIN = b"""---
name: Jane Roe   # she prefers Jane
phone: '+44 20 7946 0958'
tags: [boiler,  annual]
---

# Jane Roe

## Tasks

- [ ] 2026-12-01 Send the quote @sam
- [ ] 2026-12-05 Call back about the valve

## Log

- 2026-03-01 service: Annual service done.
- 2026-10-02 call: Asked about her knee.

## Notes

Mind the dog.
"""


def test_log_goes_after_the_last_entry_and_before_the_next_section() -> None:
    new = edit.append_log(PLAIN, DAY, "call", "Knee is better.")
    assert new == PLAIN.replace(
        b"- 2026-10-02 call: Asked about her knee.\n",
        b"- 2026-10-02 call: Asked about her knee.\n- 2026-11-20 call: Knee is better.\n",
    )


def test_log_keeps_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbf" + PLAIN.replace(b"\n", b"\r\n")
    new = edit.append_log(data, DAY, "visit", "Fixed the valve.")
    assert new == data.replace(
        b"- 2026-10-02 call: Asked about her knee.\r\n",
        b"- 2026-10-02 call: Asked about her knee.\r\n- 2026-11-20 visit: Fixed the valve.\r\n",
    )


def test_log_creates_a_log_section_at_the_end() -> None:
    data = b"---\nname: Jane  # comment\n---\n\nNotes.\n"
    new = edit.append_log(data, DAY, "call", "Hi.")
    assert new == data + b"\n## Log\n\n- 2026-11-20 call: Hi.\n"


def test_missing_final_newline_gets_a_separator_and_stays_missing() -> None:
    data = b"---\nname: Jane\n---\nNotes."
    assert edit.append_log(data, DAY, "call", "Hi.") == (
        b"---\nname: Jane\n---\nNotes.\n\n## Log\n\n- 2026-11-20 call: Hi."
    )
    data = b"## Log\r\n\r\n- 2026-01-01 call: first"
    assert edit.append_log(data, DAY, "call", "Hi.") == (
        b"## Log\r\n\r\n- 2026-01-01 call: first\r\n- 2026-11-20 call: Hi."
    )


def test_log_heading_of_any_level_and_case_with_no_entries_yet() -> None:
    data = b"# Jane\n\n### LOG\nNothing yet.\n\n\n## Notes\n"
    assert edit.append_log(data, DAY, "call", "Hi.") == (
        b"# Jane\n\n### LOG\nNothing yet.\n\n- 2026-11-20 call: Hi.\n\n\n## Notes\n"
    )
    data = b"# Jane\n\n## Log\n## Notes\n"
    assert edit.append_log(data, DAY, "call", "Hi.") == (
        b"# Jane\n\n## Log\n\n- 2026-11-20 call: Hi.\n\n## Notes\n"
    )


def test_a_second_log_heading_ends_the_first_section() -> None:
    data = b"0\n# Log\n0\n## Log\n0\n## 0"  # found by Hypothesis
    assert edit.append_log(data, DAY, "call", "Hi.") == (
        b"0\n# Log\n0\n\n- 2026-11-20 call: Hi.\n\n## Log\n0\n## 0"
    )


def test_log_entry_after_a_multi_line_entry_copies_its_bullet() -> None:
    data = b"## Log\n\n  * 2026-01-01 call: first,\n    more of it\n    - a sub-point\n\nAfter.\n"
    assert edit.append_log(data, DAY, "Call", "Hi.") == (
        b"## Log\n\n  * 2026-01-01 call: first,\n    more of it\n    - a sub-point\n"
        b"  * 2026-11-20 call: Hi.\n\nAfter.\n"
    )


def test_back_dated_entry_lands_in_date_order() -> None:
    new = edit.append_log(PLAIN, dt.date(2026, 5, 1), "email", "Sent the invoice.")
    assert new == PLAIN.replace(
        b"- 2026-10-02 call:", b"- 2026-05-01 email: Sent the invoice.\n- 2026-10-02 call:"
    )
    new = edit.append_log(PLAIN, dt.date(2020, 1, 1), "email", "Oldest.")
    assert new == PLAIN.replace(
        b"- 2026-03-01 service:", b"- 2020-01-01 email: Oldest.\n- 2026-03-01 service:"
    )


def test_an_entry_that_would_land_in_a_code_fence_is_refused() -> None:
    data = b"## Log\n\n```\nan unclosed fence\n"
    with pytest.raises(WriteRefused, match="left alone"):
        edit.append_log(data, DAY, "call", "Hi.")


@pytest.mark.parametrize("text", ["", "two\nlines"])
def test_bad_text_is_refused(text: str) -> None:
    with pytest.raises(WriteRefused):
        edit.append_log(PLAIN, DAY, "call", text)


def test_bad_kind_is_refused() -> None:
    with pytest.raises(WriteRefused, match="one word"):
        edit.append_log(PLAIN, DAY, "phone call", "Hi.")


def test_conflict_markers_and_non_utf8_are_refused() -> None:
    with pytest.raises(WriteRefused, match="conflict"):
        edit.append_log(b"<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n", DAY, "call", "Hi.")
    with pytest.raises(WriteRefused, match="UTF-8"):
        edit.append_log(b"---\nname: J\xe9r\xf4me\n---\n", DAY, "call", "Hi.")


def test_task_goes_after_the_last_task() -> None:
    new = edit.add_task(PLAIN, dt.date(2026, 12, 24), "Send a card", owner="@amy")
    assert new == PLAIN.replace(
        b"- [ ] 2026-12-05 Call back about the valve\n",
        b"- [ ] 2026-12-05 Call back about the valve\n- [ ] 2026-12-24 Send a card @amy\n",
    )


def test_task_without_tasks_goes_before_the_log_heading_with_crlf() -> None:
    data = b"---\r\nname: Jane # c\r\n---\r\nNotes.\r\n## Log\r\n- 2026-01-01 call: a\r\n"
    assert edit.add_task(data, DAY, "Ring her") == (
        b"---\r\nname: Jane # c\r\n---\r\nNotes.\r\n\r\n- [ ] 2026-11-20 Ring her\r\n\r\n"
        b"## Log\r\n- 2026-01-01 call: a\r\n"
    )


def test_task_without_tasks_or_log_goes_at_the_end() -> None:
    assert edit.add_task(b"\xef\xbb\xbf---\nname: J\n---\nNotes.", DAY, "Ring") == (
        b"\xef\xbb\xbf---\nname: J\n---\nNotes.\n\n- [ ] 2026-11-20 Ring"
    )


def test_tick_changes_exactly_one_character() -> None:
    data = b"\xef\xbb\xbf" + PLAIN.replace(b"\n", b"\r\n")
    new = edit.tick_task(data, 11)
    assert new == data.replace(b"- [ ] 2026-12-01 Send", b"- [x] 2026-12-01 Send")


def test_tick_refuses_a_line_without_an_open_task() -> None:
    with pytest.raises(WriteRefused, match="no open task"):
        edit.tick_task(PLAIN, 7)


# ---------------------------------------------------------------- through the CLI


def _vault(vault: VaultFactory, data: bytes = PLAIN) -> Path:
    return vault({"customers/jane-roe.md": data, "plaincrm.toml": ""})


def test_cli_log(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    result = run(root, "log", "jane", "Knee is better.", "--kind", "call", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert result.stdout == "customers/jane-roe.md:18: 2026-11-20 call: Knee is better.\n"
    assert (root / "customers/jane-roe.md").read_bytes() == edit.append_log(
        PLAIN, DAY, "call", "Knee is better.")
    shown = run(root, "show", "jane", "--json")
    assert '"last_contact": "2026-11-20"' in shown.stdout


def test_cli_log_defaults_to_today_and_kind_note(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    result = run(root, "log", "jane", "Dropped by.")
    assert result.exit_code == 0
    today = dt.date.today().isoformat()
    written = (root / "customers/jane-roe.md").read_bytes()
    assert f"- {today} note: Dropped by.\n".encode() in written


def test_cli_service_entry_moves_the_newest_service(vault: VaultFactory, run: Run) -> None:
    from plaincrm.parse import parse_profile

    root = _vault(vault)
    path = root / "customers/jane-roe.md"
    path.write_bytes(path.read_bytes().replace(b"phone: ", b"service_every: 1 year\nphone: ", 1))
    result = run(root, "log", "jane", "Annual service.", "--kind", "service", "--date",
                 "2027-03-02")
    assert result.stdout.splitlines()[-1] == "next service due 2028-03-02"
    assert "next service" not in run(root, "log", "jane", "Rang.", "--kind", "call").stdout
    profile, _ = parse_profile("x.md", path.read_bytes())
    assert profile is not None
    newest = profile.newest_log("service")
    assert newest is not None and newest.date == dt.date(2027, 3, 2)


def test_cli_task_and_done(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    added = run(root, "task", "jane", "2026-12-24", "Send a card", "--owner", "amy")
    assert added.exit_code == 0, added.output
    assert added.stdout == "customers/jane-roe.md:13: [ ] 2026-12-24 Send a card @amy\n"
    ticked = run(root, "done", "jane", "QUOTE")
    assert ticked.exit_code == 0, ticked.output
    assert ticked.stdout == "customers/jane-roe.md:11: [x] 2026-12-01 Send the quote @sam\n"
    expected = edit.add_task(PLAIN, dt.date(2026, 12, 24), "Send a card", "amy")
    expected = expected.replace(b"- [ ] 2026-12-01", b"- [x] 2026-12-01")
    assert (root / "customers/jane-roe.md").read_bytes() == expected


def test_cli_done_ambiguous_lists_candidates_and_changes_nothing(vault: VaultFactory,
                                                                 run: Run) -> None:
    root = _vault(vault)
    result = run(root, "done", "jane", "2025")  # no task holds it: none
    assert result.exit_code == 11
    assert "no open task" in result.stderr and "Send the quote" in result.stderr
    result = run(root, "done", "jane", "e")
    assert result.exit_code == 5
    assert "customers/jane-roe.md:11  2026-12-01 Send the quote @sam" in result.stderr
    assert "customers/jane-roe.md:12  2026-12-05 Call back about the valve" in result.stderr
    assert (root / "customers/jane-roe.md").read_bytes() == PLAIN


def test_cli_done_ignores_case_and_accents(vault: VaultFactory, run: Run) -> None:
    data = "---\nname: Zoë\n---\n- [ ] Réparer la chaudière\n- [x] Réparer le vélo\n"
    root = vault({"zoe.md": data.encode()})
    result = run(root, "done", "zoe", "REPARER")
    assert result.exit_code == 0, result.output
    assert (root / "zoe.md").read_text(encoding="utf-8") == data.replace("[ ]", "[x]")


def test_cli_unknown_profile(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    result = run(root, "log", "nobody", "Hi.")
    assert result.exit_code == 4
    assert (root / "customers/jane-roe.md").read_bytes() == PLAIN


def test_cli_refusal_exit_code(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    result = run(root, "log", "jane", "Hi.", "--kind", "two words")
    assert result.exit_code == 7
    assert "one word" in result.stderr
