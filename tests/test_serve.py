"""plaincrm serve: a real server on 127.0.0.1 (port 0), real sockets, a real subprocess."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import os
import re
import socket
import stat
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plaincrm.loader import load
from plaincrm.serve import FeedServer, ServerThread, is_loopback, load_token, token_path
from tests.livetools import Process, profile, wait_for

TOKEN = "k" * 32


def names_feed(root: Path) -> Any:
    """A provider that builds a small calendar from the vault's profile names (the content is
    injected; the server does not care what the bytes are)."""

    def feed(owner: str | None) -> bytes | None:
        profiles, _ = load(root, full=False)
        chosen = [p for p in profiles if owner is None or (p.owner or "") == owner]
        if owner is not None and not chosen:
            return None
        events = "".join(f"BEGIN:VEVENT\r\nSUMMARY:{p.display_name}\r\nEND:VEVENT\r\n"
                         for p in chosen)
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()

    return feed


@dataclass
class Served:
    port: int
    log: list[str]
    root: Path

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> tuple[http.client.HTTPResponse, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def raw(self, data: bytes) -> bytes:
        """Send ``data`` as it is; everything the server answers until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture
def served(vault: Any) -> Iterator[Served]:
    root = vault({"ann.md": profile("Ann", owner="ben"), "bob.md": profile("Bob")})
    log: list[str] = []
    server = FeedServer("127.0.0.1", 0, TOKEN, names_feed(root), log=log.append, timeout=1.0)
    with ServerThread(server):
        yield Served(server.port, log, root)


def test_right_token_gets_the_feed(served: Served) -> None:
    response, body = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/calendar; charset=utf-8"
    assert body == names_feed(served.root)(None)
    assert b"SUMMARY:Ann" in body and b"SUMMARY:Bob" in body
    assert int(response.getheader("Content-Length")) == len(body)
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.getheader("ETag"))
    assert email.utils.parsedate_to_datetime(response.getheader("Last-Modified"))
    response, body = served.request("GET", f"/{TOKEN}/ben.ics")
    assert response.status == 200
    assert b"SUMMARY:Ann" in body and b"Bob" not in body


def test_etag_and_if_modified_since_give_304(served: Served) -> None:
    response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'},
                    {"If-Modified-Since": modified}):
        response, body = served.request("GET", f"/{TOKEN}/calendar.ics", headers)
        assert (response.status, body) == (304, b""), headers
        assert response.getheader("ETag") == etag
    older = email.utils.formatdate(0, usegmt=True)
    response, body = served.request("GET", f"/{TOKEN}/calendar.ics",
                                    {"If-Modified-Since": older})
    assert response.status == 200 and body
    response, body = served.request("GET", f"/{TOKEN}/calendar.ics",
                                    {"If-None-Match": '"stale"', "If-Modified-Since": modified})
    assert response.status == 200 and body  # If-None-Match wins (RFC 9110)
    # the content changes: a new ETag, and the old one no longer matches
    (served.root / "cy.md").write_text(profile("Cy"), encoding="utf-8")
    response, body = served.request("GET", f"/{TOKEN}/calendar.ics", {"If-None-Match": etag})
    assert response.status == 200 and b"SUMMARY:Cy" in body
    assert response.getheader("ETag") != etag


def test_head_has_the_headers_and_no_body(served: Served) -> None:
    full, body = served.request("GET", f"/{TOKEN}/calendar.ics")
    response, empty = served.request("HEAD", f"/{TOKEN}/calendar.ics")
    assert (response.status, empty) == (200, b"")
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("ETag") == full.getheader("ETag")


def test_wrong_token_and_other_paths_get_the_same_404(served: Served) -> None:
    _, expected = served.request("GET", "/")
    for path in (f"/{'x' * 32}/calendar.ics", f"/{TOKEN[:-1]}/calendar.ics", f"/{TOKEN}",
                 f"/{TOKEN}/", f"/{TOKEN}/calendar", f"/{TOKEN}/nobody.ics",
                 f"/{TOKEN}/calendar.ics/x", f"/{TOKEN}//calendar.ics", f"/{TOKEN}/.ics",
                 "/calendar.ics", "/favicon.ico", f"/{TOKEN.upper()}/calendar.ics"):
        response, body = served.request("GET", path)
        assert (response.status, body) == (404, expected), path
    assert expected == b"404 Not Found\n"


def test_no_traversal(served: Served) -> None:
    for target in (b"/../../../etc/passwd", f"/{TOKEN}/../{TOKEN}/calendar.ics".encode(),
                   f"/{TOKEN}/..%2f..%2fetc%2fpasswd.ics".encode(),
                   f"/{TOKEN}/%2e%2e.ics".encode(), f"/{TOKEN}/a%00.ics".encode()):
        answer = served.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                            b"Connection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 404 "), (target, answer)
        assert answer.endswith(b"\r\n\r\n404 Not Found\n")


def test_only_get_and_head(served: Served) -> None:
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"):
        response, _ = served.request(method, f"/{TOKEN}/calendar.ics", body=b"x")
        assert response.status == 405, method
        assert response.getheader("Allow") == "GET, HEAD"


def test_malformed_requests_do_not_stop_it(served: Served) -> None:
    assert served.raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    assert served.raw(b"GET / HTTP/1.1 extra\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    assert served.raw(b"GET / HTTP/9.9\r\n\r\n").split(b" ")[1] in (b"400", b"505")
    assert served.raw(b"\xff\xfe\x00 / HTTP/1.1\r\n\r\n").split(b" ")[1] in (b"400", b"405")
    too_long = served.raw(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n")
    assert too_long.startswith(b"HTTP/1.1 414 ")
    response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200


def test_vanished_and_slow_clients_do_not_stop_it(served: Served) -> None:
    for partial in (b"", b"GET /", f"GET /{TOKEN}/calendar.ics HTTP/1.1\r\nHost: x".encode()):
        sock = socket.create_connection(("127.0.0.1", served.port))
        sock.sendall(partial)
        sock.close()  # gone in the middle of the request
    # a client that sends its request then resets the connection before reading the answer
    sock = socket.create_connection(("127.0.0.1", served.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.sendall(f"GET /{TOKEN}/calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.close()
    slow = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    slow.sendall(b"GET /")  # ...and nothing more
    response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200  # answered while the slow one waits
    assert slow.recv(100) == b""  # the server's timeout (1 s here) closed the slow one
    slow.close()
    response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200


def test_a_burst_of_requests(served: Served) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: served.request("GET", f"/{TOKEN}/calendar.ics")[0]
                                 .status, range(80)))
    assert statuses == [200] * 80
    response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200


def test_access_log_has_one_line_per_request_and_never_the_token(served: Served) -> None:
    served.request("GET", f"/{TOKEN}/calendar.ics")
    served.request("GET", f"/{TOKEN[:-2]}xx/calendar.ics")
    served.request("POST", f"/{TOKEN}/calendar.ics")
    served.raw(f"BAD {TOKEN}\r\n\r\n".encode())
    wait_for(lambda: len(served.log) >= 4, what="the log lines")
    text = "\n".join(served.log)
    assert TOKEN not in text and TOKEN[:-2] not in text
    requests = [line for line in served.log if '"GET' in line or '"POST' in line]
    assert len(requests) == 3, served.log
    assert '"GET /***/calendar.ics HTTP/1.1" 200' in text
    assert '"POST /***/calendar.ics HTTP/1.1" 405' in text


def test_server_keeps_answering_after_a_provider_error(vault: Any) -> None:
    calls = [0]

    def flaky(owner: str | None) -> bytes | None:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("first call fails")
        return b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    log: list[str] = []
    server = FeedServer("127.0.0.1", 0, TOKEN, flaky, log=log.append, timeout=1.0)
    with ServerThread(server):
        served = Served(server.port, log, vault())
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            served.request("GET", f"/{TOKEN}/calendar.ics")
        response, _ = served.request("GET", f"/{TOKEN}/calendar.ics")
        assert response.status == 200
        wait_for(lambda: any("RuntimeError: first call fails" in x for x in log), what="log")


# ---------------------------------------------------------------- the pulse page


PAGE_HTML = b"<!DOCTYPE html><title>pulse</title><p>page one</p>\n"


@pytest.fixture
def paged(vault: Any) -> Iterator[tuple[Served, list[bytes]]]:
    """A server with a page provider whose page a test can change (``pages[0]``)."""
    root = vault({"ann.md": profile("Ann", owner="ben")})
    pages = [PAGE_HTML]
    log: list[str] = []
    server = FeedServer("127.0.0.1", 0, TOKEN, names_feed(root), log=log.append, timeout=1.0,
                        page=lambda owner: pages[0] if owner is None else None)
    with ServerThread(server):
        yield Served(server.port, log, root), pages


def test_the_page_is_served_at_the_token_folder(paged: tuple[Served, list[bytes]]) -> None:
    served, pages = paged
    response, body = served.request("GET", f"/{TOKEN}/")
    assert (response.status, body) == (200, PAGE_HTML)
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    policy = response.getheader("Content-Security-Policy")
    assert policy.startswith("default-src 'none';") and "frame-ancestors 'none'" in policy
    assert response.getheader("Referrer-Policy") == "no-referrer"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
    # the feeds beside it are unchanged
    response, body = served.request("GET", f"/{TOKEN}/calendar.ics")
    assert response.status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert response.getheader("Content-Security-Policy") is None
    assert response.getheader("ETag") != etag
    # ETag and If-Modified-Since give 304, with the page's headers
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        response, body = served.request("GET", f"/{TOKEN}/", headers)
        assert (response.status, body) == (304, b""), headers
        assert response.getheader("ETag") == etag
    # HEAD: the headers, no body; anything else: 405
    response, body = served.request("HEAD", f"/{TOKEN}/")
    assert (response.status, body) == (200, b"")
    assert response.getheader("Content-Length") == str(len(PAGE_HTML))
    response, _ = served.request("POST", f"/{TOKEN}/", body=b"x")
    assert (response.status, response.getheader("Allow")) == (405, "GET, HEAD")
    # a new page: a new ETag, the old one no longer matches
    pages[0] = b"<!DOCTYPE html><title>pulse</title><p>page two</p>\n"
    response, body = served.request("GET", f"/{TOKEN}/", {"If-None-Match": etag})
    assert (response.status, body) == (200, pages[0])
    assert response.getheader("ETag") != etag


def test_the_page_with_a_wrong_token_is_the_same_404(paged: tuple[Served, list[bytes]]) -> None:
    served, _ = paged
    _, expected = served.request("GET", "/")
    for path in (f"/{'x' * 32}/", f"/{TOKEN[:-1]}/", f"/{TOKEN}x/", f"/{TOKEN.upper()}/",
                 f"/{TOKEN}", f"/{TOKEN}//", f"/{TOKEN}/index.html", f"/{TOKEN}/%2f",
                 f"/{TOKEN}/./", f"/{TOKEN}/../"):
        response, body = served.request("GET", path)
        assert (response.status, body) == (404, expected), path
        assert response.getheader("Content-Security-Policy") is None, path
    wait_for(lambda: len(served.log) >= 11, what="the log lines")
    assert not any(TOKEN in line or TOKEN[:-1] in line for line in served.log)


def test_without_a_page_there_is_no_page(served: Served) -> None:
    response, body = served.request("GET", f"/{TOKEN}/")
    assert (response.status, body) == (404, b"404 Not Found\n")


# ---------------------------------------------------------------- the token


def test_token_lives_outside_the_vault_owner_only(vault: Any, tmp_path: Path) -> None:
    root = vault()
    token, made = load_token(root)
    assert made and len(token) == 32
    path = token_path(root)
    assert path.is_relative_to(tmp_path / "home" / ".config")
    assert not path.is_relative_to(root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_token(root) == (token, False)
    os.chmod(path, 0o644)
    assert load_token(root) == (token, False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated, made = load_token(root, new=True)
    assert made and rotated != token
    assert load_token(root) == (rotated, False)
    other = vault(name="other")
    assert load_token(other)[0] != rotated


def test_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


# ---------------------------------------------------------------- the command


URL = re.compile(r"serving http://127\.0\.0\.1:(\d+)/([A-Za-z0-9_-]+)/calendar\.ics")


def start_serve(root: Path, *args: str) -> tuple[Process, int, str]:
    proc = Process("--vault", str(root), "serve", "--port", "0", "--date", "2026-03-02", *args)
    line = proc.wait_line(lambda x: bool(URL.search(x)))
    match = URL.search(line)
    assert match is not None
    return proc, int(match.group(1)), match.group(2)


def test_serve_command_tokens_and_sigterm(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})
    proc, port, token = start_serve(root)
    try:
        served = Served(port, [], root)
        response, _ = served.request("GET", f"/{'x' * 32}/calendar.ics")
        assert response.status == 404
        served.request("GET", f"/{token}/calendar.ics")
        proc.wait_line(lambda x: '"GET /***/calendar.ics HTTP/1.1"' in x, stream="err")
        assert proc.terminate() == 0
        proc.wait_line(lambda x: x == "stopped", stream="err")
        assert not any(token in x for x in proc.err)
        assert any("new secret token" in x for x in proc.err)
    finally:
        proc.kill()
    again, _, same = start_serve(root)
    assert again.terminate() == 0 and same == token
    rotated, _, new = start_serve(root, "--new-token")
    assert rotated.terminate() == 0 and new != token


def test_serve_beyond_loopback_warns(vault: Any) -> None:
    proc = Process("--vault", str(vault()), "serve", "--host", "0.0.0.0", "--port", "0")
    try:
        proc.wait_line(lambda x: "personal data" in x, stream="err")
        proc.wait_line(lambda x: x.startswith("serving http://0.0.0.0:"))
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_serve_port_in_use(vault: Any, run: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run(vault(), "serve", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 12
    assert "cannot listen on 127.0.0.1:" in result.output


def test_serve_body_is_build_feed(vault: Any) -> None:
    ical = pytest.importorskip("plaincrm.ical")
    from plaincrm.loader import open_vault

    root = vault({"ann.md": profile("Ann", birthday="1980-03-10", owner="ben"),
                  "bob.md": profile("Bob", birthday="1975-03-12")})
    proc, port, token = start_serve(root)
    try:
        served = Served(port, [], root)
        opened = open_vault(root)
        try:
            opened.refresh()
            import datetime as dt

            day = dt.date(2026, 3, 2)
            expected = ical.build_feed(opened, today=day)
            expected_ben = ical.build_feed(opened, owner="ben", today=day)
        finally:
            opened.close()
        response, body = served.request("GET", f"/{token}/calendar.ics")
        assert (response.status, body) == (200, expected)
        response, body = served.request("GET", f"/{token}/ben.ics")
        assert (response.status, body) == (200, expected_ben)
        # an edit reaches the served feed
        (root / "cy.md").write_text(profile("Cy", birthday="1990-03-20"), encoding="utf-8")
        wait_for(lambda: b"Cy" in served.request("GET", f"/{token}/calendar.ics")[1],
                 what="the new profile in the feed")
        assert proc.terminate() == 0
    finally:
        proc.kill()


def pulse_pages(root: Path, *owners: str | None) -> list[bytes]:
    """The pulse pages of the vault at ``root`` on the served day, as plaincrm makes them."""
    from plaincrm.loader import open_vault
    from plaincrm.pulse.gather import page_bytes

    opened = open_vault(root)
    try:
        opened.refresh()
        return [page_bytes(opened, dt.date(2026, 3, 2), owner) for owner in owners]
    finally:
        opened.close()


def test_serve_command_serves_the_live_pulse_page(vault: Any) -> None:
    """The real command: the page at /TOKEN/ is the pulse page of the vault for the pinned day,
    a wrong token gets 404, and an edit to a profile reaches the served page."""
    log = "\n## Log\n\n- 2026-02-20 call: Asked about a new boiler.\n"
    root = vault({"ann.md": profile("Ann Archer", owner="ben") + log,
                  "bob.md": profile("Bob Brown", customer_since="2024-05-01")})
    proc, port, token = start_serve(root)
    try:
        line = proc.wait_line(lambda x: x.startswith("the pulse page: "))
        assert line == f"the pulse page: http://127.0.0.1:{port}/{token}/"
        served = Served(port, [], root)
        (expected,) = pulse_pages(root, None)
        response, body = served.request("GET", f"/{token}/")
        assert (response.status, body) == (200, expected)
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Content-Security-Policy").startswith("default-src 'none'")
        assert b"Monday 2 March 2026" in body and b"Bob Brown" in body
        etag = response.getheader("ETag")
        response, body = served.request("GET", f"/{'x' * 32}/")
        assert (response.status, body) == (404, b"404 Not Found\n")
        # an edit to a profile: Bob gets a call, logged in the week of 23 February
        (root / "bob.md").write_text(profile("Bob Brown", customer_since="2024-05-01")
                                     + "\n## Log\n\n- 2026-02-24 seminar: Came to the open "
                                     "day.\n", encoding="utf-8")
        wait_for(lambda: b"seminar" in served.request("GET", f"/{token}/")[1],
                 what="the new entry on the served page")
        response, _ = served.request("GET", f"/{token}/", {"If-None-Match": etag})
        assert response.status == 200 and response.getheader("ETag") != etag
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_serve_command_serves_each_owners_pulse_page(vault: Any) -> None:
    """/TOKEN/OWNER.html is that staff member's pulse page (owner spelt in any case), the
    same bytes as `plaincrm pulse --html --owner`; an owner nobody has gets the 404 of any
    unknown path, and so does a page asked for with a wrong token."""
    log = "\n## Log\n\n- 2026-02-20 call: Asked about a new boiler.\n"
    root = vault({"ann.md": profile("Ann Archer", owner="Ben") + log,
                  "bob.md": profile("Bob Brown", owner="cy", customer_since="2024-05-01")})
    (root / "plaincrm.toml").write_text('[agenda]\nmanagers = ["mia"]\n', encoding="utf-8")
    proc, port, token = start_serve(root)
    try:
        line = proc.wait_line(lambda x: x.startswith("one staff member's page: "))
        assert line == f"one staff member's page: http://127.0.0.1:{port}/{token}/OWNER.html"
        served = Served(port, [], root)
        ben, everyone = pulse_pages(root, "Ben", None)
        assert ben != everyone
        for name in ("Ben", "ben", "BEN"):
            response, body = served.request("GET", f"/{token}/{name}.html")
            assert (response.status, body) == (200, ben)
            assert response.getheader("Content-Type") == "text/html; charset=utf-8"
            assert response.getheader("Content-Security-Policy").startswith("default-src")
        assert b"<h1>Pulse \xc2\xb7 Ben</h1>" in ben and b"<h1>Pulse</h1>" in everyone
        assert served.request("GET", f"/{token}/")[1] == everyone
        # a manager who owns no profile (agenda.managers) has a page too
        response, body = served.request("GET", f"/{token}/mia.html")
        assert response.status == 200 and b"<h1>Pulse \xc2\xb7 mia</h1>" in body
        for path in (f"/{token}/nobody.html", f"/{'x' * 32}/Ben.html", f"/{token}/.html",
                     f"/{token}/Ben.htm", f"/{token}/../Ben.html"):
            response, body = served.request("GET", path)
            assert (response.status, body) == (404, b"404 Not Found\n"), path
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_threads_are_not_left_behind(vault: Any) -> None:
    before = threading.active_count()
    server = FeedServer("127.0.0.1", 0, TOKEN, names_feed(vault()), log=lambda _: None)
    with ServerThread(server):
        Served(server.port, [], Path()).request("GET", "/")
    wait_for(lambda: threading.active_count() <= before, what="the threads to end")
