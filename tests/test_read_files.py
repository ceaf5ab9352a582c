"""Files in the vault that are not what they seem: a name that is not UTF-8, a FIFO or a socket
where a profile or plaincrm.toml should be, a folder that cannot be listed, a symlink that leads
out of the vault. Each is a located problem, never a hang or a traceback, and every other file
keeps working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VaultFactory
from tests.readtools import cli, make_socket, no_traceback

DAY = "2026-11-20"
ANN = "---\nname: Ann Archer\nstatus: active\nemail: ann@example.com\n---\n"
READ_COMMANDS = (("list", "--json"), ("agenda", "--json", "--date", DAY),
                 ("calendar", "--date", DAY), ("check", "--json", "--date", DAY),
                 ("show", "Ann Archer", "--date", DAY), ("index",))


def problems(root: Path) -> list[tuple[str, int, str, str]]:
    result = cli(root, "check", "--json", "--date", DAY)
    no_traceback(result)
    return [(p["path"], p["line"], p["code"], p["message"])
            for p in json.loads(result.stdout)["problems"]]


def listed(root: Path) -> list[str]:
    result = cli(root, "list", "--json")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return sorted(p["path"] for p in json.loads(result.stdout)["profiles"])


def every_command_works(root: Path) -> None:
    for args in READ_COMMANDS:
        result = cli(root, *args)
        no_traceback(result)
        assert result.exit_code in (0, 1), (args, result.output)


# ---------------------------------------------------------------- item: a name that is not UTF-8


def test_a_file_name_that_is_not_utf8_is_a_located_problem(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN})
    # as a Windows zip unpacks "Müller.md" (Latin-1), and a folder of the same kind
    with open(os.fsencode(root) + b"/M\xfcller.md", "wb") as handle:
        handle.write(b"---\nname: Hans M\xc3\xbcller\n---\n")
    os.mkdir(os.fsencode(root) + b"/K\xf6ln")
    with open(os.fsencode(root) + b"/K\xf6ln/bob.md", "wb") as handle:
        handle.write(b"---\nname: Bob\n---\n")
    every_command_works(root)
    assert listed(root) == ["ann.md"]
    found = [p for p in problems(root) if p[0] != "ann.md"]
    assert [(path, line, code) for path, line, code, _ in found] == [
        ("K\\xf6ln", 1, "parse-error"), ("M\\xfcller.md", 1, "parse-error")]
    assert "folder name is not UTF-8" in found[0][3] and "'Köln'" in found[0][3]
    assert "file name is not UTF-8" in found[1][3] and "'Müller.md'" in found[1][3]
    text = cli(root, "check", "--date", DAY)
    assert "M\\xfcller.md:1: parse-error the file name is not UTF-8" in text.stdout


def test_a_file_name_with_a_control_character_is_a_located_problem(
        vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN, "evil\x1b[31m\n.md": "---\nname: Evil\n---\n"})
    every_command_works(root)
    assert listed(root) == ["ann.md"]
    found = [p for p in problems(root) if p[0] != "ann.md"]
    assert [(path, code) for path, _, code, _ in found] == [("evil\\x1b[31m\\x0a.md",
                                                            "parse-error")]
    assert "control character" in found[0][3]


def test_odd_but_valid_names_load(vault: VaultFactory) -> None:
    names = ["-leading dash.md", "with space.md", "glob*?[x].md", "Müller.md", "日本.md"]
    root = vault({"ann.md": ANN, **{name: f"---\nname: {i}\n---\n"
                                    for i, name in enumerate(names)}})
    every_command_works(root)
    assert listed(root) == sorted(["ann.md", *names])


# ---------------------------------------------------------------- item: FIFOs and sockets


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_a_fifo_or_socket_named_md_is_a_located_problem(vault: VaultFactory, kind: str) -> None:
    root = vault({"ann.md": ANN})
    if kind == "fifo":
        os.mkfifo(root / "pipe.md")
    else:
        make_socket(root / "pipe.md")
    every_command_works(root)
    assert listed(root) == ["ann.md"]
    found = [p for p in problems(root) if p[0] == "pipe.md"]
    assert [(line, code) for _, line, code, _ in found] == [(1, "parse-error")]
    assert "not a regular file" in found[0][3]


def test_a_fifo_as_plaincrm_toml_is_a_config_problem_not_a_hang(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN})
    os.mkfifo(root / "plaincrm.toml")
    every_command_works(root)
    assert listed(root) == ["ann.md"]
    found = [p for p in problems(root) if p[0] == "plaincrm.toml"]
    assert [(line, code) for _, line, code, _ in found] == [(1, "config-error")]
    assert "not a regular file" in found[0][3]


def test_a_symlink_to_a_fifo_is_refused_too(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN})
    os.mkfifo(root / "pipe")
    (root / "link.md").symlink_to("pipe")
    (root / "plaincrm.toml").symlink_to("pipe")
    every_command_works(root)
    assert listed(root) == ["ann.md"]
    codes = {(path, code) for path, _, code, _ in problems(root)}
    assert {("link.md", "parse-error"), ("plaincrm.toml", "config-error")} <= codes


# ---------------------------------------------------------------- item: a folder we cannot list


CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _without_root_powers() -> None:
    """In the child, before exec: root without the capabilities that let it list any folder
    (dropped from the bounding set, so the new program never gets them)."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_unprivileged(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess that, even as root, obeys folder permissions."""
    return subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root), *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=_without_root_powers)


def test_a_folder_that_cannot_be_listed_is_a_located_problem(vault: VaultFactory) -> None:
    root = vault({"ann.md": ANN, "private/bob.md": "---\nname: Bob\n---\n"})
    (root / "private").chmod(0o300)  # may enter, may not list
    try:
        checked = _run_unprivileged(root, "check", "--json", "--date", DAY)
        listing = _run_unprivileged(root, "list", "--json")
        agenda = _run_unprivileged(root, "agenda", "--date", DAY)
    finally:
        (root / "private").chmod(0o755)
    assert "Traceback" not in checked.stderr + listing.stderr + agenda.stderr
    report = json.loads(checked.stdout)["problems"]
    found = [(p["path"], p["line"], p["code"]) for p in report if p["path"] != "ann.md"]
    assert found == [("private", 1, "parse-error")]
    message = next(p["message"] for p in report if p["path"] == "private")
    assert "cannot list the folder" in message and "left out" in message
    assert [p["path"] for p in json.loads(listing.stdout)["profiles"]] == ["ann.md"]
    assert "1 profile has problems" in agenda.stderr


# ---------------------------------------------------------------- item: links out of the vault


def test_symlinks_out_of_the_vault_are_not_read(vault: VaultFactory, tmp_path: Path) -> None:
    secret = tmp_path / "home" / ".ssh"
    secret.mkdir(parents=True)
    (secret / "id_ed25519").write_text("---\nname: PRIVATE KEY MATERIAL\n---\n")
    (secret / "keys.md").write_text("---\nname: PRIVATE KEY MATERIAL\n---\n")
    root = vault({"ann.md": ANN, "sub/bob.md": "---\nname: Bob Baker\n---\n"})
    (root / "key.md").symlink_to(secret / "id_ed25519")
    (root / "sub" / "up.md").symlink_to("../../home/.ssh/keys.md")  # relative, still outside
    (root / "ssh").symlink_to(secret)  # a folder
    (root / "inside.md").symlink_to("sub/bob.md")  # links that stay inside keep working
    (root / "insidedir").symlink_to("sub")  # (a folder link inside: read at its real place)
    every_command_works(root)
    assert listed(root) == ["ann.md", "inside.md", "sub/bob.md"]
    for args in READ_COMMANDS:
        result = cli(root, *args)
        assert "PRIVATE" not in result.output, args
    found = [(path, code) for path, _, code, _ in problems(root)
             if path not in ("ann.md", "inside.md", "sub/bob.md")]
    assert found == [("key.md", "parse-error"), ("ssh", "parse-error"),
                     ("sub/up.md", "parse-error")]
    message = next(m for path, _, _, m in problems(root) if path == "key.md")
    assert "leads out of the vault" in message


def test_plaincrm_toml_linked_out_of_the_vault_is_not_read(vault: VaultFactory,
                                                            tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('[calendar]\nname = "PRIVATE"\n', encoding="utf-8")
    root = vault({"ann.md": ANN})
    (root / "plaincrm.toml").symlink_to(outside)
    result = cli(root, "calendar", "--date", DAY)
    no_traceback(result)
    assert "PRIVATE" not in result.stdout
    assert "plaincrm.toml:1: config-error" in result.stderr
    assert "leads out of the vault" in result.stderr
