"""Turning records into text, tables and JSON."""

from __future__ import annotations

import json
import re
from typing import Any

_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps_json(data: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text. Every string comes back exactly
    from ``json.loads``; DEL, C1 controls, U+2028/U+2029 and lone surrogates are written as
    ``\\u`` escapes (json escapes C0 itself), so the text is safe on a terminal, in JavaScript and
    through any line splitting, and always encodes as UTF-8. Real line breaks in the result are
    only the indentation's."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)
    # outside strings JSON is ASCII, so each of these characters is inside a string
    if (text.isascii() and "\x7f" not in text) or _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)
