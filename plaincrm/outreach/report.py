"""The dry run and the results as text and JSON. Formats records only: never reads or writes."""

from __future__ import annotations

from typing import Any

from plaincrm.outreach.message import display
from plaincrm.outreach.plan import Action, Item, Plan
from plaincrm.outreach.send import Outcome
from plaincrm.render.table import table

MODES = {"dry-run": "dry run, nothing is sent", "drafts": "drafts, nothing is sent",
         "send": "sending"}
HEADINGS = {
    Action.SEND: "To send",
    Action.HOLD: "Held for a later run",
    Action.SKIP: "Not sent",
    Action.CHECK: "Needs a check",
}


def _row(item: Item, detail: str) -> list[str]:
    return [item.occasion.date.isoformat(), item.occasion.name,
            display(item.profile.display_name), display(detail)]


def _detail(item: Item) -> str:
    if item.action in (Action.SEND, Action.HOLD) and item.address:
        return item.address if item.action is Action.SEND else f"{item.address}: {item.reason}"
    if item.action is Action.CHECK:
        return f"{item.reason}: look for {item.msgid} in the sent mail"
    return item.reason


def plan_lines(plan: Plan, mode: str) -> list[str]:
    """The dry run (``mode`` says what this run does with the messages to send)."""
    lines = [f"Outreach for {plan.today.strftime('%A')} {plan.today.day} "
             f"{plan.today.strftime('%B %Y')} · {mode}"]
    sections = [(a, plan.of(a)) for a in Action]
    rows = [_row(i, _detail(i)) for _, items in sections for i in items]
    if not rows:
        lines += ["", "Nothing to send today."]
    else:
        widths = [max(len(r[c]) for r in rows) for c in range(3)] + [0]
        for action, items in sections:
            if not items:
                continue
            lines += ["", f"{HEADINGS[action]} ({len(items)})"]
            for item in items:
                lines += table([_row(item, _detail(item))], widths=widths, indent="  ")
                subject = f"\"{display(item.rendered.subject)}\" · " if item.rendered else ""
                lines.append(" " * (2 + sum(widths[:2]) + 4)
                             + f"{subject}{display(item.occasion.why)} · {item.location}")
    if plan.already_sent:
        n = plan.already_sent
        lines += ["", f"{n} message{'s' if n != 1 else ''} of these days already sent "
                      "(recorded in the profiles' logs)."]
    return lines


def item_json(item: Item) -> dict[str, Any]:
    return {
        "action": str(item.action),
        "occasion": item.occasion.name,
        "key": item.occasion.key,
        "date": item.occasion.date.isoformat(),
        "why": item.occasion.why,
        "path": item.location.path,
        "line": item.location.line,
        "name": item.profile.display_name,
        "address": item.address,
        "subject": item.rendered.subject if item.rendered else None,
        "template": item.rendered.template if item.rendered else None,
        "reason": item.reason or None,
        "message_id": item.msgid,
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "date": plan.today.isoformat(),
        "items": [item_json(i) for i in plan.items],
        "already_sent": plan.already_sent,
        "sent_today": plan.sent_today,
        "problems": [p.to_json() for p in plan.problems],
    }


RESULT_WORDS = {"sent": "sent", "refused": "NOT SENT", "not-sent": "not sent",
                "check": "CHECK"}


def outcome_lines(outcomes: list[Outcome]) -> list[str]:
    rows = []
    for o in outcomes:
        detail = o.item.address or ""
        if o.detail:
            detail += f": {o.detail}"
        rows.append([RESULT_WORDS[o.result], o.item.occasion.key,
                     display(o.item.profile.display_name), display(detail)])
    return table(rows)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {**item_json(outcome.item), "result": outcome.result,
            "detail": outcome.detail or None, "message_id": outcome.msgid or None,
            "commits": list(outcome.commits)}
