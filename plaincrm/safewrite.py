"""Replacing a profile the user may be editing: atomically, and only if it is still as read.

The new text goes to a temporary file in the same folder (fsynced, with the old file's
permission bits); just before the rename the file is read again and the write is refused when its
bytes differ from what plaincrm read (an editor saved meanwhile). A failure at any step leaves the
original file as it was and removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from plaincrm.errors import WriteRefused
from plaincrm.files import _temp_beside


def replace_if_unchanged(path: Path, original: bytes, data: bytes,
                         before_rename: Callable[[], None] | None = None) -> None:
    """Replace ``path`` with ``data`` if it still holds ``original``; else WriteRefused.

    ``before_rename`` runs after the temporary file is written and before the check: a seam
    where tests (or a slow disk) put time between plaincrm's read and its rename.
    """
    mode = os.stat(path).st_mode & 0o7777
    tmp = _temp_beside(path, data)
    try:
        os.chmod(tmp, mode)
        if before_rename is not None:
            before_rename()
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current != original:
            raise WriteRefused(
                f"{path.name} changed on disk while plaincrm was writing it (saved in an "
                "editor?); nothing was written. Run the command again."
            )
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
