"""plaincrm import: real vCard and CSV files as Apple, Google, Android and Outlook write them,
through the real CLI into real vaults (and real git repositories)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plaincrm.interop.dates import NotADate, read_date
from plaincrm.parse import parse_profile
from tests.conftest import FIXTURES, Run, VaultFactory
from tests.livetools import run_with_terminal_stderr

INTEROP = FIXTURES / "interop"
JANE = "---\nname: Jane Roe\nemail: jane@example.com\nphone:\n---\n"


def fixture(tmp_path: Path, name: str) -> str:
    """A copy of a fixture file, so the path shown in the output is short and stable."""
    target = tmp_path / name
    shutil.copyfile(INTEROP / name, target)
    return str(target)


def profile(root: Path, rel: str, errors: int = 0) -> dict[str, object]:
    parsed, problems = parse_profile(rel, (root / rel).read_bytes())
    assert parsed is not None
    assert len([p for p in problems if p.severity == "error"]) == errors, problems
    return {f.key: f.raw for f in parsed.fields}


def md_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "omit", "order", "expected"), [
    ("1984-03-12", "", "", "1984-03-12"),
    ("19840312", "", "", "1984-03-12"),
    ("1984-03-12T00:00:00Z", "", "", "1984-03-12"),
    ("--03-12", "", "", "--03-12"),
    ("--0312", "", "", "--03-12"),
    ("1604-03-12", "1604", "", "--03-12"),
    ("1604-03-12", "", "", "1604-03-12"),  # without X-APPLE-OMIT-YEAR it is a year
    ("0000-03-12", "", "", "--03-12"),
    ("--02-29", "", "", "--02-29"),
    ("3/12/1984", "", "mdy", "1984-03-12"),
    ("3/12/1984", "", "dmy", "1984-12-03"),
    ("13/12/1984", "", "", "1984-12-13"),
    ("12.03.1984", "", "", "1984-03-12"),
    ("12 March 1984", "", "", "1984-03-12"),
    ("March 12, 1984", "", "", "1984-03-12"),
    ("0/0/00", "", "", ""),
    ("", "", "", ""),
])
def test_every_birthday_form_reads_into_the_profile_form(text: str, omit: str, order: str,
                                                          expected: str) -> None:
    assert read_date(text, "birthday", omit, order) == expected


@pytest.mark.parametrize(("text", "why"), [
    ("circa 1800", "is not a date"),
    ("1985-02-29", "is not a real date"),
    ("0999-01-01", "out of range"),
    ("3/4/1984", "--dates dmy"),
])
def test_dates_that_are_not_usable_say_why(text: str, why: str) -> None:
    with pytest.raises(NotADate, match=why):
        read_date(text, "birthday")


# ---------------------------------------------------------------- vCard


def test_apple_vcards_import_every_mapped_field(vault: VaultFactory, run: Run,
                                                tmp_path: Path) -> None:
    root = vault({"jane.md": JANE})
    path = fixture(tmp_path, "apple.vcf")
    result = run(root, "import", path, "--apply", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{path}:1: created zoe-muller.md (Zoë Müller)",
        f"{path}:28: created zuo-teng-hua-zi.md (佐藤 花子)",
        f"{path}:39: created siobhan-oconnell.md (Siobhán O'Connell)",
    ]
    zoe = profile(root, "zoe-muller.md")
    assert zoe["email"] == ["zoe.mueller@example.de", "z.mueller@heizung.example"]
    assert zoe["email_types"] == ["home", "work"]
    assert zoe["phone"] == ["+49 151 23456789", "+49 30 12345670"]
    assert zoe["phone_types"] == ["mobile", "work"]
    assert zoe["birthday"] == "--03-12"  # 1604 with X-APPLE-OMIT-YEAR: no year
    assert zoe["anniversary"] == "2010-06-12"  # X-ABDATE labelled _$!<Anniversary>!$_
    assert zoe["address"] == "Lindenstraße 5, Berlin, 10969, Germany"
    assert zoe["website"] == "https://heizung.example"
    assert (zoe["company"], zoe["department"], zoe["job_title"]) == (
        "Müller Heizung GmbH", "Kundendienst", "Geschäftsführerin")
    # a folded NOTE with escaped commas, whole
    assert zoe["notes"] == ("Prefers calls after 17:00. Has a dog called Pepper, mind the gate. "
                            "The boiler is in the cellar, the key is under the blue flower pot.")
    assert "photo" not in zoe
    hanako = profile(root, "zuo-teng-hua-zi.md")
    assert (hanako["name"], hanako["nickname"], hanako["phone_types"]) == (
        "佐藤 花子", "Hana", ["tokyo office"])
    siobhan = profile(root, "siobhan-oconnell.md")
    assert siobhan["address"] == ("12 Ash Grove, Flat 2, Leeds, West Yorkshire, LS6 1AA, "
                                  "United Kingdom")
    assert siobhan["abrelatednames"] == "Cian"  # an unknown property is kept as a key
    assert siobhan["customer_since"] == "2026-11-22"


def test_android_vcard_21_quoted_printable_and_photo(vault: VaultFactory, run: Run,
                                                     tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "android.vcf")
    result = run(root, "import", path, "--apply")
    assert result.exit_code == 0, result.output
    lukasz = profile(root, "lukasz-nowak.md")
    assert lukasz["name"] == "Łukasz Nowak"
    # a quoted-printable value over two lines (a soft line break), commas not escaped
    assert lukasz["notes"] == ("Klucz u sąsiada. Kocioł w piwnicy, serwis co rok, dzwonić "
                               "przed 9:00.")
    assert lukasz["address"] == "ul. Złota 44, Warszawa, 00-120, Polska"
    assert lukasz["phone_types"] == ["mobile", "home"]  # bare 2.1 types: TEL;CELL;PREF
    assert lukasz["birthday"] == "1979-05-30"
    assert not any(k.startswith("android") for k in lukasz)
    samuel = profile(root, "samuel-adeyemi.md")
    assert samuel["birthday"] == "--11-04"


def test_google_vcard_groups_and_labels(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({})
    result = run(root, "import", fixture(tmp_path, "google.vcf"), "--apply")
    assert result.exit_code == 0, result.output
    jane = profile(root, "jane-roe.md")
    assert jane["tags"] == ["VIP", "Boiler"]  # Google's own myContacts is not a tag
    assert jane["anniversary"] == "2012-09-01"
    assert jane["spouse"] == "John Roe"
    assert jane["notes"] == "Met at the Leeds home show.\nLikes early appointments."
    assert profile(root, "jose-fernandez-garcia.md")["birthday"] == "--07-14"


def test_bad_cards_are_located_problems_and_the_rest_imports(vault: VaultFactory, run: Run,
                                                             tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "v4.vcf")
    result = run(root, "import", path, "--apply")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:1: created ana-lima.md (Ana Lima)"
    assert lines[1] == f"{path}:15: created old-tom-cobley.md (Old Tom Cobley)"
    assert lines[2] == (f"{path}:15: import-warning birthday: 'circa 1800' is not a date; "
                        "kept as birthday_text")
    assert lines[3].startswith(f"{path}:21: import-error cannot read this card (")
    assert lines[4] == (f"{path}:27: import-error no name, company or email to name a profile "
                        "by (phone +44 1392 496002); it was not imported")
    assert lines[5] == f"{path}:31: created ingrid-larsen.md (Ingrid Larsen)"
    assert lines[6] == (f"{path}:31: import-warning birthday: '19750229' is not a real date; "
                        "kept as birthday_text")
    assert lines[7] == (f"{path}:37: import-error this card has no END:VCARD line; it was not "
                        "imported")
    assert md_files(root) == ["ana-lima.md", "ingrid-larsen.md", "old-tom-cobley.md"]
    ana = profile(root, "ana-lima.md")
    assert ana["email"] == ["ana.lima@example.com.br", "ana@example.org"]  # PREF=1 first
    assert ana["phone"] == "+55-11-91234-5678"  # tel: URI
    assert ana["phone_types"] == ["mobile"]
    assert (ana["birthday"], ana["anniversary"]) == ("--04-12", "2015-06-12")
    assert ana["tags"] == ["lead", "heat-pump"]
    assert profile(root, "old-tom-cobley.md")["birthday_text"] == "circa 1800"


# ---------------------------------------------------------------- CSV


def test_google_csv_current_generation(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "google-contacts.csv")
    result = run(root, "import", path, "--apply")
    assert result.exit_code == 1  # the row with nothing to name it by
    assert f"{path}:9: import-error no name, company or email" in result.stdout
    oliver = profile(root, "oliver-brennan.md")
    assert oliver["email"] == ["oliver@brennan-joinery.example.co.uk", "olly.brennan@example.com"]
    assert oliver["email_types"] == ["work", "home"]
    # ' ::: ' joins two mobiles; '* Mobile' makes the first one primary, before Work
    assert oliver["phone"] == ["+44 7700 900555", "+44 7700 900556", "+44 113 496 0999"]
    assert oliver["phone_types"] == ["mobile", "mobile", "work"]
    assert oliver["tags"] == ["Customers", "Referrals"]
    assert oliver["birthday"] == "--06-03"
    assert oliver["anniversary"] == "2001-09-15"
    assert oliver["address"] == "8 Otley Road, Leeds LS6 2AL, United Kingdom"
    assert oliver["boiler_model"] == "Baxi 600 Combi"  # a custom field, kept by its label
    assert oliver["notes"] == ("Recommended by Bernadette Kelly.\nWants a new combi boiler "
                               "before Christmas.")
    assert (oliver["nickname"], oliver["company"], oliver["job_title"]) == (
        "Olly", "Brennan & Sons Joinery", "Owner")
    emilie = profile(root, "emilie-rousseau.md", errors=1)  # check reports the impossible day
    assert emilie["birthday_text"] == "1992-02-30"
    assert emilie["email_types"] == ["other"]


def test_google_csv_older_generation(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "google-old.csv")
    result = run(root, "import", path, "--apply")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == (
        f"{path}:4: matches {path}:2 (Jane Roe): the same name")  # "Roe, Jane", twice in a file
    jane = profile(root, "jane-roe.md")
    assert jane["email"] == ["jane@example.com", "jane.roe@example.net",
                             "jane.roe@roe-design.example"]
    assert jane["phone"] == ["+44 20 7946 0958", "+44 7700 900123"]  # '* Work' is primary
    assert jane["phone_types"] == ["work", "mobile"]
    assert jane["tags"] == ["VIP"]  # * myContacts and * starred are Google's groups
    assert jane["address"] == "10 Downing Lane, London, SW1A 2AA, United Kingdom"
    assert (jane["company"], jane["job_title"], jane["occupation"]) == (
        "Roe Design Ltd", "Director", "Designer")
    assert (jane["spouse"], jane["anniversary"]) == ("John Roe", "2012-09-01")
    assert jane["website"] == "https://roe-design.example"
    assert profile(root, "kenji-watanabe.md")["birthday"] == "--11-23"


def test_outlook_csv(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "outlook.csv")
    result = run(root, "import", path, "--apply")
    assert result.exit_code == 0, result.output
    assert "is not UTF-8: read as Windows-1252" in result.stderr
    hans = profile(root, "hans-muller.md")
    assert hans["name"] == "Hans Müller"
    assert hans["phone"] == ["+49 170 1234567", "+49 89 1234567"]
    assert hans["phone_types"] == ["mobile", "work"]
    # 14/7/1979 in the same file can only be day first: so is 3/12/1961
    assert (hans["birthday"], hans["anniversary"]) == ("1961-12-03", "1990-01-06")
    assert hans["tags"] == ["Lieferant", "VIP"]
    assert hans["address"] == "Hauptstraße 12, München, 80331, Deutschland"
    assert hans["address_types"] == ["work"]
    assert hans["notes"] == "Liefert Ersatzteile für Vaillant.\nRabatt 10 %."
    assert (hans["spouse"], hans["referred_by"]) == ("Greta", "Ingrid Larsen")
    for noise in ("gender", "priority", "private", "sensitivity", "initials", "e_mail_type"):
        assert noise not in hans
    assert profile(root, "priya-sharma.md")["birthday"] == "1979-07-14"


def test_outlook_dates_given_on_the_command_line_win(vault: VaultFactory, run: Run,
                                                     tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "outlook.csv")
    result = run(root, "import", path, "--dates", "mdy", "--apply")
    assert f"{path}:4: import-warning birthday: '14/7/1979' is not a real date" in result.stdout
    assert profile(root, "hans-muller.md")["birthday"] == "1961-03-12"


def test_generic_csv_with_a_column_mapping(vault: VaultFactory, run: Run,
                                           tmp_path: Path) -> None:
    root = vault({})
    path = fixture(tmp_path, "spreadsheet.csv")
    result = run(root, "import", path, "--map", "Kunde=name", "--map", "Handy=phone:mobile",
                 "--map", "Geburtstag=birthday", "--map", "Firma=company", "--apply")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:2: created greta-schmidt.md (Greta Schmidt)",
        f"{path}:3: created backerei-larsen.md (Bäckerei Larsen)",
        f"{path}:4: import-error this row has 8 cells but the header has 7 (an unquoted "
        "comma?); it was not imported",
    ]
    greta = profile(root, "greta-schmidt.md")
    assert (greta["email"], greta["phone"], greta["phone_types"]) == (
        "greta@example.de", "+49 171 2345678", ["mobile"])
    assert greta["birthday"] == "1970-12-24"
    assert greta["kessel"] == "Vaillant ecoTEC"  # an unknown column, kept as a key
    assert greta["notizen"] == "Hund im Garten"
    assert profile(root, "backerei-larsen.md")["company"] == "Bäckerei Larsen GmbH"


def test_generic_headers_are_recognised_without_case_or_spacing(vault: VaultFactory, run: Run,
                                                                tmp_path: Path) -> None:
    root = vault({})
    csv = tmp_path / "people.csv"
    csv.write_text("FULL NAME,E-Mail Address,work_phone,Date Of Birth,Tags,Boiler Model,ID\n"
                   '"Roe, Jane",jane@example.com,+44 20 7946 0958,1984-03-12,"vip; boiler",'
                   "Vaillant,C-17\n", encoding="utf-8")
    result = run(root, "import", str(csv), "--apply")
    assert result.exit_code == 0, result.output
    jane = profile(root, "jane-roe.md")
    assert (jane["name"], jane["email"], jane["phone"], jane["phone_types"]) == (
        "Jane Roe", "jane@example.com", "+44 20 7946 0958", ["work"])
    assert (jane["birthday"], jane["tags"], jane["boiler_model"]) == (
        "1984-03-12", ["vip", "boiler"], "Vaillant")
    assert jane["source_id"] == "C-17"  # another system's id never becomes the profile's id
    assert jane["id"] != "C-17"


def test_a_bad_map_option_is_a_usage_error(vault: VaultFactory, run: Run,
                                           tmp_path: Path) -> None:
    result = run(vault({}), "import", fixture(tmp_path, "spreadsheet.csv"), "--map", "Handy")
    assert result.exit_code == 10
    assert "--map 'Handy': write COLUMN=FIELD" in result.stderr


# ---------------------------------------------------------------- dry run, matching, writing


def test_the_dry_run_says_which_profile_matches_and_why_and_writes_nothing(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({"jane.md": JANE, "zoe.md": "---\nname: Z. Mueller\nphone: '+49 30 12345670'\n"
                                             "---\n"})
    before = {p: p.read_bytes() for p in root.rglob("*")if p.is_file()}
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Email,Phone,Birthday\nJ. Roe,JANE@example.com,,1984-03-12\n"
                   "Zoë Müller,,+49 (0)30 1234 5670,\nNew Person,new@example.com,,\n"
                   "New Person,,,\n", encoding="utf-8")
    result = run(root, "import", str(csv))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{csv}:2: matches jane.md (Jane Roe): the same email; would fill birthday",
        f"{csv}:3: matches zoe.md (Z. Mueller): the same phone",
        f"{csv}:4: new New Person",
        f"{csv}:5: matches {csv}:4 (New Person): the same name",
    ]
    assert result.stderr.splitlines()[-1] == (
        f"{csv} (csv): 4 records, 1 new, 3 matching, 0 with problems; a dry run, nothing "
        "written (--apply writes the new profiles)")
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_json_report(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    import json

    root = vault({"jane.md": JANE})
    path = fixture(tmp_path, "v4.vcf")
    data = json.loads(run(root, "import", path, "--json").stdout)
    records = data["files"][0]["records"]
    assert data["files"][0]["format"] == "vcard"
    assert [(r["line"], r["action"]) for r in records] == [
        (1, "new"), (15, "new"), (21, "problem"), (27, "problem"), (31, "new"), (37, "problem")]
    assert records[1]["problems"][0]["code"] == "import-warning"
    assert "birthday_text" in records[1]["keys"]


def test_apply_commits_once_and_reimporting_creates_nothing(vault: VaultFactory, run: Run,
                                                            tmp_path: Path) -> None:
    root = vault({"jane.md": JANE, "notes.txt": "mine, not committed\n"})
    git(root, "init", "-q")
    git(root, "add", "jane.md")
    git(root, "commit", "-q", "-m", "start")
    path = fixture(tmp_path, "google-contacts.csv")
    first = run(root, "import", path, "--apply", "--tag", "imported", "--status", "active",
                "--customer-since", "2020-01-01")
    assert "committed " in first.stderr
    log = git(root, "log", "--format=%s", "--name-only").splitlines()
    assert log[:6] == ["import: 4 profiles from google-contacts.csv", "", "aisha-begum.md",
                       "emilie-rousseau.md", "margaret-whitfield.md", "oliver-brennan.md"]
    assert git(root, "status", "--porcelain") == "?? notes.txt\n"  # only plaincrm's files
    oliver = profile(root, "oliver-brennan.md")
    assert (oliver["status"], oliver["customer_since"]) == ("active", "2020-01-01")
    assert oliver["tags"] == ["Customers", "Referrals", "imported"]
    files = md_files(root)
    again = run(root, "import", path, "--apply")
    assert md_files(root) == files
    assert " new " not in again.stdout and "created" not in again.stdout
    assert f"{path}:4: matches oliver-brennan.md (Oliver Brennan): the same name" in again.stdout
    assert len(git(root, "log", "--format=%h").splitlines()) == 2  # no second import commit


def test_apply_outside_git_writes_and_says_it_did_not_commit(vault: VaultFactory, run: Run,
                                                             tmp_path: Path) -> None:
    root = vault({})
    result = run(root, "import", fixture(tmp_path, "google.vcf"), "--apply")
    assert "not committed: the vault is not in a git repository" in result.stderr
    assert md_files(root) == ["jane-roe.md", "jose-fernandez-garcia.md"]


def test_new_profiles_come_from_the_vaults_template_with_fresh_ids(vault: VaultFactory,
                                                                   run: Run,
                                                                   tmp_path: Path) -> None:
    template = ("---\nname: {{name}}\nid:\nstatus: prospect\nsource: import\n---\n\n"
                "# {{name}}\n\n## Log\n")
    root = vault({"templates/customer.md": template})
    run(root, "import", fixture(tmp_path, "apple.vcf"), "--apply", "--folder", "people")
    ids = set()
    for rel in md_files(root):
        if rel.startswith("people/"):
            data = profile(root, rel)
            assert (data["status"], data["source"]) == ("prospect", "import")
            ids.add(data["id"])
            assert (root / rel).read_text(encoding="utf-8").endswith(
                f"\n# {data['name']}\n\n## Log\n")
    assert len(ids) == 3


def test_a_progress_bar_on_a_terminal_for_a_large_file(vault: VaultFactory,
                                                       tmp_path: Path) -> None:
    root = vault({})
    cards = "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\n"
                    f"EMAIL:p{i}@example.com\r\nEND:VCARD\r\n" for i in range(150))
    (tmp_path / "many.vcf").write_text(cards, encoding="utf-8")
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache"), "TERM": "dumb"}
    cmd = [sys.executable, "-m", "plaincrm", "--vault", str(root), "import",
           str(tmp_path / "many.vcf")]
    done, seen = run_with_terminal_stderr(cmd, env, timeout=120)
    assert done.returncode == 0, done.stdout
    assert b"Matching records" in seen
    assert done.stdout.count(b": new Person ") == 150
    piped = subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=True)
    assert b"Matching records" not in piped.stderr


# ---------------------------------------------------------------- matched profiles: fill, update

EVE = ("---\nname: Eve Adams   # the customer\nemail: 'eve@example.com'\nphone:\n"
       "status: active\ngate_code: \"0451\"  # side gate\ntags: [boiler]\n---\n\n# Eve Adams\n\n"
       "## Log\n- 2026-01-05 called about the boiler\n")


def committed_repo(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")


def test_apply_fills_only_the_empty_keys_of_a_matched_profile_byte_exact(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({"eve.md": EVE})
    committed_repo(root)
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Email,Phone,Birthday,Company,Status\n"
                   "Eve Adams,EVE@example.com,+44 7700 900123,1980-02-03,Adams Ltd,lost\n"
                   "New Person,new@example.com,,,,\n", encoding="utf-8")
    dry = run(root, "import", str(csv))
    assert dry.stdout.splitlines()[0] == (
        f"{csv}:2: matches eve.md (Eve Adams): the same name; "
        "would fill phone, birthday, company")
    assert (root / "eve.md").read_text(encoding="utf-8") == EVE
    done = run(root, "import", str(csv), "--apply")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"{csv}:2: matches eve.md (Eve Adams): the same name; filled phone, birthday, company")
    # only the filled keys' lines: the empty phone line replaced, the absent keys added last;
    # the email spelled otherwise and the status stay as the user wrote them
    assert (root / "eve.md").read_text(encoding="utf-8") == EVE.replace(
        "phone:\n", "phone: \"+44 7700 900123\"\n").replace(
        "tags: [boiler]\n", "tags: [boiler]\nbirthday: 1980-02-03\ncompany: Adams Ltd\n")
    log = git(root, "log", "--format=%s", "--name-only", "-1").splitlines()
    assert log == ["import: 1 profile, 1 filled from c.csv", "", "eve.md", "new-person.md"]
    assert git(root, "status", "--porcelain") == ""
    eve = (root / "eve.md").read_bytes()
    again = run(root, "import", str(csv), "--apply")
    assert again.stdout.splitlines()[0] == f"{csv}:2: matches eve.md (Eve Adams): the same name"
    assert (root / "eve.md").read_bytes() == eve
    assert len(git(root, "log", "--format=%h").splitlines()) == 2  # no second import commit


def test_update_replaces_the_differing_values_of_the_records_keys(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = vault({"eve.md": EVE.replace("phone:\n", "phone: +44 7700 900999  # old\n")})
    committed_repo(root)
    before = (root / "eve.md").read_text(encoding="utf-8")
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Email,Phone,Birthday,Tags\n"
                   "Eve Adamms,eve@example.com,+44 7700 900123,1980-02-03,boiler; vip\n",
                   encoding="utf-8")
    dry = run(root, "import", str(csv), "--update")
    assert dry.stdout.splitlines() == [
        f"{csv}:2: matches eve.md (Eve Adams): the same email; would fill birthday; "
        "would update phone, tags"]
    done = run(root, "import", str(csv), "--apply", "--update")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{csv}:2: matches eve.md (Eve Adams): the same email; filled birthday; "
        "updated phone, tags"]
    # the name is never replaced; the email, equal but for case, is left; tags only grow
    assert (root / "eve.md").read_text(encoding="utf-8") == before.replace(
        "phone: +44 7700 900999  # old\n", "phone: \"+44 7700 900123\"  # old\n").replace(
        "tags: [boiler]\n", "tags: [boiler, vip]\nbirthday: 1980-02-03\n")
    assert git(root, "log", "--format=%s", "-1").strip() == "import: 1 updated from c.csv"
    again = run(root, "import", str(csv), "--apply", "--update")
    assert again.stdout.splitlines() == [f"{csv}:2: matches eve.md (Eve Adams): the same email"]
    assert len(git(root, "log", "--format=%h").splitlines()) == 2


def test_a_key_that_cannot_be_filled_is_a_warning_and_the_rest_is_filled(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    text = "---\nname: Eve Adams\nemail: eve@example.com\nnotes: |\n\nphone:\n---\n"
    root = vault({"eve.md": text})
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Email,Phone,Notes\nEve Adams,eve@example.com,0113 496 0000,hi\n",
                   encoding="utf-8")
    done = run(root, "import", str(csv), "--apply", "--no-commit")
    assert done.stdout.splitlines()[0] == (
        f"{csv}:2: matches eve.md (Eve Adams): the same name; filled phone")
    assert "import-warning eve.md: notes was left as it is:" in done.stdout
    assert (root / "eve.md").read_text(encoding="utf-8") == text.replace(
        "phone:\n", "phone: \"0113 496 0000\"\n")


def test_alike_names_with_the_same_birthday_and_postcode_match_as_check_says(
        vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    margaret = ("---\nname: Margaret Whitfield\nbirthday: 1948-01-14\n"
                "address: 14 Cardigan Grove, Headingley, Leeds LS6 3BJ\n"
                "phone: '+44 113 496 0142'\n---\n")
    root = vault({"margaret-whitfield.md": margaret})
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Birthday,Street,City,Postcode,Email\n"
                   "Margret Whitfeld,1948-01-14,2 Otley Road,Leeds,LS6 3BJ,mw@example.com\n"
                   "Margaret Whitfield-Jones,1951-07-30,,Bradford,BD1 1AA,\n",
                   encoding="utf-8")
    result = run(root, "import", str(csv))
    assert result.stdout.splitlines() == [
        f"{csv}:2: matches margaret-whitfield.md (Margaret Whitfield): same birthday and "
        "postcode, names 0.94 alike; would fill email",
        f"{csv}:3: new Margaret Whitfield-Jones",
    ]
    run(root, "import", str(csv), "--apply", "--no-commit")
    assert md_files(root) == ["margaret-whitfield-jones.md", "margaret-whitfield.md"]
    # the one rule: check, given the record as a profile, reports the pair for the same reason
    both = vault({"margaret-whitfield.md": margaret, "margret.md": (
        "---\nname: Margret Whitfeld\nbirthday: 1948-01-14\n"
        "address: 2 Otley Road, Leeds, LS6 3BJ\n---\n")}, name="both")
    assert "margret.md:2: duplicate probably the same person as margaret-whitfield.md " \
           "(Margaret Whitfield): same birthday and postcode, names 0.94 alike" \
           in run(both, "check", "--date", "2026-01-01").stdout
