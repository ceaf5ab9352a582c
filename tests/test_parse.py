"""The loader on every trap of section 3 of the format: values or located problems, never raises."""

from __future__ import annotations

import datetime as dt

import pytest

from plaincrm.model import Birthday, Problem, Profile, Severity
from plaincrm.parse import parse_profile


def parse(text: str | bytes, path: str = "p.md") -> tuple[Profile | None, list[Problem]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_profile(path, data)


def codes(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(p.location.line, p.code) for p in problems]


def raw(profile: Profile | None, key: str) -> object:
    assert profile is not None
    return profile.raw(key)


def test_phone_keeps_its_plus() -> None:
    profile, problems = parse("---\nname: A\nphone: +4915112345678\n---\n")
    assert profile is not None and profile.phones == ("+4915112345678",)
    assert problems == []


def test_phone_keeps_its_leading_zero_not_octal() -> None:
    profile, _ = parse("---\nphone: 012345\n---\n")
    assert profile is not None and profile.phones == ("012345",)


def test_country_no_stays_text() -> None:
    profile, problems = parse("---\ncountry: NO\nvip: yes\ntime: 10:00\n---\n")
    assert raw(profile, "country") == "NO"
    assert raw(profile, "vip") == "yes"
    assert raw(profile, "time") == "10:00"
    assert problems == []


def test_impossible_birthday_is_located_and_the_rest_loads() -> None:
    profile, problems = parse("---\nname: Jane\nbirthday: 2023-02-30\nemail: j@example.com\n---\n")
    assert codes(problems) == [(3, "invalid-date")]
    assert "2023-02-30 is not a real date" in problems[0].message
    assert profile is not None and profile.name == "Jane" and profile.emails == ("j@example.com",)
    assert profile.birthday is None


def test_unpadded_date_is_a_located_problem_with_the_fix() -> None:
    profile, problems = parse("---\nbirthday: 1990-5-7\n---\n")
    assert codes(problems) == [(2, "invalid-date")]
    assert "write 1990-05-07" in problems[0].message
    assert profile is not None and profile.birthday is None


def test_yearless_birthday_and_29_february() -> None:
    profile, problems = parse("---\nbirthday: --02-29\n---\n")
    assert problems == [] and profile is not None
    assert profile.birthday == Birthday(month=2, day=29, year=None)
    assert profile.birthday.in_year(2027) == dt.date(2027, 2, 28)
    assert profile.birthday.in_year(2028) == dt.date(2028, 2, 29)


def test_utf8_bom_is_not_lost_front_matter() -> None:
    profile, problems = parse(b"\xef\xbb\xbf---\nname: Bom\n---\nbody\n")
    assert problems == [] and profile is not None and profile.name == "Bom"


def test_crlf_line_endings() -> None:
    text = ("---\r\nname: Crlf\r\nphone: '+44 20 7946 0000'\r\n---\r\n"
            "## Log\r\n- 2026-01-02 call: hi\r\n")
    profile, problems = parse(text)
    assert problems == [] and profile is not None
    assert profile.name == "Crlf" and profile.phones == ("+44 20 7946 0000",)
    assert [(e.location.line, e.kind, e.text) for e in profile.log] == [(6, "call", "hi")]


def test_no_front_matter_is_a_warning_and_the_body_still_loads() -> None:
    profile, problems = parse("# Just notes\n\n- [ ] 2026-01-01 a task\n")
    assert codes(problems) == [(1, "no-front-matter")]
    assert problems[0].severity is Severity.WARNING
    assert profile is not None and [t.text for t in profile.tasks] == ["a task"]


def test_empty_front_matter() -> None:
    profile, problems = parse("---\n---\nbody\n")
    assert codes(problems) == [(1, "no-front-matter")]
    assert "empty" in problems[0].message
    assert profile is not None


@pytest.mark.parametrize(
    ("front", "found"),
    [("- a\n- b\n", "a list"), ("just text\n", "a single value")],
)
def test_front_matter_that_is_not_a_mapping(front: str, found: str) -> None:
    profile, problems = parse(f"---\n{front}---\n")
    assert codes(problems) == [(2, "parse-error")]
    assert found in problems[0].message
    assert profile is not None and profile.fields == ()


def test_unclosed_front_matter() -> None:
    profile, problems = parse("---\nname: Open\nbody text\n")
    assert codes(problems) == [(1, "parse-error")]
    assert "never closed" in problems[0].message
    assert profile is not None


def test_tab_indentation_is_located() -> None:
    _, problems = parse("---\nname: A\naddress:\n\tstreet: x\n---\n")
    assert codes(problems) == [(4, "parse-error")]
    assert "tab" in problems[0].message


@pytest.mark.parametrize(
    ("front", "line"),
    [("name: a: b: c\n", 2), ("name: A\nnote: @mention\n", 3), ("name: [unclosed\n", 3)],
)
def test_yaml_syntax_errors_carry_their_line(front: str, line: int) -> None:
    profile, problems = parse(f"---\n{front}---\nbody\n")
    assert [p.code for p in problems] == ["parse-error"]
    assert problems[0].location.line == line
    assert profile is not None  # the body still loads


def test_duplicate_keys_are_a_problem_not_a_silent_overwrite() -> None:
    profile, problems = parse("---\nname: First\nemail: a@example.com\nname: Second\n---\n")
    assert codes(problems) == [(4, "duplicate-key")]
    assert "first at line 2" in problems[0].message
    assert profile is not None and profile.name == "First"


def test_content_key_and_integer_key_are_kept() -> None:
    profile, problems = parse("---\nname: A\ncontent: kept\n1: one\n---\n")
    assert problems == []
    assert raw(profile, "content") == "kept"
    assert raw(profile, "1") == "one"


def test_git_conflict_markers() -> None:
    text = (
        "---\nname: A\n<<<<<<< HEAD\nphone: '1'\n=======\nphone: '2'\n>>>>>>> branch\n---\n"
        "## Log\n- 2026-01-01 call: kept\n"
    )
    profile, problems = parse(text)
    assert codes(problems) == [(3, "conflict-marker"), (5, "conflict-marker"),
                               (7, "conflict-marker")]
    assert profile is not None and [e.text for e in profile.log] == ["kept"]


def test_conflict_marker_in_the_body_is_not_a_heading() -> None:
    text = "---\nname: A\n---\n## Log\n<<<<<<< HEAD\n- 2026-01-01 call: a\n=======\n" \
           "- 2026-01-02 call: b\n>>>>>>> x\n"
    profile, problems = parse(text)
    assert [p.code for p in problems] == ["conflict-marker"] * 3
    assert profile is not None


def test_non_utf8_file_is_located_and_still_read() -> None:
    profile, problems = parse(b"---\nname: Caf\xe9\n---\n")
    assert codes(problems) == [(2, "parse-error")]
    assert "UTF-8" in problems[0].message
    assert profile is not None and profile.name == "Caf\N{REPLACEMENT CHARACTER}"


def test_empty_file() -> None:
    profile, problems = parse(b"")
    assert codes(problems) == [(1, "empty-file")]
    assert profile is not None


def test_binary_file_named_md() -> None:
    profile, problems = parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert profile is None
    assert codes(problems) == [(1, "parse-error")]
    assert "binary" in problems[0].message


def test_setext_heading_trap_in_the_log() -> None:
    text = "---\nname: A\n---\n## Log\n\n- 2026-01-05 called\n---\n- 2026-01-06 visit: x\n" \
           "\n2026-01-07 call: plain line\n---\n\n- 2026-01-08 call: still the log\n"
    profile, problems = parse(text)
    assert profile is not None
    assert [(e.location.line, e.date.day, e.kind) for e in profile.log] == [
        (6, 5, None), (8, 6, "visit"), (10, 7, "call"), (13, 8, "call")]
    assert codes(problems) == [(10, "log-heading-trap")]


def test_tasks_inside_code_fences_are_not_tasks() -> None:
    text = ("---\nname: A\n---\n- [ ] 2026-01-01 real @ben\n\n```\n"
            "- [ ] 2026-01-02 not a task\n```\n\n    - [ ] 2026-01-03 indented code\n")
    profile, _ = parse(text)
    assert profile is not None
    assert [(t.text, t.owner, t.location.line) for t in profile.tasks] == [
        ("real @ben", "ben", 4)]


def test_tasks_done_undated_and_owner() -> None:
    text = "---\nname: A\n---\n- [x] 2026-11-02 Call about the quote\n- [X] done too\n" \
           "- [ ] Find the key\n- [ ]\t2026-12-01 tab after the box @ana\n" \
           "- [ ] 2026-12-01 mail ana@example.com\n"
    profile, _ = parse(text)
    assert profile is not None
    got = [(t.done, t.date, t.text, t.owner) for t in profile.tasks]
    assert got == [
        (True, dt.date(2026, 11, 2), "Call about the quote", None),
        (True, None, "done too", None),
        (False, None, "Find the key", None),
        (False, dt.date(2026, 12, 1), "tab after the box @ana", "ana"),
        (False, dt.date(2026, 12, 1), "mail ana@example.com", None),
    ]


def test_log_only_under_a_log_heading_any_level_any_case() -> None:
    text = "---\nname: A\n---\n- 2026-01-01 call: before\n# LOG\n- 2026-01-02 Call: one\n" \
           "### 2026\n- 2026-01-03 no kind here\n# Notes\n- 2026-01-04 call: after\n"
    profile, _ = parse(text)
    assert profile is not None
    assert [(e.date.day, e.kind, e.text) for e in profile.log] == [
        (2, "call", "one"), (3, None, "no kind here")]


def test_invalid_log_and_task_dates_are_located() -> None:
    text = "---\nname: A\n---\n## Log\n- 2026-02-30 call: x\n- [ ] 2026-13-01 task\n"
    profile, problems = parse(text)
    assert codes(problems) == [(5, "invalid-date"), (6, "invalid-date")]
    assert profile is not None and profile.log == ()


def test_known_fields_converted() -> None:
    text = (
        "---\nname: Jane Roe\nid: ab12\nemail: [jane@example.com, j.roe@example.org]\n"
        "phone: '+44 20 7946 0958'\nbirthday: 1984-03-12\nstatus: Active\n"
        "service_due: 2026-12-01\nservice_every: 1 year\ncontact_every: 6 weeks\n"
        "customer_since: 2019-04-01\nowner: '@ben'\ntags: [boiler, vip]\n"
        "contract_end: 2027-01-31\ngate_code: 1234\n---\n"
    )
    p, problems = parse(text)
    assert problems == [] and p is not None
    assert (p.name, p.id, p.status, p.owner) == ("Jane Roe", "ab12", "active", "ben")
    assert p.emails == ("jane@example.com", "j.roe@example.org")
    assert p.birthday == Birthday(3, 12, 1984)
    assert p.service_due == dt.date(2026, 12, 1)
    assert str(p.service_every) == "1 year" and str(p.contact_every) == "6 weeks"
    assert p.tags == ("boiler", "vip")
    assert p.dates == (("contract_end", dt.date(2027, 1, 31)),)
    assert raw(p, "gate_code") == "1234"
    assert p.field_line("customer_since") == 11


@pytest.mark.parametrize(
    ("front", "code", "line"),
    [("service_every: often", "invalid-field", 2), ("owner: Ben Smith", "invalid-field", 2),
     ("email:\n  work: a@b.c", "invalid-field", 2), ("service_due: soon", "invalid-date", 2)],
)
def test_bad_known_fields(front: str, code: str, line: int) -> None:
    profile, problems = parse(f"---\n{front}\n---\n")
    assert codes(problems) == [(line, code)]
    assert profile is not None


def test_empty_values_count_as_unset() -> None:
    profile, problems = parse("---\nname: A\nbirthday:\nemail:\ntags: []\n---\n")
    assert problems == [] and profile is not None
    assert profile.birthday is None and profile.emails == () and profile.tags == ()
