"""set and unset change exactly the key they mean to: byte-exact expectations, refusals, and a
Hypothesis property over generated front matter."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plaincrm.errors import WriteRefused
from plaincrm.frontmatter_edit import set_key, unset_key
from plaincrm.parse import parse_profile

PROFILE = b"""---
name: Jane Roe   # she prefers Jane
phone: '+44 20 7946 0958'
tags: [boiler,  annual]
email:
  - jane@example.com
  - roe@example.org
# the gate code is on the van's clipboard
status: lead
gate_code: "0042"
---

# Jane Roe

- [ ] 2026-12-01 Send the quote @sam

## Log

- 2026-10-02 call: Asked about her knee.
"""


def test_set_changes_the_value_and_keeps_its_comment() -> None:
    new = set_key(PROFILE, "name", "Jane Smith")
    assert new == PROFILE.replace(b"name: Jane Roe   #", b"name: Jane Smith   #")


def test_set_keeps_single_and_double_quotes() -> None:
    assert set_key(PROFILE, "phone", "+44 20 7946 0000") == PROFILE.replace(
        b"'+44 20 7946 0958'", b"'+44 20 7946 0000'")
    assert set_key(PROFILE, "gate_code", "0043") == PROFILE.replace(b'"0042"', b'"0043"')


def test_set_a_plain_value_that_yaml_would_retype_is_quoted() -> None:
    new = set_key(PROFILE, "status", "no")
    assert new == PROFILE.replace(b"status: lead", b'status: "no"')
    profile, _ = parse_profile("p.md", new)
    assert profile is not None and profile.status == "no"


def test_set_keeps_a_flow_list_a_flow_list_and_a_block_list_a_block_list() -> None:
    assert set_key(PROFILE, "tags", ["boiler", "gas"]) == PROFILE.replace(
        b"tags: [boiler,  annual]", b"tags: [boiler, gas]")
    assert set_key(PROFILE, "email", ["jane@example.com", "j@example.net", "x@example.org"]) \
        == PROFILE.replace(b"  - roe@example.org\n",
                           b"  - j@example.net\n  - x@example.org\n")


def test_set_a_new_key_goes_before_the_closing_line() -> None:
    new = set_key(PROFILE, "address", "1 High St, Leeds LS1 1AA")
    assert new == PROFILE.replace(b'gate_code: "0042"\n---',
                                  b'gate_code: "0042"\naddress: "1 High St, Leeds LS1 1AA"\n---')


def test_unset_removes_the_key_and_its_items_only() -> None:
    assert unset_key(PROFILE, "email") == PROFILE.replace(
        b"email:\n  - jane@example.com\n  - roe@example.org\n", b"")
    assert unset_key(PROFILE, "status") == PROFILE.replace(b"status: lead\n", b"")


def test_crlf_and_bom_are_kept() -> None:
    data = b"\xef\xbb\xbf" + PROFILE.replace(b"\n", b"\r\n")
    assert set_key(data, "status", "active") == data.replace(b"status: lead", b"status: active")
    assert set_key(data, "city", "Leeds") == data.replace(
        b'"0042"\r\n---', b'"0042"\r\ncity: Leeds\r\n---')
    assert set_key(data, "email", ["a@example.com"]) == data.replace(
        b"  - jane@example.com\r\n  - roe@example.org\r\n", b"  - a@example.com\r\n")
    assert unset_key(data, "tags") == data.replace(b"tags: [boiler,  annual]\r\n", b"")


def test_a_file_without_a_final_newline_keeps_having_none() -> None:
    data = b"---\nname: Jane\nstatus: lead\n---"
    assert set_key(data, "status", "active") == b"---\nname: Jane\nstatus: active\n---"
    assert set_key(data, "owner", "sam") == b"---\nname: Jane\nstatus: lead\nowner: sam\n---"
    assert unset_key(data, "status") == b"---\nname: Jane\n---"


def test_a_file_without_front_matter_gets_one() -> None:
    assert set_key(b"Notes.\n", "status", "lead") == b"---\nstatus: lead\n---\nNotes.\n"


@pytest.mark.parametrize(("data", "why"), [
    (PROFILE.replace(b"status: lead\n", b"<<<<<<< HEAD\nstatus: lead\n=======\nstatus: won\n"
                     b">>>>>>> theirs\n"), "conflict markers"),
    (PROFILE.replace(b"status: lead", b"status: |\n  lead\n  and more"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status: lead\n  and more"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status: >\n  lead"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status: [lead,\n  won]"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status:\n  a: b"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status:\n  - -"), "several lines"),  # a list in a list
    (PROFILE.replace(b"status: lead", b"status:\n  - a\n  - - b"), "several lines"),
    (PROFILE.replace(b"status: lead", b"status: lead\nstatus: won"), "twice"),
    (PROFILE.replace(b"status: lead", b"status: &s lead\nother: *s"), "anchors"),
    (b"---\nstatus: lead\nno close\n", "never closed"),
    (b"---\nstatus: [lead\n---\n", "not valid YAML"),
])
def test_unsafe_values_are_refused_with_the_reason(data: bytes, why: str) -> None:
    with pytest.raises(WriteRefused, match=why):
        set_key(data, "status", "active")


def test_a_multi_line_value_can_still_be_removed() -> None:
    data = PROFILE.replace(b"status: lead", b"status: |\n  lead\n  and more")
    assert unset_key(data, "status") == PROFILE.replace(b"status: lead\n", b"")


def test_a_value_with_a_control_character_is_refused() -> None:
    with pytest.raises(WriteRefused, match="control character"):
        set_key(PROFILE, "status", "lead\nname: Mallory")


# ---------------------------------------------------------------- Hypothesis

WORD = st.text(st.characters(codec="utf-8", categories=("L", "N"), include_characters="-'"),
               min_size=1, max_size=8)
WORDS = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
VALUES = st.one_of(WORDS, st.sampled_from(["no", "yes", "012345", "+44 20 7946 0958",
                                           "10:00", "2026-02-30", "a: b", "#x", "@sam",
                                           "[x]", "'q'", '"d"', "", "- a", "~", "null"]))
KEYS = st.sampled_from(["name", "phone", "email", "status", "owner", "tags", "note", "since"])
NEW_KEYS = st.sampled_from(["name", "phone", "tags", "address", "gate_code", "since"])


@st.composite
def profile(draw: st.DrawFn) -> bytes:
    lines = ["---"]
    for key in draw(st.lists(KEYS, unique=True, max_size=6)):
        form = draw(st.sampled_from(["plain", "single", "double", "flow", "block", "empty"]))
        word = draw(WORDS)
        comment = draw(st.sampled_from(["", "  # a comment"]))
        if form == "block":
            lines.append(f"{key}:{comment}")
            lines += [f"  - {w}" for w in draw(st.lists(WORDS, min_size=1, max_size=3))]
            continue
        value = {"plain": word, "single": f"'{word}'", "double": f'"{word}"',
                 "flow": f"[{word}, x]", "empty": ""}[form]
        lines.append(f"{key}: {value}{comment}")
        if draw(st.booleans()):
            lines.append("# a comment line")
    lines += ["---", "", "- [ ] 2026-12-01 Task", "", "## Log", "", "- 2026-01-01 call: hi"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(profile(), NEW_KEYS, st.one_of(VALUES, st.lists(VALUES, max_size=3)))
def test_set_reads_back_the_new_value_and_every_other_key_unchanged(
        data: bytes, key: str, value: str | list[str]) -> None:
    before, problems = parse_profile("p.md", data)
    assert before is not None
    assume(not any(p.code in ("parse-error", "duplicate-key") for p in problems))  # valid only
    try:
        new = set_key(data, key, value)
    except WriteRefused as exc:  # only a value that would not be written as given, or an
        # old value set cannot rewrite: a word "-" in a block list makes a list in the list
        old = before.raw(key)
        nested = isinstance(old, list) and any(isinstance(item, list) for item in old)
        assert "control character" in str(exc) or (nested and "several lines" in str(exc)), exc
        return
    after, problems = parse_profile("p.md", new)
    assert after is not None
    expected = value.strip() if isinstance(value, str) else [v.strip() for v in value
                                                             if v.strip()]
    assert [f.raw for f in after.fields if f.key == key] == [expected]
    assert [(f.key, f.raw) for f in after.fields if f.key != key] == [
        (f.key, f.raw) for f in before.fields if f.key != key]
    assert [t.text for t in after.tasks] == ["Task"]
    assert _body(new) == _body(data)


def _body(data: bytes) -> bytes:
    """The bytes after the closing ``---`` line."""
    close = re.search(rb"\n---(\r?\n|$)", data)
    assert close is not None
    return data[close.end():]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_nested_mapping_is_written_as_a_block_in_the_files_line_endings(newline: str) -> None:
    """An import's nested key (emergency_contact) is written as a block mapping, each line
    in the file's own line ending, and the rest of the file stays byte for byte."""
    from plaincrm.frontmatter_edit import set_key

    data = newline.join(["---", "name: Ann", "---", "Body text.", ""]).encode()
    out = set_key(data, "emergency_contact", {"name": "Susan", "phone": "+44 20 7946 0311",
                                              "days": ["Mon", "Thu"]})
    assert out == newline.join(["---", "name: Ann", "emergency_contact:", "  name: Susan",
                                '  phone: "+44 20 7946 0311"', "  days: [Mon, Thu]", "---",
                                "Body text.", ""]).encode()
    bare = set_key(b"Body.\n", "site", {"gate": "0451"})
    assert bare == b'---\nsite:\n  gate: "0451"\n---\nBody.\n'
