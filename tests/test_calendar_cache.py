"""The calendar's cache: events serialized once, the same bytes cold or warm, pruned, streamed."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from plaincrm.config import load_config
from plaincrm.eventcache import CacheRace, FeedBuild
from plaincrm.files import write_stream_if_changed
from plaincrm.ical import FeedStats, build_feed, calendar, save_feed, write_feed_to
from plaincrm.loader import Vault, load, open_vault
from plaincrm.reminders import reminders
from tests.conftest import FIXTURES, Run

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
    """The feed built with an empty cache of its own."""
    vault = open_vault(root, db_path=tmp_path / name / "index.sqlite")
    try:
        return build(vault, day, **kwargs)[0]
    finally:
        vault.close()


def reference(root: Path, day: dt.date, **kwargs: object) -> bytes:
    """The feed from the pure calendar() function: no cache at all."""
    profiles, _ = load(root, full=False)
    config, _ = load_config(root)
    return calendar(profiles, config, day, **kwargs).to_ical()  # type: ignore[arg-type]


def rows(vault: Vault, table: str) -> int:
    return vault.index.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def touch_log(root: Path, line: str) -> None:
    path = root / "jane-roe.md"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_second_build_serializes_nothing(opened: Vault) -> None:
    first, stats = build(opened)
    assert first == GOLDEN.read_bytes()
    # (a shared id stays with the first profile here: nothing is built twice; see
    # test_calendar_content for a later profile that keeps the id)
    assert stats.serialized == 19 and stats.events == 19
    assert stats.profiles_reused == 0
    again, stats = build(opened)
    assert again == first
    assert stats.serialized == 0 and stats.reused == 0  # not even looked at one by one
    assert stats.profiles_reused == 5 and stats.events == 19


def test_a_changed_profile_reserializes_only_its_own_events(opened: Vault, root: Path) -> None:
    build(opened)
    touch_log(root, "- 2026-02-18 call: Booked the service.")
    opened.refresh()
    data, stats = build(opened)
    assert data == reference(root, TODAY)
    assert stats.profiles_reused == 4  # every profile but Jane's
    profiles, _ = load(root, full=False)
    config, _ = load_config(root)
    jane = next(p for p in profiles if p.path == "jane-roe.md")
    # her new log entry changes each of her events' stamp and description
    assert stats.serialized == len(reminders(jane, config, TODAY)) == 6
    assert stats.reused == 0


def test_a_new_day_reuses_the_serialized_events(opened: Vault, root: Path,
                                                 tmp_path: Path) -> None:
    _, first = build(opened)
    day = TODAY + dt.timedelta(days=1)
    data, stats = build(opened, day)
    assert stats.profiles_reused == 0  # the day is part of every profile's key
    # only the reminder of someone never contacted moves with the day
    assert stats.serialized == 1 and stats.reused == first.serialized - 1
    assert data == cold(root, tmp_path, day, "cold") == reference(root, day)


@pytest.mark.parametrize("kwargs", [{}, {"owner": "ben"}, {"owner": "@Amy", "months": 1},
                                    {"months": 0}])
def test_cold_and_warm_give_the_same_bytes(opened: Vault, root: Path, tmp_path: Path,
                                           kwargs: dict[str, object]) -> None:
    build(opened)  # a warm cache made by the full feed
    warm, _ = build(opened, **kwargs)
    assert warm == cold(root, tmp_path, TODAY, "cold", **kwargs) == reference(root, TODAY,
                                                                               **kwargs)


def test_the_same_task_twice_in_a_filtered_feed(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A UID's ``-2`` comes from the cached full-feed events also in an owner's feed (a task's
    text holds its ``@owner``, so the same task twice has one owner)."""
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
        assert stats.profiles_reused == 1 and stats.serialized == 0
        assert ben.count(b"BEGIN:VEVENT") == 2 and ben.count(b"-2@plaincrm") == 1
        assert ben == reference(root, TODAY, owner="ben")
        assert build(opened)[0] == full == reference(root, TODAY)
    finally:
        opened.close()


def test_a_filtered_feed_does_not_evict_the_full_feeds_events(opened: Vault) -> None:
    build(opened)
    stored = rows(opened, "calendar_events")
    _, stats = build(opened, owner="ben", months=1)
    assert stats.pruned == 0 and rows(opened, "calendar_events") == stored
    _, stats = build(opened)
    assert stats.serialized == 0


def test_the_cache_prunes_what_the_latest_build_did_not_use(opened: Vault, root: Path,
                                                             tmp_path: Path) -> None:
    build(opened)
    for days in range(1, 4):  # three more days, and a change
        build(opened, TODAY + dt.timedelta(days=days))
    touch_log(root, "- 2026-02-19 visit: Checked the pump.")
    opened.refresh()
    day = TODAY + dt.timedelta(days=3)
    _, stats = build(opened, day)
    assert stats.pruned > 0
    fresh = open_vault(root, db_path=tmp_path / "fresh" / "index.sqlite")
    try:
        build(fresh, day)
        # exactly what a build from an empty cache stores
        assert rows(opened, "calendar_events") == rows(fresh, "calendar_events")
        assert rows(opened, "calendar_profiles") == rows(fresh, "calendar_profiles")
    finally:
        fresh.close()


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


def test_events_pruned_by_another_process_mid_build_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    feed = FeedBuild(db, lambda stored: None)
    event = (b"e" * 16, lambda: b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "2026-01-01", "x@plaincrm",
             True)
    feed.add_profile(b"p" * 16, 0, lambda: ([], [event]))
    other = sqlite3.connect(path, isolation_level=None)
    feed._flush()  # stored now, as a build does every few hundred profiles
    other.execute("DELETE FROM calendar_events")  # another plaincrm, another day, pruning
    with pytest.raises(CacheRace):
        next(feed.sorted_ical())
    feed.close()
    other.close()
    db.close()
