"""Turning records into text, tables and JSON, and making text safe for a terminal.

Text from profiles (names, notes, file names, the text that problems quote) can hold terminal
control characters: ``ESC ] 0 ; … BEL`` sets the window title, ``ESC [ 2 J`` clears the screen,
``\\x9b`` is a one-byte ``ESC [``. :func:`terminal_text` shows every C0 and C1 control character
(and DEL) as a visible escape such as ``\\x1b``; the CLI's output methods pass all text through
it, so no renderer can forget. JSON keeps the exact data, with those characters as ``\\u``
escapes (:func:`dumps_json`).
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls, DEL and lone surrogates (file names that are not UTF-8): never printed as
# they are. Newline and tab are layout in a page of text, data inside a table cell.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
_LAYOUT = "\t\n"

# A styled span exactly as App.style makes it (plaincrm.cli): one or more of the SGR codes for
# bold, dim, italic, underline and the sixteen named colours, text without any control
# character (App.style escapes its text first), then the reset. It is the one shape in which
# ESC gets through: colour can never become a title, a screen clear or a cursor move, and never
# leaks past its own span.
STYLED_SPAN = f"(?:\x1b\\[(?:[1-4]|3[0-7]|9[0-7])m)+[^{_CONTROLS}]*\x1b\\[0m"

_TEXT = re.compile(f"[{_CONTROLS}]")
_CELL = re.compile(f"[{_CONTROLS}{_LAYOUT}]")
_SPANS = re.compile(f"({STYLED_SPAN})")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# a quicker test than _TEXT.search on a large text (an agenda of 100,000 profiles): what is
# left of its UTF-8 bytes without printable ASCII, newline and tab holds no ASCII control, no
# C1 control (c2 80-9f) and no surrogate (ed a0-bf)
_SAFE_ASCII = bytes([9, 10, *range(0x20, 0x7F)])
_UNSAFE_UTF8 = re.compile(rb"[\x00-\x7f]|\xc2[\x80-\x9f]|\xed[\xa0-\xbf]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, styled: bool = False) -> str:
    """``text`` as it may go to a terminal: each control character but newline and tab shown as
    ``\\xNN`` (a lone surrogate as ``\\udcNN``). ``styled`` text keeps plaincrm's own styled
    spans (:data:`STYLED_SPAN`) and nothing else."""
    if styled and "\x1b" in text:
        if _plain(_SPANS.sub("", text)):
            return text
        parts = _SPANS.split(text)  # text, span, text, span, ..., text
        parts[::2] = [_TEXT.sub(_visible, part) for part in parts[::2]]
        return "".join(parts)
    return text if _plain(text) else _TEXT.sub(_visible, text)


def _plain(text: str) -> bool:
    """Whether ``text`` has no character :func:`terminal_text` would escape."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _SAFE_ASCII)
    rest = text.encode("utf-8", "surrogatepass").translate(None, _SAFE_ASCII)
    return _UNSAFE_UTF8.search(rest) is None


def cell_text(text: str) -> str:
    """:func:`terminal_text` for one table cell or one-line value: newline and tab too."""
    return _CELL.sub(_visible, text) if _CELL.search(text) else text


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_string = json.encoder.encode_basestring  # json's own (C) string encoder, ensure_ascii=False


def _indented(value: Any, newline: str, out: list[str]) -> None:
    """Append to ``out`` the text ``json.dumps(value, sort_keys=True, ensure_ascii=False,
    indent=2)`` gives, each line after the first starting with ``newline``: the same bytes at
    half the cost of json's pure-Python encoder (the one ``indent`` selects; a second for an
    agenda of 10,000 items). Strings go through json's own C string encoder; anything but
    dicts with str keys, lists, tuples and plain str, int, bool and None is left to json."""
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif kind is dict and all(type(key) is str for key in value):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        lead = "{" + inner
        for key, item in sorted(value.items()):
            of = type(item)
            if of is str:
                out.append(f"{lead}{_string(key)}: {_string(item)}")
            elif item is None:
                out.append(f"{lead}{_string(key)}: null")
            elif of is int:
                out.append(f"{lead}{_string(key)}: {int.__repr__(item)}")
            else:
                out.append(f"{lead}{_string(key)}: ")
                _indented(item, inner, out)
            lead = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        lead = "[" + inner
        for item in value:
            out.append(lead)
            _indented(item, inner, out)
            lead = "," + inner
        out.append(newline + "]")
    elif value is None:
        out.append("null")
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is int:
        out.append(int.__repr__(value))
    else:  # floats, enums, other keys, what json refuses: json itself, indented to fit
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2)
        out.append(text.replace("\n", newline))


def dumps_json(data: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text. Every string comes back exactly
    from ``json.loads``; DEL, C1 controls, U+2028/U+2029 and lone surrogates are written as
    ``\\u`` escapes (json escapes C0 itself), so the text is safe on a terminal, in JavaScript and
    through any line splitting, and always encodes as UTF-8. Real line breaks in the result are
    only the indentation's."""
    out: list[str] = []
    _indented(data, "\n", out)
    text = "".join(out)
    # outside strings JSON is ASCII, so each of these characters is inside a string
    if (text.isascii() and "\x7f" not in text) or _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)
