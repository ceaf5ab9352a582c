"""How a plaincrm process ends: ``python -m plaincrm`` and the ``plaincrm`` script leave without
tearing the interpreter down (a warm command's last tenth), and nothing is lost by it: the
whole output, the exit code, what a writing command wrote, the exit handlers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import generate
from tests.conftest import Run, VaultFactory

JANE = """\
---
name: Jane Roe
phone: "+44 20 7946 0958"
service_due: 2026-01-10
---
## Log
- 2026-01-10 visit: First visit.
"""


def plaincrm(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "plaincrm", *args], capture_output=True,
                          env={**os.environ}, check=False, **kwargs)  # type: ignore[call-overload]


def test_the_whole_of_a_long_output_reaches_a_pipe(tmp_path: Path, run: Run) -> None:
    root = generate(300, root=tmp_path / "v")
    args = ("--vault", str(root), "agenda", "--all", "--date", "2026-11-22")
    done = plaincrm(*args)
    expected = run(None, *args).stdout.encode()
    assert done.returncode == 0, done.stderr
    assert len(expected) > 64_000  # more than one pipe buffer
    assert done.stdout == expected


def test_exit_codes_are_kept(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})
    assert plaincrm("--vault", str(root), "list").returncode == 0
    script = Path(sys.executable).parent / "plaincrm"  # what pip installed
    listed = subprocess.run([script, "--vault", str(root), "list"], capture_output=True,
                            check=False)
    assert (listed.returncode, listed.stdout) == (0, plaincrm("--vault", str(root),
                                                               "list").stdout)
    assert b"Jane Roe" in listed.stdout
    missing = plaincrm("--vault", str(root), "show", "nobody-here")
    assert (missing.returncode, missing.stderr) == (4, b"plaincrm: no profile matches "
                                                       b"'nobody-here'\n")
    assert plaincrm("--vault", str(root), "agenda", "--days", "-1").returncode == 2
    assert plaincrm("--vault", str(root), "no-such-command").returncode == 2


def test_what_a_writing_command_wrote_is_on_disk_and_committed(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})
    for args in (["init"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    done = plaincrm("--vault", str(root), "log", "jane roe", "Asked about her knee.",
                    "--kind", "call", "--date", "2026-11-20", "--commit")
    assert done.returncode == 0, done.stderr
    text = (root / "jane.md").read_text(encoding="utf-8")
    assert text == JANE + "- 2026-11-20 call: Asked about her knee.\n"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, check=True,
                            capture_output=True, text=True).stdout
    assert status == ""


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    root = generate(1500, root=tmp_path / "v")  # far more than a pipe holds
    with subprocess.Popen([sys.executable, "-m", "plaincrm", "--vault", str(root), "agenda",
                           "--all", "--date", "2026-11-22"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={**os.environ}) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read()
        code = proc.wait()
    assert first.startswith(b"Agenda for Sunday 22 November 2026")
    assert (code, err) == (1, b"")


def test_exit_handlers_still_run(vault: VaultFactory, tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    mark = tmp_path / "ran"
    script = ("import atexit, pathlib, sys\n"
              f"atexit.register(pathlib.Path({str(mark)!r}).write_text, 'ran')\n"
              "from plaincrm.cli import run\n"
              f"sys.argv = ['plaincrm', '--vault', {str(root)!r}, 'list']\n"
              "run()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert b"Jane Roe" in done.stdout
    assert mark.read_text() == "ran"


def test_a_profiler_still_writes_its_report(vault: VaultFactory, tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    report = tmp_path / "list.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(report), "-m", "plaincrm",
                           "--vault", str(root), "list"], capture_output=True, check=False,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert b"Jane Roe" in done.stdout
    assert report.stat().st_size > 1000
