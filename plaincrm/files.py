"""Writing files safely: atomically, never over something the user did not mean to replace."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")


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
    _replace(_temp_beside(path, data), path, mode)


def _replace(tmp: str, path: Path, mode: int | None) -> None:
    """Rename ``tmp`` over ``path`` keeping ``path``'s permission bits; ``tmp`` never stays."""
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


class _HashingWriter:
    """A binary file that hashes what goes through it."""

    def __init__(self, fp: BinaryIO) -> None:
        self._fp = fp
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._fp.write(data)


def _file_digest(path: Path) -> tuple[int, bytes] | None:
    """(size, sha256) of the file at ``path``; None when there is no such file."""
    try:
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256")
            return handle.tell(), digest.digest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def write_stream_if_changed(path: Path, write: Callable[[BinaryIO], T],
                            mode: int | None = None) -> tuple[bool, T]:
    """:func:`write_if_changed` for content too large to hold in memory: ``write(fp)`` writes
    it piece by piece to a temporary file beside ``path``, which replaces ``path`` (one rename)
    only when the two hashes differ. Returns whether it wrote, and what ``write`` returned."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer = _HashingWriter(handle)
            result = write(writer)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        if _file_digest(path) == (writer.size, writer.hash.digest()):
            os.unlink(tmp)
            return False, result
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _replace(tmp, path, mode)
    return True, result


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
