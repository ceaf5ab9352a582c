"""A seeded vault of a small service firm, as a new user would have it after a month: about 300
customers, most of them active with an annual service, an owner and two engineers.

``python -m tests.servicefirm DIR [--customers N] [--seed S]`` writes one; tests call
:func:`generate`. The same seed gives the same files.

The spread is the one a boiler or alarm firm sees on a normal day, working its agenda: services
fall due all year round (most are done on time, some weeks late: so a few are overdue on
any day), the last
contact of an active customer is its last service or a call since, leads were spoken to in the
last three weeks, dormant customers (they stopped booking: their files still say
``service_every``, but they are off the service round) are rung about once a year, lost ones
not at all. About one in three profiles has a birthday; a few
have an open task, some of them late.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

OWNER = "olivia"  # runs the firm, takes the leads
ENGINEERS = ("dan", "sam")
TODAY = dt.date(2026, 11, 23)  # a Monday
_FIRST = ("Aisha Ben Chloe David Eleanor Fatima Grace Hans Ivan Jane Kwame Lena Maria Noor Oscar "
          "Priya Quinn Rosa Samuel Tom Uma Victor Wendy Xavier Yusuf Zoe")
FIRST = tuple(_FIRST.split())
_LAST = ("Adeyemi Brown Clarke Davies Evans Fernandez Green Hughes Iqbal Jones Khan Lewis Morgan "
         "Nowak Okafor Patel Quinn Roberts Smith Taylor Usman Walsh Young Zhang")
LAST = tuple(_LAST.split())
STATUSES = (("active", 0.86), ("lead", 0.04), ("dormant", 0.06), ("lost", 0.04))


def _status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return "active"


def _day(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    """A day between ``low`` and ``high`` days before ``today``."""
    return today - dt.timedelta(days=rng.randint(low, high))


def _lateness(rng: random.Random) -> int:
    """How many days after its due date a service is done: most on time, three in ten up to
    three weeks late, one in ten up to two months."""
    roll = rng.random()
    return 0 if roll < 0.6 else rng.randint(1, 21) if roll < 0.9 else rng.randint(22, 60)


def _last_service(today: dt.date, rng: random.Random) -> dt.date:
    """The newest service of an active customer on an annual round: its service fell due at a
    random point of the year; done ``lateness`` days after it, unless that is still to come
    (then the customer is overdue today, and the last service is the one a year before)."""
    due = today - dt.timedelta(days=rng.randint(0, 364))
    late = _lateness(rng)
    if (today - due).days < late:  # not done yet: overdue since ``due``
        return due - dt.timedelta(days=365 - _lateness(rng))
    return due + dt.timedelta(days=late)


def customer(number: int, today: dt.date, rng: random.Random) -> str:
    """One profile's text."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    status = _status(rng)
    owner = OWNER if status == "lead" or rng.random() < 0.2 else rng.choice(ENGINEERS)
    front = [f"name: {name}", f"status: {status}", f"owner: {owner}"]
    if rng.random() < 0.95:
        front.append(f'phone: "+44 113 496 {number:04d}"')
    if rng.random() < 0.7:
        front.append(f"email: customer{number}@example.com")
    if rng.random() < 0.3:
        front.append(f"birthday: {rng.randint(1940, 1995)}-{rng.randint(1, 12):02d}-"
                     f"{rng.randint(1, 28):02d}")
    log: list[tuple[dt.date, str]] = []
    tasks: list[str] = []
    if status == "lead":
        log.append((_day(today, rng, 1, 20), "call: Asked for a quote for a new boiler."))
    else:
        since = _day(today, rng, 400, 3650)
        front.append(f"customer_since: {since.isoformat()}")
        # every customer's file still says so; plaincrm takes dormant and lost customers
        # off the service round (agenda.no_service_statuses)
        front.append("service_every: 1 year")
        if status == "active":
            serviced = _last_service(today, rng)
        elif status == "dormant":  # did not book the last one or two services
            serviced = _day(today, rng, 400, 800)
            log.append((_day(today, rng, 20, 380), "call: Not ready to book; ring next year."))
        else:
            serviced = _day(today, rng, 400, 1800)
        log.append((serviced, "service: Annual service, all well."))
        if status == "active" and rng.random() < 0.3 and (today - serviced).days > 1:
            log.append((_day(today, rng, 1, (today - serviced).days), "call: Asked about "
                        "a radiator that stays cold."))
    if status in {"active", "lead"} and rng.random() < 0.06:
        due = today + dt.timedelta(days=rng.randint(-5, 30))
        tasks.append(f"- [ ] {due.isoformat()} Send the quote")
    body = ["", "## Tasks", "", *tasks] if tasks else []
    body += ["", "## Log", ""]
    body += [f"- {day.isoformat()} {text}" for day, text in sorted(log)]
    return "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body) + "\n"


def generate(root: Path, customers: int = 300, seed: int = 13, today: dt.date = TODAY) -> Path:
    """Write the vault into ``root`` (created) and return it; no ``plaincrm.toml``: the
    defaults, as on day one."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for number in range(customers):
        (root / f"customer-{number:04d}.md").write_text(customer(number, today, rng),
                                                        encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    generate(args.folder, args.customers, args.seed)


if __name__ == "__main__":
    main()
