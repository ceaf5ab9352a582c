"""check keeps its verdict on each phone in the index: a second check reads no phone again,
an edited file's phones are read again, and the verdicts follow the region and the phone
library's version (reading a phone is about 90 µs, a quarter of a check; counted here, never
timed)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import VaultFactory

# runs the real CLI in a fresh interpreter with the phone library's parse counted
PROBE = """
import json, sys
import phonenumbers
from phonenumbers import phonenumberutil

calls = []
real = phonenumberutil.parse
def counted(text, *args, **kwargs):
    calls.append(text)
    return real(text, *args, **kwargs)
phonenumbers.parse = phonenumberutil.parse = counted
if len(sys.argv) > 1 and sys.argv[1] == "--library":
    phonenumbers.__version__ = sys.argv[2]
    del sys.argv[1:3]
from plaincrm.cli import main
try:
    main(sys.argv[1:], prog_name="plaincrm")
except SystemExit:
    pass
print(json.dumps(calls), file=sys.stderr)
"""

ANN = """\
    ---
    name: Ann Ash
    phone: ["+44 7712 772035", "0113 496 0584"]
    ---
    """
BOB = """\
    ---
    name: Bob Bell
    phone: "12"
    ---
    """
CY = """\
    ---
    name: Cy Cole
    phone: "+1 202 555 0143"
    ---
    """


def check(root: Path, tmp_path: Path, *before: str) -> tuple[str, list[str]]:
    """check's output, and the phones the phone library was asked to read."""
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE, *before, "--vault", str(root), "check",
                           "--date", "2026-11-22"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_a_second_check_reads_no_phone_again(vault: VaultFactory, tmp_path: Path) -> None:
    # a path beyond "z" (é) and one in a folder: the verdicts are met in the profiles' order
    root = vault({"ann.md": ANN, "bob.md": BOB, "émile.md": CY.replace("Cy Cole", "Émile Roy"),
                  "zz/cy.md": CY}, config='[profiles]\nphone_region = "GB"\n')
    first, read = check(root, tmp_path)
    assert sorted(read) == ["+1 202 555 0143", "+44 7712 772035", "0113 496 0584", "12"]
    assert "invalid-phone '12' is not valid" in first
    assert "'0113 496 0584' is valid; write it in international form: +441134960584" in first
    again, read = check(root, tmp_path)
    assert (again, read) == (first, [])

    # an edited file's phones are read again; the others' verdicts stay
    (root / "bob.md").write_text(textwrap.dedent(BOB).replace('"12"', '"020 7946 0018"'))
    edited, read = check(root, tmp_path)
    assert read == ["020 7946 0018"]
    assert "'12'" not in edited and "+442079460018" in edited
    assert check(root, tmp_path) == (edited, [])


def test_the_verdicts_follow_the_region_and_the_library(vault: VaultFactory,
                                                         tmp_path: Path) -> None:
    root = vault({"ann.md": ANN, "cy.md": CY}, config='[profiles]\nphone_region = "GB"\n')
    british, _read = check(root, tmp_path)
    (root / "plaincrm.toml").write_text('[profiles]\nphone_region = "US"\n')
    american, read = check(root, tmp_path)
    assert "0113 496 0584" in read
    assert "'0113 496 0584' is not valid" in american and "+441134960584" not in american
    (root / "plaincrm.toml").write_text('[profiles]\nphone_region = "GB"\n')
    assert check(root, tmp_path)[0] == british

    # a new version of the phone library may judge a number otherwise: every phone is read again
    newer, read = check(root, tmp_path, "--library", "999.0")
    assert (newer, sorted(set(read))) == (british, ["+1 202 555 0143", "+44 7712 772035",
                                                    "0113 496 0584"])
    assert check(root, tmp_path, "--library", "999.0") == (british, [])


def test_a_deleted_file_leaves_no_verdict(vault: VaultFactory, tmp_path: Path) -> None:
    root = vault({"ann.md": ANN, "cy.md": CY}, config='[profiles]\nphone_region = "GB"\n')
    check(root, tmp_path)
    (root / "cy.md").unlink()
    _out, read = check(root, tmp_path)
    assert read == []
    (db,) = (tmp_path / "cache").glob("*/index.sqlite")
    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT path, phone FROM phones ORDER BY 1, 2").fetchall()
    assert kept == [("ann.md", "+44 7712 772035"), ("ann.md", "0113 496 0584")]
