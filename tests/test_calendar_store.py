"""The calendar as a query of the store: events planned from the rules table, their bytes kept
with their file's rows (made once, deleted with the rows), the same bytes cold or warm, for
``calendar``, ``watch`` and ``serve`` alike."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaincrm.config import load_config
from plaincrm.files import write_stream_if_changed
from plaincrm.ical import FeedStats, build_feed, calendar, save_feed, write_feed_to
from plaincrm.loader import Vault, load, open_vault
from plaincrm.reminders import reminders
from tests.conftest import FIXTURES, Run
from tests.test_store import CONFIG, DAYS, profiles

FIXTURE = FIXTURES / "calendar"
GOLDEN = Path(__file__).parent / "golden" / "calendar.ics"
TODAY = dt.date(2026, 2, 20)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "vault"
    shutil.copytree(FIXTURE, path)
    return path


@pytest.fixture
def opened(root: Path, tmp_path: Path) -> Iterator[Vault]:
    vault = open_vault(root, db_path=tmp_path / "cache" / "index.sqlite")
    yield vault
    vault.close()


def build(vault: Vault, day: dt.date = TODAY, **kwargs: object) -> tuple[bytes, FeedStats]:
    out = io.BytesIO()
    stats = write_feed_to(out, vault, today=day, **kwargs)  # type: ignore[arg-type]
    return out.getvalue(), stats


def cold(root: Path, tmp_path: Path, day: dt.date, name: str, **kwargs: object) -> bytes:
    """The feed built from an index of its own."""
    vault = open_vault(root, db_path=tmp_path / name / "index.sqlite")
    try:
        return build(vault, day, **kwargs)[0]
    finally:
        vault.close()


def reference(root: Path, day: dt.date, **kwargs: object) -> bytes:
    """The feed from the pure calendar() function over the parsed profiles: no store."""
    found, _ = load(root, full=False)
    config, _ = load_config(root)
    return calendar(found, config, day, **kwargs).to_ical()  # type: ignore[arg-type]


def kept(vault: Vault, path: str | None = None) -> int:
    """Events whose bytes the index keeps (of one file), read from the database file."""
    with sqlite3.connect(vault.index.db_path) as db:
        where, params = ("WHERE path = ?", (path,)) if path else ("", ())
        return int(db.execute(f"SELECT count(*) FROM events {where}", params).fetchone()[0])


def touch_log(root: Path, line: str) -> None:
    path = root / "jane-roe.md"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_second_build_serializes_nothing(opened: Vault) -> None:
    first, stats = build(opened)
    assert first == GOLDEN.read_bytes()
    assert stats.serialized == 19 and stats.events == 19 and kept(opened) == 19
    again, stats = build(opened)
    assert again == first
    assert stats.serialized == 0 and stats.events == 19


def test_a_changed_profile_reserializes_only_its_own_events(opened: Vault, root: Path) -> None:
    build(opened)
    touch_log(root, "- 2026-02-18 call: Booked the service.")
    opened.refresh()
    assert kept(opened, "jane-roe.md") == 0  # deleted with the file's rows
    data, stats = build(opened)
    assert data == reference(root, TODAY)
    profiles, _ = load(root, full=False)
    config, _ = load_config(root)
    jane = next(p for p in profiles if p.path == "jane-roe.md")
    # her new log entry changes each of her events' stamp and description
    assert stats.serialized == len(reminders(jane, config, TODAY)) == 6


def test_a_new_day_reuses_the_serialized_events(opened: Vault, root: Path,
                                                 tmp_path: Path) -> None:
    build(opened)
    day = TODAY + dt.timedelta(days=1)
    data, stats = build(opened, day)
    # only the reminder of someone never contacted moves with the day
    assert stats.serialized == 1
    assert data == cold(root, tmp_path, day, "cold") == reference(root, day)


@pytest.mark.parametrize("kwargs", [{}, {"owner": "ben"}, {"owner": "@Amy", "months": 1},
                                    {"months": 0}])
def test_cold_and_warm_give_the_same_bytes(opened: Vault, root: Path, tmp_path: Path,
                                           kwargs: dict[str, object]) -> None:
    build(opened)  # events kept by the full feed
    warm, stats = build(opened, **kwargs)
    assert stats.serialized == 0  # a filtered feed is made of the full feed's events
    assert warm == cold(root, tmp_path, TODAY, "cold", **kwargs) == reference(root, TODAY,
                                                                               **kwargs)
    assert build(opened)[1].serialized == 0  # and evicts none of them


def test_the_same_task_twice_in_a_filtered_feed(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A task's text holds its ``@owner``, so the same task twice has one owner: the
    filtered feed numbers the UIDs as the full feed does."""
    root = vault({"amy.md": """
        ---
        name: Amy Doe
        owner: amy
        ---
        ## Tasks

        - [ ] 2026-03-01 Call back @ben
        - [ ] 2026-03-01 Call back @ben
        - [ ] 2026-03-02 Send the quote
        """})
    opened = open_vault(root, db_path=tmp_path / "c" / "index.sqlite")
    try:
        full, _ = build(opened)
        assert full.count(b"-2@plaincrm") == 1
        ben, stats = build(opened, owner="ben")
        assert stats.serialized == 0
        assert ben.count(b"BEGIN:VEVENT") == 2 and ben.count(b"-2@plaincrm") == 1
        assert ben == reference(root, TODAY, owner="ben")
        assert build(opened)[0] == full == reference(root, TODAY)
    finally:
        opened.close()


def test_a_changed_config_makes_the_events_again(opened: Vault, root: Path,
                                                  tmp_path: Path) -> None:
    build(opened)
    config = root / "plaincrm.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[calendar]\n", "[calendar]\ninclude_phone = false\n"),
                      encoding="utf-8")
    again = open_vault(root, db_path=tmp_path / "cache" / "index.sqlite")
    try:
        data, stats = build(again)
        assert stats.serialized == 19 and b"Phone:" not in data
        assert data == reference(root, TODAY)
    finally:
        again.close()


def test_the_streamed_command_output_is_build_feed(run: Run, root: Path, tmp_path: Path,
                                                   opened: Vault) -> None:
    expected = build_feed(opened, today=TODAY)
    result = run(root, "calendar", "--date", TODAY.isoformat())
    assert result.exit_code == 0 and result.stdout_bytes == expected
    out = tmp_path / "feed.ics"
    result = run(root, "calendar", "--date", TODAY.isoformat(), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == expected and "(19 events)" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".feed.ics")] == []


def test_a_feed_cut_short_by_its_output_is_a_clean_error(root: Path, tmp_path: Path) -> None:
    """Standard output on a full disk: the write fails part-way through the events; plaincrm
    says so in one line (exit 13), with no traceback from a half-read feed."""
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache")}
    for number in range(200):  # enough events to fill the output's buffer
        (root / f"p{number:03d}.md").write_text(f"---\nname: P {number}\n"
                                                f"birthday: 1980-03-{number % 28 + 1:02d}\n---\n")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root),
                               "calendar", "--date", TODAY.isoformat()], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert done.returncode == 13, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr.count("\n") == 1 and "No space left" in done.stderr


def test_save_feed_writes_only_a_changed_feed(opened: Vault, root: Path, tmp_path: Path) -> None:
    out = tmp_path / "feed.ics"
    out.write_bytes(b"old")
    os.chmod(out, 0o640)
    wrote, stats = save_feed(out, opened, today=TODAY)
    assert wrote and stats.events == 19
    assert out.read_bytes() == GOLDEN.read_bytes()
    assert out.stat().st_mode & 0o777 == 0o640  # the file's permissions are kept
    inode = out.stat().st_ino
    wrote, _ = save_feed(out, opened, today=TODAY)
    assert not wrote and out.stat().st_ino == inode
    wrote, _ = save_feed(out, opened, today=TODAY, owner="ben")
    assert wrote and out.read_bytes() == build_feed(opened, today=TODAY, owner="ben")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_write_stream_if_changed_leaves_no_temporary_file_on_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.bin"
    target.write_bytes(b"kept")

    def fail(fp: io.BufferedWriter) -> None:
        fp.write(b"half")
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        write_stream_if_changed(target, fail)
    assert target.read_bytes() == b"kept" and sorted(folder.iterdir()) == [target]
    wrote, result = write_stream_if_changed(target, lambda fp: fp.write(b"kept"))
    assert (wrote, result) == (False, 4)
    wrote, _ = write_stream_if_changed(target, lambda fp: fp.write(b"new"))
    assert wrote and target.read_bytes() == b"new"


def test_events_replaced_by_another_plaincrm_mid_build_are_detected(opened: Vault) -> None:
    first, _ = build(opened)
    index = opened.index
    with sqlite3.connect(index.db_path) as db:
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'calendar'").fetchone()
    until = TODAY + dt.timedelta(days=365)
    with index.event_feed(version, TODAY, until) as feed:
        assert list(feed.stale()) == []  # every event of the day is kept
        other = sqlite3.connect(index.db_path, isolation_level=None)
        other.execute("DELETE FROM events WHERE path = 'jane-roe.md'")  # another plaincrm
        other.close()
        out = io.BytesIO()
        assert not feed.write_sorted(out.write, b"H") and out.getvalue() == b""
    with index.event_feed(version, TODAY, until) as feed:
        (jane,) = feed.stale()
        assert jane.path == "jane-roe.md" and jane.kept == {}
        feed.store(jane.path, 0, ("x@plaincrm", 1, 1), True, b"STALE", jane.gen - 1)
    assert kept(opened, "jane-roe.md") == 0  # made from rows that are no longer the file's
    assert build(opened) == (first, FeedStats(events=19, serialized=6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(profiles(), min_size=1, max_size=5),
       ids=st.lists(st.sampled_from(["", "id: c1\n", "id: c2\n"]), min_size=5, max_size=5),
       days=st.lists(DAYS, min_size=1, max_size=3),
       owner=st.sampled_from([None, "ben"]), months=st.sampled_from([None, 0, 2]))
def test_the_feed_from_the_store_is_the_pure_calendars(
        files: list[str], ids: list[str], days: list[dt.date], owner: str | None,
        months: int | None) -> None:
    """For random vaults (ids shared or not) and days, kept events or not: the same bytes as
    :func:`calendar` over the parsed profiles."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "vault"
        root.mkdir()
        (root / "plaincrm.toml").write_text(CONFIG)
        for number, text in enumerate(files):
            (root / f"p{number}.md").write_text(text.replace("---\n", "---\n" + ids[number], 1),
                                                encoding="utf-8")
        opened = open_vault(root, db_path=Path(folder) / "cache" / "index.sqlite")
        try:
            opened.refresh()
            found = list(opened.profiles(full=False))
            for today in days:
                pure = calendar(found, opened.config, today, owner=owner, months=months)
                for _twice in range(2):
                    data, _ = build(opened, today, owner=owner, months=months)
                    assert data == pure.to_ical(), today
        finally:
            opened.close()
