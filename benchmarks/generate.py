"""A seeded generator of realistic plaincrm vaults for the benchmarks.

``python -m benchmarks.generate 10000`` writes ``benchmarks/vaults/10000/`` (git-ignored): a
``plaincrm.toml``, ``customers/<slug>.md`` profiles like a real customer file (front matter with
name, email, a quoted +44 phone, birthday, status, service dates, owner, tags and a couple of keys
plaincrm does not know; a body with notes, 0–4 tasks and 1–30 log entries under ``## Log``), about
2% duplicates of another customer and about 2% profiles with an invalid field. The same seed and
size give the same bytes, so runs on different machines read the same vault.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

VAULTS = Path(__file__).parent / "vaults"
TODAY = dt.date(2026, 11, 22)  # the day the benchmark pins with --date


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST = _words(
    "Ada Ben Cara Dev Ella Finn Grace Hugo Isla Jack Kate Leo Maya Noah Olive Priya Quinn "
    "Rosa Sam Tara Umar Vera Will Xena Yusuf Zoë Aoife Bartek Chloé Dmitri Eilidh Farah "
    "Gareth Hana Iain Jodie Kofi Lena Mateo Niamh Oscar Pádraig Ruth Siobhan Tomasz")
LAST = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Walker Evans Thomas "
    "Roberts Green Hall Wood Clarke Hughes Edwards O'Brien Murphy Kelly Nowak Müller Khan "
    "Ahmed Singh Campbell Stewart Fraser MacLeod Reid Ross Byrne Doyle Lynch Price Lloyd "
    "Morgan Owen Hopkins Mistry Begum Okafor Mensah Kowalski Dubois Rossi García")
# surnames made of two parts ("Ashby", "Penfold") so a 100k vault has few namesakes
PARTS_A = _words(
    "Ash Brad Cal Dun Ell Fair Gold Hart Ing Kil Lang Mar Nor Pen Rad Sel Thorn Wake "
    "Whit Ald Bram Craw Har Mill Oak Stan Wen Fen Holl Red")
PARTS_B = _words(
    "by ford ley ton wood field well combe hurst ridge worth more stone brook dale "
    "ham wick croft gate low")
STREETS = _words("Mill Lane|Church Road|Station Road|High Street|Park Avenue|Victoria Road", "|")
OWNERS = ("ben", "priya", "sam", "me")
STATUSES = ("active",) * 6 + ("lead",) * 2 + ("paused", "former")
TAGS = ("boiler", "combi", "landlord", "vip", "annual-plan", "referral", "commercial",
        "oil", "heat-pump", "cash", "late-payer", "newsletter")
KINDS = ("service", "call", "email", "visit", "quote", "invoice", "note")
LOG_TEXT = {
    "service": ("Annual service done; pressure a little low, topped up.",
                "Service done, replaced the thermocouple.", "Flue check passed, all fine."),
    "call": ("Asked about a quote for a new valve.", "Rang to move the visit to a Tuesday.",
             "Left a voicemail about the service."),
    "email": ("Sent the gas safety certificate.", "Replied about the invoice.",
              "Sent a reminder for the annual service."),
    "visit": ("Looked at the radiator in the back bedroom.", "Bled the radiators.",
              "Fitted a new thermostat."),
    "quote": ("Quoted 2,450 GBP for a new combi boiler.", "Quoted 180 GBP for a powerflush."),
    "invoice": ("Invoice 1043 paid by bank transfer.", "Invoice sent, 30 days."),
    "note": ("Prefers mornings.", "New tenant moving in next month."),
}
NOTES = ("Prefers a call after 17:00.", "Has a dog called Pepper; mind the gate.",
         "Key safe by the back door, code in the office.", "Parking on the street only.",
         "Landlord for three flats on {street}.", "Pays promptly.",
         "Speaks Polish with the family; English is fine.", "Referred by a neighbour on {street}.",
         "Boiler in the loft: bring the long ladder.", "Ask for Mr or Mrs {last}.")
TASKS = ("Send the quote for the new valve", "Book the annual service", "Chase the invoice",
         "Order the replacement part", "Call back about the radiator", "Post the certificate")
INVALID = (  # one bad field per invalid profile, as users really write them
    ("birthday", "1985-6-14"), ("birthday", "1990-02-30"), ("service_due", "next spring"),
    ("service_every", "yearly"), ("customer_since", "2021-13-01"), ("owner", "ben and sam"),
)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _name(rng: random.Random) -> str:
    last = rng.choice(LAST) if rng.random() < 0.3 else rng.choice(PARTS_A) + rng.choice(PARTS_B)
    middle = f" {chr(65 + rng.randrange(26))}." if rng.random() < 0.5 else ""
    return f"{rng.choice(FIRST)}{middle} {last}"


def _slug(name: str, taken: set[str]) -> str:
    base = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    base = "-".join(part for part in base.split("-") if part)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def profile_text(rng: random.Random, index: int, name: str, email: str, phone: str,
                 invalid: tuple[str, str] | None = None) -> str:
    """One customer file; ``invalid`` replaces one field's value with a bad one."""
    last = name.rsplit(" ", 1)[1]
    since = _day(rng, dt.date(2012, 1, 1), TODAY - dt.timedelta(days=30))
    every_months = rng.choice((6, 12, 12, 12, 24))
    service_due = _day(rng, TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=365))
    fm: dict[str, str] = {
        "name": name,
        "id": f"C{index:06d}",
        "status": rng.choice(STATUSES),
        "email": email,
        "phone": f'"{phone}"',
        "birthday": _day(rng, dt.date(1940, 1, 1), dt.date(2004, 12, 31)).isoformat(),
        "customer_since": since.isoformat(),
        "service_due": service_due.isoformat(),
        "service_every": "1 year" if every_months == 12 else f"{every_months} months",
        "owner": rng.choice(OWNERS),
        "tags": "[" + ", ".join(rng.sample(TAGS, rng.randrange(0, 4))) + "]",
        "address": f'"{rng.randrange(1, 200)} {rng.choice(STREETS)}, Leeds"',
        "boiler_model": rng.choice(("Worcester Greenstar 30i", "Vaillant ecoTEC plus",
                                    "Baxi 600", "Ideal Logic+ C30")),
    }
    if rng.random() < 0.1:
        del fm["birthday"]
    if invalid is not None:
        fm[invalid[0]] = invalid[1]
    street = rng.choice(STREETS)
    lines = ["---", *(f"{k}: {v}" for k, v in fm.items()), "---", "", f"# {name}", ""]
    for _ in range(rng.randrange(1, 4)):
        lines.append(rng.choice(NOTES).format(street=street, last=last))
    lines.append("")
    n_tasks = rng.randrange(0, 5)
    if n_tasks:
        lines += ["## Tasks", ""]
        for _ in range(n_tasks):
            day = _day(rng, TODAY - dt.timedelta(days=90), TODAY + dt.timedelta(days=60))
            done = "x" if day < TODAY and rng.random() < 0.7 else " "
            owner = f" @{rng.choice(OWNERS)}" if rng.random() < 0.5 else ""
            lines.append(f"- [{done}] {day.isoformat()} {rng.choice(TASKS)}{owner}")
        lines.append("")
    lines += ["## Log", ""]
    n_log = rng.randrange(1, 31)
    days = sorted(_day(rng, since, TODAY - dt.timedelta(days=1)) for _ in range(n_log))
    for day in days:
        kind = rng.choice(KINDS)
        lines.append(f"- {day.isoformat()} {kind}: {rng.choice(LOG_TEXT[kind])}")
    return "\n".join(lines) + "\n"


def generate(size: int, seed: int = 8, root: Path | None = None) -> Path:
    """Write a vault of ``size`` profiles (replacing any older one there); returns its folder."""
    root = root or VAULTS / str(size)
    if root.exists():
        shutil.rmtree(root)
    folder = root / "customers"
    folder.mkdir(parents=True)
    # the shared config names nobody (``me`` belongs in each user's own config.toml)
    (root / "plaincrm.toml").write_text("[agenda]\ndays = 7\n", encoding="utf-8")
    rng = random.Random(f"plaincrm-bench-{seed}-{size}")
    taken: set[str] = set()
    people: list[tuple[str, str, str]] = []
    for i in range(size):
        roll = rng.random()
        if people and roll < 0.02:  # a duplicate: the same person typed in again
            name, email, phone = rng.choice(people)
            if rng.random() < 0.5:
                phone = phone.replace(" ", "")  # same number, written differently
        else:
            name = _name(rng)
            ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore")
            local = "".join(c for c in ascii_name.decode() if c.isalpha() or c == " ")
            local = local.replace(" ", ".")
            email = f"{local}{rng.randrange(1, 1000)}@example.com"
            phone = f"+44 7{rng.randrange(100, 999)} {rng.randrange(100000, 999999)}"
            people.append((name, email, phone))
        invalid = rng.choice(INVALID) if 0.02 <= roll < 0.04 else None
        text = profile_text(rng, i, name, email, phone, invalid)
        (folder / f"{_slug(name, taken)}.md").write_text(text, encoding="utf-8")
    return root


def main(argv: list[str] | None = None, make: Callable[[int, int], Path] | None = None,
         description: str | None = None) -> None:
    """``python -m benchmarks.generate SIZES [--seed N]``; the other generator passes its own
    ``make`` and description."""
    parser = argparse.ArgumentParser(description=description or __doc__.splitlines()[0])
    parser.add_argument("sizes", help="comma-separated numbers of profiles, e.g. 1000,10000")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        print((make or generate)(size, args.seed))


if __name__ == "__main__":
    main()
