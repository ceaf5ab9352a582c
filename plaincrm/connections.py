"""The connections of a small HTTP server, kept safe from slow and idle clients.

A thread per connection lets a client that never finishes its request (or sends it a byte a
second) hold a thread; a few dozen such clients lock everyone else out. Here one thread reads
every request and writes every response, non-blocking, and no connection owns a thread:

- a request head (request line and headers) must arrive whole within ``timeout`` seconds of
  the connection being opened, however slowly it trickles in; an open connection waits at most
  ``keep_alive`` seconds for its next request; a response must be taken within
  ``write_timeout`` seconds. A connection past its deadline is closed.
- at most ``max_connections`` are open; one more closes the connection that has been waiting
  for its request longest, so a crowd of idle clients cannot keep a real one out.
- the listen backlog is large (:data:`BACKLOG`), so a burst of clients waits in the kernel
  instead of being refused.
- complete requests go to a few worker threads, which turn them into response bytes
  (:meth:`ConnectionServer.respond`) and never touch a socket.
"""

from __future__ import annotations

import contextlib
import errno
import queue
import re
import selectors
import socket
import sys
import threading
import time
from typing import Any

REQUEST_TIMEOUT = 10.0  # seconds a client has to send a whole request head
KEEP_ALIVE = 5.0  # seconds an open connection may wait for its next request
WRITE_TIMEOUT = 30.0  # seconds a client has to take a whole response
LINGER = 2.0  # seconds to drain what a client still sends after the last response
MAX_CONNECTIONS = 512  # open at once; one more closes the one waiting longest
BACKLOG = 1024  # connections the kernel queues before they are accepted
WORKERS = 4  # threads turning requests into responses
MAX_HEAD = 72 * 1024  # bytes of request line and headers (a request line may have 64 KiB)
SWEEP = 0.1  # seconds between looks for connections past their deadline

_HEAD_END = re.compile(rb"\n\r?\n")
READING, WORKING, WRITING, CLOSING, CLOSED = range(5)


class Connection:
    """One client connection and where it is: reading a request, waiting for a worker,
    writing the response, draining before close, or closed."""

    __slots__ = ("address", "deadline", "events", "inbuf", "keep", "out", "since", "sock",
                 "state")

    def __init__(self, sock: socket.socket, address: Any, now: float, timeout: float) -> None:
        self.sock = sock
        self.address = address
        self.inbuf = bytearray()
        self.out = memoryview(b"")
        self.keep = False
        self.state = READING
        self.events = 0  # what the selector watches for
        self.since = now  # when it began waiting for its request
        self.deadline = now + timeout


class ConnectionServer:
    """Listens on ``(host, port)`` and answers each request with :meth:`respond`, until
    :meth:`shutdown`; the socketserver calls (``serve_forever``, ``shutdown``,
    ``server_close``, ``handle_error``) keep their meaning."""

    def __init__(self, host: str, port: int, timeout: float = REQUEST_TIMEOUT,
                 keep_alive: float | None = None, write_timeout: float = WRITE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, workers: int = WORKERS) -> None:
        self.request_timeout = timeout
        self.keep_alive = min(KEEP_ALIVE, timeout) if keep_alive is None else keep_alive
        self.write_timeout = write_timeout
        self.max_connections = max_connections
        self.workers = workers
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((host.strip("[]"), port))
            self.socket.listen(BACKLOG)
            self.socket.setblocking(False)
        except BaseException:
            self.socket.close()
            raise
        self.server_address = self.socket.getsockname()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._jobs: queue.SimpleQueue[tuple[Connection, bytes, bool] | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Connection, bytes, bool]] = queue.SimpleQueue()
        self._connections: set[Connection] = set()
        self._selector: selectors.BaseSelector | None = None
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    # -- what a subclass provides ------------------------------------------------------------

    def respond(self, head: bytes, complete: bool, address: Any) -> tuple[bytes, bool]:
        """The response to a request ``head`` (``complete`` False: it grew past
        :data:`MAX_HEAD` unfinished) and whether to keep the connection open. Runs in a worker
        thread; an exception closes the connection unanswered (see :meth:`handle_error`)."""
        raise NotImplementedError

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Called in the ``except`` block of a failed :meth:`respond`."""
        import traceback

        traceback.print_exc(file=sys.stderr)

    # -- running and stopping ----------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown`. ``poll_interval`` is the longest wait between looks
        for connections past their deadline."""
        self._stopped.clear()
        workers = [threading.Thread(target=self._work, name=f"plaincrm-serve-{n}", daemon=True)
                   for n in range(self.workers)]
        for worker in workers:
            worker.start()
        selector = self._selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        wait = min(poll_interval, SWEEP)
        next_sweep = 0.0
        try:
            while not self._stop.is_set():
                for key, events in selector.select(wait):
                    if key.fileobj is self.socket:
                        self._accept()
                    elif key.fileobj is self._wake_r:
                        self._drain_wakeups()
                    elif key.data.state != CLOSED:
                        if events & selectors.EVENT_WRITE:
                            self._write(key.data)
                        else:
                            self._read(key.data)
                self._take_responses()
                now = time.monotonic()
                if now >= next_sweep:
                    self._sweep(now)
                    next_sweep = now + SWEEP
        finally:
            for conn in list(self._connections):
                self._close(conn)
            for _ in workers:
                self._jobs.put(None)
            for worker in workers:
                worker.join(timeout=10)
            selector.close()
            self._selector = None
            self._stop.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait until it has (call it from another thread)."""
        self._stop.set()
        self._wake()
        self._stopped.wait()

    def server_close(self) -> None:
        self.socket.close()
        self._wake_r.close()
        self._wake_w.close()

    # -- the loop's steps --------------------------------------------------------------------

    def _accept(self) -> None:
        for _ in range(64):  # a burst at a time; the selector says when there is more
            try:
                sock, address = self.socket.accept()
            except BlockingIOError:
                return
            except OSError as exc:  # out of file descriptors, or the client gave up
                out_of_room = exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS,
                                            errno.ENOMEM)
                if out_of_room and not self._evict():
                    time.sleep(SWEEP)  # nothing to give up: let the backlog wait
                return
            if len(self._connections) >= self.max_connections and not self._evict():
                sock.close()
                continue
            sock.setblocking(False)
            conn = Connection(sock, address, time.monotonic(), self.request_timeout)
            self._connections.add(conn)
            self._watch(conn, selectors.EVENT_READ)

    def _evict(self) -> bool:
        """Close the connection that has waited longest for a request; False if none waits."""
        waiting = [c for c in self._connections if c.state in (READING, CLOSING)]
        if not waiting:
            return False
        self._close(min(waiting, key=lambda c: c.since))
        return True

    def _read(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
        elif conn.state == READING:
            conn.inbuf += data
            self._dispatch(conn)
        # CLOSING: what the client still sends is dropped

    def _dispatch(self, conn: Connection) -> None:
        """Hand a whole request head in ``conn``'s buffer to a worker (or one grown too long)."""
        end = _HEAD_END.search(conn.inbuf)
        if end is not None:
            head, complete = bytes(conn.inbuf[:end.end()]), True
            del conn.inbuf[:end.end()]
        elif len(conn.inbuf) > MAX_HEAD:
            head, complete = bytes(conn.inbuf), False
            conn.inbuf.clear()
        else:
            return
        conn.state = WORKING
        self._watch(conn, 0)
        self._jobs.put((conn, head, complete))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            conn, head, complete = job
            try:
                response, keep = self.respond(head, complete, conn.address)
            except Exception:
                self.handle_error(None, conn.address)
                response, keep = b"", False
            self._done.put((conn, response, keep))
            self._wake()

    def _take_responses(self) -> None:
        while True:
            try:
                conn, response, keep = self._done.get_nowait()
            except queue.Empty:
                return
            if conn.state != WORKING:
                continue  # closed meanwhile (shutting down)
            conn.out, conn.keep, conn.state = memoryview(response), keep, WRITING
            conn.deadline = time.monotonic() + self.write_timeout
            self._write(conn)

    def _write(self, conn: Connection) -> None:
        try:
            while conn.out:
                conn.out = conn.out[conn.sock.send(conn.out):]
        except BlockingIOError:
            self._watch(conn, selectors.EVENT_WRITE)
            return
        except OSError:
            self._close(conn)
            return
        now = time.monotonic()
        if conn.keep:  # wait for the next request (it may be in the buffer already)
            conn.state, conn.since, conn.deadline = READING, now, now + self.keep_alive
            self._watch(conn, selectors.EVENT_READ)
            self._dispatch(conn)
            return
        # close gracefully: a close with unread input would reset the connection and could
        # lose the response on its way, so say we are done and drain until the client is too
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.state, conn.since, conn.deadline = CLOSING, now, now + LINGER
        conn.inbuf.clear()
        self._watch(conn, selectors.EVENT_READ)

    def _sweep(self, now: float) -> None:
        for conn in [c for c in self._connections if c.state != WORKING and c.deadline <= now]:
            self._close(conn)

    def _watch(self, conn: Connection, events: int) -> None:
        selector = self._selector
        if selector is None or events == conn.events:
            return
        if not conn.events:
            selector.register(conn.sock, events, conn)
        elif not events:
            selector.unregister(conn.sock)
        else:
            selector.modify(conn.sock, events, conn)
        conn.events = events

    def _close(self, conn: Connection) -> None:
        self._watch(conn, 0)
        conn.state = CLOSED
        self._connections.discard(conn)
        conn.sock.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full (a wake-up is pending anyway) or closed
            self._wake_w.send(b"\0")

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass
