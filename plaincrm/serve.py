"""Serving the calendar feed and the pulse page over HTTP at a secret URL: ``plaincrm serve``.

No dependency: the standard library's :class:`http.server.BaseHTTPRequestHandler` reads each
request and writes its answer, and :class:`plaincrm.connections.ConnectionServer` carries them
over the network, so that slow, idle or crowding clients cannot lock real ones out. It never
touches the file system: it answers ``/<token>/calendar.ics`` and ``/<token>/<owner>.ics``
from a *provider* (``feed(owner) -> bytes | None``), which in ``plaincrm serve`` is the
:class:`FeedCache` the watcher refreshes, and ``/<token>/`` and ``/<token>/<owner>.html``
from a *page provider* (``page(owner) -> bytes | None``), the :class:`PageCache` beside it.
Everything else, a wrong token included, gets the same 404.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import io
import ipaddress
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import platformdirs

from plaincrm.connections import REQUEST_TIMEOUT, ConnectionServer
from plaincrm.errors import FileSystemError, ServeError
from plaincrm.files import atomic_write
from plaincrm.index import vault_key
from plaincrm.loader import Vault
from plaincrm.render import terminal_text

Provider = Callable[[str | None], bytes | None]
PageProvider = Callable[[str | None], bytes | None]
Log = Callable[[str], None]
ENV_CONFIG = "PLAINCRM_CONFIG_DIR"
CONTENT_TYPE = "text/calendar; charset=utf-8"
NOT_FOUND = b"404 Not Found\n"
PAGE_TYPE = "text/html; charset=utf-8"
PAGE = "/"  # a page's key among the versions served starts with it (no feed's owner does)


# ---------------------------------------------------------------- the token


def token_path(vault: Path) -> Path:
    """Where the vault's feed token lives: the user's config folder, never the vault."""
    base = os.environ.get(ENV_CONFIG) or platformdirs.user_config_dir("plaincrm")
    return Path(base) / "tokens" / f"{vault_key(vault)}.token"


def load_token(vault: Path, new: bool = False) -> tuple[str, bool]:
    """The vault's feed token and whether it was made just now (first use, or ``new``).
    :class:`ServeError` when it can be neither read nor stored (the path is a folder, the
    config folder is not writable...)."""
    path = token_path(vault)
    try:
        return _load_token(path, new)
    except OSError as exc:
        raise ServeError(f"cannot read or store the feed token {path}: "
                         f"{exc.strerror or exc}") from None
    except FileSystemError as exc:  # the one atomic write says what the system refused
        raise ServeError(f"cannot read or store the feed token {path}: "
                         f"{str(exc).rsplit(': ', 1)[-1]}") from None


def _load_token(path: Path, new: bool) -> tuple[str, bool]:
    if not new:
        try:
            token = path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            token = ""
        if re.fullmatch(r"[A-Za-z0-9_-]{32,}", token):
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)  # someone widened it: the token is a password
            return token, False
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, (token + "\n").encode("ascii"), mode=0o600)
    os.chmod(path, 0o600)
    return token, True


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address in any spelling the system takes: ``127.1``,
    ``127.0.0.2``, ``::1``, ``[::1]``, ``localhost``) means this machine only."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(_loopback_address(str(info[4][0])) for info in infos)


def _loopback_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def feed_url(host: str, port: int, token: str, name: str = "calendar") -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{token}/{name}.ics"


def page_url(host: str, port: int, token: str, owner: str | None = None) -> str:
    """The URL of the pulse page: the folder the feeds are in; one owner's page beside it."""
    folder = feed_url(host, port, token).rsplit("/", 1)[0] + "/"
    return folder + (f"{owner}.html" if owner else "")


# ---------------------------------------------------------------- the feed cache


class _PerOwner:
    """What the server hands out for everyone (key None) and for each owner the vault knows
    (:func:`plaincrm.agenda.known_owners`: profiles' and tasks' owners, ``vault.me`` and
    ``agenda.managers``), rebuilt by the watcher: a watcher *output* (called with the
    refreshed vault) and, through :meth:`get`, the server's provider. Everything is built
    when the vault changes, in the watcher's thread, and swapped in whole; owners are looked
    up in any case (the first spelling the vault has wins)."""

    name = ""
    updated = ""

    def __init__(self) -> None:
        self._bytes: dict[str | None, bytes] = {}
        self._lock = threading.Lock()

    def build_all(self, vault: Vault, owners: list[str], today: dt.date
                  ) -> dict[str | None, bytes]:
        raise NotImplementedError

    def __call__(self, vault: Vault, today: dt.date) -> str | None:
        from plaincrm.agenda import known_owners

        built = self.build_all(vault, known_owners(vault), today)
        kept = {None if owner is None else owner.casefold(): data
                for owner, data in reversed(built.items())}
        with self._lock:
            changed = kept != self._bytes
            self._bytes = kept
        return self.updated if changed else None

    def get(self, owner: str | None = None) -> bytes | None:
        with self._lock:
            return self._bytes.get(owner.casefold() if owner else None)


class FeedCache(_PerOwner):
    """The calendar feeds. A feed of several owners is not served: they are built before any
    request, so each owner is a subscription of their own."""

    name = "feed"
    updated = "feed updated"

    def __init__(self, build: Callable[[Vault, str | None, dt.date], bytes] | None = None) -> None:
        super().__init__()
        self._build = build or _build_ical

    def build_all(self, vault: Vault, owners: list[str], today: dt.date
                  ) -> dict[str | None, bytes]:
        return {who: self._build(vault, who, today) for who in [None, *owners]}

    def feed(self, owner: str | None) -> bytes | None:
        return self.get(owner)


def _build_ical(vault: Vault, owner: str | None, today: dt.date) -> bytes:
    from plaincrm import ical

    return ical.build_feed(vault, owner=owner, today=today)


# ---------------------------------------------------------------- the pulse page


class PageCache(_PerOwner):
    """The pulse pages, everyone's at ``/<token>/`` and each staff member's at
    ``/<token>/<owner>.html``, all from one gathering of the records."""

    name = "pulse page"
    updated = "page updated"

    def __init__(self, build: Callable[[Vault, list[str], dt.date],
                                       dict[str | None, bytes]] | None = None) -> None:
        super().__init__()
        self._build = build or _build_pages

    def build_all(self, vault: Vault, owners: list[str], today: dt.date
                  ) -> dict[str | None, bytes]:
        return self._build(vault, owners, today)

    def page(self, owner: str | None = None) -> bytes | None:
        return self.get(owner)


def _build_pages(vault: Vault, owners: list[str], today: dt.date) -> dict[str | None, bytes]:
    from plaincrm.pulse.gather import owner_pages

    return owner_pages(vault, today, [None, *owners])


def page_headers() -> dict[str, str]:
    """What the page is sent with: its own Content-Security-Policy (no request of any kind,
    no framing), and no Referer that could carry the token anywhere."""
    from plaincrm.render.pulse_html import CONTENT_SECURITY_POLICY

    return {"Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'; "
                                       "base-uri 'none'; form-action 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


# ---------------------------------------------------------------- the server


class FeedServer(ConnectionServer):
    """Serves ``provider``'s feeds under ``/<token>/``, and ``page``'s page at ``/<token>/``
    itself (without ``page``: 404); one log line per request via ``log``.
    Slow, idle and crowding clients are handled by :class:`ConnectionServer` (deadlines for a
    whole request, bounded keep-alive, a cap that closes the longest waiting first)."""

    def __init__(self, host: str, port: int, token: str, provider: Provider,
                 log: Log | None = None, timeout: float = REQUEST_TIMEOUT,
                 page: PageProvider | None = None, **limits: Any) -> None:
        self.token = token
        self.provider = provider
        self.page = page
        self.log = log or _stderr
        # owner (PAGE + owner: a page) -> (the data last served, its etag, when it changed)
        self._versions: dict[str | None, tuple[bytes, str, float]] = {}
        self._versions_lock = threading.Lock()
        super().__init__(host, port, timeout=timeout, **limits)

    def respond(self, head: bytes, complete: bool, address: Any) -> tuple[bytes, bool]:
        handler = FeedHandler(Request(head, complete), address, self)  # type: ignore[arg-type]
        out = handler.wfile
        assert isinstance(out, io.BytesIO)  # Request.makefile gives memory, never a socket
        return out.getvalue(), not handler.close_connection

    def version(self, owner: str | None, data: bytes) -> tuple[str, float]:
        """The ETag of a feed (or of a page: ``owner`` :data:`PAGE` + owner) and when its content
        last changed (the first time we saw it)."""
        with self._versions_lock:
            known = self._versions.get(owner)
            if known is not None and known[0] is data:  # the same bytes as last time
                return known[1], known[2]
        etag = '"' + hashlib.sha256(data).hexdigest() + '"'
        with self._versions_lock:
            known = self._versions.get(owner)
            changed = known[2] if known is not None and known[1] == etag else \
                float(int(time.time()))  # HTTP dates have whole seconds
            self._versions[owner] = (data, etag, changed)
            return etag, changed

    def redact(self, text: str) -> str:
        """``text`` with the token, and any first path segment of a request, as ``***``."""
        text = text.replace(self.token, "***")
        return re.sub(r'([A-Z]+ (?:https?://[^/\s]*)?/)[^/\s"]+(?=/)', r"\1***", text)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        self.log(f"{client_address[0]} - error: {type(exc).__name__}: "
                 f"{self.redact(str(exc))}")


def _stderr(line: str) -> None:
    sys.stderr.write(terminal_text(line) + "\n")  # request lines are the client's bytes
    sys.stderr.flush()


@dataclass(frozen=True, slots=True)
class Request:
    """A request head as read off the connection; ``complete`` False: cut at MAX_HEAD."""

    head: bytes
    complete: bool


class FeedHandler(BaseHTTPRequestHandler):
    """One request, read from :class:`Request` and answered into ``wfile`` (bytes)."""

    server: FeedServer  # type: ignore[assignment]
    request: Request
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "plaincrm"

    def setup(self) -> None:
        """The request comes from memory and the response goes to memory: the connection
        itself is :class:`ConnectionServer`'s, never touched here."""
        self.rfile = io.BytesIO(self.request.head)
        self.wfile = io.BytesIO()

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def finish(self) -> None:
        pass

    def handle_one_request(self) -> None:
        """The standard library's, with every method but GET and HEAD answered 405."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.request.complete:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return
        if not self.parse_request():
            return
        if self.headers.get("Content-Length", "0").strip() != "0" or \
                "Transfer-Encoding" in self.headers:
            self.close_connection = True  # a body is never read: do not take it for a request
        if self.command in ("GET", "HEAD"):
            self.serve_get()
        else:
            self.reply(HTTPStatus.METHOD_NOT_ALLOWED, b"405 Method Not Allowed\n",
                       {"Allow": "GET, HEAD"})

    def serve_get(self) -> None:
        """A feed or the page, with the same rules: 404 for anything unknown, ETag and
        Last-Modified, 304 for a client that has it already."""
        found, owner = self.route(self.path)
        data: bytes | None = None
        headers: dict[str, str] = {}
        content_type = CONTENT_TYPE
        if found and owner is not None and owner.startswith(PAGE):
            whose = owner.removeprefix(PAGE) or None
            data = self.server.page(whose) if self.server.page is not None else None
            headers, content_type = page_headers(), PAGE_TYPE
        elif found:
            data = self.server.provider(owner)
        if data is None:
            self.reply(HTTPStatus.NOT_FOUND, NOT_FOUND)
            return
        etag, changed = self.server.version(owner, data)
        headers.update({"ETag": etag,
                        "Last-Modified": email.utils.formatdate(changed, usegmt=True),
                        "Cache-Control": "private, no-cache"})
        if self.not_modified(etag, changed):
            self.reply(HTTPStatus.NOT_MODIFIED, b"", headers, content_type=None)
            return
        self.reply(HTTPStatus.OK, data, headers, content_type=content_type)

    def route(self, target: str) -> tuple[bool, str | None]:
        """``(True, owner)`` for a feed's path (owner None: everyone's), ``(True, PAGE)`` for
        the page's, ``(True, PAGE + owner)`` for one owner's page, else ``(False, None)``.

        Only the exact shapes ``/<token>/<name>.ics`` (a feed), ``/<token>/`` (the page) and
        ``/<token>/<owner>.html`` (one owner's page) are served; nothing is ever looked up on
        disk, so ``..`` and friends can only miss.
        """
        parts = urlsplit(target).path.split("/")
        if len(parts) != 3 or parts[0] != "":
            return False, None
        given, name = parts[1], unquote(parts[2])
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            return False, None
        if parts[2] == "":
            return True, PAGE
        for suffix, key in ((".ics", ""), (".html", PAGE)):
            stem = name.removesuffix(suffix)
            if stem == name:
                continue
            if not stem or stem.startswith(".") or re.search(r"[/\\\x00]", stem):
                return False, None
            if key:
                return True, key + stem
            return True, (None if stem == "calendar" else stem)
        return False, None

    def not_modified(self, etag: str, changed: float) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = {t.strip().removeprefix("W/") for t in match.split(",")}
            return etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return changed <= when.timestamp()

    def reply(self, status: HTTPStatus, body: bytes, headers: dict[str, str] | None = None,
              content_type: str | None = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        if status >= 400 or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Errors found while reading the request (a malformed line, a bad version…): a short
        plain body that never echoes the request back."""
        status = HTTPStatus(code)
        self.log_message("bad request: %s", message or status.phrase)
        if self.request_version == "HTTP/0.9":  # what it is before the line parsed: answer
            self.request_version = "HTTP/1.0"  # with a status line all the same
        body = NOT_FOUND if code == 404 else f"{code} {status.phrase}\n".encode()
        self.reply(status, body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if isinstance(code, HTTPStatus):
            code = code.value
        self.log_message('"%s" %s', self.requestline, str(code))

    def log_message(self, format: str, *args: Any) -> None:
        line = f"{self.address_string()} - [{self.log_date_time_string()}] {format % args}"
        self.server.log(self.server.redact(line))


class ServerThread:
    """A :class:`FeedServer` answering from a background thread until :meth:`stop`."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="plaincrm-serve", daemon=True)

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join()
        self.server.server_close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
