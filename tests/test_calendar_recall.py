"""The calendar's description recalls what the agenda's context line does: the first pinned
fact, else the newest conversation (not the newest invoice), from the index as from the pure
function, and a changed fact changes the kept event."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar

from plaincrm.config import load_config
from plaincrm.ical import calendar
from plaincrm.loader import load
from tests.conftest import Run, VaultFactory

TODAY = dt.date(2026, 2, 20)

KNEE = """\
---
name: Margaret Hale
id: c-1
birthday: 1950-03-01
---

## Log

- 2026-01-10 visit: Had her knee replaced in October; walks with a stick
- 2026-01-20 invoice: Boiler service, 120 GBP
- 2026-02-01 payment: Paid by card
"""

PINNED = """\
---
name: Tom Ash
id: c-2
birthday: 1960-03-02
remember:
  - Daughter getting married next summer
  - Prefers mornings
---

## Log

- 2026-01-05 call: Asked about the boiler
- 2026-02-02 chase: Second reminder sent
"""

SECTION = """\
---
name: Ruth Bell
id: c-3
birthday: 1970-03-03
---

Lives with her sister.

## Remember

- Deaf in the left ear: speak up on the phone

## Log

- 2026-02-10 invoice: Annual contract
"""

ADMIN_ONLY = """\
---
name: Sam Coe
id: c-4
birthday: 1980-03-04
---

## Log

- 2026-01-02 invoice: First
- 2026-02-03 payment: Paid
"""


def descriptions(data: bytes) -> dict[str, str]:
    """Each event's DESCRIPTION by the profile id that starts its UID."""
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return {str(e["UID"]).split("-birthday")[0]: str(e["DESCRIPTION"]) for e in events}


def feed(run: Run, root: Path) -> bytes:
    result = run(root, "calendar", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def make(vault: VaultFactory) -> Path:
    return vault({"margaret.md": KNEE, "tom.md": PINNED, "ruth.md": SECTION,
                  "sam.md": ADMIN_ONLY})


def test_the_description_recalls_the_conversation_not_the_paperwork(
        run: Run, vault: VaultFactory) -> None:
    found = descriptions(feed(run, make(vault)))
    assert "Last log: 2026-01-10 visit: Had her knee replaced in October; walks with a stick\n" \
        in found["c-1"]
    assert "invoice" not in found["c-1"] and "Paid by card" not in found["c-1"]


def test_a_pinned_fact_comes_first(run: Run, vault: VaultFactory) -> None:
    found = descriptions(feed(run, make(vault)))
    assert "Remember: Daughter getting married next summer\n" in found["c-2"]
    assert "Last log" not in found["c-2"] and "Prefers mornings" not in found["c-2"]
    assert "Remember: Deaf in the left ear: speak up on the phone\n" in found["c-3"]
    assert "Last log" not in found["c-3"]


def test_without_a_conversation_the_newest_entry_still_shows(run: Run,
                                                            vault: VaultFactory) -> None:
    found = descriptions(feed(run, make(vault)))
    assert "Last log: 2026-02-03 payment: Paid\n" in found["c-4"]


def test_the_description_says_what_the_agenda_context_line_says(run: Run,
                                                                vault: VaultFactory) -> None:
    root = make(vault)
    result = run(root, "agenda", "--date", "2026-02-28", "--days", "7", "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    context = {item["path"]: item["context"] for item in items if item["kind"] == "birthday"}
    assert set(context) == {"margaret.md", "tom.md", "ruth.md", "sam.md"}
    found = descriptions(feed(run, root))
    pids = {"margaret.md": "c-1", "tom.md": "c-2", "ruth.md": "c-3", "sam.md": "c-4"}
    for path, said in context.items():
        if said["kind"] == "remember":
            line = f"Remember: {said['text']}"
        else:
            line = f"Last log: {said['date']} {said['kind']}: {said['text']}"
        assert f"\n{line}\n" in found[pids[path]], (path, found[pids[path]])


def test_the_index_and_the_pure_calendar_agree(run: Run, vault: VaultFactory) -> None:
    root = make(vault)
    profiles, _ = load(root, full=True)
    config, _ = load_config(root)
    assert feed(run, root) == calendar(profiles, config, TODAY).to_ical()


def test_a_changed_fact_or_kinds_change_the_kept_event(run: Run, vault: VaultFactory) -> None:
    root = make(vault)
    first = feed(run, root)
    assert feed(run, root) == first  # warm: the kept bytes
    tom = root / "tom.md"
    tom.write_text(tom.read_text().replace("Daughter getting married next summer",
                                           "Grandson born in May"))
    found = descriptions(feed(run, root))
    assert "Remember: Grandson born in May\n" in found["c-2"]
    (root / "plaincrm.toml").write_text('[log]\nconversation_kinds = ["visit", "payment"]\n'
                                        'admin_kinds = ["invoice"]\n')
    found = descriptions(feed(run, root))
    assert "Last log: 2026-02-01 payment: Paid by card\n" in found["c-1"]


def test_include_log_false_leaves_the_recall_out(run: Run, vault: VaultFactory) -> None:
    root = make(vault)
    (root / "plaincrm.toml").write_text("[calendar]\ninclude_log = false\n")
    for text in descriptions(feed(run, root)).values():
        assert "Remember" not in text and "Last log" not in text
        assert "knee" not in text and "married" not in text and "Deaf" not in text
