"""Small helpers for the watch and serve tests: waiting on a condition, running the real CLI
in a subprocess and reading its output as it comes."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


def profile(name: str, **fields: str) -> str:
    lines = [f"name: {name}", "status: active", "email: someone@example.com"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


class Process:
    """``python -m plaincrm ARGS`` with its stdout and stderr read line by line in threads."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "plaincrm", *args], cwd=cwd, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    def _read(self, stream: IO[str] | None, sink: list[str]) -> None:
        assert stream is not None
        for line in stream:
            sink.append(line.rstrip("\n"))

    def wait_line(self, predicate: Callable[[str], bool], timeout: float = 20.0,
                  stream: str = "out") -> str:
        lines = self.out if stream == "out" else self.err
        return wait_for(lambda: next((x for x in lines if predicate(x)), None), timeout,
                        f"a line on std{stream}; got {self.out!r} {self.err!r}")

    def terminate(self, timeout: float = 15.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def run_with_terminal_stderr(cmd: list[str], env: dict[str, str],
                             timeout: float = 60) -> tuple[subprocess.CompletedProcess[bytes],
                                                           bytes]:
    """Run ``cmd`` with stdout piped and stderr on a pseudo-terminal (where progress bars
    show); the finished process and every byte it wrote to the terminal."""
    import pty

    leader, follower = pty.openpty()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=follower,
                          timeout=timeout, check=False)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return done, seen
