"""plaincrm pulse: every figure on a vault with a known git history, worked out by hand.

The vault (tests/pulse_history.py) on 2026-11-22, the period 2026-08-31 (a Monday) to
2026-11-22: twelve weeks, the period before 2026-06-08 to 2026-08-30.

Active days from the status history (each file committed on its customer_since, except Fay,
who has none and starts on her first commit, 2023-05-01, and Dan, a lead from 2026-09-05):
Alice 2020-03-01 on; Eve 2021-02-01 on; Bert 2021-06-01 to 2024-01-31 (lost 2024-02-01);
Cara 2022-01-10 to 2026-09-30 (dormant 2026-10-01); Fay 2023-05-01 on; Dan 2026-10-15 on.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.pulse_history import build

TODAY = "2026-11-22"


def pulse_json(run: Run, root: Path, *args: str) -> dict[str, Any]:
    result = run(root, "pulse", "--date", TODAY, "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return build(tmp_path / "shop")


def weeks(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["week"]: w for w in data["heartbeat"]["weeks"]}


def test_heartbeat_counts_contacts_by_week_kind_and_author(run: Run, history: Path) -> None:
    data = pulse_json(run, history, "--since", "2026-08-31")
    h = data["heartbeat"]
    assert (data["since"], data["until"], data["history"]["source"]) == \
        ("2026-08-31", TODAY, "git")
    assert len(h["weeks"]) == 12
    busy = {w: (v["contacts"], v["attempts"], v["kinds"]) for w, v in weeks(data).items()
            if v["contacts"] or v["attempts"]}
    assert busy == {
        "2026-08-31": (2, 1, {"call": 2}),  # Alice's call, Dan's call; Alice's voicemail
        "2026-09-14": (1, 0, {"service": 1}),  # Fay's service on Sunday 20 September
        "2026-09-28": (0, 1, {}),  # Eve: no answer
        "2026-10-12": (1, 0, {"visit": 1}),  # Dan signs up
        "2026-11-02": (1, 0, {"email": 1}),  # Fay's invoice (not committed yet)
        "2026-11-16": (1, 0, {"visit": 1}),  # Alice's visit
    }
    assert h["total"] == {"contacts": 6, "attempts": 2}
    assert h["kinds"] == {"call": 2, "email": 1, "service": 1, "visit": 2}
    assert h["attempt_kinds"] == {"no-answer": 1, "voicemail": 1}
    # the git author of each entry's line, as the owner name it matches; Fay's uncommitted
    # invoice is her owner's
    assert h["staff"] == {"ann": {"contacts": 2, "attempts": 1},
                          "bob": {"contacts": 4, "attempts": 1}}
    assert h["previous"] == {"since": "2026-06-08", "until": "2026-08-30", "contacts": 1,
                             "attempts": 0}  # Cara's email
    assert h["trend"] == 5.0  # (6 - 1) / 1


def test_follow_through(run: Run, history: Path) -> None:
    f = pulse_json(run, history)["follow_through"]
    # ann: keep in touch for Alice, Cara (dormant, 180 days) and Eve (overdue: her no-answer is
    # an attempt, not a contact), Alice's service, Dan's task @ann (overdue since 2026-11-01);
    # bob: keep in touch for Dan and Fay, Fay's next service (2027-09-20). Bert is lost.
    assert f["owners"] == {
        "ann": {"keep_in_touch": {"open": 3, "overdue": 1}, "service": {"open": 1, "overdue": 0},
                "task": {"open": 1, "overdue": 1}},
        "bob": {"keep_in_touch": {"open": 2, "overdue": 0}, "service": {"open": 1, "overdue": 0}},
    }
    assert (f["open"], f["overdue"]) == (8, 2)
    # Eve's keep in touch counts from her last contact, 2025-01-10, as quiet customers do
    # (active customers: every 18 months by default)
    assert f["oldest_overdue"] == {
        "date": "2026-07-10", "days_overdue": 135, "kind": "keep_in_touch", "line": 13,
        "name": "Eve Evans", "owner": "ann", "path": "eve-evans.md",
        "text": "get in touch (every 18 months)"}
    # ticked by Bob in the commit of 2026-11-12 (week of 9 November)
    assert f["tasks_done"]["source"] == "git"
    assert [w for w in f["tasks_done"]["weeks"] if w["count"]] == [
        {"week": "2026-11-09", "count": 1}]
    sv = f["services"]
    # Fay's service was due 2026-09-15 and done 2026-09-20; Alice's is due 2026-12-05
    assert sv["done"] == [{"month": "2026-08", "done": 0}, {"month": "2026-09", "done": 1},
                          {"month": "2026-10", "done": 0}, {"month": "2026-11", "done": 0}]
    assert [m for m in sv["ahead"] if m["due"]] == [{"month": "2026-12", "due": 1}]
    assert len(sv["ahead"]) == 6
    assert (sv["overdue"], sv["done_total"], sv["due_in_period"], sv["done_of_due"],
            sv["done_share"]) == (0, 1, 1, 1, 1.0)


def test_quiet_customers_count_contacts_not_attempts(run: Run, history: Path) -> None:
    q = pulse_json(run, history)["quiet"]
    # Eve's last contact is 2025-01-10 (her no-answer is an attempt; the 2027 entry is in the
    # future): 681 days, 18 months allowed
    assert q == {"count": 1, "owners": {"ann": 1}, "customers": [{
        "name": "Eve Evans", "path": "eve-evans.md", "owner": "ann",
        "last_contact": "2025-01-10", "days_since": 681, "due": "2026-07-10",
        "days_overdue": 135}]}


def test_pipeline_moves_come_from_the_status_history(run: Run, history: Path) -> None:
    p = pulse_json(run, history)["pipeline"]
    assert p["now"] == {"active": 4, "dormant": 1, "lost": 1}
    assert p["moves"] == {"(new) → lead": 1, "active → dormant": 1, "lead → active": 1}
    assert [(c["date"], c["name"], c["old"], c["new"], c["author"]) for c in p["changes"]] == [
        ("2026-09-05", "Dan Dale", None, "lead", "bob"),
        ("2026-10-01", "Cara Cole", "active", "dormant", "ann"),
        ("2026-10-15", "Dan Dale", "lead", "active", "bob")]


def test_retention_and_cohorts(run: Run, history: Path) -> None:
    data = pulse_json(run, history)
    r = data["retention"]
    # rate = (at end - new and still active at end) / at start
    assert [(y["year"], y["start"], y["new"], y["end"], y["rate"]) for y in r["years"]] == [
        (2020, 0, 1, 1, None),  # Alice
        (2021, 1, 2, 3, 1.0),  # Eve, Bert
        (2022, 3, 1, 4, 1.0),  # Cara
        (2023, 4, 1, 5, 1.0),  # Fay (first active in git)
        (2024, 5, 0, 4, 0.8),  # Bert lost
        (2025, 4, 0, 4, 1.0),
        (2026, 4, 1, 4, 0.75),  # Cara dormant, Dan new
    ]
    assert r["years"][-1]["to_date"] is True
    table = {c["year"]: (c["size"], [cell["share"] for cell in c["years"]])
             for c in r["cohorts"]}
    assert table == {
        2020: (1, [1.0] * 7),
        2021: (2, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]),
        2022: (1, [1.0, 1.0, 1.0, 1.0, 0.0]),
        2023: (1, [1.0] * 4),
        2024: (0, [None] * 3),
        2025: (0, [None] * 2),
        2026: (1, [1.0]),
    }
    # active on 2021-11-22: Alice, Eve, Bert; today: Alice, Eve
    assert r["five_year"] == {"from": "2021-11-22", "base": 3, "active": 2,
                              "share": 2 / 3, "benchmark": 0.5}
    assert data["notes"] == [
        "1 log entry is dated after 2026-11-22 (first: eve-evans.md:15): left out of every "
        "figure",
        "no retention rate for 2020: nobody was an active customer at its start"]


def test_while_you_were_away(run: Run, history: Path) -> None:
    away = pulse_json(run, history, "--since", "2026-08-31")["away"]
    assert away["people"] == {
        "ann": {"entries": 3, "tasks_done": 0, "added": 0, "changed": 4, "removed": 0},
        "bob": {"entries": 5, "tasks_done": 1, "added": 1, "changed": 5, "removed": 0}}
    assert [(e["date"], e["name"], e["author"]) for e in away["entries"]][:3] == [
        ("2026-09-01", "Alice Adams", "ann"), ("2026-09-02", "Alice Adams", "bob"),
        ("2026-09-06", "Dan Dale", "ann")]
    assert len(away["entries"]) == 8
    assert away["tasks_done"] == [{"date": "2026-11-12", "name": "Alice Adams",
                                   "path": "alice-adams.md", "text": "Send the quote",
                                   "author": "bob"}]
    assert pulse_json(run, history)["away"] is None  # only with --since


def test_owner_filter(run: Run, history: Path) -> None:
    data = pulse_json(run, history, "--owner", "ann")
    assert data["heartbeat"]["staff"] == {"ann": {"contacts": 2, "attempts": 1}}
    assert list(data["follow_through"]["owners"]) == ["ann"]
    assert data["pipeline"]["now"] == {"active": 2, "dormant": 1}  # Alice, Eve; Cara


def lapse_figures(data: dict[str, Any]) -> dict[str, Any]:
    r = data["retention"]
    return {"years": [(y["year"], y["start"], y["new"], y["end"], y["rate"])
                      for y in r["years"]],
            "cohorts": {c["year"]: (c["size"], [cell["share"] for cell in c["years"]])
                        for c in r["cohorts"]},
            "five": (r["five_year"]["base"], r["five_year"]["active"])}


def test_without_git_the_lapse_rule_reads_the_log(run: Run, tmp_path: Path) -> None:
    root = build(tmp_path / "shop", git=False)
    result = run(root, "pulse", "--date", TODAY, "--json")
    data = json.loads(result.stdout)
    assert "the vault is not in a git repository" in result.stderr
    assert data["history"]["source"] == "log"
    # Alice: active to today (active, contact 2026-11-20); Bert: lost, ends on his last
    # contact 2024-01-15; Cara: dormant, ends 2026-06-10; Eve: active but her last contact
    # was 2025-01-10, so she lapsed 365 days later (2026-01-10); Dan from 2026-10-15;
    # Fay has no customer_since: left out.
    assert lapse_figures(data) == {
        "years": [(2020, 0, 1, 1, None), (2021, 1, 2, 3, 1.0), (2022, 3, 1, 4, 1.0),
                  (2023, 4, 0, 4, 1.0), (2024, 4, 0, 3, 0.75), (2025, 3, 0, 3, 1.0),
                  (2026, 3, 1, 2, 1 / 3)],
        "cohorts": {2020: (1, [1.0] * 7), 2021: (2, [1.0, 1.0, 1.0, 0.5, 0.5, 0.0]),
                    2022: (1, [1.0, 1.0, 1.0, 1.0, 0.0]), 2023: (0, [None] * 4),
                    2024: (0, [None] * 3), 2025: (0, [None] * 2), 2026: (1, [1.0])},
        "five": (3, 1)}
    assert data["pipeline"]["moves"] is None
    # without git an entry counts for its profile's owner, a done task on its own date
    assert data["heartbeat"]["staff"] == {"ann": {"contacts": 2, "attempts": 2},
                                          "bob": {"contacts": 4, "attempts": 0}}
    assert data["follow_through"]["tasks_done"]["source"] == "task dates"
    notes = "\n".join(data["notes"])
    assert "lapse rule" in notes and "1 customer has no customer_since" in notes


def test_a_shallow_clone_falls_back_to_the_lapse_rule(run: Run, history: Path,
                                                      tmp_path: Path) -> None:
    subprocess.run(["git", "commit", "-qam", "Fay's invoice"], cwd=history, check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{history}", str(clone)],
                   check=True)
    result = run(clone, "pulse", "--date", TODAY, "--json")
    assert result.exit_code == 0
    assert "shallow clone" in result.stderr
    data = json.loads(result.stdout)
    assert data["history"]["source"] == "log"
    assert lapse_figures(data)["five"] == (3, 1)


def test_text_report_shows_every_section(run: Run, history: Path) -> None:
    result = run(history, "pulse", "--date", TODAY, "--since", "2026-08-31")
    out = result.stdout
    for heading in ("Heartbeat", "Follow-through", "Going quiet", "Pipeline", "Retention",
                    "While you were away", "Notes"):
        assert f"\n{heading}" in out
    assert "contacts  █▁▅▁▁▁▅▁▁▅▁▅  6 (previous period 1, +500%)" in out
    assert "Eve Evans  681 days  last 2025-01-10  @ann" in out
    assert "five years: 2 of the 3 customers active on 2021-11-22 are active today (67%" in out


def test_renamed_profile_keeps_its_history(run: Run, history: Path) -> None:
    subprocess.run(["git", "mv", "cara-cole.md", "cara-cole-smith.md"], cwd=history, check=True)
    subprocess.run(["git", "commit", "-qm", "rename"], cwd=history, check=True)
    moves = pulse_json(run, history)["pipeline"]["changes"]
    assert ("2026-10-01", "cara-cole-smith.md", "dormant") in [
        (c["date"], c["path"], c["new"]) for c in moves]


def test_uncommitted_status_counts_from_today(run: Run, history: Path) -> None:
    path = history / "bert-bell.md"
    path.write_text(path.read_text().replace("status: lost", "status: active"))
    data = pulse_json(run, history)
    assert data["retention"]["years"][-1]["end"] == 5  # Bert is back today
    assert any("1 profile has a status not committed" in n for n in data["notes"])


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "2026-11-01", "--until", "2026-10-01"), "is after --until"),
    (("--since", "1990-01-01"), "longer than 520 weeks"),
    (("--date", "0999-01-01"), "out of range"),
])
def test_bad_periods_are_usage_errors(run: Run, history: Path, args: tuple[str, ...],
                                      message: str) -> None:
    result = run(history, "pulse", *(("--date", TODAY) if "--date" not in args else ()), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_profiles_no_crash(run: Run, vault: Any) -> None:
    root = vault({})
    data = pulse_json(run, root)
    assert data["retention"]["years"] == []
    assert data["heartbeat"]["total"] == {"contacts": 0, "attempts": 0}
    assert run(root, "pulse", "--date", TODAY).exit_code == 0


def test_without_git_installed(run: Run, history: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    data = pulse_json(run, history)
    assert data["history"] == {"source": "log", "lapse_days": 365,
                               "reason": "git is not installed (or not on PATH)"}


def test_odd_file_names_and_body_lines(run: Run, history: Path) -> None:
    """A path git quotes (non-ASCII, a space) is read back whole; a `status:` note in the body
    is not a status change."""
    old = history / "cara-cole.md"
    new = history / "zoë cole.md"
    subprocess.run(["git", "mv", old.name, new.name], cwd=history, check=True)
    text = new.read_text().replace("## Log", "status: waiting for parts\n\n## Log")
    new.write_text(text.replace("status: dormant", "status: active"))
    subprocess.run(["git", "commit", "-qam", "Cara is back"], cwd=history, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": "2026-11-21T12:00:00+00:00",
                        "GIT_COMMITTER_DATE": "2026-11-21T12:00:00+00:00"})
    changes = pulse_json(run, history)["pipeline"]["changes"]
    assert [(c["date"], c["path"], c["old"], c["new"]) for c in changes
            if c["path"] == new.name] == [("2026-10-01", new.name, "active", "dormant"),
                                          ("2026-11-21", new.name, "dormant", "active")]


def test_html_to_a_folder_that_cannot_take_it(run: Run, history: Path) -> None:
    result = run(history, "pulse", "--date", TODAY, "--html", str(history / "no" / "p.html"))
    assert result.exit_code == 13  # plaincrm.files: a file-system error
    assert "p.html" in result.stderr


def test_watch_keeps_the_page_up_to_date(history: Path, tmp_path: Path) -> None:
    """A real watcher with the pulse page as its output: a new log entry shows on the page."""
    import datetime as dt
    import threading

    from plaincrm.pulse.gather import page_output
    from plaincrm.watch import Watcher
    from tests.livetools import wait_for

    page = tmp_path / "pulse.html"
    watcher = Watcher(history, [page_output(page)], lambda line: None,
                      today=dt.date(2026, 11, 22), own=[page])
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: page.exists() and "Eve Evans" in page.read_text(), what="the page")
        assert "seminar" not in page.read_text()
        fay = history / "fay-ford.md"
        fay.write_text(fay.read_text() + "- 2026-11-21 seminar: Came to the open day.\n")
        wait_for(lambda: "seminar" in page.read_text(), what="the new entry on the page")
    finally:
        watcher.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_pulse_options_of_plaincrm_toml_change_the_figures(run: Run, tmp_path: Path) -> None:
    """[log] and [pulse] in plaincrm.toml: a voicemail counted as a contact, a longer lapse, a
    status counted as active; a bad value keeps its default and is a located problem."""
    root = build(tmp_path / "shop", git=False)
    (root / "plaincrm.toml").write_text(
        '[log]\nattempt_kinds = ["no-answer", "Bounced"]\n[pulse]\nlapse_days = 1000\n'
        'active_statuses = ["active", "dormant"]\n', encoding="utf-8")
    data = pulse_json(run, root, "--since", "2026-08-31")
    h = data["heartbeat"]
    # Alice's voicemail of 2026-09-02 is a contact now; Eve's no-answer stays an attempt
    assert h["total"] == {"contacts": 7, "attempts": 1}
    assert h["kinds"]["voicemail"] == 1 and h["attempt_kinds"] == {"no-answer": 1}
    assert data["history"]["lapse_days"] == 1000
    # without git, 2026 starts with Alice, Eve and Cara as before, and ends with 4 instead of
    # 2: Eve (last contact 2025-01-10) has not lapsed within 1000 days, and Cara, dormant
    # now, is active until today (her newest contact, 2026-06-10, is within 1000 days)
    years = {y["year"]: (y["start"], y["new"], y["end"]) for y in data["retention"]["years"]}
    assert years[2026] == (3, 1, 4)

    (root / "plaincrm.toml").write_text("[pulse]\nlapse_days = -3\n", encoding="utf-8")
    assert pulse_json(run, root)["history"]["lapse_days"] == 365
    check = run(root, "check")
    assert "plaincrm.toml:2: config-error pulse.lapse_days must be 0 or more" in check.output
