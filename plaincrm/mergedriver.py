"""A git merge driver for profiles: two people's changes to one customer merge by themselves.

git calls ``plaincrm merge-driver run %O %A %B %P`` for every profile both sides changed (see
:func:`install`: ``.gitattributes`` names the driver, the repository's config says how to run
it). :func:`merge_profile` is the rule, pure bytes in and out:

- **front matter**, key by key, three-way: a key one side changed takes that side's value; a key
  both changed alike takes it; a key both changed differently is a conflict, written with the
  usual ``<<<<<<<``/``=======``/``>>>>>>>`` markers around the two versions of that key (and
  ``plaincrm check`` reports them). Keys one side added are added; a key one side removed and
  the other left alone is removed. Comment lines travel with the key below them.
- **body**, line by line (``git merge-file``): where both sides added or changed lines at the
  same place, the lines of both are kept, each line once, without markers; lines one side
  removed from the base stay removed; when they are all log entries they are put in date order.
  A task ticked on one side and left open on the other ends ticked.

A file without front matter (a README, say) is merged the way git does by default, conflict
markers and all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plaincrm import gitrepo
from plaincrm.parse import FM_CLOSE, FM_OPEN

BOM = b"\xef\xbb\xbf"
MARKER = 31  # conflict markers git merge-file writes into the body, then resolved here
OPEN_TASK = re.compile(r"([ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+)\[ \](.*)", re.DOTALL)
LOG_LINE = re.compile(r"[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+(\d{4}-\d{2}-\d{2})\b")
TOP_KEY = re.compile(r"[^\s#\-][^:]*:(?:[ \t]|\r?$)")


@dataclass(frozen=True, slots=True)
class _File:
    bom: bytes
    front: list[str] | None  # the lines between the --- lines (None: no front matter)
    head: list[str]  # the opening and closing lines
    body: list[str]


def merge_profile(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """The merged file and whether it holds conflicts (front-matter keys changed both ways)."""
    b, o, t = _split(base), _split(ours), _split(theirs)
    if o.front is None or t.front is None:
        merged, conflicts = gitrepo.merge_file(base, ours, theirs, MARKER // 4)
        return merged, conflicts > 0
    front, conflict = _merge_front(b.front or [], o.front, t.front, _newline(o))
    body = _merge_body(b.body, _tick(o.body, b.body, t.body), _tick(t.body, b.body, o.body))
    text = o.head[0] + "".join(front) + o.head[1] + "".join(body)
    return o.bom + text.encode("utf-8"), conflict


# ---------------------------------------------------------------- splitting


def _split(data: bytes) -> _File:
    bom = BOM if data.startswith(BOM) else b""
    text = data[len(bom):].decode("utf-8", errors="surrogateescape")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != FM_OPEN:
        return _File(bom, None, [], lines)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") in FM_CLOSE), None)
    if close is None:
        return _File(bom, None, [], lines)
    return _File(bom, lines[1:close], [lines[0], lines[close]], lines[close + 1:])


def _newline(f: _File) -> str:
    first = f.head[0] if f.head else "\n"
    return first[len(first.rstrip("\r\n")):] or "\n"


def _blocks(front: list[str]) -> list[tuple[str, str]]:
    """``(key, its lines)``: comment lines join the key below them; lines before any key and
    after the last one are keyed ``""`` and ``"\\0end"``."""
    blocks: list[tuple[str, str]] = []
    pending = ""
    for line in front:
        match = TOP_KEY.match(line)
        if match is not None:
            key = line.split(":", 1)[0].strip().strip("'\"")
            blocks.append((key, pending + line))
            pending = ""
        elif blocks and (line[:1] in (" ", "\t", "-") or not line.strip()) and not pending:
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + line)
        else:
            pending += line
    if pending:
        blocks.append(("\0end", pending))
    return blocks


# ---------------------------------------------------------------- front matter


def _merge_front(base: list[str], ours: list[str], theirs: list[str],
                 nl: str) -> tuple[list[str], bool]:
    b, o, t = dict(_blocks(base)), _blocks(ours), _blocks(theirs)
    o_map, t_map = dict(o), dict(t)
    order = [k for k, _ in o]
    for i, (key, _text) in enumerate(t):  # keys only theirs has: after their neighbour
        if key not in o_map:
            before = next((t[j][0] for j in range(i - 1, -1, -1) if t[j][0] in order), None)
            order.insert(order.index(before) + 1 if before is not None else 0, key)
    out: list[str] = []
    conflict = False
    for key in order:
        mine, other, old = o_map.get(key), t_map.get(key), b.get(key)
        if mine == other or other == old:
            chosen = mine
        elif mine == old:
            chosen = other
        else:
            conflict = True
            out += [f"<<<<<<< ours{nl}", *_lines(mine or "", nl), f"======={nl}",
                    *_lines(other or "", nl), f">>>>>>> theirs{nl}"]
            continue
        if chosen is not None:
            out += _lines(chosen, nl)
    return out, conflict


def _lines(text: str, nl: str) -> list[str]:
    if text and not text.endswith(("\n", "\r")):
        text += nl
    return text.splitlines(keepends=True)


# ---------------------------------------------------------------- body


def _tick(side: list[str], base: list[str], other: list[str]) -> list[str]:
    """``side`` with the open tasks ``other`` ticked (and ``side`` left as in ``base``)
    ticked too, so both sides make the same change."""
    base_set, other_set = set(base), set(other)
    result = []
    for line in side:
        match = OPEN_TASK.fullmatch(line)
        if match is not None and line in base_set and line not in other_set:
            ticked = match.group(1) + "[x]" + match.group(2)
            if ticked in other_set or match.group(1) + "[X]" + match.group(2) in other_set:
                line = ticked
        result.append(line)
    return result


def _merge_body(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    data = [("".join(x)).encode("utf-8", errors="surrogateescape") for x in (base, ours, theirs)]
    merged, _conflicts = gitrepo.merge_file(data[0], data[1], data[2], MARKER, diff3=True)
    lines = merged.decode("utf-8", errors="surrogateescape").splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("<" * MARKER):
            out.append(lines[i])
            i += 1
            continue
        parts: list[list[str]] = [[], [], []]  # ours, base, theirs
        part = 0
        i += 1
        while i < len(lines) and not lines[i].startswith(">" * MARKER):
            if lines[i].startswith("|" * MARKER):
                part = 1
            elif lines[i].startswith("=" * MARKER):
                part = 2
            else:
                parts[part].append(lines[i])
            i += 1
        i += 1
        out += _resolve(parts[0], parts[1], parts[2])
    return out


def _resolve(ours: Sequence[str], base: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Both sides' lines, each once; a line one side removed from the base stays removed."""
    def key(line: str) -> str:
        return line.rstrip("\r\n")

    base_keys, ours_keys, theirs_keys = ({key(x) for x in part} for part in (base, ours, theirs))
    kept = [x for x in ours if key(x) not in base_keys or key(x) in theirs_keys]
    seen = {key(x) for x in kept}
    for line in theirs:
        if key(line) in seen or (key(line) in base_keys and key(line) not in ours_keys):
            continue
        seen.add(key(line))
        kept.append(line)
    nl = next((x[len(key(x)):] for x in kept if x != key(x)), "\n")
    kept = [x if x != key(x) else x + nl for x in kept]  # a last line without its newline
    dated = [LOG_LINE.match(x) for x in kept if x.strip()]
    if dated and all(dated):
        kept = sorted(kept, key=lambda x: m.group(1) if (m := LOG_LINE.match(x)) else "")
    return kept


# ---------------------------------------------------------------- setting it up

ATTRIBUTES = ".gitattributes"
ATTRIBUTE_LINE = "*.md merge=plaincrm"


def driver_command() -> str:
    """How git runs the driver: this very Python and plaincrm (the install that set it up)."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable)} -m plaincrm merge-driver run %O %A %B %P"


def install(root: Path) -> list[tuple[str, str]]:
    """Set the driver up for the vault at ``root``: the ``.gitattributes`` line (kept if there)
    and the repository's config. ``(what, what happened)`` for each."""
    from plaincrm.files import create_new, update_profile, vault_path

    report: list[tuple[str, str]] = []
    target = vault_path(root, ATTRIBUTES)
    if create_new(target, (ATTRIBUTE_LINE + "\n").encode()):
        report.append((ATTRIBUTES, "created"))
    else:
        def add(data: bytes) -> bytes:
            lines = data.decode("utf-8", errors="surrogateescape").splitlines()
            if ATTRIBUTE_LINE in (line.strip() for line in lines):
                return data
            gap = b"" if not data or data.endswith(b"\n") else b"\n"
            return data + gap + (ATTRIBUTE_LINE + "\n").encode()

        before = target.read_bytes()
        after = update_profile(root, ATTRIBUTES, add, had_content=bool(before.strip()))
        report.append((ATTRIBUTES, "kept (already there)" if after == before else "updated"))
    repo = gitrepo.open_repo(root)
    gitrepo.config_set(repo.top, "merge.plaincrm.name", "plaincrm profile merge")
    gitrepo.config_set(repo.top, "merge.plaincrm.driver", driver_command())
    report.append((".git/config", "merge driver set (merge.plaincrm)"))
    return report
