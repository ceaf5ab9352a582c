"""plaincrm merge: a dry run by default, one revertable commit, nothing of DROP lost, and
DROP's name, file and id still finding KEEP. Real CLI, real files, real git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

KEEP = """---
# the one we keep
name: Hans Mueller
id: 2b6be6a7
status: active
email: hans.mueller@example.org
phone: "+44 113 496 0528"
tags: [combi]
---

# Hans Mueller

Retired engineer.

- [ ] 2026-12-08 Quote for a thermostat @ben

## Log

- 2026-09-21 service: Annual service.
- 2026-11-14 call: Wants a quote.
"""
DROP = """---
name: "Müller, Hans"
id: 3d1b6e34
status: lead
email: Hans.Mueller@example.org
phone: "+44 113 496 0999"
owner: ana
tags: [web-form]
source: website contact form
gate: {code: "1234"}
---

# Müller, Hans

Came in through the website form.

- [ ] 2026-12-02 Send the brochure @ana
- [x] 2026-11-13 Reply to the form

## Log

- 2026-11-12 email: Web form: "Please quote for a smart thermostat."
- 2026-11-20 call: Rang back; wants a Tado.
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def crm(vault: VaultFactory) -> Path:
    root = vault({"hans-mueller.md": KEEP, "mueller-hans.md": DROP}, config="")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_dry_run_shows_both_and_the_result_and_writes_nothing(crm: Path, run: Run) -> None:
    result = run(crm, "merge", "hans-mueller", "mueller-hans", "--date", "2026-11-21")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["KEY", "KEEP", "hans-mueller.md", "DROP", "mueller-hans.md",
                                "RESULT"]
    assert any(line.split()[:2] == ["status", "active"] and line.split()[-1] == "active"
               for line in lines)
    assert "conflict: status: KEEP's value kept (--take status for DROP's)" in result.stdout
    assert "moves 2 log entries and 1 open tasks" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert git(crm, "status", "--porcelain") == ""


def test_merge_is_one_commit_nothing_is_lost_and_revert_undoes_it(crm: Path, run: Run) -> None:
    result = run(crm, "merge", "hans-mueller", "mueller-hans", "--yes", "--take", "owner",
                 "--date", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert not (crm / "mueller-hans.md").exists()
    assert git(crm, "status", "--porcelain") == ""
    assert git(crm, "show", "--name-status", "--format=", "HEAD").split() == [
        "M", "hans-mueller.md", "D", "mueller-hans.md"]
    merged = (crm / "hans-mueller.md").read_text()
    message = git(crm, "log", "-1", "--format=%B")
    # every line of DROP's body and every front-matter value is in KEEP or the message
    for line in DROP.splitlines():
        assert line.strip() in merged or line.strip() in message, line
    for value in ("Müller, Hans", "3d1b6e34", "lead", "website contact form", "1234"):
        assert value in merged or value in message, value
    shown = run(crm, "show", "hans-mueller", "--json")
    assert shown.exit_code == 0, shown.output


    data = json.loads(shown.stdout)
    assert data["email"] == ["hans.mueller@example.org"]  # the same address once
    assert "\nemail: hans.mueller@example.org\n" in merged  # and its line untouched
    assert data["phone"] == ["+44 113 496 0528", "+44 113 496 0999"]
    assert data["tags"] == ["combi", "web-form"]
    assert data["owner"] == "ana" and data["status"] == "active"
    assert data["other"]["merged_from"] == ["3d1b6e34", "mueller-hans.md", "Müller, Hans"]
    assert [e["date"] for e in data["log"]] == ["2026-09-21", "2026-11-12", "2026-11-14",
                                                "2026-11-20"]
    assert [t["text"] for t in data["tasks"] if not t["done"]] == [
        "Quote for a thermostat @ben", "Send the brochure @ana"]
    assert "## Notes from Müller, Hans (mueller-hans.md, merged 2026-11-21)" in merged
    # DROP's old name, file and id still find KEEP
    for name in ("Müller, Hans", "mueller-hans.md", "mueller-hans", "3d1b6e34"):
        logged = run(crm, "log", name, "noted", "--date", "2026-11-21")
        assert logged.stdout.startswith("hans-mueller.md:"), (name, logged.output)
        # and every reading command, through the index, too
        found = run(crm, "show", name, "--json")
        assert json.loads(found.stdout)["path"] == "hans-mueller.md", (name, found.output)
        history = run(crm, "history", name)
        assert history.exit_code == 0 and "hans-mueller.md" in history.output, name
    by_file = run(crm, "show", "hans-mueller.md", "--json")  # a file name with its .md
    assert json.loads(by_file.stdout)["path"] == "hans-mueller.md", by_file.output
    git(crm, "checkout", "--", ".")
    git(crm, "revert", "--no-edit", "HEAD")
    assert (crm / "hans-mueller.md").read_text() == KEEP
    assert (crm / "mueller-hans.md").read_text() == DROP


def test_merging_a_profile_with_itself_or_a_clashing_id_is_refused(crm: Path, run: Run) -> None:
    same = run(crm, "merge", "hans-mueller", "hans-mueller.md", "--yes")
    assert same.exit_code == 7 and "with itself" in same.stderr
    (crm / "mueller-hans.md").write_text(DROP.replace("3d1b6e34", "2b6be6a7"))
    clash = run(crm, "merge", "hans-mueller", "mueller-hans", "--yes")
    assert clash.exit_code == 7 and "the same id" in clash.stderr
    assert (crm / "hans-mueller.md").read_text() == KEEP


def test_distinct_from_silences_only_that_pair(vault: VaultFactory, run: Run) -> None:
    person = "---\nname: {name}\nid: {id}\nstatus: lead\nemail: {email}\n{extra}---\n"
    root = vault({
        "a.md": person.format(name="Jo Smith", id="aaaa", email="a@example.com",
                              extra="distinct_from: [bbbb]\n"),
        "b.md": person.format(name="Jo Smith", id="bbbb", email="b@example.com", extra=""),
        "c.md": person.format(name="Jo Smith", id="cccc", email="c@example.com", extra=""),
    }, config="")
    report = run(root, "check", "--json", "--date", "2026-11-20")


    pairs = sorted((p["path"], p["message"].split()[5]) for p in json.loads(report.stdout)[
        "problems"] if p["code"] == "duplicate")
    assert pairs == [("a.md", "c.md"), ("b.md", "c.md"), ("c.md", "a.md"), ("c.md", "b.md")]


def test_merge_finds_both_by_the_vaults_phone_region(vault: VaultFactory, run: Run) -> None:
    """merge names KEEP and DROP as every command does: a national number is read with the
    vault's phone region, so a number in another country with the same last digits is not
    taken for it (it was: merge looked by the last 9 digits alone)."""
    root = vault({
        "hans.md": "---\nname: Hans Mueller\nphone: '+44 113 496 0584'\n---\n",
        "bob.md": "---\nname: Bob Stone\nphone: '+1 213 496 0584'\n---\n",
        "mueller-hans.md": "---\nname: Müller, Hans\nemail: hans@example.org\n---\n"},
        config='[profiles]\nphone_region = "GB"\n')
    before = {p.name: p.read_bytes() for p in root.glob("*.md")}
    result = run(root, "merge", "0113 496 0584", "hans@example.org")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was written; add --yes to merge mueller-hans.md into hans.md" \
        in result.output
    assert {p.name: p.read_bytes() for p in root.glob("*.md")} == before
