"""Shared fixtures: a vault factory on tmp_path and a CLI runner with HOME and XDG inside it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from plaincrm.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own HOME, XDG folders and index cache; no user config leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_DATA_HOME", ".local/share")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("PLAINCRM_VAULT", raising=False)
    monkeypatch.delenv("PLAINCRM_CACHE_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
    )


VaultFactory = Callable[..., Path]


@pytest.fixture
def vault(tmp_path: Path) -> VaultFactory:
    """``vault({"jane.md": "---\\nname: Jane\\n---\\n"}, config="...")`` → the vault's path.

    Texts are dedented; ``bytes`` values are written as they are.
    """

    def make(files: dict[str, str | bytes] | None = None, config: str | None = None,
             name: str = "vault") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (root / "plaincrm.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return make


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """``run(vault_path, "list", "--json")`` invokes the real CLI; stderr is kept apart."""

    def invoke(root: Path | None, *args: str, input: str | None = None,
               env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        full = (["--vault", str(root)] if root is not None else []) + list(args)
        return runner.invoke(main, full, input=input, env=env, catch_exceptions=False)

    return invoke
