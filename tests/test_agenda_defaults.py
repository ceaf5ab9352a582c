"""Defaults a small service business can live with on day one: on a generated 300-customer
service-firm vault the default whole-business agenda is short, and nothing due is lost: every
item is in ``--json`` and in ``--all`` (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from plaincrm.agenda import build_agenda
from plaincrm.config import Config
from plaincrm.loader import load
from tests.conftest import Run
from tests.servicefirm import generate

SHORT = 50  # "well under 60" on a normal day
CASES = [(1, dt.date(2026, 11, 23)), (5, dt.date(2027, 3, 9)), (8, dt.date(2027, 7, 14))]


@pytest.mark.parametrize(("seed", "today"), CASES)
def test_the_default_agenda_of_a_service_firm_is_short_and_complete(
        run: Run, tmp_path: Path, seed: int, today: dt.date) -> None:
    root = generate(tmp_path / "firm", seed=seed, today=today)
    assert len(list(root.glob("*.md"))) == 300 and not (root / "plaincrm.toml").exists()
    result = run(root, "agenda", "--date", today.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert 10 <= len(items) < SHORT, len(items)  # the fix items included
    # complete: the same items the plain reminder model finds over the files
    profiles, _problems = load(root)
    pure = build_agenda(profiles, Config(), today, Config()["agenda.days"])
    assert [i for i in items if i["kind"] != "fix"] == pure.to_json()["items"]
    # and one fix item, on by default, for each customer the firm cannot reach
    unreachable = sorted(p.path for p in profiles if not p.phones and not p.emails)
    assert 1 <= len(unreachable) <= 10, unreachable  # the generator's 1.5%
    assert sorted((i["path"], i["section"], i["text"], i["problem"]["code"]) for i in items
                  if i["kind"] == "fix") == [(path, "today", "add email or phone", "missing-field")
                                       for path in unreachable]
    # the text shows them all with --all, each with its phone or email
    text = run(root, "agenda", "--date", today.isoformat(), "--all").stdout.splitlines()
    assert len([line for line in text if " · last: " in line or " · problem: " in line]
               ) == len(items)
    kinds = {i["kind"] for i in items}
    assert {"service", "keep_in_touch", "anniversary", "fix"} <= kinds


def test_the_old_defaults_flooded_the_same_vault(run: Run, tmp_path: Path) -> None:
    """Every active customer due a contact every 90 days: most of the vault, every day."""
    seed, today = CASES[0]
    root = generate(tmp_path / "firm", seed=seed, today=today)
    (root / "plaincrm.toml").write_text(
        '[agenda]\ncontact_every = { lead = "2 weeks", active = "90 days", '
        'dormant = "180 days" }\n')
    flood = json.loads(run(root, "agenda", "--date", today.isoformat(), "--json").stdout)
    assert len(flood["items"]) > 150
    # the text view stays readable even then: each section shows its first rows
    text = run(root, "agenda", "--date", today.isoformat()).stdout.splitlines()
    assert any(line.startswith("  … and ") and "more overdue" in line for line in text)
    assert len([line for line in text if " · last: " in line]) <= 3 * 15


def test_the_generator_is_seeded(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", customers=20, seed=3)
    two = generate(tmp_path / "two", customers=20, seed=3)
    other = generate(tmp_path / "other", customers=20, seed=4)
    text = {p.name: p.read_text() for p in one.glob("*.md")}
    assert text == {p.name: p.read_text() for p in two.glob("*.md")}
    assert text != {p.name: p.read_text() for p in other.glob("*.md")}


def test_customers_who_are_gone_are_not_due_a_service(run: Run, tmp_path: Path) -> None:
    """The generated firm's dormant and lost customers keep ``service_every`` in their files,
    overdue for a year or more: none of them is "service due", every day, for ever."""
    seed, today = CASES[0]
    root = generate(tmp_path / "firm", seed=seed, today=today)
    profiles, _problems = load(root)
    gone = {p.path for p in profiles if p.status in {"dormant", "lost"}}
    assert len(gone) >= 10 and all("service_every" in (root / path).read_text()
                                   for path in gone)
    items = json.loads(run(root, "agenda", "--date", today.isoformat(), "--json").stdout)[
        "items"]
    assert not [i for i in items if i["kind"] == "service" and i["path"] in gone]
    # with the option emptied, they would be: each of them is overdue
    (root / "plaincrm.toml").write_text("[agenda]\nno_service_statuses = []\n")
    flood = json.loads(run(root, "agenda", "--date", today.isoformat(), "--json").stdout)[
        "items"]
    assert {i["path"] for i in flood if i["kind"] == "service" and i["section"] == "overdue"
            } >= gone
