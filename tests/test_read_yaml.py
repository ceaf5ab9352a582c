"""Front matter and plaincrm.toml built to exhaust the reader: YAML aliases that loop or expand
without end, nesting deeper than the parsers' stacks, TOML that tomllib chokes on. Each is a
located problem on that one file, and the rest of the vault keeps working."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VaultFactory
from tests.readtools import cli, no_traceback

DAY = "2026-11-20"
ANN = "---\nname: Ann Archer\nstatus: active\nemail: ann@example.com\n---\n"
COMMANDS = (("list", "--json"), ("agenda", "--json", "--date", DAY), ("calendar", "--date", DAY),
            ("check", "--json", "--date", DAY), ("show", "Ann Archer", "--date", DAY),
            ("index",))
ALIAS_LOOP = "---\nx: &a [*a]\n---\n"
LAUGHS = "---\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
) + "---\n"


def check(root: Path) -> list[tuple[str, int, str, str]]:
    result = cli(root, "check", "--json", "--date", DAY)
    no_traceback(result)
    return [(p["path"], p["line"], p["code"], p["message"])
            for p in json.loads(result.stdout)["problems"]]


def every_command_works(root: Path) -> None:
    for args in COMMANDS:
        result = cli(root, *args)
        no_traceback(result)
        assert result.exit_code in (0, 1), (args, result.output)
    listing = json.loads(cli(root, "list", "--json").stdout)["profiles"]
    assert "ann.md" in [p["path"] for p in listing]


# ---------------------------------------------------------------- YAML in profiles


def test_an_alias_loop_is_a_located_problem(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN, "loop.md": ALIAS_LOOP})
    every_command_works(root)
    found = [p for p in check(root) if p[0] == "loop.md"]
    assert [(line, code) for _, line, code, _ in found] == [(2, "parse-error")]
    assert "anchor (&a)" in found[0][3]


def _memory_capped() -> None:
    """In the child: at most 1 GiB of memory, so a reader that expands aliases fails fast
    instead of taking the machine with it."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_billion_laughs_is_a_located_problem_in_bounded_memory(vault: VaultFactory) -> None:
    assert len(LAUGHS.encode()) < 500
    root = vault({"ann.md": ANN, "laughs.md": LAUGHS})
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(root.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root), "check",
                           "--json", "--date", DAY], capture_output=True, text=True, env=env,
                          timeout=120, preexec_fn=_memory_capped, check=False)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    found = [(p["path"], p["line"], p["code"]) for p in json.loads(done.stdout)["problems"]
             if p["path"] == "laughs.md"]
    assert found == [("laughs.md", 2, "parse-error")]


@pytest.mark.parametrize("front, line, what", [
    ("name: &who Ann\n", 2, "anchor (&who)"),
    ("name: Ann\nemail: *mail\n", 3, "alias (*mail)"),
    ("base: &b {status: active}\nprofile:\n  <<: *b\n", 2, "anchor (&b)"),
])
def test_anchors_and_aliases_are_refused_with_their_line(vault: VaultFactory, front: str,
                                                         line: int, what: str) -> None:
    root = vault({"ann.md": ANN, "ref.md": f"---\n{front}---\n"})
    every_command_works(root)
    found = [p for p in check(root) if p[0] == "ref.md"]
    assert [(ln, code) for _, ln, code, _ in found] == [(line, "parse-error")]
    assert what in found[0][3] and "quote it" in found[0][3]


def test_ampersand_and_star_inside_text_are_fine(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN, "shop.md": "---\nname: Smith & Sons *Ltd*\nstatus: lead\n"
                                            "email: a@example.com\nnote: '*quoted*'\n---\n"})
    assert [p for p in check(root) if p[0] == "shop.md"] == []
    shown = cli(root, "show", "Smith & Sons *Ltd*", "--json", "--date", DAY)
    assert json.loads(shown.stdout)["name"] == "Smith & Sons *Ltd*"


@pytest.mark.parametrize("depth", [20, 600, 990])
def test_deep_nesting_is_a_located_problem(vault: VaultFactory, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    root = vault({"ann.md": ANN, "deep.md": f"---\nname: Deep\nx: {nested}\n---\n"})
    every_command_works(root)
    found = [p for p in check(root) if p[0] == "deep.md"]
    assert [(line, code) for _, line, code, _ in found] == [(3, "parse-error")]
    assert "nested more than" in found[0][3]


def test_a_key_that_is_a_list_inside_a_mapping_is_a_located_problem(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN,
                  "key.md": "---\nname: Key\nextra:\n  ? " + "[" * 600 + "]" * 600 + "\n  : 1\n"
                            "  ok: 2\n---\n"})
    every_command_works(root)
    found = [(line, code) for path, line, code, _ in check(root) if path == "key.md"]
    assert (4, "parse-error") in found
    shown = json.loads(cli(root, "show", "Key", "--json", "--date", DAY).stdout)
    assert json.dumps(shown).count("ok") == 1


# ---------------------------------------------------------------- plaincrm.toml


@pytest.mark.parametrize("toml, reason", [
    ("[agenda]\nx = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply"),
    ("[agenda]\nx = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n", "nested too deeply"),
    ("[agenda]\ndays = " + "7" * 5000 + "\n", "not valid TOML"),
    ("[agenda]\n" + "a." * 100_000 + "a = 1\n", "dotted parts"),
    ("[" + "a." * 100_000 + "a]\n", "dotted parts"),
])
def test_toml_that_exhausts_tomllib_is_a_config_problem(vault: VaultFactory, toml: str,
                                                        reason: str) -> None:
    root = vault({"ann.md": ANN}, config=toml)
    every_command_works(root)
    found = [(line, code, message) for path, line, code, message in check(root)
             if path == "plaincrm.toml"]
    assert len(found) == 1 and found[0][1] == "config-error", found
    assert reason in found[0][2]


def test_many_unknown_keys_are_each_located_quickly(vault: VaultFactory) -> None:
    keys = "".join(f"k{i} = 1\n" for i in range(60_000))
    root = vault({"ann.md": ANN}, config=f"[vault]\n{keys}")
    found = [(line, code) for path, line, code, _ in check(root) if path == "plaincrm.toml"]
    assert len(found) == 60_000 and found[-1] == (60_001, "config-error")


def test_a_huge_plaincrm_toml_is_not_read(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN}, config="# " + "x" * (2 << 20) + "\n")
    every_command_works(root)
    found = [message for path, _, _, message in check(root) if path == "plaincrm.toml"]
    assert len(found) == 1 and "larger than 1 MiB" in found[0]


@pytest.mark.parametrize("char, line", [("\x1f", 3), ("\x7f", 3), ("\ufffe", 3),
                                        ("\x85", 4)])  # (YAML breaks the line at U+0085)
def test_a_character_yaml_refuses_is_one_located_line(vault: VaultFactory, char: str,
                                                      line: int) -> None:
    """Found by tests/test_fuzz.py: libyaml's reader error spans two lines, which broke the
    one-problem-per-line output of check; and lines are counted as editors count them."""
    root = vault({"ann.md": ANN, "odd.md": f"---\nname: Odd\nnote: a{char}b\n---\n"})
    every_command_works(root)
    found = [(line, code, message) for path, line, code, message in check(root)
             if path == "odd.md"]
    assert [(ln, code) for ln, code, _ in found] == [(line, "parse-error")]
    assert "\n" not in found[0][2] and found[0][2].isprintable()
    text = cli(root, "check", "--date", DAY).stdout
    assert [out for out in text.splitlines() if out.startswith("odd.md")] == [
        f"odd.md:{line}: parse-error {found[0][2]}"]


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029", "\x0c", "\x1e"])
def test_lines_are_counted_as_editors_count_them(vault: VaultFactory, brk: str) -> None:
    """Python's str.splitlines and libyaml break lines at characters editors do not."""
    in_yaml = brk if brk in "\x85\u2028\u2029" else ""  # (YAML refuses the others)
    root = vault({"ann.md": ANN, "odd.md": f"---\nname: 'a{in_yaml}b'\nname: Odd\n---\n"
                                           f"text{brk}more\n\n- [ ] 9999-01-01 task\n"})
    found = [(line, code) for path, line, code, _ in check(root)
             if path == "odd.md" and code in ("duplicate-key", "invalid-date")]
    assert found == [(3, "duplicate-key"), (7, "invalid-date")]
