"""One outreach run: plan, then print it (dry run), write drafts, or send. The command's one
core function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plaincrm.errors import MailError
from plaincrm.model import Problem, Profile
from plaincrm.outreach import mailconfig, report
from plaincrm.outreach.consent import load_suppression
from plaincrm.outreach.occasions import Occasion, campaign
from plaincrm.outreach.plan import Action, Plan, make_plan
from plaincrm.outreach.send import Outcome, Sender, sending_lock, write_drafts
from plaincrm.outreach.settings import settings
from plaincrm.outreach.template import Templates

PLACEHOLDER_SENDER = "[sender]"  # the dry run without mail.toml: the name is not known yet


@dataclass(frozen=True, slots=True)
class Request:
    day: dt.date
    occasions: tuple[str, ...] = ()  # empty: the configured ones
    campaign: str | None = None
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    drafts: Path | None = None
    send: bool = False
    now: dt.datetime | None = None  # the Date header (default: now, local time)


@dataclass
class Result:
    plan: Plan
    mode: str
    drafts: list[Path] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    off: bool = False  # no occasion is on

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.plan.problems, key=Problem.sort_key)

    @property
    def failed(self) -> bool:
        """Something needs the user: a problem, a message needing a check, one not sent."""
        return bool(self.plan.problems or self.plan.of(Action.CHECK)
                    or any(o.result != "sent" for o in self.outcomes))

    def lines(self) -> list[str]:
        if self.off:
            return ["Outreach is off: no occasion is on (outreach.occasions in plaincrm.toml, "
                    "or --occasion). See docs/outreach.md."]
        lines = report.plan_lines(self.plan, report.MODES[self.mode])
        if self.drafts:
            lines += ["", f"Drafts ({len(self.drafts)})", *(f"  {p}" for p in self.drafts)]
        if self.outcomes:
            sent = sum(1 for o in self.outcomes if o.result == "sent")
            lines += ["", f"Sent {sent} of {len(self.outcomes)}",
                      *report.outcome_lines(self.outcomes)]
        return lines

    def to_json(self) -> dict[str, Any]:
        data = report.plan_json(self.plan)
        data["mode"] = self.mode
        data["drafts"] = [str(p) for p in self.drafts]
        data["results"] = [report.outcome_json(o) for o in self.outcomes]
        return data


Progress = Callable[[int], Any]


def run(vault: Any, request: Request, note: Callable[[str], None] | None = None,
        progress: Progress | None = None) -> Result:
    """Plan today's messages for ``vault`` (a :class:`plaincrm.loader.Vault`) and do what
    ``request`` asks. MailError (nothing written) when mail cannot go out."""
    conf = settings(vault.config)
    if request.occasions:
        conf = conf.replace_occasions(request.occasions)
    mode = "send" if request.send else "drafts" if request.drafts is not None else "dry-run"
    if not conf.occasions and request.campaign is None:
        return Result(Plan(request.day), mode, off=True)
    mail = None
    if request.send:
        mail = mailconfig.load(need_server=True)
        password = mailconfig.password(mail)
    elif request.drafts is not None:
        mail = mailconfig.load(need_server=False)
    else:
        try:
            mail = mailconfig.load(need_server=False)
        except MailError:
            mail = None
    sender_name = (mail.sender.display_name or mail.sender.addr_spec) if mail \
        else PLACEHOLDER_SENDER
    root: Path = vault.root
    suppression, suppression_problems = load_suppression(root, conf.suppression_file)
    templates = Templates(root, conf.templates)
    find = None
    if request.campaign is not None:
        name = request.campaign

        def find_campaign(profile: Profile, day: dt.date) -> list[Occasion]:
            found = campaign(profile, name, request.statuses, request.tags, day)
            return [found] if found else []

        find = find_campaign
    plan = make_plan(_profiles(vault), conf, request.day, templates, suppression,
                     suppression_problems, sender_name, find)
    result = Result(plan, mode)
    now = request.now or dt.datetime.now().astimezone()
    to_send = plan.of(Action.SEND)
    if request.drafts is not None and mail is not None:
        result.drafts = write_drafts(to_send, request.drafts, mail.sender, now)
    elif request.send and mail is not None and to_send:
        result.outcomes = _send(vault, mail, password, request.day, now, to_send, note,
                                progress)
    return result


def _profiles(vault: Any) -> Iterator[Profile]:
    yield from vault.profiles(full=True)


def _send(vault: Any, mail: mailconfig.MailSettings, password: str | None, day: dt.date,
          now: dt.datetime, items: list[Any], note: Callable[[str], None] | None,
          progress: Progress | None) -> list[Outcome]:
    from plaincrm.gitrepo import GitUnavailable, open_repo
    from plaincrm.index import default_db_path
    from plaincrm.outreach.transport import Connection

    root: Path = vault.root
    try:
        open_repo(root)
        commit = True
    except GitUnavailable as exc:
        commit = False
        if note is not None:
            note(f"{exc}: each message is recorded in its profile but not committed")
    with sending_lock(default_db_path(root).parent / "outreach.lock"), \
            Connection(mail, password) as connection:
        sender = Sender(root, mail, connection, day, now, commit)
        if progress is None or len(items) < 2:
            return sender.send_all(items)
        with progress(len(items)) as bar:
            return sender.send_all(items, lambda outcome: bar.update(1))
