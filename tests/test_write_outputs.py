"""``calendar -o PATH``: written through symlinks, devices and FIFOs written directly and never
replaced, a file-system failure a one-line error with its exit code."""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Run, VaultFactory

ARGS = ("calendar", "--date", "2026-02-20")
JANE = b"---\nname: Jane Roe\n---\n\n## Log\n\n- 2026-01-01 call: a\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    shutil.copytree(FIXTURES / "calendar", folder)
    return folder


def plaincrm(*args: str, timeout: float = 15, **kwargs: object) -> subprocess.CompletedProcess:
    """The real CLI in its own process: a hang ends the test instead of the test run."""
    return subprocess.run([sys.executable, "-m", "plaincrm", *args], capture_output=True,
                          timeout=timeout, **kwargs)  # type: ignore[call-overload]


def device(path: Path, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), made in tmp_path
    so that a failing write can never replace the machine's own."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating device nodes is not allowed here")
    return path


def expected_feed(run: Run, root: Path) -> bytes:
    result = run(root, *ARGS)
    assert result.exit_code == 0
    return result.stdout_bytes


def test_a_symlink_is_written_through(root: Path, run: Run, tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    link = tmp_path / "reminders.ics"
    link.symlink_to("feeds/real.ics")
    result = run(root, *ARGS, "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (tmp_path / "feeds/real.ics").read_bytes() == expected_feed(run, root)
    again = run(root, *ARGS, "-o", str(link))
    assert "unchanged" in again.stderr
    assert link.is_symlink()


def test_a_device_is_written_not_replaced(root: Path, tmp_path: Path) -> None:
    null = device(tmp_path / "null", 3)
    done = plaincrm("--vault", str(root), *ARGS, "-o", str(null))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "null", "vault"]


def test_disk_full_is_a_one_line_error(root: Path, tmp_path: Path) -> None:
    full = device(tmp_path / "full", 7)
    done = plaincrm("--vault", str(root), *ARGS, "-o", str(full), text=True)
    assert done.returncode == 13
    assert done.stderr == f"plaincrm: cannot write {full}: No space left on device\n"
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "home", "vault"]


def test_a_fifo_without_a_reader_is_an_error_not_a_hang(root: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    done = plaincrm("--vault", str(root), *ARGS, "-o", str(fifo), text=True)
    assert done.returncode == 13
    assert "no program is reading" in done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_with_a_reader_gets_the_feed(root: Path, run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()  # blocks in open() until the writer comes
    done = None
    for _ in range(100):  # the reader must be in open() before the non-blocking writer opens
        done = plaincrm("--vault", str(root), *ARGS, "-o", str(fifo))
        if done.returncode == 0:
            break
    assert done is not None and done.returncode == 0, done and done.stderr
    reader.join(timeout=60)
    assert got == [expected_feed(run, root)]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_file_too_large_for_the_limit_is_a_one_line_error(vault: VaultFactory, run: Run,
                                                             tmp_path: Path) -> None:
    big = JANE + b"".join(b"- 2026-01-01 note: entry %d of a long log\n" % n for n in range(3000))
    root = vault({"jane.md": big})
    assert run(root, "list").exit_code == 0  # the index is built: a warm run only reads it

    def small_files() -> None:  # EFBIG for any write past 64 KiB, as a full quota would
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    done = plaincrm("--vault", str(root), "log", "jane", "Hi.", text=True,
                    preexec_fn=small_files)
    assert done.returncode == 13, done.stderr
    assert done.stderr == "plaincrm: cannot write jane.md: File too large\n"
    assert (root / "jane.md").read_bytes() == big
    assert sorted(p.name for p in root.iterdir()) == ["jane.md"]


# ---------------------------------------------------------------- folders in the way


def test_new_with_a_folder_that_is_a_file(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE, "notes.txt": b"x"})
    done = plaincrm("--vault", str(root), "new", "Eve Adams", "--folder", "notes.txt/sub",
                    text=True)
    assert done.returncode == 13, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "notes.txt" in done.stderr
    done = plaincrm("--vault", str(root), "new", "Eve Adams", "--folder", "notes.txt",
                    text=True)
    assert done.returncode == 13, done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_init_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    done = plaincrm("init", str(tmp_path / "a-file/shop"), text=True)
    assert done.returncode == 13, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "a-file" in done.stderr
