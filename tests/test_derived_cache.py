"""Results derived per file (the agenda's reminders) are cached in the index: a second run
computes nothing again, a changed file only itself, a new key (day, config) everything."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from plaincrm.agenda import build_agenda, vault_agenda
from plaincrm.loader import Vault, open_vault
from plaincrm.model import Profile
from tests.conftest import Run, VaultFactory

PROFILE = "---\nname: P{n}\nstatus: active\nbirthday: 1980-11-2{n}\n---\n## Log\n" \
          "- 2026-0{n}-01 call: hello {n}\n- [ ] 2026-11-2{n} task {n}\n"


def make(vault: VaultFactory) -> Vault:
    root = vault({f"p{n}.md": PROFILE.format(n=n) for n in range(1, 6)})
    opened = open_vault(root)
    opened.refresh()
    return opened


def computed(opened: Vault, key: str) -> list[str]:
    seen: list[str] = []

    def compute(profile: Profile) -> bytes:
        seen.append(profile.path)
        return profile.path.encode()

    values = sorted(opened.index.derived("test", key, compute))
    assert values == [(p, p.encode()) for p in sorted(opened.index.paths())]
    return sorted(seen)


def test_second_run_computes_nothing_changed_file_only_itself(vault: VaultFactory) -> None:
    opened = make(vault)
    assert computed(opened, "k") == [f"p{n}.md" for n in range(1, 6)]
    assert computed(opened, "k") == []
    path = opened.root / "p3.md"
    path.write_text(PROFILE.format(n=3) + "more notes\n")
    os.utime(path, ns=(1, 1))
    opened.refresh()
    assert computed(opened, "k") == ["p3.md"]
    assert computed(opened, "another day") == [f"p{n}.md" for n in range(1, 6)]
    (opened.root / "p1.md").unlink()
    opened.refresh()
    assert computed(opened, "another day") == []
    opened.close()


def test_cached_agenda_equals_the_pure_one(vault: VaultFactory) -> None:
    opened = make(vault)
    config = opened.config
    for day in (dt.date(2026, 11, 20), dt.date(2026, 11, 22), dt.date(2026, 11, 22)):
        pure = build_agenda(opened.profiles(full=False), config, day, 7)
        cached = vault_agenda(opened, day, 7)
        assert cached.to_json() == pure.to_json()
        assert cached.items, "the fixture must produce an agenda"
    opened.close()


def test_rebuild_forgets_derived_values(vault: VaultFactory) -> None:
    opened = make(vault)
    computed(opened, "k")
    opened.index.clear()
    opened.refresh()
    assert len(computed(opened, "k")) == 5
    opened.close()


def test_cache_lives_in_the_index_not_the_vault(vault: VaultFactory, tmp_path: Path) -> None:
    opened = make(vault)
    computed(opened, "k")
    assert sorted(p.name for p in opened.root.iterdir()) == [f"p{n}.md" for n in range(1, 6)]
    opened.close()


def test_a_config_change_is_seen_by_the_next_agenda(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: active\n---\n## Log\n- 2026-11-01 call: hi\n"},
                 config="")
    first = run(root, "agenda", "--date", "2026-11-22", "--json").stdout
    assert '"keep_in_touch"' not in first  # due 90 days after the call
    (root / "plaincrm.toml").write_text('[agenda]\ncontact_every = { active = "2 weeks" }\n')
    second = run(root, "agenda", "--date", "2026-11-22", "--json").stdout
    assert '"keep_in_touch"' in second and '"2026-11-15"' in second


def test_memo_until_the_index_changes(vault: VaultFactory) -> None:
    opened = make(vault)
    calls: list[int] = []

    def compute() -> bytes:
        calls.append(1)
        return f"result {len(calls)}".encode()

    assert opened.index.memo("t", "k", compute) == b"result 1"
    assert opened.index.memo("t", "k", compute) == b"result 1"  # remembered
    assert opened.index.memo("t", "other", compute) == b"result 2"  # other inputs
    path = opened.root / "p2.md"
    path.write_text(PROFILE.format(n=2) + "changed\n")
    opened.refresh()
    assert opened.index.memo("t", "k", compute) == b"result 3"  # the vault changed
    opened.close()


def test_agenda_after_an_edit_is_never_a_remembered_one(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lead\n---\n- [ ] 2026-11-22 first\n"},
                 config="")
    assert "first" in run(root, "agenda", "--date", "2026-11-22").stdout
    assert "first" in run(root, "agenda", "--date", "2026-11-22").stdout
    (root / "a.md").write_text("---\nname: A\nstatus: lead\n---\n- [ ] 2026-11-22 second\n")
    again = run(root, "agenda", "--date", "2026-11-22").stdout
    assert "second" in again and "first" not in again
    assert "1 day late" in run(root, "agenda", "--date", "2026-11-23").stdout


def test_calendar_remembered_until_the_vault_changes(vault: VaultFactory, run: Run) -> None:
    import io

    from plaincrm.ical import build_feed, write_feed_remembered

    opened = make(vault)
    day = dt.date(2026, 11, 22)
    first, second = io.BytesIO(), io.BytesIO()
    assert write_feed_remembered(first, opened, today=day) == 15
    folder = opened.index.db_path.parent / "memo-calendar"
    remembered = list(folder.iterdir())
    assert len(remembered) == 1 and remembered[0].read_bytes() == first.getvalue()
    assert write_feed_remembered(second, opened, today=day) == 15
    assert second.getvalue() == first.getvalue() == build_feed(opened, today=day)
    (opened.root / "p1.md").write_text(PROFILE.format(n=1).replace("P1", "Renamed"))
    opened.refresh()
    third = io.BytesIO()
    write_feed_remembered(third, opened, today=day)
    assert b"Renamed" in third.getvalue() and third.getvalue() == build_feed(opened, today=day)
    assert [p for p in folder.iterdir() if not p.name.startswith(".")] != remembered
    assert len(list(folder.iterdir())) == 1  # the older state's feed is gone
    opened.close()
    cli = run(opened.root, "calendar", "--date", "2026-11-22")
    assert cli.stdout_bytes == third.getvalue()


def test_agenda_rebuilt_from_the_last_rows_equals_a_fresh_one(
        vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from plaincrm.render import agenda as rendering
    from plaincrm.render.agenda import agenda_report, render_agenda

    full_runs: list[int] = []
    whole = rendering.vault_agenda

    def counted(*args: object, **kwargs: object) -> object:
        full_runs.append(1)
        return whole(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rendering, "vault_agenda", counted)

    opened = make(vault)
    day = dt.date(2026, 11, 22)

    def fresh() -> str:
        agenda = build_agenda(opened.profiles(full=False), opened.config, day, 7)
        return "\n".join(render_agenda(agenda))

    edits = [
        ("p2.md", PROFILE.format(n=2).replace("2026-11-22 task 2", "2026-11-23 moved")),
        ("p6.md", PROFILE.format(n=6).replace("P6", "Ann New")),  # a new file
        ("p1.md", None),  # deleted
        ("p3.md", PROFILE.format(n=3).replace("[ ]", "[x]")),  # task done: its rows go
        ("p6.md", PROFILE.format(n=6).replace("P6", "Zed Renamed")),
    ]
    assert agenda_report(opened, day, 7, None, (), False, None)[0] == fresh()
    for number, (name, text) in enumerate(edits, start=1):
        path = opened.root / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text)
            os.utime(path, ns=(number * 10**9, number * 10**9))
        opened.refresh()
        assert agenda_report(opened, day, 7, None, (), False, None)[0] == fresh(), name
    rows = opened.index.db.execute("SELECT count(*) FROM derived_agenda_rows").fetchone()
    assert rows == (1,)
    assert full_runs == [1]  # the whole vault was computed once; after that, the edits only
    opened.close()
