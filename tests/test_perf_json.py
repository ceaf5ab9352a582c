"""dumps_json writes, without json's slow indenting encoder, exactly the bytes it wrote with
it: ``json.dumps(sort_keys=True, ensure_ascii=False, indent=2)`` and the escapes after."""

from __future__ import annotations

import enum
import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from plaincrm.render import _JSON_UNSAFE, _json_escape, dumps_json


class Code(enum.StrEnum):
    ERROR = "error"


class Level(enum.IntEnum):
    HIGH = 3


def reference(data: Any) -> str:
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(data, sort_keys=True, ensure_ascii=False,
                                                     indent=2))


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(), st.just(Code.ERROR), st.just(Level.HIGH))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(max_size=5), inner, max_size=4),
    st.dictionaries(st.integers(), inner, max_size=2)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(values)
@example({"b": [1, {"x": None, "a": []}], "a": {}, "c": "line\nbreak \u2028 \x85 \x1b"})
@example({"a": {1: "int key", 2: [1.5, float("inf")]}})
@example([[], {}, [[]], "\ud800"])
def test_dumps_json_is_json_dumps_byte_for_byte(data: Any) -> None:
    assert dumps_json(data) == reference(data)


def test_what_json_refuses_it_refuses_too() -> None:
    for bad in ({"a": object()}, [{1, 2}], {("t",): 1}):
        try:
            dumps_json(bad)
        except TypeError:
            continue
        raise AssertionError(f"{bad!r} was written")
