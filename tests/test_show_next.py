"""plaincrm show gives the next service, birthday and keep-in-touch from the reminder model."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES, Run, VaultFactory

AGENDA = FIXTURES / "agenda"


def test_show_next_dates_as_of_date(run: Run) -> None:
    result = run(AGENDA, "show", "ada", "--date", "2026-11-22")
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "next service 2026-11-15 (overdue by 7 days)" in lines
    assert "next birthday 2026-12-30 (in 38 days, turns 41)" in lines
    assert "get in touch 2027-01-30 (in 69 days)" in lines
    later = run(AGENDA, "show", "ada", "--date", "2026-12-31")
    assert "next birthday 2027-12-30 (in 364 days, turns 42)" in [
        " ".join(line.split()) for line in later.stdout.splitlines()]


def test_show_json_next(run: Run, vault: VaultFactory) -> None:
    data = json.loads(run(AGENDA, "show", "bert", "--date", "2026-11-22", "--json").stdout)
    # Bert is dormant: kept in touch with, off the service round (agenda.no_service_statuses)
    assert data["next"] == {
        "keep_in_touch": {"date": "2026-11-27",
                          "text": "get in touch (every 180 days)"},
    }
    # back on the round: service_every without service_due, six months after the newest
    # service (31 May → 30 Nov)
    config = (AGENDA / "plaincrm.toml").read_text()
    root = vault({"bert.md": (AGENDA / "bert-boiler.md").read_text()},
                 config=config + "no_service_statuses = []\n")
    data = json.loads(run(root, "show", "bert", "--date", "2026-11-22", "--json").stdout)
    assert data["next"]["service"] == {"date": "2026-11-30",
                                       "text": "service due (every 6 months)"}


def test_show_lost_profile_has_no_keep_in_touch(run: Run, vault: VaultFactory) -> None:
    root = vault({"a.md": """
        ---
        name: Ann
        status: lost
        birthday: --03-04
        ---
    """})
    data = json.loads(run(root, "show", "ann", "--date", "2026-11-22", "--json").stdout)
    assert data["next"] == {"birthday": {"date": "2027-03-04", "text": "birthday"}}
    text = run(root, "show", "ann", "--date", "2026-11-22").stdout
    assert "get in touch" not in text
    assert "next service" not in text
