"""Everything a command answers comes from the index's tables: an edit, a new day or a config
change is seen at once, and nothing is remembered beside the rows that could go stale."""

from __future__ import annotations

import datetime as dt
import os

from plaincrm.agenda import build_agenda, vault_agenda
from plaincrm.loader import Vault, open_vault
from plaincrm.render.agenda import render_agenda
from tests.conftest import Run, VaultFactory

PROFILE = "---\nname: P{n}\nstatus: active\nemail: p{n}@example.com\nbirthday: 1980-11-2{n}\n" \
          "---\n## Log\n- 2026-0{n}-01 call: hello {n}\n- [ ] 2026-11-2{n} task {n}\n"


def make(vault: VaultFactory) -> Vault:
    root = vault({f"p{n}.md": PROFILE.format(n=n) for n in range(1, 6)})
    opened = open_vault(root)
    opened.refresh()
    return opened


def test_the_stored_agenda_equals_the_pure_one(vault: VaultFactory) -> None:
    opened = make(vault)
    config = opened.config
    for day in (dt.date(2026, 11, 20), dt.date(2026, 11, 22), dt.date(2026, 11, 22)):
        pure = build_agenda(opened.profiles(full=False), config, day, 7)
        stored = vault_agenda(opened, day, 7)
        assert stored.to_json() == pure.to_json()
        assert stored.items, "the fixture must produce an agenda"
    opened.close()


def test_a_config_change_is_seen_by_the_next_agenda(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: active\n---\n## Log\n- 2026-11-01 call: hi\n"},
                 config="")
    first = run(root, "agenda", "--date", "2026-11-22", "--json").stdout
    assert '"keep_in_touch"' not in first  # due 90 days after the call
    (root / "plaincrm.toml").write_text('[agenda]\ncontact_every = { active = "2 weeks" }\n')
    second = run(root, "agenda", "--date", "2026-11-22", "--json").stdout
    assert '"keep_in_touch"' in second and '"2026-11-15"' in second


def test_agenda_after_an_edit_is_never_a_remembered_one(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lead\n---\n- [ ] 2026-11-22 first\n"},
                 config="")
    assert "first" in run(root, "agenda", "--date", "2026-11-22").stdout
    assert "first" in run(root, "agenda", "--date", "2026-11-22").stdout
    (root / "a.md").write_text("---\nname: A\nstatus: lead\n---\n- [ ] 2026-11-22 second\n")
    again = run(root, "agenda", "--date", "2026-11-22").stdout
    assert "second" in again and "first" not in again
    assert "1 day late" in run(root, "agenda", "--date", "2026-11-23").stdout


def test_the_agenda_after_each_edit_equals_a_fresh_one(vault: VaultFactory) -> None:
    opened = make(vault)
    day = dt.date(2026, 11, 22)

    def fresh() -> list[str]:
        return render_agenda(build_agenda(opened.profiles(full=False), opened.config, day, 7))

    edits = [
        ("p2.md", PROFILE.format(n=2).replace("2026-11-22 task 2", "2026-11-23 moved")),
        ("p6.md", PROFILE.format(n=6).replace("P6", "Ann New")),  # a new file
        ("p1.md", None),  # deleted
        ("p3.md", PROFILE.format(n=3).replace("[ ]", "[x]")),  # task done: its rows go
        ("p6.md", PROFILE.format(n=6).replace("P6", "Zed Renamed")),
    ]
    assert render_agenda(vault_agenda(opened, day, 7)) == fresh()
    for number, (name, text) in enumerate(edits, start=1):
        path = opened.root / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text)
            os.utime(path, ns=(number * 10**9, number * 10**9))
        stats = opened.refresh()
        assert stats.read + stats.removed == 1, name  # the cost grows with what changed
        assert render_agenda(vault_agenda(opened, day, 7)) == fresh(), name
    opened.close()


def test_the_index_lives_outside_the_vault(vault: VaultFactory) -> None:
    opened = make(vault)
    vault_agenda(opened, dt.date(2026, 11, 22), 7)
    assert sorted(p.name for p in opened.root.iterdir()) == [f"p{n}.md" for n in range(1, 6)]
    opened.close()
