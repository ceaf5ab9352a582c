"""The pulse as text for a terminal: each section a few lines, sparklines and bars inline.

It formats the figures :func:`plaincrm.pulse.metrics.compute` returns and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from plaincrm.render.table import table

SPARKS = "▁▂▃▄▅▆▇█"
BLOCKS = " ▏▎▍▌▋▊▉█"
QUIET_SHOWN = 10
AWAY_SHOWN = 15
Style = Callable[..., str]


def sparkline(values: Sequence[int]) -> str:
    """One character per value, ``▁`` for the smallest possible (0) to ``█`` for the largest."""
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round(v * (len(SPARKS) - 1) / top)] for v in values)


def bar(value: float, top: float, width: int = 20) -> str:
    """A horizontal bar ``width`` characters long at ``top``, in eighths of a character."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return BLOCKS[-1] * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def _counts(counts: dict[str, int]) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{k} {v}" for k, v in items) or "none"


def _day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%A %-d %B %Y")


def render(data: dict[str, Any], style: Style | None = None) -> list[str]:
    """The lines of the text report."""
    s = style or (lambda text, **_: text)
    weeks = len(data["heartbeat"]["weeks"])
    head = (f"Pulse for {_day(data['date'])} · {data['since']} to {data['until']} "
            f"({weeks} week{'s' if weeks != 1 else ''})")
    if data["owner"]:
        head += f" · owner {data['owner']}"
    lines = [head, ""]
    lines += _heartbeat(data["heartbeat"], s)
    lines += _follow_through(data["follow_through"], s)
    lines += _quiet(data["quiet"], s)
    lines += _pipeline(data["pipeline"], s)
    lines += _retention(data["retention"], s)
    if data["away"] is not None:
        lines += _away(data["away"], s)
    if data["notes"]:
        lines += [s("Notes", bold=True)] + [f"  - {n}" for n in data["notes"]]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _heartbeat(h: dict[str, Any], s: Style) -> list[str]:
    contacts = [w["contacts"] for w in h["weeks"]]
    prev = h["previous"]["contacts"]
    trend = "" if h["trend"] is None else f", {h['trend'] * 100:+.0f}%"
    lines = [s("Heartbeat", bold=True),
             f"  contacts  {sparkline(contacts)}  {h['total']['contacts']} "
             f"(previous period {prev}{trend}), {max(contacts, default=0)} in the best week",
             f"  attempts  {sparkline([w['attempts'] for w in h['weeks']])}  "
             f"{h['total']['attempts']} ({_counts(h['attempt_kinds'])})",
             f"  by kind   {_counts(h['kinds'])}"]
    staff = h["staff"]
    if staff:
        top = max(c["contacts"] for c in staff.values())
        rows = [[name, str(c["contacts"]), str(c["attempts"]), bar(c["contacts"], top)]
                for name, c in sorted(staff.items(), key=lambda kv: (-kv[1]["contacts"],
                                                                      kv[0]))]
        lines += table(rows, ["STAFF", "CONTACTS", "ATTEMPTS", ""], indent="  ")
    return [*lines, ""]


def _follow_through(f: dict[str, Any], s: Style) -> list[str]:
    lines = [s("Follow-through", bold=True),
             f"  {f['overdue']} overdue of {f['open']} open items"]
    old = f["oldest_overdue"]
    if old:
        lines.append(f"  oldest overdue: {old['name']}, {old['kind'].replace('_', ' ')}, "
                     f"{old['days_overdue']} days late (due {old['date']}, "
                     f"@{old['owner'] or 'nobody'})")
    kinds = sorted({k for o in f["owners"].values() for k in o})
    if kinds:
        rows = [[owner, *(_cell(o.get(k)) for k in kinds)] for owner, o in f["owners"].items()]
        header = ["OVERDUE/OPEN", *(k.replace("_", " ").upper() for k in kinds)]
        lines += table(rows, header, indent="  ")
    t = f["tasks_done"]
    lines.append(f"  tasks done {sparkline([w['count'] for w in t['weeks']])}  {t['total']}")
    sv = f["services"]
    lines.append(f"  services   {sv['done_total']} done in the period; {sv['done_of_due']} of "
                 f"{sv['due_in_period']} due done ({percent(sv['done_share'])}); "
                 f"{sv['overdue']} overdue now")
    lines.append("  due ahead  " + " · ".join(f"{m['month']} {m['due']}" for m in sv["ahead"]))
    return [*lines, ""]


def _cell(cell: dict[str, int] | None) -> str:
    return "-" if cell is None else f"{cell['overdue']}/{cell['open']}"


def _quiet(q: dict[str, Any], s: Style) -> list[str]:
    n = q["count"]
    lines = [s(f"Going quiet ({n} active customer{'s' if n != 1 else ''} past their "
               "keep-in-touch period)", bold=True)]
    rows = [[c["name"], f"{c['days_since']} days" if c["days_since"] is not None else "never",
             f"last {c['last_contact'] or '-'}", f"@{c['owner'] or 'nobody'}"]
            for c in q["customers"][:QUIET_SHOWN]]
    lines += table(rows, indent="  ")
    if n > QUIET_SHOWN:
        lines.append(f"  … and {n - QUIET_SHOWN} more")
    if q["owners"]:
        lines.append("  per owner: " + " · ".join(f"{o} {c}" for o, c in q["owners"].items()))
    return [*lines, ""]


def _pipeline(p: dict[str, Any], s: Style) -> list[str]:
    lines = [s("Pipeline", bold=True), f"  now    {_counts(p['now'])}"]
    if p["moves"] is None:
        lines.append("  moves  not known without git history")
    else:
        lines.append(f"  moves  {_counts(p['moves'])}")
    return [*lines, ""]


def _retention(r: dict[str, Any], s: Style) -> list[str]:
    lines = [s("Retention", bold=True)]
    if r["years"]:
        rows = [[str(y["year"]) + (" (to date)" if y["to_date"] else ""), str(y["start"]),
                 str(y["new"]), str(y["end"]), percent(y["rate"])] for y in r["years"]]
        lines += table(rows, ["YEAR", "START", "NEW", "END", "RETAINED"], indent="  ")
    if r["cohorts"]:
        years = [c["year"] for c in r["cohorts"]]
        header = ["COHORT", "SIZE", *(str(y) for y in years)]
        lines += ["", *table([_cohort_row(c, years) for c in r["cohorts"]], header,
                             indent="  ")]
    five = r["five_year"]
    lines.append("")
    lines.append(f"  five years: {five['active']} of the {five['base']} customers active on "
                 f"{five['from']} are active today ({percent(five['share'])}; "
                 f"the benchmark loses half: {percent(five['benchmark'])})")
    return [*lines, ""]


def _cohort_row(cohort: dict[str, Any], years: list[int]) -> list[str]:
    shares = {cell["year"]: percent(cell["share"]) for cell in cohort["years"]}
    return [str(cohort["year"]), str(cohort["size"]), *(shares.get(y, "") for y in years)]


def _away(a: dict[str, Any], s: Style) -> list[str]:
    lines = [s("While you were away", bold=True)]
    rows = [[who, *(str(c[k]) for k in ("entries", "tasks_done", "added", "changed"))]
            for who, c in a["people"].items()]
    lines += table(rows, ["WHO", "ENTRIES", "TASKS DONE", "ADDED", "CHANGED"], indent="  ")
    if a["profiles"] is None:
        lines.append("  profiles added or changed, and tasks ticked: not known without git "
                     "history")
    recent = a["entries"][-AWAY_SHOWN:]
    if recent:
        lines.append("")
        lines += table([[e["date"], e["name"], f"{e['kind'] or '-'}: {e['text']}"[:70],
                         f"@{e['author']}"] for e in recent], indent="  ")
        if len(a["entries"]) > AWAY_SHOWN:
            lines.append(f"  (the newest {AWAY_SHOWN} of {len(a['entries'])} entries)")
    for t in (a["tasks_done"] or [])[-AWAY_SHOWN:]:
        lines.append(f"  {t['date']}  done: {t['name']} — {t['text']}  @{t['author']}")
    return [*lines, ""]
