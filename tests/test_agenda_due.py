"""``due`` dates (agenda.dates): overdue until the closing log entry, or until the date moves."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

CONFIG = """\
[agenda]
dates = { gas_cert = "due until cp12", renewal = "due", contract_end = "once" }
lead_days = { gas_cert = 30 }
"""


def profile(log: str = "", gas_cert: str = "2026-12-01") -> str:
    return (f"---\nname: Gail Gas\nstatus: active\nphone: '+44 113 496 0001'\nowner: ana\n"
            f"gas_cert: {gas_cert}\nrenewal: 2026-12-01\ncontract_end: 2026-12-01\n"
            f"contact_every: 10 years\n---\n\n## Log\n\n{log}")


def rows(run: Run, root: object, day: str) -> dict[str, tuple[str, str]]:
    result = run(root, "agenda", "--date", day, "--json")
    assert result.exit_code == 0, result.output
    return {i["kind"]: (i["section"], i["text"]) for i in json.loads(result.stdout)["items"]
            if i["kind"] in ("gas_cert", "renewal", "contract_end")}


@pytest.mark.parametrize(("log", "gas_cert", "day", "expected"), [
    # before the date: upcoming within the key's lead days (beyond the 7-day horizon), due
    # ones and once alike; within the horizon every kind is upcoming
    ("", "2026-12-01", "2026-11-20", {"gas_cert": ("upcoming", "gas cert due")}),
    ("", "2026-12-01", "2026-11-25", {"gas_cert": ("upcoming", "gas cert due"),
                                      "renewal": ("upcoming", "renewal due"),
                                      "contract_end": ("upcoming", "contract end")}),
    # on the day: all three today
    ("", "2026-12-01", "2026-12-01", {"gas_cert": ("today", "gas cert due"),
                                      "renewal": ("today", "renewal due"),
                                      "contract_end": ("today", "contract end")}),
    # after it: due dates stay overdue, the once date is gone (once stays what it is)
    ("", "2026-12-01", "2026-12-20", {"gas_cert": ("overdue", "gas cert due"),
                                      "renewal": ("overdue", "renewal due")}),
    # a cp12 entry inside the lead window closes gas_cert; renewal needs an entry on or after
    ("- 2026-11-10 cp12: Certificate renewed.\n", "2026-12-01", "2026-12-20",
     {"renewal": ("overdue", "renewal due")}),
    # any entry on or after the date closes renewal (not gas_cert: the wrong kind)
    ("- 2026-12-05 call: Renewed by phone.\n", "2026-12-01", "2026-12-20",
     {"gas_cert": ("overdue", "gas cert due")}),
    # last year's cp12 (before the lead window) does not close this year's date
    ("- 2025-11-10 cp12: Last year's certificate.\n", "2026-12-01", "2026-12-20",
     {"gas_cert": ("overdue", "gas cert due"), "renewal": ("overdue", "renewal due")}),
    # the date changed (next year's certificate): nothing overdue for it any more
    ("", "2027-12-01", "2026-12-20", {"renewal": ("overdue", "renewal due")}),
])
def test_due_dates(run: Run, vault: VaultFactory, log: str, gas_cert: str, day: str,
                   expected: dict[str, tuple[str, str]]) -> None:
    root = vault({"gail.md": profile(log, gas_cert)}, config=CONFIG)
    assert rows(run, root, day) == expected


def test_due_dates_in_text_and_calendar(run: Run, vault: VaultFactory) -> None:
    root = vault({"gail.md": profile()}, config=CONFIG)
    text = run(root, "agenda", "--date", "2026-12-20", "--kind", "gas_cert").stdout
    assert "19 days late" in text and "gas cert due" in text
    feed = run(root, "calendar", "--date", "2026-12-20").stdout
    assert "SUMMARY:Gas cert: Gail Gas" in feed
    assert "DTSTART;VALUE=DATE:20261201" in feed


@pytest.mark.parametrize("value", ["daily", "due until", "due until Two Words", "once until x",
                                   "yearly until cp12"])
def test_a_bad_date_rule_is_a_located_config_error(run: Run, vault: VaultFactory,
                                                   value: str) -> None:
    root = vault({"gail.md": profile()},
                 config=f'[agenda]\ndates = {{ gas_cert = "{value}" }}\n')
    result = run(root, "check", "--date", "2026-12-20")
    line = next(x for x in result.stdout.splitlines() if x.startswith("plaincrm.toml"))
    assert line.startswith("plaincrm.toml:2: config-error agenda.dates gas_cert must be "
                           "'once', 'yearly', 'due' or 'due until KIND'")
    # the rest works: the agenda still runs with the default (no dates)
    assert run(root, "agenda", "--date", "2026-12-20").exit_code == 0
