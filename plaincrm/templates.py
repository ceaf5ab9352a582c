"""Profile templates: filling a new profile's front matter without disturbing the rest."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources

PLAIN = re.compile(r"[A-Za-z][\w .'@-]*")
LOOKS_TYPED = re.compile(r"(?i)(y|yes|n|no|true|false|on|off|null|~|[\d.:+-].*)")


def builtin(name: str) -> str:
    return resources.files("plaincrm.data").joinpath(name).read_text(encoding="utf-8")


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that every YAML reader keeps as this exact text (an ISO
    date stays plain: every reader agrees it is that date)."""
    if ISO_DATE.fullmatch(value):
        return value
    if PLAIN.fullmatch(value) and not LOOKS_TYPED.fullmatch(value) and ": " not in value \
            and not value.endswith(":") and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)


def render_value(key: str, value: str | Sequence[str]) -> str:
    if isinstance(value, str):
        return f"{key}: {yaml_scalar(value)}"
    return f"{key}: [{', '.join(yaml_scalar(v) for v in value)}]"


def fill(template: str, values: Mapping[str, str | Sequence[str] | None],
         words: Mapping[str, str]) -> str:
    """Set front-matter ``values`` in ``template`` (replacing a key's line and its indented or
    list continuation lines, else adding it before the closing ``---``), then replace
    ``{{word}}`` placeholders everywhere."""
    for word, text in words.items():
        template = template.replace("{{" + word + "}}", text)
    lines = template.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if not lines or lines[0].rstrip() != "---":
        lines = ["---" + newline, "---" + newline, newline, *lines]
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise ValueError("the template's front matter is not closed with a '---' line")
    for key, value in values.items():
        if value is None or (not isinstance(value, str) and not value):
            continue
        new_line = render_value(key, value) + newline
        start = next((i for i in range(1, close) if re.match(rf"{re.escape(key)}\s*:",
                                                              lines[i])), None)
        if start is None:
            lines.insert(close, new_line)
            close += 1
            continue
        end = start + 1
        while end < close and (lines[end].startswith((" ", "\t", "-")) or not lines[end].strip()):
            end += 1
        lines[start:end] = [new_line]
        close -= end - start - 1
    return "".join(lines)
