"""Every file plaincrm writes, and the one rule for paths inside the vault.

- :func:`vault_path` is the rule: a path plaincrm reads or writes as vault content (a profile,
  the template, the folder of a new profile) must resolve, symlinks followed, inside the vault.
  :func:`read_vault_file` reads such a file, only if it is a regular file (a FIFO would block).
- :func:`update_profile` changes a user's profile: under an exclusive lock, read, change, write a
  temporary file and rename it over the profile only if the profile is still as read. A
  symlinked profile is written through to its target; owner, group and mode are kept; a
  read-only file is refused.
- :func:`write_if_changed` / :func:`write_stream_if_changed` write an output (the calendar feed):
  a regular file atomically and only when its content changed, through symlinks; a character
  device or a FIFO directly, never replaced.
- :func:`create_new` creates a file that appears whole or not at all, never over another.

Both writers share :func:`_write_temp`: a temporary file beside the target, fsynced, with the
target's owner and mode, removed on any failure. An ``OSError`` comes out as
:class:`~plaincrm.errors.FileSystemError` saying which file could not be written.

**The lock.** Two plaincrm processes can both find a profile unchanged before either renames;
the second rename then drops the first one's entry. So a profile write holds ``flock(LOCK_EX)``
from its read to its rename. What is locked is the folder holding the (resolved) profile, by an
fd on the folder itself: the profile is replaced by a rename, so its inode changes and a lock on
it would guard a file that is no longer there; the folder's inode stays, it is the same for
every process whatever its user or environment, it needs no sidecar file (which would show in
the vault's ``git status``) and nothing to clean up. Editors do not take the lock: against them
the write compares the bytes and the inode, size, mtime and ctime read with what is on disk
just before the rename.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from plaincrm.errors import FileSystemError, OutsideVault, WriteRefused

T = TypeVar("T")

LOCK_WAIT = 60.0  # seconds to wait for another plaincrm writing in the same folder
SETTLE = 0.05  # seconds before reading an empty profile again
BOM = b"\xef\xbb\xbf"

Signature = tuple[int, int, int, int, int]


# ---------------------------------------------------------------- the vault's paths


def vault_path(root: Path, rel: str | os.PathLike[str]) -> Path:
    """``rel`` (relative to the vault ``root``) with every symlink resolved, if that lies inside
    the vault; else :class:`OutsideVault`. ``..``, an absolute path, a symlinked folder or file
    leading elsewhere are all refused: a committed ``templates/customer.md -> ~/.ssh/id_rsa``
    must never be read into a profile."""
    base = Path(os.path.realpath(root))
    try:
        target = (base / rel).resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise WriteRefused(f"{os.fspath(rel)}: a symlink loop; plaincrm leaves it alone") from None
    if not target.is_relative_to(base):
        raise OutsideVault(f"{os.fspath(rel) or '.'} leads outside the vault (to {target}); "
                           f"plaincrm reads and writes only inside {base}")
    return target


def read_vault_file(root: Path, rel: str) -> bytes:
    """The bytes of the vault file ``rel``: inside the vault (see :func:`vault_path`) and a
    regular file (a FIFO or a device is refused, never opened for a blocking read)."""
    path = vault_path(root, rel)
    with _errors(f"cannot read {rel}", keep=(FileNotFoundError,)):
        return _read_regular(path, rel)[0]


def make_folder(root: Path, rel: str) -> Path:
    """The folder ``rel`` of the vault, created with its parents if missing; it must resolve
    inside the vault before and after (a symlinked folder may lead out)."""
    mkdir(vault_path(root, rel), rel or ".")
    return vault_path(root, rel)


def mkdir(folder: Path, shown: str) -> None:
    """Create ``folder`` and its parents if missing; a file in the way is a one-line
    :class:`FileSystemError` naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_way = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()),
                      None)
        if in_way is not None:
            raise FileSystemError(f"cannot create the folder {shown}: {in_way} is a file, "
                                  "not a folder") from None
        raise FileSystemError.of(exc, f"cannot create the folder {shown}") from None


# ---------------------------------------------------------------- profiles


def update_profile(root: Path, rel: str, change: Callable[[bytes], bytes], *,
                   had_content: bool, before_rename: Callable[[], None] | None = None) -> bytes:
    """Replace the profile ``rel`` with ``change(its bytes)``; returns the bytes now on disk.

    Under the folder's lock: read the profile (refusing a read-only or non-regular file, and one
    that reads as empty when ``had_content`` says it held a profile a moment ago: an editor
    truncated it to save), change it, write a temporary file with its owner and mode, and rename
    it over the profile only if bytes, inode, size, mtime and ctime are still as read; else
    :class:`WriteRefused` and the profile stays as the user left it. ``before_rename`` runs just
    before that check: a seam where tests put an editor's save.
    """
    path = vault_path(root, rel)
    with _errors(f"cannot write {rel}"), folder_lock(path.parent, rel):
        data, st = _read_profile(path, rel, had_content)
        new = change(data)
        temp, _ = _write_temp(path, lambda fp: fp.write(new), like=st, strict_owner=rel)
        try:
            if before_rename is not None:
                before_rename()
            _check_unchanged(path, rel, data, st)
            os.replace(temp.name, path)
        except BaseException:
            _remove(temp.name)
            raise
        if os.lstat(path).st_ino != temp.ino:
            raise WriteRefused(f"{rel} was replaced by another program just as plaincrm wrote "
                               "it; what plaincrm wrote is not there. Run the command again.")
    _fsync_folder(path.parent)  # the rename is done and seen; making it durable needs no lock
    return new


@contextlib.contextmanager
def folder_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (see the module docstring for why the folder)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteRefused(f"another plaincrm has been writing beside {what} for "
                                       f"{LOCK_WAIT:.0f} s; nothing was written") from None
                time.sleep(0.002)
        yield
    finally:
        os.close(fd)  # closing the folder's fd releases the lock


@contextlib.contextmanager
def lock_if_free(path: Path) -> Iterator[bool]:
    """Take an exclusive ``flock`` on the file ``path`` (made, mode 0600, if missing) if no
    other process holds it; yields whether it was taken, and holds it until the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the fd releases the lock


def _read_profile(path: Path, rel: str, had_content: bool) -> tuple[bytes, os.stat_result]:
    try:
        data, st = _read_regular(path, rel)
    except FileNotFoundError:
        raise WriteRefused(f"{rel} is no longer there; nothing was written") from None
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteRefused(f"{rel} is read-only; plaincrm leaves it as it is (make it "
                           "writable, e.g. chmod u+w, to let plaincrm write to it)")
    if not data.removeprefix(BOM).strip():
        if had_content:
            raise WriteRefused(f"{rel} reads as empty but held a profile a moment ago (an "
                               "editor saving it?); nothing was written. Run the command again.")
        time.sleep(SETTLE)  # empty for a moment, or really empty? Look again.
        _check_unchanged(path, rel, data, st)
    return data, st


def _check_unchanged(path: Path, rel: str, data: bytes, st: os.stat_result) -> None:
    try:
        now, now_st = _read_regular(path, rel)
    except FileNotFoundError:
        now, now_st = None, None
    if now != data or now_st is None or _signature(now_st) != _signature(st):
        raise WriteRefused(f"{rel} changed on disk while plaincrm was writing it (saved in an "
                           "editor?); nothing was written. Run the command again.")


def _signature(st: os.stat_result) -> Signature:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read_regular(path: Path, what: str) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` and its stat, refusing anything else before
    reading (``O_NONBLOCK``: opening a FIFO returns at once instead of waiting for a writer).
    A file that changes while it is read is refused."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise WriteRefused(f"{what} is not a regular file ({_kind(st.st_mode)}); "
                               "plaincrm does not read it")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if _signature(after) != _signature(st):
        raise WriteRefused(f"{what} changed while plaincrm was reading it (saved in an "
                           "editor?); nothing was written. Run the command again.")
    return b"".join(chunks), st


def _kind(mode: int) -> str:
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "not a plain file")


# ---------------------------------------------------------------- outputs


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` as :func:`write_if_changed` does, even when it is the same."""
    _write_output(path, lambda fp: fp.write(data), mode, always=True)


def write_if_changed(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Write ``data`` to the output ``path`` only when its content differs; returns whether it
    wrote. See :func:`write_stream_if_changed`."""
    return _write_output(path, lambda fp: fp.write(data), mode)[0]


def write_stream_if_changed(path: Path, write: Callable[[BinaryIO], T],
                            mode: int | None = None) -> tuple[bool, T]:
    """Write an output too large to hold in memory: ``write(fp)`` writes it piece by piece.

    A regular file (or none) at ``path``: the content goes to a temporary file beside it, which
    replaces it in one rename only when the two hashes differ; a symlink is written through to
    its target, owner and mode are kept (``mode`` is for a new file). A character device or a
    FIFO is written directly and never replaced (a FIFO without a reader is an error, not a
    wait). Returns whether it wrote, and what ``write`` returned."""
    return _write_output(path, write, mode)


def _write_output(path: Path, write: Callable[[BinaryIO], T], mode: int | None,
                  always: bool = False) -> tuple[bool, T]:
    target = Path(os.path.realpath(path))  # through symlinks; a dangling one names the file
    with _errors(f"cannot write {path}"):
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            return True, _write_special(target, st, write)
        temp, result = _write_temp(target, write, like=st, mode=mode)
        try:
            if not always and st is not None and _same_content(target, temp):
                _remove(temp.name)
                return False, result
            os.replace(temp.name, target)
        except BaseException:
            _remove(temp.name)
            raise
        _fsync_folder(target.parent)
    return True, result


def _write_special(path: Path, st: os.stat_result, write: Callable[[BinaryIO], T]) -> T:
    """Write to a character device or a FIFO in place: a rename would replace the node. The
    output is made whole first (in an anonymous temporary file), then copied: a device that
    fails (/dev/full) or a slow reader never interrupts or holds up the making of it."""
    if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        raise FileSystemError(f"cannot write {path}: it is {_kind(st.st_mode)}")
    flags = os.O_WRONLY | os.O_CLOEXEC | os.O_NOCTTY
    if stat.S_ISFIFO(st.st_mode):
        flags |= os.O_NONBLOCK  # never wait for a reader that may not come
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise FileSystemError(f"cannot write {path}: it is a FIFO and no program is "
                                  "reading it") from None
        raise
    with os.fdopen(fd, "wb") as handle, tempfile.TemporaryFile() as spool:
        result = write(spool)
        spool.seek(0)
        os.set_blocking(fd, True)  # a reader is there: let it read at its pace
        shutil.copyfileobj(spool, handle)
    return result


def _same_content(path: Path, temp: _Temp) -> bool:
    """Whether the regular file at ``path`` holds what ``temp`` holds (by size and sha256)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != temp.size:
            return False
        return hashlib.file_digest(handle, "sha256").digest() == temp.digest


# ---------------------------------------------------------------- new files


def create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` unless something (even a dangling symlink) is there; the
    file appears whole or not at all. Returns whether it created it."""
    with _errors(f"cannot write {path}"):
        temp, _ = _write_temp(path, lambda fp: fp.write(data))
        try:
            os.link(temp.name, path)
            return True
        except FileExistsError:
            return False
        finally:
            _remove(temp.name)


# ---------------------------------------------------------------- shared


@dataclass(frozen=True, slots=True)
class _Temp:
    name: str
    ino: int
    size: int
    digest: bytes


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


def _write_temp(path: Path, write: Callable[[BinaryIO], T], like: os.stat_result | None = None,
                mode: int | None = None, strict_owner: str = "") -> tuple[_Temp, T]:
    """A fsynced temporary file beside ``path`` holding what ``write`` writes, with the owner,
    group and mode of ``like`` (else ``mode``, else the umask's). When ``strict_owner`` names
    the file, an owner that cannot be kept refuses the write; else it is kept where allowed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer = _HashingWriter(handle)
            result = write(writer)  # type: ignore[arg-type]
            handle.flush()
            if like is not None:
                _keep_owner(fd, like, strict_owner)
                os.fchmod(fd, like.st_mode & 0o7777)  # after chown, which clears set-id bits
            else:
                os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
            os.fsync(fd)
            ino = os.fstat(fd).st_ino
    except BaseException:
        _remove(tmp)
        raise
    return _Temp(tmp, ino, writer.size, writer.hash.digest()), result


def _keep_owner(fd: int, like: os.stat_result, strict_owner: str) -> None:
    now = os.fstat(fd)
    if (now.st_uid, now.st_gid) == (like.st_uid, like.st_gid):
        return
    try:
        os.fchown(fd, like.st_uid, like.st_gid)
    except PermissionError:
        if strict_owner:
            raise WriteRefused(f"{strict_owner} belongs to another user or group that plaincrm "
                               "cannot give its new version; nothing was written") from None


@contextlib.contextmanager
def _errors(doing: str, keep: tuple[type[OSError], ...] = ()) -> Iterator[None]:
    """Turn an ``OSError`` into a :class:`FileSystemError` saying what failed, in one line."""
    try:
        yield
    except keep:
        raise
    except OSError as exc:
        raise FileSystemError.of(exc, doing) from None


def _remove(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
