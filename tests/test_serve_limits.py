"""plaincrm serve under misbehaving clients, loopback spellings and an unusable config folder:
real sockets on 127.0.0.1, the real CLI (CliRunner or a subprocess). Time bounds are only
generous timeouts that stop a hang."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from plaincrm.serve import FeedServer, ServerThread, is_loopback, token_path
from tests.livetools import Process, profile

TOKEN = "k" * 32
FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def fetch(port: int, timeout: float = 60.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", f"/{TOKEN}/calendar.ics")
        response = conn.getresponse()
        assert response.read() == FEED
        return response.status
    finally:
        conn.close()


def closed_by_server(sock: socket.socket, within: float, drip: bytes = b"") -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds while we send ``drip`` one
    byte every 0.2 s (nothing when empty)."""
    end = time.monotonic() + within
    sent = 0
    sock.settimeout(0.2)
    while time.monotonic() < end:
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            pass
        except ConnectionError:
            return True
        if drip:
            try:
                sock.send(drip[sent % len(drip):][:1])
            except OSError:
                return True
            sent += 1
    return False


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A server with the default limits (a whole request within 10 s...), as plaincrm serve
    runs it."""
    feed_server = FeedServer("127.0.0.1", 0, TOKEN, lambda owner: FEED, log=lambda _: None)
    with ServerThread(feed_server):
        yield feed_server


def test_idle_and_slow_connections_do_not_lock_real_clients_out(server: FeedServer) -> None:
    # 100 connections that never finish a request: half say nothing, half start a request,
    # and a few of those keep dripping a byte at a time while the real clients come
    hogs = [socket.create_connection(("127.0.0.1", server.port), timeout=30)
            for _ in range(100)]
    stop = threading.Event()
    try:
        for sock in hogs[50:]:
            sock.sendall(b"GET /" + TOKEN.encode())

        def drip() -> None:
            while not stop.wait(0.2):
                for sock in hogs[90:]:
                    with contextlib.suppress(OSError):
                        sock.send(b"a")

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        with ThreadPoolExecutor(max_workers=200) as pool:
            statuses = list(pool.map(lambda _: fetch(server.port), range(200)))
        assert statuses == [200] * 200
    finally:
        stop.set()
        for sock in hogs:
            sock.close()


def test_a_request_sent_a_byte_at_a_time_is_cut_off() -> None:
    # a per-recv timeout never fires for a client sending a byte every 0.2 s; the whole
    # request has a deadline (1 s here)
    feed_server = FeedServer("127.0.0.1", 0, TOKEN, lambda owner: FEED, log=lambda _: None,
                             timeout=1.0)
    with ServerThread(feed_server):
        sock = socket.create_connection(("127.0.0.1", feed_server.port), timeout=10)
        try:
            header = b"GET /x HTTP/1.1\r\n" + b"X-Slow: " + b"a" * 10_000
            assert closed_by_server(sock, within=30.0, drip=header)
        finally:
            sock.close()
        assert fetch(feed_server.port) == 200


def test_keep_alive_is_bounded() -> None:
    feed_server = FeedServer("127.0.0.1", 0, TOKEN, lambda owner: FEED, log=lambda _: None,
                             timeout=1.0)
    with ServerThread(feed_server):
        sock = socket.create_connection(("127.0.0.1", feed_server.port), timeout=10)
        try:
            request = f"GET /{TOKEN}/calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            sock.sendall(request * 2)  # two requests, pipelined: both answered
            answer = b""
            while answer.count(FEED) < 2:
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.count(b"HTTP/1.1 200 OK") == 2
            assert closed_by_server(sock, within=30.0)  # then idle: closed
        finally:
            sock.close()


def test_more_connections_than_the_cap_close_the_longest_waiting() -> None:
    feed_server = FeedServer("127.0.0.1", 0, TOKEN, lambda owner: FEED, log=lambda _: None,
                             max_connections=20)
    with ServerThread(feed_server):
        idle = [socket.create_connection(("127.0.0.1", feed_server.port), timeout=30)
                for _ in range(40)]
        try:
            assert [fetch(feed_server.port) for _ in range(5)] == [200] * 5
            assert closed_by_server(idle[0], within=30.0)  # the oldest made room
        finally:
            for sock in idle:
                sock.close()


def test_headers_that_never_end_get_431(server: FeedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        # the server may answer and close before everything is sent
        with contextlib.suppress(ConnectionError):
            sock.sendall(b"GET / HTTP/1.1\r\n" + b"X-Big: a\r\n" * 20_000)
        assert sock.recv(100).startswith(b"HTTP/1.1 431 ")
    assert fetch(server.port) == 200


# ---------------------------------------------------------------- loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "127.0.0.2", "::1", "[::1]",
                                  "localhost", "::ffff:127.0.0.1"])
def test_loopback_spellings(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.5", "10.1"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.1", "127.0.0.2", "localhost",
                                  pytest.param("::1", marks=pytest.mark.skipif(
                                      not _ipv6_loopback(), reason="no IPv6 loopback"))])
def test_serve_on_a_loopback_spelling_does_not_warn(vault: Any, host: str) -> None:
    root = vault({"ann.md": profile("Ann")})
    proc = Process("--vault", str(root), "serve", "--host", host, "--port", "0")
    try:
        line = proc.wait_line(lambda x: x.startswith("serving http://"))
        port = int(line.split("]:" if host == "::1" else ":", 2)[-1].split("/")[0])
        # a request line with control characters is logged escaped
        family = socket.AF_INET6 if host == "::1" else socket.AF_INET
        with socket.socket(family) as sock:
            sock.settimeout(10)
            sock.connect((host if host != "localhost" else "127.0.0.1", port))
            sock.sendall(b"GET /\x1b]0;pwned\x07 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 404")
        proc.wait_line(lambda x: "GET /\\x1b]0;pwned\\x07 HTTP/1.1" in x, stream="err")
        assert proc.terminate() == 0
    finally:
        proc.kill()
    assert not any("personal data" in x for x in proc.err), proc.err
    assert not any("\x1b" in x or "\x07" in x for x in proc.err), proc.err


# ---------------------------------------------------------------- the token's folder


@pytest.fixture
def port_in_use() -> Iterator[int]:
    """A port already taken: should serve get past the token, it stops there (exit 12, a
    different message) instead of serving forever."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _fails_on_the_token(result: Any) -> None:
    assert result.exit_code == 12, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("plaincrm: cannot read or store the feed "
                                                   "token "), result.stderr
    assert "Traceback" not in result.output


def test_token_path_is_a_folder(vault: Any, run: Any, port_in_use: int) -> None:
    root = vault({"ann.md": profile("Ann")})
    token_path(root).mkdir(parents=True)
    for args in ((), ("--new-token",)):
        result = run(root, "serve", "--port", str(port_in_use), *args)
        _fails_on_the_token(result)
        assert "Is a directory" in result.stderr or "it is a folder" in result.stderr
    assert token_path(root).is_dir()  # left as it was


def test_config_folder_cannot_be_written(vault: Any, run: Any, port_in_use: int,
                                         tmp_path: Path) -> None:
    root = vault({"ann.md": profile("Ann")})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    for env in ({"XDG_CONFIG_HOME": str(blocker / "config")},
                {"PLAINCRM_CONFIG_DIR": str(blocker)}):
        result = run(root, "serve", "--port", str(port_in_use), env=env)
        _fails_on_the_token(result)
        assert "Not a directory" in result.stderr or "File exists" in result.stderr
    assert blocker.read_text() == "not a folder\n"
