"""A second, independent vault generator, so that no figure depends on one generator's habits.

``python -m benchmarks.generate_other 10000`` writes ``benchmarks/vaults/other-10000/``. It shares
no code or word list with ``generate.py`` and draws from other distributions:

- files spread over nested folders by region and first letter (``north/k/kowalczyk-anna.md``);
- small businesses and households as well as people; names with accents and apostrophes;
- phones in national form (``020 7946 0958``, the vault sets ``phone_region = "GB"``) or
  international, sometimes two of them in a list; some profiles have no phone or email;
- half the birthdays without a year (``--MM-DD``), a few on 29 February;
- a per-profile ``contact_every`` on a third of them; config dates (``contract_end`` once,
  ``wedding`` yearly); customers contacted recently more often than long ago, so most are
  *not* overdue (the project's generator leaves most overdue);
- log sizes from a geometric distribution (many short files, a few with 100+ entries);
- about 3% invalid values and 3% duplicates (same email in another case, same number in
  another format).
The same seed and size give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).parent / "vaults"
DAY = dt.date(2026, 11, 22)
GIVEN = ("Anna|Jakub|Marta|Piotr|Sofía|Mateus|Inès|Lucas|Aoife|Cian|Saoirse|Oisín|Freya|"
         "Magnus|Ingrid|Lars|Amara|Chidi|Ngozi|Emeka|Yuki|Haruto|Mei|Wei|Arjun|Ananya|"
         "Rahul|Fatou|Moussa|Léa|Hélène|Jürgen|Björn|Søren|Åsa|Zoltán|Réka")
FAMILY = ("Kowalczyk|Nowicki|Fernández|Oliveira|Lefèvre|Dubois|O'Connor|Ní Bhriain|"
          "MacAulay|Lindqvist|Haugen|Okonkwo|Adeyemi|Nakamura|Tanaka|Chen|Zhao|Iyer|"
          "Kapoor|Diallo|Traoré|Schäfer|Björklund|Nagy|Szabó|Kovács|D'Angelo|Esposito|"
          "Van der Berg|De Vries")
TRADES = ("Bakery", "Garage", "Dental Practice", "Florist", "Café", "Joinery", "Pharmacy",
          "Print Shop", "Hair Studio", "Vets")
REGIONS = ("north", "south", "east", "west", "central")
STAFF = ("dana", "eli", "fox", "gus", "hal", "ivy")
STATES = ("active", "active", "active", "lead", "lead", "paused", "former")
KINDS = ("call", "email", "visit", "meeting", "sms", "service", "complaint")
NOTES = ("Prefers mornings.", "Dog in the garden: ring first.", "Pays by card.",
         "Second home in Cornwall, only here in winter.", "Speaks Polish and English.",
         "Needs an invoice with the VAT number.", "Key safe code in the office system.")


def _date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"020 {rng.randint(7000, 7999)} {rng.randint(1000, 9999)}"
    if kind < 0.7:
        return f"07{rng.randint(400, 999)} {rng.randint(100000, 999999)}"
    return f"+44 161 {rng.randint(400, 999)} {rng.randint(1000, 9999)}"


def _who(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"{rng.choice(FAMILY.split('|'))} {rng.choice(TRADES)}"
    return f"{rng.choice(GIVEN.split('|'))} {rng.choice(FAMILY.split('|'))}"


def _profile(rng: random.Random, number: int, name: str, email: str | None,
             phones: list[str], bad: bool) -> str:
    since = _date(rng, dt.date(2005, 1, 1), DAY - dt.timedelta(days=10))
    front = [f"name: {name}" if "'" not in name else f'name: "{name}"',
             f"id: x-{number:07d}", f"status: {rng.choice(STATES)}",
             f"owner: {rng.choice(STAFF)}", f"customer_since: {since.isoformat()}"]
    if email:
        front.append(f"email: {email}")
    if len(phones) == 1:
        front.append(f'phone: "{phones[0]}"')
    elif phones:
        front += ["phone:", *(f'  - "{p}"' for p in phones)]
    roll = rng.random()
    if roll < 0.004:
        front.append("birthday: 1988-02-29")
    elif roll < 0.45:
        born = _date(rng, dt.date(1935, 1, 1), dt.date(2008, 1, 1))
        front.append(f"birthday: --{born.month:02d}-{born.day:02d}")
    elif roll < 0.9:
        front.append(f"birthday: {_date(rng, dt.date(1935, 1, 1), dt.date(2008, 1, 1))}")
    if rng.random() < 0.33:
        front.append(f"contact_every: {rng.choice(['30 days', '6 weeks', '2 months', '1 year'])}")
    if rng.random() < 0.5:
        front.append(f"service_every: {rng.choice(['6 months', '1 year', '2 years'])}")
        due = _date(rng, DAY - dt.timedelta(days=30), DAY + dt.timedelta(days=400))
        front.append(f"service_due: {due}")
    if rng.random() < 0.2:
        end = _date(rng, DAY - dt.timedelta(days=200), DAY + dt.timedelta(days=700))
        front.append(f"contract_end: {end}")
    if rng.random() < 0.1:
        front.append(f"wedding: {_date(rng, dt.date(1970, 1, 1), DAY + dt.timedelta(days=200))}")
    if rng.random() < 0.6:
        tags = rng.sample(["b2b", "retail", "gold", "seasonal", "new", "referral"],
                          rng.randint(1, 3))
        front.append(f"tags: [{', '.join(tags)}]")
    if bad:
        front.append(rng.choice(["birthday: 31/12/1970", "service_every: often",
                                 "customer_since: 2025-13-01", "email: at@@example"]))
    body = ["", rng.choice(NOTES), ""]
    if rng.random() < 0.4:
        body += ["## Tasks", ""]
        for _ in range(rng.randint(1, 3)):
            when = _date(rng, DAY - dt.timedelta(days=30), DAY + dt.timedelta(days=120))
            mark = "x" if rng.random() < 0.3 else " "
            who = f" @{rng.choice(STAFF)}" if rng.random() < 0.3 else ""
            body.append(f"- [{mark}] {when.isoformat()} follow up on the offer{who}")
        body.append("")
    body += ["## Log", ""]
    count = 0
    while rng.random() < 0.85 and count < 200:  # geometric: mean about 6, a long tail
        count += 1
    # contacted recently more often than long ago
    newest = DAY - dt.timedelta(days=int(rng.expovariate(1 / 40)))
    newest = max(newest, since)
    days = sorted(_date(rng, since, newest) for _ in range(count - 1))
    days += [newest] if count else []
    for day in days:
        kind = rng.choice(KINDS)
        body.append(f"- {day.isoformat()} {kind}: {rng.choice(NOTES)}")
    return "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body) + "\n"


def generate(size: int, seed: int = 8, root: Path | None = None) -> Path:
    """Write a vault of ``size`` profiles (replacing any older one there); returns its folder."""
    root = root or ROOT / f"other-{size}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "plaincrm.toml").write_text(
        '[profiles]\nphone_region = "GB"\n\n[agenda]\n'
        'dates = { contract_end = "once", wedding = "yearly" }\n'
        'contact_every = { active = "60 days", lead = "10 days" }\n', encoding="utf-8")
    rng = random.Random(f"other-{seed}-{size}")
    seen: list[tuple[str, str | None, list[str]]] = []
    stems: set[str] = set()
    for number in range(size):
        if seen and rng.random() < 0.03:  # the same person again, written differently
            name, email, phones = rng.choice(seen)
            email = email.upper() if email else None
            phones = [p.replace(" ", "") for p in phones]
        else:
            name = _who(rng)
            email = (f"{name.split()[0].lower()}{number}@mail.example" if rng.random() < 0.8
                     else None)
            phones = [_phone(rng) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
            seen.append((name, email, phones))
        stem = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
        stem = f"{stem}-{number}" if stem in stems else stem
        stems.add(stem)
        folder = root / rng.choice(REGIONS) / stem[0]
        folder.mkdir(parents=True, exist_ok=True)
        text = _profile(rng, number, name, email, phones, rng.random() < 0.03)
        (folder / f"{stem}.md").write_text(text, encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.generate_other SIZES [--seed N]``, as generate.py's."""
    from benchmarks import generate as project

    project.main(argv, generate, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
