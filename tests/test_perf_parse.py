"""The front-matter line reader must give libyaml's fields wherever it answers at all."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from plaincrm import parse
from plaincrm.templates import builtin

KEYS = ["name", "email", "phone", "tags", "id", "x-y", "_k", "2fa", "näme", "a b", "name"]
VALUES = [
    "", " ", "Ada Lovelace", "\"+44 7712 772035\"", "'single'", "\"with # hash\"", "a # comment",
    "a#b", "a: b", "a:b", "ends:", "[a, b]", "[]", "[ a , b ]", "[a, , b]", "[a: b]", "[a, [b]]",
    "[\"q\", b]", "{a: b}", "- x", "-5", "?x", ":x", "&anchor x", "*alias", "!tag x", "|", ">",
    "%x", "@me", "`x`", "'it''s'", "\"esc\\n\"", "O'Brien", "~", "null", "yes", "2026-02-30",
    "\u00a0nbsp", "tab\there", "47 Park Avenue, Leeds", "Ideal Logic+ C30", "a  ", "\"a\" b",
    "'a' # c", "x\\y", "<<", "[a, b] # c", "[a, b", "é ü", "\u2028", "\x85",
    "--08-27", "-", "-:", "::x", "?", "-#x", ":#", "? x", "-- x", "--- x", ": x",
]
ITEMS = ["- a", "  - a", " - b", "- \"q\"", "- 'q'", "-", "- ", "-x", "- a: b", "- - a",
         "- [a]", "  continued", "# comment", "", "   ", "- a # c", "\t- a"]


def _yaml_fields(lines: list[str], close: int) -> list[parse.Field] | None:
    yaml, loader = parse._yaml()
    out = parse._Collector("p.md")
    try:
        node = yaml.compose("".join(lines[1:close]), Loader=loader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    try:
        found = parse._mapping_fields(node, out)
    except parse._TooDeep:
        return None
    return None if out.problems else found


def _agree(front: list[str]) -> None:
    text = "---\n" + "".join(f"{line}\n" for line in front) + "---\n"
    lines = parse._split_lines(text)
    close = len(lines) - 1
    fast = parse._simple_fields(lines, close)
    if fast is not None:
        assert fast == _yaml_fields(lines, close), text


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(
    st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)).map(lambda kv: f"{kv[0]}:{kv[1]}"),
    st.sampled_from(ITEMS)), max_size=8))
@example(["tags:", "- a", "- b", "name: Ann"])
@example(["tags:", "  - a", "  - b"])
@example(["name: \"\"", "- a"])
def test_line_reader_agrees_with_libyaml(front: list[str]) -> None:
    _agree(front)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab :#-[],\"'\n &*!|>", max_size=40))
def test_line_reader_agrees_on_random_text(text: str) -> None:
    _agree(text.split("\n"))


VALUE_TEXT = st.text(alphabet="ab :#-?[],\"'\\ &*!|>@%`{}~é", max_size=12)
ENTRY = st.one_of(VALUE_TEXT.map(lambda v: [v]),
                  st.tuples(st.sampled_from(["", " ", "  "]),
                            st.lists(VALUE_TEXT, min_size=1, max_size=3)).map(
                      lambda x: [""] + [f"{x[0]}- {item}" for item in x[1]]))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS[:7]), ENTRY), max_size=6,
                unique_by=lambda kv: kv[0]))
@example([("name", [":: >"])])  # a ':' then ': ' ends the plain scalar: not a value
@example([("name", ["-: a"])])
@example([("tags", ["", "- ?: b"])])
def test_line_reader_agrees_on_random_values(entries: list[tuple[str, list[str]]]) -> None:
    front = []
    for key, (value, *items) in entries:
        front += [f"{key}: {value}".rstrip(" ") if value else f"{key}:", *items]
    _agree(front)


def test_plain_front_matter_takes_the_line_reader() -> None:
    """The example profile needs no YAML parse at all, and reads the same either way."""
    lines = parse._split_lines(builtin("example.md"))
    close = lines.index("---\n", 1)
    assert parse._simple_fields(lines, close) is not None
    assert parse._simple_fields(lines, close) == _yaml_fields(lines, close)
