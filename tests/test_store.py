"""The store: the agenda of any day asked of the rules table equals the plain reminder model
over the parsed profiles; show finds a profile by phone or email from the contact table."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaincrm.agenda import build_agenda, vault_agenda
from plaincrm.loader import open_vault
from plaincrm.render.agenda import render_agenda
from tests.conftest import Run, VaultFactory

CONFIG = """\
[agenda]
dates = { wedding = "yearly", contract_end = "once" }
contact_every = { active = "30 days", lead = "2 weeks" }
lead_days = { birthday = 7, service = 14, anniversary = 3, wedding = 10, contract_end = 5 }
"""
DAYS = st.dates(dt.date(2023, 1, 1), dt.date(2029, 12, 31))
LEAP = st.sampled_from([dt.date(2024, 2, 29), dt.date(2000, 2, 29), dt.date(2028, 2, 29)])


@st.composite
def profiles(draw: st.DrawFn) -> str:
    lines = [f"name: {draw(st.sampled_from(['Ann', 'Bob', 'Cy', 'Dee', 'Émile']))}",
             f"status: {draw(st.sampled_from(['active', 'lead', 'lost']))}",
             "email: someone@example.com"]  # a valid profile: no data-quality item

    def maybe(key: str, value: st.SearchStrategy[str]) -> None:
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(value)}")

    iso = st.one_of(DAYS, LEAP).map(dt.date.isoformat)
    maybe("birthday", st.one_of(iso, st.one_of(DAYS, LEAP).map(lambda d: f"--{d:%m-%d}")))
    maybe("customer_since", iso)
    maybe("service_due", iso)
    maybe("service_every", st.sampled_from(["6 months", "1 year", "90 days"]))
    maybe("contact_every", st.sampled_from(["2 weeks", "3 months"]))
    maybe("wedding", iso)
    maybe("contract_end", iso)
    maybe("owner", st.sampled_from(["ben", "amy"]))
    body = ["", "## Tasks", ""]
    for day, done, owner in draw(st.lists(st.tuples(DAYS, st.booleans(),
                                                    st.sampled_from(["", " @ben", " @amy"])),
                                          max_size=3)):
        body.append(f"- [{'x' if done else ' '}] {day.isoformat()} do it{owner}")
    body += ["", "## Log", ""]
    for day, kind in sorted(draw(st.lists(st.tuples(DAYS, st.sampled_from(
            ["call", "service", "visit"])), max_size=3))):
        body.append(f"- {day.isoformat()} {kind}: talked")
    return "---\n" + "\n".join(lines) + "\n---\n" + "\n".join(body) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(profiles(), min_size=1, max_size=6),
       days=st.lists(st.tuples(DAYS, st.sampled_from([0, 1, 7, 30, 400])), min_size=1,
                     max_size=6),
       owner=st.sampled_from([None, "ben"]), limit=st.sampled_from([1, 2, 15]))
def test_the_agenda_from_the_rules_table_is_the_reminder_models(
        files: list[str], days: list[tuple[dt.date, int]], owner: str | None,
        limit: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "vault"
        root.mkdir()
        (root / "plaincrm.toml").write_text(CONFIG)
        for number, text in enumerate(files):
            (root / f"p{number}.md").write_text(text, encoding="utf-8")
        opened = open_vault(root, db_path=Path(folder) / "cache" / "index.sqlite")
        try:
            opened.refresh()
            profiles = list(opened.profiles(full=False))
            for today, horizon in days:
                pure = build_agenda(profiles, opened.config, today, horizon, owner)
                stored = vault_agenda(opened, today, horizon, owner)
                assert stored.to_json() == pure.to_json(), (today, horizon)
                # the text agenda makes the first ``limit`` rows of each section only, and
                # counts the others
                short = vault_agenda(opened, today, horizon, owner, limit=limit)
                sections = Counter(item.section for item in pure.items)
                assert [i.to_json() for i in short.items] == [
                    i.to_json() for section in sections
                    for i in [i for i in pure.items if i.section == section][:limit]]
                assert short.hidden == {section: n - limit for section, n in sections.items()
                                        if n > limit}
                short_pure = build_agenda(profiles, opened.config, today, horizon, owner,
                                          limit=limit)
                assert short.to_json() == short_pure.to_json()
                assert render_agenda(short) == render_agenda(short_pure)
        finally:
            opened.close()


def test_the_year_end_and_29_february(vault: VaultFactory) -> None:
    root = vault({"leap.md": "---\nname: Lee\nbirthday: 2000-02-29\n---\n",
                  "jan.md": "---\nname: Jan\nbirthday: 1990-01-02\n---\n"},
                 config="[agenda]\ncheck_items = false\n")  # dates only: no fix items
    opened = open_vault(root)
    try:
        opened.refresh()
        for today in (dt.date(2026, 2, 27), dt.date(2026, 12, 30), dt.date(2028, 2, 28)):
            stored = vault_agenda(opened, today, 7)
            pure = build_agenda(opened.profiles(), opened.config, today, 7)
            assert stored.to_json() == pure.to_json()
        dates = [i.date for i in vault_agenda(opened, dt.date(2026, 2, 27), 7).items]
        assert dates == [dt.date(2026, 2, 28)]  # 29 February in a common year
        assert [i.name for i in vault_agenda(opened, dt.date(2026, 12, 30), 7).items] == ["Jan"]
    finally:
        opened.close()


def test_a_short_agenda_counts_what_it_leaves_out(vault: VaultFactory, run: Run) -> None:
    broken = {f"p{n}.md": f"---\nname: P{n}\nstatus: nonsense\nphone: '+44 20 7946 {n:04}'\n"
                          f"---\n## Log\n- 2026-0{1 + n % 9}-02 call: talked {n}\n"
              for n in range(30)}
    # a service overdue and a status missing: the service's row recalls the newest
    # conversation, the fix row the newest entry of any kind
    ok = ("---\nname: Ok\nemail: a@example.com\nservice_due: 2026-01-05\n---\n## Log\n"
          "- 2026-03-01 call: asked about the boiler\n- 2026-04-01 invoice: sent\n")
    root = vault({**broken, "ok.md": ok, "bad.md": "---\nname: [\n---\n"})
    opened = open_vault(root)
    try:
        opened.refresh()
        today = dt.date(2026, 11, 22)
        full, short = vault_agenda(opened, today, 7), vault_agenda(opened, today, 7, limit=4)
        # every broken file has a fix row, shown or not: none is counted again at the end
        assert [len(full.items), full.problem_files] == [33, 0]
        assert [len(short.items), short.hidden, short.problem_files] == [5, {"today": 28}, 0]
        assert short.items == full.items[:5]  # overdue, then today's first 4
        lines = render_agenda(short)
        assert [x for x in lines if x.endswith(")")] == ["Overdue (1)", "Today (32)"]
        assert lines[-1] == "  … and 28 more today: plaincrm agenda --all shows them all"
        # the heading; Overdue: a blank, its title, its row's two lines; Today: a blank, its
        # title, four rows of two lines, the line on the 28 more
        assert len(lines) == 1 + (2 + 2 * 1) + (2 + 2 * 4 + 1)
        service, fix = full.items[0], full.items[2]
        assert (service.kind, fix.kind, fix.path) == ("service", "fix", "ok.md")
        assert [service.context.text, fix.context.text] == [  # type: ignore[union-attr]
            "asked about the boiler", "sent"]
        assert service.contact == fix.contact == "a@example.com"
    finally:
        opened.close()
    lines = run(root, "agenda", "--date", "2026-11-22").stdout.splitlines()
    assert "Today (32)" in lines
    assert "  … and 17 more today: plaincrm agenda --all shows them all" in lines


def test_show_by_phone_or_email_as_written_anywhere(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": "---\nname: Jane Roe\nphone: '+44 20 7946 0958'\n"
                             "email: Jane@Example.com\n---\n",
                  "john.md": "---\nname: John Roe\nphone: '+44 20 7946 0000'\n---\n"},
                 config='[profiles]\nphone_region = "GB"\n')
    for given_name in ("+442079460958", "020 7946 0958", "+44 (0)20 7946-0958",
                       "jane@example.COM"):
        result = run(root, "show", given_name, "--json")
        assert result.exit_code == 0, (given_name, result.stderr)
        assert json.loads(result.stdout)["path"] == "jane.md"
    missing = run(root, "show", "+44 20 7946 1111")
    assert missing.exit_code == 4


def test_list_filters_are_queries(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: Åsa\nstatus: Active\nowner: Ben\ntags: [VIP]\n---\n",
                  "b.md": "---\nname: Bo\nstatus: lead\nboiler: Baxi\n---\n"})
    assert "Åsa" in run(root, "list", "--tag", "vip", "--owner", "@ben").stdout
    found = json.loads(run(root, "list", "--search", "baxi", "--json").stdout)["profiles"]
    assert [p["path"] for p in found] == ["b.md"]
    assert "No profiles match." in run(root, "list", "--status", "lost").stdout


def test_show_by_phone_needs_the_phone_library_only_for_another_spelling(
        vault: VaultFactory, tmp_path: Path) -> None:
    """A phone typed as written is found from the index alone; one written another way
    (national, a trunk 0 after the country code) is compared by its E.164 form."""
    import os
    import subprocess
    import sys

    root = vault({"jane.md": "---\nname: Jane Roe\nphone: '+44 020 7946 0958'\n---\n",
                  "john.md": "---\nname: John Roe\nphone: '+44 161 775 2375'\n---\n"},
                 config='[profiles]\nphone_region = "GB"\n')
    script = ("import sys\nfrom plaincrm.cli import main\ntry:\n    main(sys.argv[1:])\n"
              "except SystemExit as done:\n    code = done.code\n"
              "print('phonenumbers' in sys.modules, code, file=sys.stderr)\n")
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache")}

    def show(number: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", script, "--vault", str(root), "show",
                               number, "--json"], capture_output=True, text=True, env=env,
                              timeout=120)
        return json.loads(done.stdout)["path"] if done.stdout else "", done.stderr.strip()

    assert show("+44 161 775 2375") == ("john.md", "False 0")
    assert show("0161 775 2375") == ("john.md", "True 0")
    assert show("020 7946 0958") == ("jane.md", "True 0")
