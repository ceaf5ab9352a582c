"""plaincrm brief: the short recall of everybody with something due or overdue today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

FILES = {
    "ann.md": """
        ---
        name: Ann Lee
        status: active
        owner: ben
        phone: "+44 113 496 0001"
        ---

        Retired teacher; her grandson is at Leeds Beckett.

        ## Remember

        - Hard of hearing: let it ring.

        ## Tasks

        - [ ] 2026-12-10 Visit: annual service at 10:00

        ## Log

        - 2026-06-01 call: Grandson starting university in September.
        - 2026-11-01 invoice: Invoice 2026-201.
        - 2026-11-05 chase: Reminder for invoice 2026-201.
        - 2026-11-09 payment: Paid.
        """,
    "bo.md": """
        ---
        name: Bo Chen
        status: active
        owner: ana
        email: bo@example.com
        customer_since: 2026-05-01
        service_due: 2026-12-01
        ---

        Two dogs; the gate sticks.
        """,
    "cy.md": """
        ---
        name: Cy Park
        status: active
        owner: ben
        email: cy@example.com
        customer_since: 2026-05-01
        service_due: 2027-03-01
        ---
        """,
}


@pytest.fixture
def office(vault: VaultFactory) -> Path:
    return vault(FILES)


def test_brief_lists_everybody_due_today_with_what_to_recall(office: Path, run: Run) -> None:
    result = run(office, "brief", "--date", "2026-12-10")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Cy Park" not in out
    bo, ann = out.index("Bo Chen  (active, owner ana)"), out.index("Ann Lee  (active, owner ben)")
    assert bo < ann  # agenda order: overdue first
    assert "Due\n  9 days late  service: service due\n" in out
    assert "Due\n  today  task: Visit: annual service at 10:00\n" in out
    assert "Remember\n  - Hard of hearing: let it ring.\n" in out
    assert "Notes\n  Retired teacher; her grandson is at Leeds Beckett.\n" in out
    assert ("Conversations (newest 1 of 1)\n  2026-06-01  call: Grandson starting university "
            "in September.\n") in out  # though three admin entries came since
    assert "Admin (newest 3 of 3)" in out


def test_brief_for_one_owner(office: Path, run: Run) -> None:
    out = run(office, "brief", "--date", "2026-12-10", "--owner", "ben").stdout
    assert "Ann Lee" in out and "Bo Chen" not in out
    assert run(office, "brief", "--owner", "x", "--mine").exit_code == 2


def test_brief_json(office: Path, run: Run) -> None:
    data = json.loads(run(office, "brief", "--date", "2026-12-10", "--json").stdout)
    assert data["date"] == "2026-12-10"
    assert [p["path"] for p in data["people"]] == ["bo.md", "ann.md"]
    ann = data["people"][1]
    assert [d["kind"] for d in ann["due"]] == ["task"]
    assert ann["remember"] == ["Hard of hearing: let it ring."]
    assert ann["notes"] == "Retired teacher; her grandson is at Leeds Beckett."
    assert [e["kind"] for e in ann["conversations"]] == ["call"]
    assert [e["kind"] for e in ann["admin"]] == ["payment", "chase", "invoice"]
    assert ann["open_tasks"][0]["date"] == "2026-12-10"


def test_nobody_to_brief(office: Path, run: Run) -> None:
    out = run(office, "brief", "--date", "2026-11-01").stdout
    assert out == "Nobody to brief on: nothing overdue or due on 2026-11-01.\n"
