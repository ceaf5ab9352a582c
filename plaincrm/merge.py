"""Merging two profiles of one person (``plaincrm merge KEEP DROP``).

:func:`plan` is pure: both files' bytes in, KEEP's new bytes and an account of every value out.
The rules:

- front matter: KEEP's values win; a key KEEP lacks (or leaves empty) is filled from DROP;
  lists (``email``, ``phone``, ``tags``, ``check_ignore``, ``distinct_from``) are united; a
  key both set differently is a conflict, listed, KEEP's value kept unless ``take`` names it
  (then DROP's). ``merged_from`` gets DROP's id, file and name (and DROP's own
  ``merged_from``), so DROP's old name, file or id still find KEEP.
- body: DROP's log entries join KEEP's Log in date order, its open tasks join KEEP's tasks
  (each unless KEEP has the same one), and the rest of DROP's body (notes, done tasks,
  headings one level down) goes at the end of KEEP under ``## Notes from NAME``.
- nothing DROP held is lost: every line of DROP's body and every front-matter value must be
  found in KEEP's new text or in the commit message (DROP's front matter is quoted there
  whole); :func:`plan` checks this, and refuses otherwise.

:func:`merge` writes KEEP (the one locked write), removes DROP and commits both in one commit,
so ``git revert`` undoes the merge.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plaincrm import edit, frontmatter_edit
from plaincrm.change import Source, _as_list, find_profile
from plaincrm.errors import GitError, PlaincrmError, WriteRefused
from plaincrm.files import read_vault_file, update_profile, vault_path
from plaincrm.gitrepo import GitUnavailable, open_repo
from plaincrm.loader import Vault
from plaincrm.lookup import MERGED_FROM, phone_digits
from plaincrm.model import Profile, raw_empty, raw_text
from plaincrm.parse import CONFLICT, FM_CLOSE, FM_OPEN

LIST_KEYS = frozenset({"email", "phone", "tags", "check_ignore", "distinct_from"})
SKIP_KEYS = frozenset({"id", "name", MERGED_FROM})
HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")


class MergeRefused(WriteRefused):
    """A merge that cannot be made safely (the same profile, clashing ids…)."""


@dataclass(frozen=True, slots=True)
class Plan:
    keep: str  # paths
    drop: str
    rows: tuple[tuple[str, str, str, str], ...]  # key, KEEP's, DROP's, the result
    conflicts: tuple[str, ...]  # keys both set differently
    log: int  # DROP's log entries moved
    tasks: int  # DROP's open tasks moved
    notes: int  # lines of DROP's body kept under the notes heading
    result: bytes  # KEEP's new bytes
    message: str  # the commit message
    drop_data: bytes = field(repr=False, default=b"")


def plan(keep_path: str, keep_data: bytes, drop_path: str, drop_data: bytes,
         take: Iterable[str] = (), today: dt.date | None = None) -> Plan:
    """What merging DROP into KEEP gives (see the module docstring); nothing is written."""
    if keep_path == drop_path:
        raise MergeRefused(f"{keep_path} cannot be merged with itself")
    keep = frontmatter_edit.editable(keep_path, keep_data)
    drop = frontmatter_edit.editable(drop_path, drop_data)
    if keep.id and drop.id and keep.id == drop.id:
        raise MergeRefused(f"{keep_path} and {drop_path} have the same id {keep.id}: give one "
                           "a new id first, so merged_from can tell them apart")
    take = set(take)
    data = keep_data
    rows: list[tuple[str, str, str, str]] = []
    conflicts: list[str] = []
    kept_over: list[str] = []
    keys = list(dict.fromkeys([*(f.key for f in keep.fields), *(f.key for f in drop.fields)]))
    for key in keys:
        mine, theirs = keep.raw(key), drop.raw(key)
        result = mine
        if key in SKIP_KEYS or raw_empty(theirs) or mine == theirs:
            pass
        elif isinstance(theirs, dict) or isinstance(mine, dict):
            conflicts.append(key)
            kept_over.append(f"{key}: {raw_text(theirs)}")
        elif raw_empty(mine) or key in take:
            result = theirs
            if not raw_empty(mine):
                kept_over.append(f"{key}: {raw_text(mine)} (KEEP's, replaced by --take)")
        elif key in LIST_KEYS:
            united = _unite(key, _items(mine), _items(theirs))
            result = mine if united == _items(mine) else united
        else:
            conflicts.append(key)
            kept_over.append(f"{key}: {raw_text(theirs)}")
        if result != mine:
            data = frontmatter_edit.set_key(data, key, result, keep_path)
        rows.append((key, _shown(mine), _shown(theirs), _shown(result)))
    origin = [*_items(keep.raw(MERGED_FROM)), *_items(drop.raw(MERGED_FROM)),
              drop.id or "", drop_path, drop.name or ""]
    merged_from = [x for x in dict.fromkeys(origin) if x]
    data = frontmatter_edit.set_key(data, MERGED_FROM, merged_from, keep_path)
    rows.append((MERGED_FROM, _shown(keep.raw(MERGED_FROM)), "", _shown(merged_from)))

    moved_log, moved_tasks, notes = _body(keep, drop, drop_data)
    data = edit.add_items(data, moved_log, moved_tasks, keep_path)
    if notes:
        data = _append_notes(data, drop, drop_path, notes, today or dt.date.today())
    message = _message(keep, keep_path, drop, drop_path, drop_data, conflicts, kept_over)
    text = data.decode("utf-8-sig")
    elsewhere = [line.strip() for line in drop_data.decode("utf-8-sig").splitlines()
                 if line.strip() and line.strip() not in text and line.strip() not in message]
    if elsewhere:  # structure such as DROP's Log heading when KEEP's is written otherwise
        message += "\nLines of the removed profile kept only here:\n" + "".join(
            f"  {line}\n" for line in elsewhere)
    _check_nothing_lost(drop_path, drop_data, data, message)
    return Plan(keep_path, drop_path, tuple(rows), tuple(conflicts), len(moved_log),
                len(moved_tasks), len(notes), data, message, drop_data)


def merge(root: Path, profiles: Source, keep_name: str, drop_name: str,
          take: Iterable[str] = (), apply: bool = False, commit: bool = True,
          today: dt.date | None = None) -> tuple[Plan, str | None]:
    """Plan the merge; with ``apply`` write KEEP, remove DROP and commit both at once. KEEP
    and DROP are found as every command finds a person (an open vault: by its index, with
    the phone region)."""
    source = profiles if isinstance(profiles, Vault) else list(profiles)
    keep, drop = find_profile(source, keep_name), find_profile(source, drop_name)
    keep_data, drop_data = read_vault_file(root, keep.path), read_vault_file(root, drop.path)
    planned = plan(keep.path, keep_data, drop.path, drop_data, take, today)
    if not apply:
        return planned, None
    repo = None
    if commit:
        try:
            repo = open_repo(root)
        except GitUnavailable as exc:
            raise GitError(f"{exc}; a merge is one commit so that git revert undoes it "
                           "(or merge with --no-commit)") from None
        for path in (keep.path, drop.path):
            repo.check_can_commit(path)

    def change(data: bytes) -> bytes:
        if data != keep_data:
            raise WriteRefused(f"{keep.path} changed since plaincrm read it; run the merge "
                               "again")
        return planned.result

    update_profile(root, keep.path, change, had_content=True)
    target = vault_path(root, drop.path)
    if read_vault_file(root, drop.path) != drop_data:
        raise WriteRefused(f"{drop.path} changed while merging; {keep.path} holds the merge, "
                           f"{drop.path} was kept: check both, then remove it by hand")
    os.unlink(target)
    if repo is None:
        return planned, None
    try:
        sha = repo.commit_files([keep.path, drop.path], planned.message)
    except GitError as exc:
        raise GitError(f"the merge was written but not committed: {exc}") from None
    return planned, sha


# ---------------------------------------------------------------- the parts


def _unite(key: str, mine: list[str], theirs: list[str]) -> list[str]:
    """Both lists, KEEP's first; an item already there (in another case, or a phone with the
    same digits) once."""
    def same(item: str) -> str:
        return phone_digits(item) or item if key == "phone" else item.casefold()

    seen = {same(x) for x in mine}
    result = list(mine)
    for item in theirs:
        if same(item) not in seen:
            seen.add(same(item))
            result.append(item)
    return result



def _items(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw.strip()] if raw.strip() else []
    return [str(x) for x in _as_list(raw) if str(x).strip()]


def _shown(raw: Any) -> str:
    return "" if raw is None else raw_text(raw)


def _body(keep: Profile, drop: Profile, drop_data: bytes) -> tuple[
        list[tuple[dt.date, str]], list[str], list[str]]:
    """DROP's log entries and open tasks to move (as written after their bullets), and the
    rest of its body's lines (headings one level down, the Log heading left out)."""
    lines = drop_data.decode("utf-8-sig").splitlines()
    start = _body_start(lines)
    have_log = {(e.date, e.kind, e.text) for e in keep.log}
    have_tasks = {(t.date, t.text) for t in keep.tasks if not t.done}
    consumed: set[int] = set()
    log: list[tuple[dt.date, str]] = []
    for e in drop.log:
        consumed.add(e.location.line)
        if (e.date, e.kind, e.text) not in have_log:
            log.append((e.date, _after_bullet(lines[e.location.line - 1])))
    tasks: list[str] = []
    for t in drop.tasks:
        if t.done:
            continue
        consumed.add(t.location.line)
        if (t.date, t.text) not in have_tasks:
            tasks.append(_after_bullet(lines[t.location.line - 1]))
    notes: list[str] = []
    for number in range(start, len(lines) + 1):
        text = lines[number - 1]
        if number in consumed:
            continue
        heading = HEADING.match(text)
        if heading is not None:
            if text[heading.end():].strip().lower() == "log":
                continue
            text = "#" * min(6, heading.end() + 2) + text[heading.end():]
        notes.append(text)
    while notes and not notes[0].strip():
        notes.pop(0)
    while notes and not notes[-1].strip():
        notes.pop()
    return sorted(log, key=lambda x: x[0]), tasks, notes


def _body_start(lines: list[str]) -> int:
    if not lines or lines[0].rstrip() != FM_OPEN:
        return 1
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FM_CLOSE), None)
    return 1 if close is None else close + 2


def _after_bullet(line: str) -> str:
    match = edit.ITEM_PREFIX.match(line)
    return line[match.end():].strip() if match else line.strip()


def _append_notes(data: bytes, drop: Profile, drop_path: str, notes: list[str],
                  today: dt.date) -> bytes:
    bom = edit.BOM if data.startswith(edit.BOM) else b""
    text = data[len(bom):].decode("utf-8")
    first_end = edit.NEWLINE.search(text)
    nl = first_end.group(0) if first_end else "\n"
    heading = f"## Notes from {drop.display_name} ({drop_path}, merged {today.isoformat()})"
    if text and not text.endswith(("\n", "\r")):
        text += nl
    gap = "" if not text or text.endswith(nl + nl) else nl
    block = nl.join([heading, "", *notes]) + nl
    if any(CONFLICT.match(line) for line in notes):
        raise MergeRefused(f"{drop_path} holds git conflict markers: finish that merge first")
    return bom + (text + gap + block).encode("utf-8")


def _message(keep: Profile, keep_path: str, drop: Profile, drop_path: str, drop_data: bytes,
             conflicts: list[str], kept_over: list[str]) -> str:
    lines = [f"merge: {drop.display_name} into {keep.display_name}", "",
             f"{drop_path}{f' (id {drop.id})' if drop.id else ''} was merged into {keep_path} "
             "and removed; git revert undoes this commit."]
    if conflicts or kept_over:
        lines += ["", "Values of the removed profile not kept in the merged one:",
                  *(f"  {x}" for x in kept_over)]
    front = drop_data.decode("utf-8-sig").splitlines()
    end = _body_start(front) - 1
    if end > 0:
        lines += ["", f"{drop_path} front matter, as it was:", *(f"  {x}" for x in front[:end])]
    return "\n".join(lines) + "\n"


def _check_nothing_lost(drop_path: str, drop_data: bytes, result: bytes, message: str) -> None:
    text = result.decode("utf-8-sig")
    for number, line in enumerate(drop_data.decode("utf-8-sig").splitlines(), start=1):
        wanted = line.strip()
        if wanted and wanted not in text and wanted not in message:
            raise PlaincrmError(f"{drop_path}:{number}: this line would not be kept by the "
                                "merge; nothing was written (please report this as a bug)")
