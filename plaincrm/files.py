"""Writing files safely: atomically, never over something the user did not mean to replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _temp_beside(path: Path, data: bytes) -> str:
    """A fsynced temporary file in ``path``'s folder holding ``data``; returns its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` in one rename: readers see the old file or the new one.

    The existing file's permission bits are kept (or ``mode`` is used for a new file).
    """
    tmp = _temp_beside(path, data)
    try:
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_if_changed(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Write atomically only when the content differs; returns whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    atomic_write(path, data, mode)
    return True


def create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` unless it exists; the file appears whole or not at all."""
    tmp = _temp_beside(path, data)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
