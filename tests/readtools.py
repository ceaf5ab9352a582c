"""Helpers for the tests that attack how plaincrm reads a vault (test_read_*.py, test_fuzz.py):
a deadline that turns a hang into a failure, and special files (FIFOs, sockets)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from click.testing import Result

from plaincrm.cli import main

# seconds: far beyond any command on a small vault; only a hang reaches it
HANG = int(os.environ.get("PLAINCRM_TEST_HANG", "60"))


class Hang(BaseException):
    """Raised by :func:`deadline`. Not an Exception (TimeoutError is an OSError, which the
    code under test may catch and carry on into the next blocking call), so it always ends
    the test."""


@contextlib.contextmanager
def deadline(seconds: int = HANG) -> Iterator[None]:
    """Fail with :class:`Hang` instead of hanging (SIGALRM: main thread, POSIX only)."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def cli(root: Path, *args: str, seconds: int = HANG) -> Result:
    """The real CLI on ``root`` under a deadline; exceptions are kept on the result (the caller
    asserts there are none) so one bad run reports what it raised."""
    from click.testing import CliRunner

    with deadline(seconds):
        return CliRunner().invoke(main, ["--vault", str(root), *args], catch_exceptions=True)


def no_traceback(result: Result) -> None:
    """A command may exit with any documented code, but never with an exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"the command raised:\n{tb}\nstdout:\n{result.stdout}")


def make_socket(path: Path) -> None:
    """A Unix socket file at ``path`` (closed at once: the file stays)."""
    with socket.socket(socket.AF_UNIX) as sock:
        here = os.getcwd()
        os.chdir(path.parent)  # a short relative name: socket paths are limited to ~100 bytes
        try:
            sock.bind(path.name)
        finally:
            os.chdir(here)
