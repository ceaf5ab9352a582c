"""The errors that end a command, each with its documented exit code (see docs/cli.md).

Problems in the user's data are values (:class:`plaincrm.model.Problem`), never these.
Only the CLI turns these into exit codes.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class PlaincrmError(Exception):
    """An error that ends the command with ``exit_code``; its message is for the user."""

    exit_code = 10


class NoVault(PlaincrmError):
    exit_code = 3


class NoSuchProfile(PlaincrmError):
    exit_code = 4


class AmbiguousName(PlaincrmError):
    exit_code = 5

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class NoSuchTask(PlaincrmError):
    """``plaincrm done`` found no open task matching the text."""

    exit_code = 11


class ProfileExists(PlaincrmError):
    """``plaincrm new`` found a profile that looks like the same person."""

    exit_code = 6


class WriteRefused(PlaincrmError):
    """A write was refused to keep the user's file safe (it changed meanwhile, it is read-only,
    a merge is on…)."""

    exit_code = 7


class OutsideVault(WriteRefused):
    """A path that resolves outside the vault (``..``, an absolute path, a symlink out)."""


class BadValue(WriteRefused):
    """A value given on the command line that plaincrm will not write (a control character,
    a date out of range): nothing was written, and it is a usage error, exit 2 like click's."""

    exit_code = EXIT_USAGE


class GitError(PlaincrmError):
    """git is missing, or the vault is not in a repository, where the command needs one."""

    exit_code = 8


class CacheError(PlaincrmError):
    """The index could not be opened or written even after a rebuild."""

    exit_code = 9


class FileSystemError(PlaincrmError):
    """The operating system refused a read or a write: disk full, no permission, a file where a
    folder should be, a FIFO nobody reads. Nothing was written (or, for a write, only whole
    files)."""

    exit_code = 13

    @classmethod
    def of(cls, exc: OSError, doing: str = "") -> FileSystemError:
        """The error for ``exc``, one line: ``cannot write PATH: No space left on device``."""
        reason = exc.strerror or str(exc) or type(exc).__name__
        if not doing:
            doing = f"{exc.filename}" if exc.filename is not None else "file-system error"
        return cls(f"{doing}: {reason}")


class ServeError(PlaincrmError):
    """``plaincrm serve`` could not listen on the address asked for (in use, not allowed…), or
    could not read or store its feed token."""

    exit_code = 12


class MailError(PlaincrmError):
    """``plaincrm outreach`` cannot send mail: the settings are missing or wrong, the server
    cannot be reached or refuses the login or TLS, or another run is sending. Nothing was
    written to the vault."""

    exit_code = 14
