"""plaincrm serve: serve the calendar feed and the pulse page at a secret URL, kept fresh by a
watcher."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from plaincrm.agenda import known_owners, owner_named
from plaincrm.cli import App, date_option, pass_app
from plaincrm.commands.running import until_stopped
from plaincrm.errors import ServeError

if TYPE_CHECKING:
    from plaincrm.loader import Vault


class Owners:
    """A watcher output: the owners the vault knows, learnt at each refresh, so that a feed's
    name is matched by the agenda's rule (:func:`plaincrm.agenda.owner_named`)."""

    name = "owners"

    def __init__(self) -> None:
        self.known: list[str] = []

    def __call__(self, vault: Vault, today: dt.date) -> str | None:
        self.known = known_owners(vault)
        return None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but loopback makes the feed reachable "
                   "from other machines.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="The TCP port; 0 picks a free one.")
@click.option("--new-token", is_flag=True,
              help="Make a new secret token first: every old URL stops working.")
@click.option("--poll", is_flag=True, help="Poll the folder every second instead of asking "
                                           "the OS for events (network drives).")
@date_option
@pass_app
def serve(app: App, host: str, port: int, new_token: bool, poll: bool,
          today: dt.datetime | None) -> None:
    """Serve the reminder calendar for subscription, and the pulse page, at a secret URL,
    until Ctrl-C.

    Both are rebuilt as the vault changes (as plaincrm watch does). Everyone's reminders are
    at /TOKEN/calendar.ics, one staff member's at /TOKEN/OWNER.ics, the page of plaincrm pulse
    at /TOKEN/ and one staff member's at /TOKEN/OWNER.html. The token is kept in your config
    folder, outside the vault; --new-token replaces it.

    \b
    Example:
      plaincrm serve --port 8765
    """
    from plaincrm.serve import (
        FeedCache,
        FeedServer,
        PageCache,
        ServerThread,
        feed_url,
        is_loopback,
        load_token,
        page_url,
        token_path,
    )
    from plaincrm.watch import POLL_INTERVAL, Watcher

    root = app.root
    token, made = load_token(root, new=new_token)
    if made:
        app.err(f"plaincrm: a new secret token is stored in {token_path(root)}")
    cache, pages, owners = FeedCache(), PageCache(), Owners()

    def feed(name: str | None) -> bytes | None:  # /TOKEN/Ben Smith.ics is ben's, as in agenda
        if name is None:
            return cache.feed(None)
        owner = owner_named(name, owners.known)
        return cache.feed(owner) if owner is not None else None

    try:
        server = FeedServer(host, port, token, feed, log=app.err, page=pages.page)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not is_loopback(str(server.server_address[0])):  # what it is bound to, however spelled
        app.err(app.style("warning: the feed and the pulse page hold personal data (names, "
                          "phone numbers, notes) and are now reachable by anyone who can reach "
                          f"{host}:{server.port} and learns the URL; share it only over a "
                          "network you trust.", fg="yellow"))
    running = ServerThread(server)

    def ready() -> None:
        running.start()
        app.echo(f"serving {feed_url(host, server.port, token)}")
        app.echo(f"one staff member: {feed_url(host, server.port, token, 'OWNER')}")
        app.echo(f"the pulse page: {page_url(host, server.port, token)}")
        app.echo(f"one staff member's page: {page_url(host, server.port, token, 'OWNER')}")
        app.echo("Ctrl-C stops")

    watcher = Watcher(root, [owners, cache, pages], app.echo, note=app.note,
                      today=today.date() if today else None,
                      poll=POLL_INTERVAL if poll else None, on_ready=ready)
    try:
        until_stopped(watcher.run)
    finally:
        if running.started:
            running.stop()
        else:
            server.server_close()
    app.err("stopped")
