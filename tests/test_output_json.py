"""--json output is the exact data: every string comes back from json.loads as it was written,
whatever characters it holds (line separators, control characters, lone surrogates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plaincrm.render import dumps_json

TODAY = "2026-03-02"
# U+2028/U+2029 and the other characters str.splitlines() splits at, C0 and C1 controls, DEL
ODD = "a\u2028b\u2029c\x85d\x1ce\x1df\x1eg\x0bh\x0ci\x1b[2Jj\x07k\x9bl\x7fm\tn\ro"


@pytest.fixture
def odd(vault: Any) -> Path:
    yaml_odd = json.dumps(ODD)  # a JSON string is a YAML double-quoted scalar
    return vault({
        "odd.md": f"---\nname: {yaml_odd}\nstatus: active\nemail: odd@example.com\n"
                  f"birthday: 1980-03-05\nnote: {yaml_odd}\n---\n",
        "plain.md": "---\nname: Plain Person\nstatus: active\n---\n",
    })


def test_list_json_round_trips_every_string(odd: Path, run: Any) -> None:
    result = run(odd, "list", "--json")
    profiles = json.loads(result.stdout)["profiles"]
    by_path = {p["path"]: p for p in profiles}
    assert by_path["odd.md"]["name"] == ODD
    assert by_path["odd.md"]["other"] == {"note": ODD}
    assert by_path["plain.md"]["name"] == "Plain Person"
    # the raw output holds no character that splits lines or drives a terminal
    assert result.stdout.splitlines() == result.stdout.split("\n")[:-1]
    assert not any(0x7F <= ord(c) <= 0x9F or (ord(c) < 0x20 and c != "\n")
                   for c in result.stdout)


def test_other_json_outputs_round_trip(odd: Path, run: Any) -> None:
    shown = json.loads(run(odd, "show", "odd", "--json", "--date", TODAY).stdout)
    assert shown["name"] == ODD and shown["other"] == {"note": ODD}
    agenda = json.loads(run(odd, "agenda", "--json", "--date", TODAY).stdout)
    assert ODD in {item["name"] for item in agenda["items"]}, agenda
    checked = json.loads(run(odd, "check", "--json", "--date", TODAY).stdout)
    assert checked["problems"]


def test_list_json_is_what_dumps_json_gives(odd: Path, run: Any) -> None:
    """The streamed list is byte for byte the document dumps_json would make."""
    out = run(odd, "list", "--json").stdout
    assert out == dumps_json(json.loads(out)) + "\n"
    empty = run(odd, "list", "--json", "--status", "nobody").stdout
    assert empty == dumps_json({"profiles": []}) + "\n"


def test_dumps_json_round_trips_lone_surrogates() -> None:
    # a file name that is not UTF-8 decodes with lone surrogates (os.fsdecode); the JSON text
    # must still encode as UTF-8 and give back the same string
    data = {"path": "caf\udce9.md", "all": "".join(map(chr, range(0x100))) + "\u2028\u2029"}
    text = dumps_json(data)
    text.encode("utf-8")
    assert json.loads(text) == data
    assert "\\udce9" in text and "\\u2028" in text and "\\u0085" in text
