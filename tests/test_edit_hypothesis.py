"""For any profile text, log then parse gives the old entries plus the new one, and the same
front matter byte for byte; the same holds for adding a task."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from plaincrm import edit
from plaincrm.parse import parse_profile

WORD = st.text(st.characters(codec="utf-8", categories=("L", "N"), include_characters="-"),
               min_size=1, max_size=8)
WORDS = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
KEYS = st.sampled_from(["name", "phone", "email", "status", "owner", "tags", "note", "since"])


@st.composite
def front_matter(draw: st.DrawFn) -> list[str]:
    lines = ["---"]
    for key in draw(st.lists(KEYS, unique=True, max_size=5)):
        value = draw(st.one_of(WORDS, WORDS.map(lambda w: f"'{w}'"), DAYS.map(str),
                               st.just("+44 20 7946 0958"), st.just("[a,  b]"), st.just("")))
        comment = draw(st.sampled_from(["", "  # a comment"]))
        lines.append(f"{key}: {value}{comment}")
        if draw(st.booleans()):
            lines.append("# a comment line")
    return [*lines, "---"]


@st.composite
def block(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["para", "heading", "log", "entries", "tasks", "fence", "blank"]))
    if kind == "para":
        return [draw(WORDS) for _ in range(draw(st.integers(1, 3)))]
    if kind == "heading":
        return [f"{'#' * draw(st.integers(1, 4))} {draw(WORDS)}"]
    if kind == "log":
        return [f"{'#' * draw(st.integers(1, 4))} {draw(st.sampled_from(['Log', 'LOG', 'log']))}"]
    bullet = draw(st.sampled_from(["-", "*", "+"]))
    if kind == "entries":
        return [f"{bullet} {draw(DAYS)} {draw(st.sampled_from(['call', 'visit']))}: "
                f"{draw(WORDS)}" for _ in range(draw(st.integers(1, 3)))]
    if kind == "tasks":
        return [f"{bullet} [{draw(st.sampled_from([' ', 'x']))}] {draw(DAYS)} {draw(WORDS)}"
                for _ in range(draw(st.integers(1, 3)))]
    if kind == "fence":
        return ["```", f"- {draw(DAYS)} call: inside a fence", "```"]
    return [""]


@st.composite
def profiles(draw: st.DrawFn) -> bytes:
    lines = draw(front_matter()) if draw(st.booleans()) else []
    for part in draw(st.lists(block(), max_size=8)):
        lines += ["", *part] if draw(st.booleans()) else part
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


def _parse(data: bytes):  # type: ignore[no-untyped-def]
    profile, _ = parse_profile("p.md", data)
    assert profile is not None
    return profile


def _front(data: bytes) -> bytes:
    """The front matter's bytes, closing line included ('' when there is none)."""
    lines = data.splitlines(keepends=True)
    if not lines or lines[0].lstrip(b"\xef\xbb\xbf").rstrip() != b"---":
        return b""
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (b"---", b"...")),
                 None)
    return b"".join(lines[: close + 1]) if close is not None else b""


@settings(max_examples=200, deadline=None)
@given(profiles(), DAYS, st.sampled_from(["call", "service", "visit"]), WORDS)
def test_log_then_parse(data: bytes, day: dt.date, kind: str, text: str) -> None:
    old = _parse(data)
    new_data = edit.append_log(data, day, kind, text)
    new = _parse(new_data)
    assert new.fields == old.fields
    assert new_data.startswith(_front(data))
    key = lambda e: (e.date, e.kind, e.text)  # noqa: E731
    assert Counter(map(key, new.log)) == Counter(map(key, old.log)) + Counter([(day, kind,
                                                                                 text)])
    assert [(t.text, t.done) for t in new.tasks] == [(t.text, t.done) for t in old.tasks]
    assert new_data.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if data.removeprefix(b"\xef\xbb\xbf"):  # an empty file gets a final newline
        assert new_data.endswith(b"\n") == data.endswith(b"\n")
    if b"\n" in data:  # new lines use the file's own line ending
        assert (b"\r\n" in new_data) == (b"\r\n" in data)
        assert new_data.count(b"\n") - data.count(b"\n") == new_data.count(b"\r\n") - data.count(
            b"\r\n") or b"\r\n" not in data


@settings(max_examples=100, deadline=None)
@given(profiles(), DAYS, WORDS)
def test_task_then_parse(data: bytes, day: dt.date, text: str) -> None:
    old = _parse(data)
    new_data = edit.add_task(data, day, text)
    new = _parse(new_data)
    assert new.fields == old.fields and new_data.startswith(_front(data))
    key = lambda t: (t.date, t.text, t.done)  # noqa: E731
    assert Counter(map(key, new.tasks)) == Counter(map(key, old.tasks)) + Counter([(day, text,
                                                                                    False)])
    assert [(e.date, e.text) for e in new.log] == [(e.date, e.text) for e in old.log]
