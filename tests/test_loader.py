"""The loader over a whole vault: every broken file is a located problem, the rest loads."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from plaincrm import fields as conv
from plaincrm.loader import load
from plaincrm.parse import parse_profile
from tests.conftest import FIXTURES, Run

BROKEN_PROBLEMS = [
    ("conflict.md", 3, "conflict-marker"),
    ("conflict.md", 5, "conflict-marker"),
    ("conflict.md", 7, "conflict-marker"),
    ("duplicate-keys.md", 3, "duplicate-key"),
    ("empty-front-matter.md", 1, "no-front-matter"),
    ("empty.md", 1, "empty-file"),
    ("image.md", 1, "parse-error"),
    ("impossible-date.md", 3, "invalid-date"),
    ("latin1.md", 2, "parse-error"),
    ("list-front-matter.md", 2, "parse-error"),
    ("loop.md", 1, "parse-error"),
    ("loose-date.md", 3, "invalid-date"),
    ("no-front-matter.md", 1, "no-front-matter"),
    ("scalar-front-matter.md", 2, "parse-error"),
    ("setext.md", 8, "log-heading-trap"),
    ("tabs.md", 4, "parse-error"),
    ("unclosed.md", 1, "parse-error"),
    ("yaml-error.md", 2, "parse-error"),
]


def copy_broken(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(FIXTURES / "broken", root, symlinks=True)
    return root


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_broken_vault_every_problem_located_and_the_rest_loads(tmp_path: Path) -> None:
    root = copy_broken(tmp_path)
    before = digest(root)
    profiles, problems = load(root)
    assert [(p.location.path, p.location.line, p.code) for p in problems] == BROKEN_PROBLEMS
    names = {p.path: p.name for p in profiles}
    assert "image.md" not in names and "loop.md" not in names
    assert names["good.md"] == "Good Person"
    assert names["bom.md"] == "Bom Person"
    assert names["crlf.md"] == "Crlf Person"
    assert names["content-key.md"] == "Content Key"
    fenced = next(p for p in profiles if p.path == "fenced.md")
    assert [t.text for t in fenced.tasks] == ["a task"]
    phone = next(p for p in profiles if p.path == "phone-plus.md")
    assert phone.phones == ("+4915112345678",)
    assert phone.raw("alt_phone") == "012345" and phone.raw("country") == "NO"
    assert digest(root) == before  # the loader never writes to the vault


def test_cli_lists_the_broken_vault_and_says_problems_exist(tmp_path: Path, run: Run) -> None:
    root = copy_broken(tmp_path)
    result = run(root, "list")
    assert result.exit_code == 0
    assert "Good Person" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "have problems: run plaincrm check" in result.stderr


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_converters_raise_only_field_errors(value: str) -> None:
    for func in (conv.date, conv.birthday, conv.duration, conv.owner, conv.text, conv.text_list):
        with contextlib.suppress(conv.FieldError):
            func(value, "key")


yaml_scalars = st.one_of(st.text(max_size=20), st.sampled_from(
    ["+4915112345678", "012345", "NO", "10:00", "2023-02-30", "1990-5-7", "--02-29", "~", "",
     "@x", "a: b", "[1, 2", "\t", "---", "...", "- a", "{", "'", '"', "#c"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(
    ["name", "email", "phone", "birthday", "status", "service_due", "service_every",
     "contact_every", "customer_since", "owner", "tags", "id", "x", "content", "1"]),
    yaml_scalars), max_size=8), st.text(max_size=200))
def test_no_input_makes_the_loader_raise(pairs: list[tuple[str, str]], body: str) -> None:
    front = "".join(f"{k}: {v}\n" for k, v in pairs)
    profile, problems = parse_profile("x.md", f"---\n{front}---\n{body}".encode())
    assert profile is not None or problems
    for problem in problems:
        assert problem.location.path == "x.md" and problem.location.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_make_the_loader_raise(data: bytes) -> None:
    profile, problems = parse_profile("x.md", data)
    assert profile is not None or problems
