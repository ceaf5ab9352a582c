"""A seeded generator of realistic messy duplicates: people, then second profiles of some of
them as a second person would type them (typing errors, missing parts, initials, nicknames,
swapped order, other phone formats, a field left out), and look-alikes that are other people
(a household at one address and landline, namesakes elsewhere)."""

from __future__ import annotations

import random

_FIRST = ("Margaret Robert William Elizabeth James John Katherine Thomas Edward Susan Daniel "
         "Hannah Oliver Amelia Jack Isla Noah Freya Leo Grace Arthur Mia Harry Ella Oscar "
         "Chloe Henry Lucy Samuel Ruby Joseph Emily George Sophie Peter Anna Hans Jürgen "
         "Priya Aisha Mohammed Wei Chen Olga Tomasz")
FIRST = tuple(_FIRST.split())
_LAST = ("Whitfield Ramsay Okafor Smith Jones Taylor Brown Williams Wilson Johnson Davies "
        "Robinson Wright Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke "
        "Müller Schröder Novak Kowalski Patel Khan Singh Nguyen O'Brien McAllister "
        "Fitzgerald Hargreaves Pemberton Ashworth Sutcliffe Lindqvist")
LAST = tuple(_LAST.split())
# surnames as stem + ending, so namesakes are as rare as in a real customer list
ENDS = ("", "son", "ley", "ton", "ford", "wood", "by", "er", "man", "field", "well", "croft",
        "ham", "stone", "more", "dale", "shaw", "worth", "land", "brook")
_MIDDLE = "Anne Marie James Louise Edward Rose John Mary Claire Alexander"
MIDDLE = tuple(_MIDDLE.split())
NICK = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "James": "Jim",
        "John": "Jack", "Katherine": "Kate", "Thomas": "Tom", "Edward": "Ted", "Susan": "Sue",
        "Daniel": "Dan", "Samuel": "Sam", "Joseph": "Joe", "Peter": "Pete", "Margaret": "Peggy",
        "Henry": "Harry"}
STREETS = ("Cardigan Grove", "Mill Lane", "Station Road", "Park Avenue", "Church Street",
           "Victoria Road", "Kings Road", "Oak Close", "Elm Drive", "Manor Way")


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("dist")
    if kind == "d":
        return word[:i] + word[i + 1:]
    if kind == "i":
        return word[:i] + rng.choice("aeinorst") + word[i:]
    if kind == "s":
        return word[:i] + rng.choice("aeinorst") + word[i + 1:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def messy_name(first: str, middle: str, last: str, rng: random.Random) -> str:
    kind = rng.choice(["typo", "typo_first", "initial", "nick", "swap", "drop_middle",
                       "typo_both"])
    if kind == "typo":
        return f"{first} {typo(last, rng)}"
    if kind == "typo_first":
        return f"{typo(first, rng)} {middle} {last}".replace("  ", " ")
    if kind == "initial":
        return f"{first[0]}. {last}"
    if kind == "nick":
        return f"{NICK.get(first, typo(first, rng))} {last}"
    if kind == "swap":
        return f"{last}, {first}" if rng.random() < 0.5 else f"{last} {first}"
    if kind == "drop_middle":
        return f"{first} {last}" if middle else f"{first} {typo(last, rng)}"
    return f"{typo(first, rng)} {typo(last, rng)}"


def reformat_phone(digits: str, rng: random.Random) -> str:
    local = "0" + digits
    if rng.random() < 0.5:
        return f"+44 {digits[:2]} {digits[2:6]} {digits[6:]}"
    return f"{local[:5]} {local[5:]}"


def profile(name: str, fields: dict[str, str]) -> str:
    lines = [f"name: {name!r}".replace("'", '"'), "status: active"]
    lines += [f'{k}: "{v}"' for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def generate(people: int, duplicates: int, seed: int = 7
             ) -> tuple[dict[str, str], set[frozenset[str]]]:
    """``(files, true pairs)``: ``people`` profiles, ``duplicates`` second profiles of some of
    them, and a household member for one in ten (same address and landline, other first name,
    another birthday). Each true pair is the frozenset of the two file names."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    truth: set[frozenset[str]] = set()
    base = []
    for n in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST) + rng.choice(ENDS)
        middle = rng.choice(MIDDLE) if rng.random() < 0.3 else ""
        digits = f"7{rng.randrange(10**8, 10**9)}"
        fields = {
            "email": f"{first.lower()}.{last.lower()}{rng.randrange(100)}@example.org",
            "phone": f"0{digits[:4]} {digits[4:]}",
            "birthday": f"{rng.randrange(1940, 2000)}-{rng.randrange(1, 13):02d}-"
                        f"{rng.randrange(1, 29):02d}",
            "address": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, Leeds "
                       f"LS{rng.randrange(1, 30)} {rng.randrange(1, 10)}"
                       f"{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
        }
        name = " ".join(p for p in (first, middle, last) if p)
        path = f"p{n}.md"
        files[path] = profile(name, fields)
        base.append((path, first, middle, last, digits, fields))
        if rng.random() < 0.1:  # a household member: not the same person
            other = rng.choice([f for f in FIRST if f[0] != first[0]])
            files[f"h{n}.md"] = profile(f"{other} {last}", {
                "phone": fields["phone"], "address": fields["address"],
                "birthday": f"{rng.randrange(1940, 2000)}-{rng.randrange(1, 13):02d}-01"})
    for n, (path, first, middle, last, digits, fields) in enumerate(
            rng.sample(base, duplicates)):
        kept: dict[str, str] = {}
        evidence = ["email", "phone", "birthday", "address"]
        for key in rng.sample(evidence, rng.randrange(1, 4)):
            kept[key] = fields[key]
        if "phone" in kept:
            kept["phone"] = reformat_phone(digits, rng)
        if "email" in kept and rng.random() < 0.5:  # another address, the same name part
            kept["email"] = kept["email"].split("@")[0] + "@mail.example.com"
        if "address" in kept and rng.random() < 0.3:  # only the postcode survives
            kept["address"] = kept["address"].split(", ")[1]
        dup = f"d{n}.md"
        files[dup] = profile(messy_name(first, middle, last, rng), kept)
        truth.add(frozenset((path, dup)))
    return files, truth
