"""plaincrm export, and the round trip: export a vault, import it into an empty vault, and every
mapped field is still there."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import vobject

from plaincrm.interop.mapping import MAPPED
from plaincrm.parse import parse_profile
from tests.conftest import Run, VaultFactory

ROOT = Path(__file__).parent.parent
RICH = """\
---
name: Zoë Müller
id: 0badcafe
status: active
email: [zoe@example.de, z.mueller@heizung.example]
email_types: [home, work]
phone: ["+49 151 23456789", "+49 30 12345670"]
phone_types: [mobile, ""]
birthday: --03-12
anniversary: 2010-06-12
address: [Lindenstraße 5, "Berlin, 10969"]
address_types: [home, ""]
website: https://heizung.example
website_types: [work]
company: Müller Heizung GmbH
department: Kundendienst
job_title: Geschäftsführerin
nickname: Zo
notes: "Dog called Pepper; mind the gate.\\nKey under the mat, by the door."
tags: [vip, boiler]
owner: ben
customer_since: 2019-04-01
service_due: 2026-12-01
service_every: 1 year
check_ignore: [duplicate, stale]
boiler_model: "Vaillant ecoTEC plus 832"
birthday_text: circa 1800
---

Notes.
"""


def fields_of(root: Path) -> dict[str, dict[str, object]]:
    """{name: {key: raw value}} of every profile in the vault (ids left out)."""
    found = {}
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("templates/") or rel == "README.md":
            continue
        profile, _ = parse_profile(rel, path.read_bytes())
        assert profile is not None
        found[profile.display_name] = {f.key: f.raw for f in profile.fields if f.key != "id"}
        if profile.tags:  # 'a, b' and [a, b] are the same tags
            found[profile.display_name]["tags"] = list(profile.tags)
    return found


def test_vcard_4_export_of_a_rich_profile(vault: VaultFactory, run: Run) -> None:
    root = vault({"zoe.md": RICH})
    result = run(root, "export", "--format", "vcf")
    assert result.exit_code == 0
    assert result.stderr == "exported 1 profile\n"
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    card = vobject.readOne(text)
    assert card.fn.value == "Zoë Müller"
    assert [(e.value, e.params.get("TYPE"), e.params.get("PREF")) for e in card.email_list] == [
        ("zoe@example.de", ["home"], ["1"]), ("z.mueller@heizung.example", ["work"], None)]
    assert [t.params.get("TYPE") for t in card.tel_list] == [["cell"], None]
    assert card.bday.value == "--0312"
    assert card.anniversary.value == "20100612"
    assert card.categories.value == ["vip", "boiler"]
    assert card.org.value == ["Müller Heizung GmbH", "Kundendienst"]
    keys = [(x.params["KEY"][0], x.value) for x in card.contents["x-plaincrm-field"]]
    assert ("service_every", "1 year") in keys and ("owner", "ben") in keys
    assert all(len(line.encode()) <= 76 for line in text.split("\r\n"))  # folded


def test_vcard_3_export_writes_apples_yearless_birthday(vault: VaultFactory, run: Run) -> None:
    root = vault({"zoe.md": RICH})
    text = run(root, "export", "--format", "vcf", "--vcard-version", "3.0").stdout
    card = vobject.readOne(text)
    assert card.version.value == "3.0"
    assert card.bday.value == "1604-03-12"
    assert card.bday.params["X-APPLE-OMIT-YEAR"] == ["1604"]
    assert card.email.params["TYPE"] == ["home", "pref"]


def test_csv_export_is_google_contacts_layout(vault: VaultFactory, run: Run,
                                              tmp_path: Path) -> None:
    root = vault({"zoe.md": RICH, "jane.md": "---\nname: Jane Roe\ntags: [lead]\n---\n"})
    out = tmp_path / "out.csv"
    result = run(root, "export", "--format", "csv", "--tag", "vip", "-o", str(out))
    assert result.stdout == ""
    assert result.stderr == "exported 1 profile\n"
    data = out.read_bytes()
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["First Name"], row["Last Name"]) == ("Zoë", "Müller")
    assert (row["E-mail 1 - Label"], row["E-mail 1 - Value"]) == ("* Home", "zoe@example.de")
    assert (row["Phone 1 - Label"], row["Phone 1 - Value"]) == ("* Mobile", "+49 151 23456789")
    assert row["Labels"] == "* myContacts ::: vip ::: boiler"
    assert row["Birthday"] == "--03-12"
    assert (row["Event 1 - Label"], row["Event 1 - Value"]) == ("Anniversary", "2010-06-12")


@pytest.mark.parametrize("how", [("vcf", "4.0"), ("vcf", "3.0"), ("csv", "4.0")],
                         ids=["vcard4", "vcard3", "google-csv"])
def test_round_trip_keeps_every_field(how: tuple[str, str], vault: VaultFactory, run: Run,
                                      tmp_path: Path) -> None:
    fmt, version = how
    source = vault({"zoe.md": RICH}, name="source")
    shutil.copytree(ROOT / "vault-example", source, dirs_exist_ok=True)
    exported = tmp_path / f"all.{fmt}"
    result = run(source, "export", "--format", fmt, "--vcard-version", version, "-o",
                 str(exported))
    assert "not exported" not in result.stderr  # margaret's emergency_contact goes too
    target = vault({}, name="target")
    imported = run(target, "import", str(exported), "--apply")
    before, after = fields_of(source), fields_of(target)
    # the one deliberate duplicate of vault-example is found again, and not created twice
    matching = [line for line in imported.stdout.splitlines() if ": matches " in line]
    assert len(matching) == 1 and "(Hans Mueller): the same email" in matching[0]
    assert "; filled source" in matching[0]  # what the second record adds, filled in
    assert set(after) == set(before) - {"Müller, Hans"}
    for name, keys in after.items():
        for key, value in before[name].items():
            assert keys.get(key) == value, f"{name}: {key}"
        # the template's keys, and what the duplicate's record filled in
        filled = set(before["Müller, Hans"]) if name == "Hans Mueller" else set()
        assert set(keys) - set(before[name]) - filled <= {
            "status", "owner", "tags", "birthday", "email", "phone", "service_due",
            "service_every", "boiler_model", "preferred_time"}
    assert set(after["Zoë Müller"]) | {"name"} >= MAPPED


def test_a_nested_mapping_goes_out_key_by_key_and_comes_back_nested(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    """emergency_contact (name, phone) leaves as emergency_contact.name and .phone and is
    a mapping again after import; deeper nesting cannot go and is said so; importing into a
    profile whose emergency_contact is a plain text leaves that text alone."""
    nested = ("---\nname: Margaret Whitfield\nemergency_contact:\n  name: Susan (daughter)\n"
              "  phone: \"+44 20 7946 0311\"\n  days: [Mon, Thu]\nsite:\n  gate:\n"
              "    code: '0451'\n---\n")
    source = vault({"margaret.md": nested}, name="source")
    for fmt in ("vcf", "csv"):
        out = tmp_path / f"m.{fmt}"
        result = run(source, "export", "--format", fmt, "-o", str(out))
        assert result.stderr == ("plaincrm: note: margaret.md: site is not exported (a nested "
                                 "mapping)\nexported 1 profile\n")
        assert "emergency_contact.phone" in out.read_text(encoding="utf-8")
        target = vault({}, name=f"target-{fmt}")
        assert run(target, "import", str(out), "--apply").exit_code == 0
        (margaret,) = fields_of(target).values()
        assert margaret["emergency_contact"] == {"name": "Susan (daughter)",
                                                 "phone": "+44 20 7946 0311",
                                                 "days": ["Mon", "Thu"]}
        # written as a block mapping a person reads
        text = next(target.glob("*.md")).read_text(encoding="utf-8")
        assert 'emergency_contact:\n  name: "Susan (daughter)"\n  phone: ' in text
    plain = vault({"m.md": "---\nname: Margaret Whitfield\nemergency_contact: ring Susan\n"
                           "---\n"}, name="plain")
    before = (plain / "m.md").read_bytes()
    result = run(plain, "import", str(tmp_path / "m.vcf"), "--apply")
    assert result.exit_code == 0, result.output
    assert "emergency_contact was left as it is" in result.output
    assert (plain / "m.md").read_bytes() == before
