"""The user's own settings, outside the shared vault: who "me" is.

A TOML file in the user's config folder (``platformdirs.user_config_dir("plaincrm")``, e.g.
``~/.config/plaincrm/config.toml`` on Linux)::

    me = "ben"

``me`` is the short name ``agenda --mine`` and friends mean; it belongs to the person, not to
the vault everybody shares. Read with :mod:`tomllib`, never executed; a file that cannot be read
counts as empty.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

FILE_NAME = "config.toml"


def path() -> Path:
    import platformdirs  # only when asked: its import is a tenth of a warm command's start

    return Path(platformdirs.user_config_dir("plaincrm")) / FILE_NAME


def me() -> str:
    """``me`` from the user's config file; ``""`` when unset or unreadable."""
    try:
        data = tomllib.loads(path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    value = data.get("me", "")
    return value.strip() if isinstance(value, str) else ""
