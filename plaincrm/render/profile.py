"""A profile as public JSON (stable keys) and as the ``show`` text."""

from __future__ import annotations

from typing import Any

from plaincrm.model import Profile
from plaincrm.parse import KNOWN_KEYS


def profile_json(p: Profile, detail: bool = True) -> dict[str, Any]:
    """The public JSON of a profile; ``detail`` adds every task and log entry."""
    open_tasks = [t for t in p.tasks if not t.done]
    newest = p.newest_log()
    data: dict[str, Any] = {
        "path": p.path,
        "name": p.name,
        "id": p.id,
        "email": list(p.emails),
        "phone": list(p.phones),
        "birthday": str(p.birthday) if p.birthday else None,
        "status": p.status,
        "service_due": _iso(p.service_due),
        "service_every": str(p.service_every) if p.service_every else None,
        "contact_every": str(p.contact_every) if p.contact_every else None,
        "customer_since": _iso(p.customer_since),
        "owner": p.owner,
        "tags": list(p.tags),
        "other": {f.key: f.raw for f in p.fields if f.key not in KNOWN_KEYS},
        "open_tasks": len(open_tasks),
        "log_entries": p.log_count,
        "last_contact": _iso(newest.date) if newest else None,
        "has_problems": p.has_problems,
    }
    if detail:
        data["tasks"] = [
            {"line": t.location.line, "date": _iso(t.date), "text": t.text, "done": t.done,
             "owner": t.owner}
            for t in p.tasks
        ]
        data["log"] = [
            {"line": e.location.line, "date": e.date.isoformat(), "kind": e.kind,
             "text": e.text}
            for e in p.log
        ]
    return data


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def raw_text(raw: Any) -> str:
    """A raw front-matter value as one line of text."""
    if isinstance(raw, list):
        return ", ".join(raw_text(v) for v in raw)
    if isinstance(raw, dict):
        return ", ".join(f"{k}: {raw_text(v)}" for k, v in raw.items())
    return str(raw)
