"""Pure edits of one front-matter key: a profile's bytes in, the new bytes out.

:func:`set_key` changes or adds one key, :func:`unset_key` removes one. Every other byte of the
file stays as it was: the BOM, the line endings, comments, the order and quoting of the other
keys, keys plaincrm does not know, the body. The changed key keeps its place, its trailing
``# comment`` and, where it can, its style: a single- or double-quoted value stays quoted the
same way, a block list (``- item`` lines) stays a block list with the same indent, a flow list
(``[a, b]``) stays one. A new key goes on a line of its own just before the closing ``---``; a
file without front matter gets one.

What is refused (:class:`~plaincrm.errors.WriteRefused`, the file untouched), with the reason:
git conflict markers; front matter that is not valid YAML or never closed; a key written twice;
a key that is not at the top level; and a value spread over several lines in a form the editor
cannot rewrite without guessing (``|`` and ``>`` blocks, plain or quoted scalars folded over
lines, a flow list over several lines, a nested mapping, a block list with comments between its
items). Removing such a key is allowed when its lines hold nothing else.

After each edit the text is parsed again (:func:`plaincrm.parse.parse_profile`): the key must
read back as the value given, every other key as before, and the body's tasks and log as
before; else the edit is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from plaincrm.edit import BOM, CONTROL, NEWLINE, check_value
from plaincrm.errors import WriteRefused
from plaincrm.model import Profile
from plaincrm.parse import CONFLICT, FM_CLOSE, FM_OPEN, parse_profile
from plaincrm.templates import yaml_scalar

Item = str | list[str]
Value = str | list[str] | dict[str, Item]  # a dict: a nested mapping, one level
KEY = re.compile(r"[A-Za-z_][\w-]*")
TRAILING_COMMENT = re.compile(r"[ \t]+#.*$")
QUOTES = ("'", '"')


@dataclass(frozen=True, slots=True)
class _Span:
    """Where one top-level key is: its 0-based lines [first, after) in the file's lines."""

    first: int
    after: int
    style: str  # "plain", "'", '"', "flow", "block", "multi" (cannot be rewritten)
    item_prefix: str  # for a block list: the text before each item's value ("  - ")
    comment: str  # a trailing comment on the key's only line, with its leading blanks


@dataclass(frozen=True, slots=True)
class _Doc:
    bom: bytes
    lines: list[str]  # with their endings
    newline: str
    open_line: int  # 0-based index of the opening ---, -1 when there is no front matter
    close_line: int  # 0-based index of the closing --- (or ...)


def set_key(data: bytes, key: str, value: Value, path: str = "profile.md",
            controls: bool = False) -> bytes:
    """``data`` with front-matter ``key`` set to ``value`` (text, or a list of texts).

    ``controls``: a value may hold line breaks and other control characters (an imported
    note), written as ``\\n``-style escapes in double quotes; else they are refused."""
    key = _check_key(key)
    value = _check_value(value, controls)
    doc = _load(data, path)
    old_fields = _fields(path, data)
    if doc.open_line < 0:
        head = [FM_OPEN + doc.newline,
                *(line + doc.newline for line in _render(key, value, None).split("\n")),
                FM_OPEN + doc.newline]
        new_lines = head + doc.lines
    else:
        span = _find(doc, key, path)
        new_lines = list(doc.lines)
        if span is None:
            new_lines[doc.close_line:doc.close_line] = [
                line + doc.newline for line in _render(key, value, None).split("\n")]
        else:
            if span.style == "multi":
                raise WriteRefused(f"{path}: the value of {key!r} spans several lines in a form "
                                   "plaincrm cannot rewrite safely; change it in your editor")
            ending = _ending(doc.lines[span.after - 1]) or doc.newline
            rendered = _render(key, value, span).split("\n")
            rendered[0] += span.comment
            new_lines[span.first:span.after] = [
                *(line + doc.newline for line in rendered[:-1]), rendered[-1] + ending]
    new = doc.bom + "".join(new_lines).encode("utf-8")
    _verify(path, data, new, old_fields, key, value)
    return new


def unset_key(data: bytes, key: str, path: str = "profile.md") -> bytes:
    """``data`` without front-matter ``key`` (its lines removed); refused when it is absent."""
    key = _check_key(key)
    doc = _load(data, path)
    old_fields = _fields(path, data)
    span = _find(doc, key, path) if doc.open_line >= 0 else None
    if span is None:
        raise WriteRefused(f"{path} has no front-matter key {key!r}; nothing was changed")
    if any(doc.lines[i].lstrip().startswith("#") for i in range(span.first + 1, span.after)):
        raise WriteRefused(f"{path}: comment lines sit inside the value of {key!r}; remove it "
                           "in your editor so the comments go where you want")
    new_lines = doc.lines[:span.first] + doc.lines[span.after:]
    new = doc.bom + "".join(new_lines).encode("utf-8")
    _verify(path, data, new, old_fields, key, None)
    return new


# ---------------------------------------------------------------- reading the front matter


def _load(data: bytes, path: str) -> _Doc:
    bom = BOM if data.startswith(BOM) else b""
    try:
        text = data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise WriteRefused(f"{path} is not UTF-8 text; plaincrm edits only UTF-8 files") from None
    lines = text.splitlines(keepends=True)
    if any(CONFLICT.match(line) for line in lines):
        raise WriteRefused(f"{path} holds git conflict markers: finish the merge first; "
                           "nothing was changed")
    first_end = NEWLINE.search(text)
    newline = first_end.group(0) if first_end else "\n"
    if not lines or lines[0].rstrip() != FM_OPEN:
        return _Doc(bom, lines, newline, -1, -1)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FM_CLOSE), None)
    if close is None:
        raise WriteRefused(f"{path}: the front matter is never closed with a '---' line; "
                           "nothing was changed")
    return _Doc(bom, lines, newline, 0, close)


def _find(doc: _Doc, key: str, path: str) -> _Span | None:
    """The span of top-level ``key``; None when absent. Refuses what cannot be located."""
    import yaml

    loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when built with it
    source = "".join(doc.lines[1:doc.close_line])
    try:
        node = yaml.compose(source, Loader=loader)
    except yaml.YAMLError as exc:
        raise WriteRefused(f"{path}: the front matter is not valid YAML ({_first_line(exc)}); "
                           "fix it first, nothing was changed") from None
    if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in yaml.scan(source)):
        raise WriteRefused(f"{path}: the front matter uses YAML anchors or aliases (&, *); "
                           "change it in your editor")
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise WriteRefused(f"{path}: the front matter is not 'key: value' lines; "
                           "nothing was changed")
    found: list[tuple[Any, Any, int]] = []
    for index, (key_node, value_node) in enumerate(node.value):
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found.append((key_node, value_node, index))
    if not found:
        return None
    if len(found) > 1:
        raise WriteRefused(f"{path}: the key {key!r} appears {len(found)} times; keep one "
                           "in your editor first, nothing was changed")
    key_node, value_node, index = found[0]
    if key_node.start_mark.column != 0 or key_node.style not in (None, ""):
        raise WriteRefused(f"{path}: the key {key!r} is not written plainly at the start of "
                           "its line; change it in your editor")
    first = 1 + key_node.start_mark.line
    nxt = node.value[index + 1][0].start_mark.line + 1 if index + 1 < len(node.value) else None
    end_mark = value_node.end_mark
    last = 1 + end_mark.line - (1 if end_mark.column == 0 and end_mark.line > key_node.start_mark
                                .line else 0)
    # a block list or block scalar ends where the next key starts; trailing blank and comment
    # lines before the next key belong to nobody: keep them
    after = last + 1
    if nxt is not None:
        after = min(after, nxt)
    after = min(after, doc.close_line)
    while after - 1 > first and (not doc.lines[after - 1].strip()
                                 or doc.lines[after - 1].lstrip().startswith("#")):
        after -= 1
    style, prefix, comment = _style(doc, first, after, key, value_node)
    return _Span(first, after, style, prefix, comment)


def _style(doc: _Doc, first: int, after: int, key: str, node: Any) -> tuple[str, str, str]:
    """How the value on lines [first, after) is written: (style, block item prefix, comment)."""
    import yaml

    head = doc.lines[first].rstrip("\r\n")
    if after - first == 1:
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            return "multi", "", ""
        tail = head[node.end_mark.column:] if node.end_mark.line + 1 == first else ""
        match = TRAILING_COMMENT.match(tail)
        if tail.strip() and match is None:
            return "multi", "", ""
        comment = match.group(0) if match else ""
        if isinstance(node, yaml.SequenceNode):
            return "flow", "", comment
        if isinstance(node, yaml.ScalarNode):
            return {"'": "'", '"': '"'}.get(node.style or "", "plain"), "", comment
        return "multi", "", ""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style:
        prefix = ""
        for i in range(first + 1, after):
            line = doc.lines[i].rstrip("\r\n")
            if not line.strip():
                continue
            item = re.match(r"([ \t]*-[ \t]+)(.*)", line)
            if item is None or item.group(2).lstrip().startswith("#"):
                return "multi", "", ""
            prefix = prefix or item.group(1)
        one_line = all(isinstance(i, yaml.ScalarNode) and i.start_mark.line == i.end_mark.line
                       for i in node.value)
        rest = head[len(key) + 1:]
        match = TRAILING_COMMENT.match(rest)
        if one_line and (not rest.strip() or match is not None):
            return "block", prefix or "  - ", match.group(0) if match else ""
    return "multi", "", ""


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def editable(path: str, data: bytes) -> Profile:
    """The profile in ``data``, if plaincrm may change it: WriteRefused when it is not a
    profile, or its front matter cannot be read, holds a key twice or conflict markers."""
    profile, problems = parse_profile(path, data)
    if profile is None:
        raise WriteRefused(f"{path} is not a Markdown profile; it was left alone")
    bad = [p for p in problems if p.code in ("parse-error", "conflict-marker", "duplicate-key")]
    if bad:
        raise WriteRefused(f"{bad[0]}; fix it first, nothing was changed")
    return profile


def _fields(path: str, data: bytes) -> list[tuple[str, Any]]:
    return [(f.key, f.raw) for f in editable(path, data).fields]


# ---------------------------------------------------------------- writing a value


def _check_key(key: str) -> str:
    check_value(key, "KEY")
    if not KEY.fullmatch(key):
        raise WriteRefused(f"key {key!r} must be a plain name such as status, service_due or "
                           "gate_code (letters, digits, _ and -)")
    return key


def _check_value(value: Value, controls: bool) -> Value:
    def one(text: str) -> str:
        return (text if controls else check_value(text, "the value")).strip()

    def item(v: Item) -> Item:
        if isinstance(v, str):
            return one(v)
        return [t for t in map(one, v) if t or controls]  # an import keeps empty slots

    if isinstance(value, dict):
        return {_check_key(k): item(v) for k, v in value.items()}
    return item(value)


def quote(value: str, style: str | None = None) -> str:
    """``value`` as a YAML scalar read back as exactly this text; in ``style`` (``'`` or ``"``)
    when given, else plain when that is safe."""
    if value == "":
        return "''" if style == "'" else '""'
    if CONTROL.search(value):
        return json.dumps(value, ensure_ascii=False)
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    return yaml_scalar(value)


def _render(key: str, value: Value, span: _Span | None) -> str:
    style = span.style if span is not None else None
    if isinstance(value, dict):  # a block mapping, two spaces in, each item on one line
        return "\n".join([f"{key}:", *(_render(f"  {k}", v, None) for k, v in value.items())])
    if isinstance(value, str):
        quoting = style if style in QUOTES else None
        return f"{key}: {quote(value, quoting)}"
    if style == "block" and span is not None and value:
        items = "\n".join(f"{span.item_prefix}{quote(v)}" for v in value)
        return f"{key}:\n{items}"
    return f"{key}: [{', '.join(quote(v) for v in value)}]"


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


# ---------------------------------------------------------------- checking the result


def _verify(path: str, old_data: bytes, new_data: bytes, old: list[tuple[str, Any]], key: str,
            value: Value | None) -> None:
    new = _fields(path, new_data)
    expect = [(k, v) for k, v in old if k != key]
    got = [(k, v) for k, v in new if k != key]
    mine = [v for k, v in new if k == key]
    ok = got == expect and (mine == [] if value is None else mine == [value])
    before, _ = parse_profile(path, old_data)
    after, _ = parse_profile(path, new_data)
    if ok and before is not None and after is not None:
        ok = ([(t.text, t.done, t.date) for t in before.tasks]
              == [(t.text, t.done, t.date) for t in after.tasks]
              and [(e.date, e.kind, e.text) for e in before.log]
              == [(e.date, e.kind, e.text) for e in after.log])
    if not ok:
        raise WriteRefused(f"{path}: plaincrm could not change {key!r} without altering "
                           "something else as read; the file was left alone. Edit it by hand.")
