"""Opening a vault and loading its profiles through the index: the entry point of every command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plaincrm.config import Config, load_config
from plaincrm.index import Index, Note, RefreshStats
from plaincrm.model import Problem, Profile


@dataclass
class Vault:
    """An open vault: its root, its effective config and the index over it."""

    root: Path
    config: Config
    config_problems: list[Problem]
    index: Index
    stats: RefreshStats | None = field(default=None)

    def refresh(self, progress: Callable[[int], None] | None = None) -> RefreshStats:
        self.stats = self.index.refresh(progress=progress)
        return self.stats

    def profiles(self, full: bool = True) -> Iterator[Profile]:
        """Every profile, sorted by path. ``full=False`` keeps only the newest log entry of
        each kind (all that reminders need), which is much lighter on a large vault."""
        if self.stats is None:
            self.refresh()
        return self.index.profiles(full=full)

    def problems(self) -> list[Problem]:
        """Config problems and every loader problem, sorted by path then line."""
        if self.stats is None:
            self.refresh()
        return sorted([*self.config_problems, *self.index.problems()], key=Problem.sort_key)

    def close(self) -> None:
        self.index.close()


def open_vault(root: Path, note: Note | None = None, db_path: Path | None = None) -> Vault:
    config, problems = load_config(root)
    return Vault(root=root, config=config, config_problems=problems,
                 index=Index(root, config, db_path=db_path, note=note))


def load(root: Path, full: bool = True, note: Note | None = None) -> tuple[list[Profile],
                                                                        list[Problem]]:
    """``(profiles, problems)`` for the vault at ``root``: never raises on user data."""
    vault = open_vault(root, note=note)
    try:
        vault.refresh()
        return list(vault.profiles(full=full)), vault.problems()
    finally:
        vault.close()
