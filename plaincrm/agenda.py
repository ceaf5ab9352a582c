"""The agenda: every reminder of every profile sorted into Overdue, Today and Upcoming.

Pure functions over records (:func:`build_agenda`) plus the small glue that loads a vault for
the command (:func:`vault_agenda`, :func:`my_name`). Due dates come from :mod:`reminders` only.

- *Overdue*: an actionable reminder (service, task, keep in touch) whose day has passed, oldest
  first. Yearly and ``once`` reminders are never overdue: they just happen.
- *Today*: due today.
- *Upcoming*: due on day D with ``today < D <= today + max(days, lead_days(kind))``: everything
  due within the agenda's horizon, of every kind; a kind's lead time only widens its window
  (a service shows 14 days ahead even in a 7-day agenda), it never hides an item inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from heapq import nsmallest
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from plaincrm import userconfig
from plaincrm.config import CONFIG_NAME, Config
from plaincrm.errors import GitError
from plaincrm.escalation import escalated, is_manager, waiting_days
from plaincrm.logkinds import log_kinds
from plaincrm.lookup import fold
from plaincrm.model import Profile, Severity
from plaincrm.quality import KINDS as QUALITY_KINDS
from plaincrm.quality import quality_reminders
from plaincrm.recall import Context, context, context_json
from plaincrm.reminders import BUILTIN_KINDS, Reminder, lead_days, occurrence, reminders

SECTIONS = ("overdue", "today", "upcoming")


# Not frozen: an agenda makes one for each of thousands of rows, and a frozen dataclass's
# __init__ costs six times a plain one's. Nothing changes one once it is made.
@dataclass(slots=True)
class AgendaItem:
    """One line of the agenda: a reminder, its section and what to remember about the person."""

    section: str  # overdue | today | upcoming
    reminder: Reminder
    days_overdue: int | None  # overdue items only
    context: Context | None  # what to recall: the first pinned fact, else the newest talk
    waiting_days: int | None = None  # overdue longer than agenda.escalate_days: how long
    escalated: bool = False  # waiting, and gone to agenda.managers too
    contact: str | None = None  # the profile's phone, else its email: what to call or write to

    @property
    def date(self) -> dt.date:
        return self.reminder.date

    @property
    def kind(self) -> str:
        return self.reminder.kind

    @property
    def name(self) -> str:
        return self.reminder.name

    @property
    def path(self) -> str:
        return self.reminder.path

    @property
    def text(self) -> str:
        return self.reminder.text

    @property
    def owner(self) -> str | None:
        """The reminder's owner: a task's ``@owner``, else the profile's ``owner``."""
        return self.reminder.owner

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "line": self.reminder.location.line,
            "text": self.text,
            "owner": self.owner,
            "days_overdue": self.days_overdue,
            "booked": r.booked.isoformat() if (r := self.reminder).booked else None,
            "escalated": self.escalated,
            "waiting_days": self.waiting_days,
            "problem": r.problem.to_json() if r.problem else None,
            "context": context_json(self.context),
            "contact": self.contact,
        }


@dataclass(frozen=True, slots=True)
class Agenda:
    date: dt.date  # "today"
    days: int  # how far Upcoming reaches
    items: tuple[AgendaItem, ...]  # sorted by section, date, name
    owner: str | None = None  # the owner filter, if any
    kinds: tuple[str, ...] = ()  # the kind filter, if any
    problem_files: int = 0  # files with errors (their valid reminders are still here)
    hidden: dict[str, int] = field(default_factory=dict)  # section: rows left out (a limit)

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "items": [i.to_json() for i in self.items]}


def place(reminder: Reminder, config: Config, today: dt.date, days: int) -> str | None:
    """The section ``reminder`` belongs in as of ``today``, or None when it is not shown."""
    return section_of(reminder.date.toordinal(), reminder.actionable,
                      lead_days(config, reminder.kind), today.toordinal(), days)


def section_of(date: int, actionable: bool, lead: int, today: int, days: int) -> str | None:
    """:func:`place` on day ordinals: overdue (actionable only), today, or upcoming within
    ``days`` or the kind's ``lead`` days, whichever reaches further."""
    if date < today:
        return "overdue" if actionable else None
    if date == today:
        return "today"
    if date <= today + max(days, lead):
        return "upcoming"
    return None


# What an agenda row says of its profile, for each of a batch of reminders: what to recall
# of the person and the contact point (asked only for the rows shown)
Recall = Callable[[list[Reminder]], list[tuple[Context | None, str | None]]]
# a row selected: its sort key within its section, the section, the reminder, how late it
# is, how long it has waited, whether it went up to the managers
_Row = tuple[tuple[Any, ...], str, Reminder, int | None, int | None, bool]


def build_agenda(profiles: Iterable[Profile], config: Config, today: dt.date, days: int,
                 owner: str | None = None, kinds: Iterable[str] = (),
                 limit: int | None = None) -> Agenda:
    """The agenda of ``profiles`` as of ``today``, from the reminder model (pure: the store's
    :func:`vault_agenda` gives the same); ``owner`` and ``kinds`` filter it, ``limit`` keeps
    the first rows of each section."""
    problems = 0
    classes = log_kinds(config)
    said: dict[str, tuple[Context | None, str | None]] = {}  # by path

    def found() -> Iterator[Reminder]:
        nonlocal problems
        for profile in profiles:
            problems += profile.has_problems
            said[profile.path] = (context(profile, classes), profile.contact_point)
            yield from reminders(profile, config, today)

    def recall(rows: list[Reminder]) -> list[tuple[Context | None, str | None]]:
        return [said[r.path] for r in rows]

    wanted = tuple(sorted(set(kinds)))
    agenda = _make(_select(found(), config, today, days, owner, wanted), recall, today, days,
                   owner, wanted, limit)
    return replace(agenda, problem_files=problems)


def _select(found: Iterable[Reminder], config: Config, today: dt.date, days: int,
           owner: str | None, wanted: tuple[str, ...]) -> dict[str, list[_Row]]:
    """The reminders shown as of ``today``, by section, each with its sort key, how late it
    is, how long it has waited and whether it went up to the managers; not yet sorted."""
    day = today.toordinal()
    manager = owner is not None and is_manager(owner, config)
    lead = {kind: lead_days(config, kind) for kind in known_kinds(config)}
    # an overdue item's escalation depends on how late it is and its owner only: few pairs
    escalation: dict[tuple[int | None, str | None], tuple[bool, int | None]] = {}
    ours: dict[str | None, bool] = {}  # whether an owner is ``owner``: a few owners
    sections: dict[str, list[_Row]] = {section: [] for section in SECTIONS}
    for reminder in found:
        date = reminder.date.toordinal()
        section = section_of(date, reminder.actionable, lead.get(reminder.kind, 0), day, days)
        if section is None or (wanted and reminder.kind not in wanted):
            continue
        late = day - date if section == "overdue" else None
        pair = (late, reminder.owner)
        if (known := escalation.get(pair)) is None:
            known = escalation[pair] = (escalated(late, config, reminder.owner),
                                        waiting_days(late, config))
        up, waiting = known
        if owner is not None and not (up and manager):
            if (its := ours.get(reminder.owner)) is None:
                its = ours[reminder.owner] = matches_me(reminder.owner, owner)
            if not its:
                continue
        where, rows = reminder.location, sections[section]
        # the order within a section: day, name (folded), path, kind, line, text
        rows.append(((date, fold(reminder.name), where.path, reminder.kind, where.line,
                      reminder.text, len(rows)), section, reminder, late, waiting, up))
    return sections


def _make(sections: dict[str, list[_Row]], recall: Recall, today: dt.date, days: int,
         owner: str | None, wanted: tuple[str, ...], limit: int | None) -> Agenda:
    """The agenda of the :func:`_select` ed rows: each section sorted (only its first
    ``limit`` rows, with a limit, the others counted in ``hidden``), then ``recall`` asked
    what each row shown says of its profile."""
    shown: list[_Row] = []
    hidden: dict[str, int] = {}
    for section, rows in sections.items():
        if limit and len(rows) > limit:
            hidden[section] = len(rows) - limit
            shown += nsmallest(limit, rows, key=itemgetter(0))
        else:
            shown += sorted(rows, key=itemgetter(0))
    said = recall([row[2] for row in shown])
    items = tuple(AgendaItem(section, reminder, late, what, waiting, up, contact)
                  for (_key, section, reminder, late, waiting, up), (what, contact)
                  in zip(shown, said, strict=True))
    return Agenda(today, days, items, owner, wanted, hidden=hidden)


def known_kinds(config: Config) -> list[str]:
    """The kinds ``--kind`` accepts: the built-in ones and the date keys config names."""
    return [*BUILTIN_KINDS, *QUALITY_KINDS,
            *sorted(k for k in config["agenda.dates"] if k not in BUILTIN_KINDS)]


def vault_agenda(vault: Any, today: dt.date, days: int | None = None, owner: str | None = None,
                 kinds: Iterable[str] = (), limit: int | None = None) -> Agenda:
    """The agenda of an open :class:`plaincrm.loader.Vault`, asked of the index: the rules
    that can fall in the window, each turned into its reminder of ``today`` by the reminder
    model, and the data-quality items; what to recall of the people asked for the rows shown
    only (``limit``: the first rows of each section). ``problem_files`` counts files with
    errors (also those too broken to hold any profile)."""
    config: Config = vault.config
    index = vault.index
    horizon = config["agenda.days"] if days is None else days
    reach = max([horizon, *(lead_days(config, kind) for kind in config["agenda.lead_days"])])
    last = dt.date.fromordinal(min(today.toordinal() + reach, dt.date.max.toordinal()))
    found = chain((reminder for rule in index.rules_due(today, last)
                   if (reminder := occurrence(rule, today)) is not None),
                  quality_reminders(index.kept_problems(), vault.config_problems, config,
                                    today))

    def recall(rows: list[Reminder]) -> list[tuple[Context | None, str | None]]:
        # a data-quality item's row tells the profile's newest entry of any kind
        said = index.recall(r.path for r in rows if r.problem is None)
        newest = index.recall((r.path for r in rows if r.problem is not None), newest=True)
        return [(said if r.problem is None else newest).get(r.path, NOBODY) for r in rows]

    wanted = tuple(sorted(set(kinds)))
    rows = _select(found, config, today, horizon, owner, wanted)
    listed = {row[2].path for part in rows.values() for row in part
              if row[2].kind in QUALITY_KINDS}
    agenda = _make(rows, recall, today, horizon, owner, wanted, limit)
    return replace(agenda, problem_files=problem_files(vault, listed))


NOBODY = (None, None)  # what the index recalls of a path that holds no profile


def problem_files(vault: Any, listed: set[str] | frozenset[str] = frozenset()) -> int:
    """How many files of the vault have errors (including files too broken to be read),
    leaving out those ``listed`` already as an agenda item of their own (a ``fix`` row says
    it better than the closing note)."""
    return len({p.location.path for p in vault.index.problems()
                if p.severity is Severity.ERROR and p.location.path != CONFIG_NAME}
               - listed)


def my_name(root: Path, config: Config) -> str:
    """Who ``--mine`` means: ``me`` in the user's own config file, else ``me`` under
    ``[vault]`` in the vault's config, else ``git config user.name`` as run in the vault.
    Raises GitError when none names anybody."""
    me = userconfig.me() or str(config["vault.me"]).strip()
    if me:
        return me
    from plaincrm import gitrepo

    name = gitrepo.user_name(root)
    if not name:
        raise GitError(f"--mine needs your name: put me = \"yourname\" in {userconfig.path()}, "
                       "or run git config user.name \"Your Name\"")
    return name


def matches_me(owner: str | None, me: str) -> bool:
    """The one rule for owner names (agenda, calendar, list, serve's feeds, pulse): an owner is
    ``me`` (an ``--owner`` or ``--mine`` name) when it equals the whole name or its first word,
    case- and accent-insensitively, a leading ``@`` ignored (``owner: ben`` is git's ``Ben
    Smith``). ``me`` may name several people, separated by commas (``priya, dave``: what a
    repeated ``--owner`` becomes); the owner then matches any of them."""
    if owner is None:
        return False
    mine = fold(owner.removeprefix("@"))
    for name in me.split(","):
        folded = fold(name.strip().removeprefix("@"))
        if folded and mine in {folded, folded.split(" ")[0]}:
            return True
    return False


def owner_filter(names: Iterable[str]) -> str | None:
    """Several ``--owner`` names as the one filter :func:`matches_me` reads (None: nobody
    asked for), each name once."""
    found = [n.strip() for name in names for n in name.split(",") if n.strip()]
    return ", ".join(dict.fromkeys(found)) or None


def known_owners(vault: Any) -> list[str]:
    """Everybody the vault names as an owner: each profile's ``owner``, each task's ``@name``,
    and in ``plaincrm.toml`` ``vault.me`` and ``agenda.managers``, once each, sorted."""
    config: Config = vault.config
    found = set(vault.index.owners())
    found.update(str(name).strip() for name in config["agenda.managers"] if str(name).strip())
    if str(config["vault.me"]).strip():
        found.add(str(config["vault.me"]).strip())
    return sorted({fold(o.removeprefix("@")): o.removeprefix("@") for o in found}.values(),
                  key=fold)


def owner_named(name: str, known: Iterable[str]) -> str | None:
    """The one known owner ``name`` means (serve's per-owner feeds): the one it names exactly
    (case, accents and ``@`` aside), else the only one :func:`matches_me` finds; None when it
    means nobody, or several."""
    known = list(known)
    exact = [o for o in known if fold(o) == fold(name.strip().removeprefix("@"))]
    found = exact or [o for o in known if matches_me(o, name)]
    return found[0] if len(found) == 1 else None


class UnknownOwner(ValueError):
    """An ``--owner`` name that matches nobody; the message lists the owners there are."""


def checked_owners(vault: Any, names: Iterable[str]) -> str | None:
    """The ``--owner`` names as one filter (:func:`owner_filter`), each checked against the
    vault's owners: a name that matches nobody is UnknownOwner, listing the known owners (a
    usage error, :func:`plaincrm.cli.owner_filter_of`), not an empty agenda, calendar or list."""
    wanted = owner_filter(names)
    if wanted is None:
        return None
    known = known_owners(vault)
    unknown = [name for name in wanted.split(", ")
               if not any(matches_me(owner, name) for owner in known)]
    if unknown:
        listed = ", ".join(known) if known else "none: no profile has an owner and no task an @name"
        raise UnknownOwner(f"{', '.join(map(repr, unknown))} "
                           f"{'is' if len(unknown) == 1 else 'are'} not an owner in this "
                           f"vault; the owners are {listed}")
    return wanted
