"""Log entries read the same whether they take the parser's one-match path (a YYYY-MM-DD day
and a kind) or the general one."""

from __future__ import annotations

import datetime as dt

import pytest

from plaincrm.parse import parse_profile

D = dt.date(2026, 11, 20)


@pytest.mark.parametrize(("item", "entry", "problem"), [
    ("2026-11-20 call: Asked about her knee.", (D, "Asked about her knee.", "call"), None),
    ("2026-11-20\tCall:\tTabs  ", (D, "Tabs", "call"), None),
    ("2026-11-20 call-back: x", (D, "x", "call-back"), None),
    ("2026-11-20 call:", (D, "", "call"), None),
    ("2026-11-20 call:x", (D, "call:x", None), None),
    ("2026-11-20 2call: x", (D, "2call: x", None), None),
    ("2026-11-20 Talked about her holiday", (D, "Talked about her holiday", None), None),
    ("2026-11-20 call:\u00a0x", (D, "call:\u00a0x", None), None),
    ("2026-11-20 Café: x", (D, "x", "café"), None),
    ("2026-1-5 call: x", None, "invalid-date"),
    ("2026-02-30 call: x", None, "invalid-date"),
    ("0999-01-01 call: x", None, "invalid-date"),
    ("2026-11-20 booked: 2026-12-01", (D, "2026-12-01", "booked"), None),
    ("2026-11-20 booked: soon", (D, "soon", "booked"), "invalid-booking"),
])
def test_log_entry_shapes(item: str, entry: tuple[object, ...] | None,
                          problem: str | None) -> None:
    data = f"---\nname: Ann\n---\n\n## Log\n\n- {item}\n".encode()
    profile, problems = parse_profile("ann.md", data)
    assert profile is not None
    found = [(e.date, e.text, e.kind) for e in profile.log]
    assert found == ([entry] if entry else [])
    assert [e.location.line for e in profile.log] == ([7] if entry else [])
    assert [(p.code, p.location.line) for p in problems] == ([(problem, 7)] if problem else [])
