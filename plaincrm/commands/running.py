"""Running a long-lived command until Ctrl-C or SIGTERM, which both end it cleanly (exit 0)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable


def until_stopped(run: Callable[[], None]) -> None:
    """Call ``run``; SIGTERM is turned into KeyboardInterrupt, and either one returns normally
    once ``run``'s own cleanup (its ``finally`` blocks) is done."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run()
    finally:
        signal.signal(signal.SIGTERM, previous)
