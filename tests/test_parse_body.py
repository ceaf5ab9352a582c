"""The body's line scanner must agree with markdown-it wherever it answers at all."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from plaincrm import parse, recall
from plaincrm.templates import builtin

LINES = [
    "", "   ", "\t", "# Log", "## Log", "## Log ##", "### Tasks", "#Log", "####### Log", "# #",
    "## Log \\#", "#\tLog", "- [ ] 2026-12-01 Send the quote @me", "- [x] done",
    "- [X]\tcall back", "* [ ] star task", "+ 2026-01-05 call: plus item", "- 2026-11-20 call: Hi",
    "- 2026-1-5 visit: loose date", "- 2026-02-30 note: no such day", "-  two spaces",
    "- - nested", "- # heading in item", "- > quote", "- 1. ordered", "- [x]: reference",
    "-", "--", "---", "===", "***", "* * *", "- - -", "___", "_emph_", "1. first", "2) second",
    "    indented code", "  - indented item", "```", "~~~", "> quote", "<div>", "<!-- c -->",
    "Some notes about the customer.", "2026-01-05 called", "-foo", "+1 for that",
    "[x] not in a list", "|a|b|", "- item with trailing spaces   ", "- 2026-11-20 call:",
    "\u00a0nbsp line", "- \u00a0nbsp item", "<<<<<<< HEAD", "=======", ">>>>>>> branch",
    "- [ ]", "- [ ] ", "* 2026-03-01 service: starred",
]


def _events_agree(body: str) -> None:
    fast = parse.simple_events(body)
    if fast is not None:
        assert fast == parse._markdown_events(body), body


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
@example(["## Log", "- 2026-11-20 call: Hi", "lazy continuation"], "\n")
@example(["Notes.", "- [ ] interrupts the paragraph"], "\n")
def test_line_scanner_agrees_with_markdown_it(lines: list[str], newline: str) -> None:
    _events_agree(newline.join(lines) + newline)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\n-*+#[]xX>`~_=<1.)a:0", max_size=60))
def test_line_scanner_agrees_on_random_text(body: str) -> None:
    _events_agree(body)


def test_plain_profiles_take_the_line_scanner() -> None:
    """The example profile and the new-profile template need no Markdown parse at all."""
    for name in ("example.md", "customer.md"):
        body = builtin(name).split("---\n", 2)[2]
        assert parse.simple_events(body) is not None, name


def test_tricky_bodies_still_parse_right(vault, run) -> None:
    root = vault({"ann.md": """\
        ---
        name: Ann
        ---
        ## Log

        - 2026-11-20 call: first line
          continued on the next
        - 2026-11-21 visit: second

        ```
        - [ ] not a task: inside a fence
        ```

        1. [ ] an ordered task
        """})
    result = run(root, "show", "ann", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    profile = data.get("profile", data)
    assert [t["text"] for t in profile["tasks"]] == ["an ordered task"]
    assert [e["text"] for e in profile["log"]] == ["first line continued on the next", "second"]


def test_fast_and_markdown_paths_give_the_same_profile(tmp_path: Path) -> None:
    text = builtin("example.md")
    fast, fast_problems = parse.parse_profile("ada.md", text.encode())
    slow_body = parse.simple_events
    try:
        parse.simple_events = lambda _body: None  # force markdown-it
        slow, slow_problems = parse.parse_profile("ada.md", text.encode())
    finally:
        parse.simple_events = slow_body
    assert fast == slow and fast is not None
    assert len(fast.tasks) == 2 and len(fast.log) == 2
    assert fast_problems == slow_problems


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12), st.sampled_from(["\n", "\r\n", "\r"]),
       st.sampled_from(["", "\n", "\n\n", "  ", "\n\t", "\n  \n"]))
@example(["- [x] done"], "\n", "\n  ")  # an unended last line of blanks is no line
@example(["- [ ] a", "", "", "text"], "\n", "")  # the blank lines belong to the item
def test_shown_notes_find_headings_and_tasks_as_markdown_it_does(
        lines: list[str], newline: str, end: str) -> None:
    """``show`` finds the headings and task items of the notes by the line scanner when it
    can read the body, and must map them to the same lines as markdown-it."""
    body = newline.join(lines) + end
    assert recall._blocks(body) == recall._markdown_blocks(body), body
