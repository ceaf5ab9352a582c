"""The user's own config says who "me" is, apart from the shared plaincrm.toml."""

from __future__ import annotations

from pathlib import Path

from plaincrm import userconfig


def test_me_comes_from_the_users_own_config(tmp_path: Path) -> None:
    assert userconfig.me() == ""
    target = userconfig.path()
    assert target.is_relative_to(tmp_path / "home" / ".config")
    target.parent.mkdir(parents=True)
    target.write_text('me = " ana "\n')
    assert userconfig.me() == "ana"
    target.write_text("me = [broken\n")
    assert userconfig.me() == ""
