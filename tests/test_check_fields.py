"""The per-profile checks: required fields, statuses, emails, phones, dates, tasks, stale."""

from __future__ import annotations

import json

from tests.conftest import Run, VaultFactory

TODAY = "2026-11-20"


def problems(run: Run, root: object, *codes: str) -> list[tuple[int, str, str, str]]:
    data = json.loads(run(root, "check", "--json", "--date", TODAY).stdout)
    return [(p["line"], p["code"], p["severity"], p["message"]) for p in data["problems"]
            if not codes or p["code"] in codes]


def test_missing_fields_alternatives_and_per_status(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nstatus: active\nemail: a@example.com\n---\n"},
                 config='[profiles]\nrequired_by_status = { active = ["phone|mobile"] }\n')
    assert problems(run, root, "missing-field") == [
        (1, "missing-field", "error", "missing name"),
        (1, "missing-field", "error", "missing phone or mobile (required for active profiles)"),
    ]


def test_unknown_status_suggests(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nemail: a@example.com\nstatus: Actve\n---\n"})
    assert problems(run, root) == [(4, "unknown-status", "error", "status 'actve' is not one "
                                    "of lead, active, dormant, lost; did you mean 'active'?")]


def test_phones(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": """\
        ---
        name: A
        status: lead
        phone:
          - "+44 20 7946 0958"
          - 020 7946 0958
          - "+44 20 79"
          - call me
        ---
        """}, config='[profiles]\nphone_region = "GB"\n')
    found = problems(run, root, "invalid-phone")
    assert [(line, sev) for line, _c, sev, _m in found] == [
        (6, "warning"), (7, "error"), (8, "error")]
    assert found[0][3] == ("'020 7946 0958' is valid; write it in international form: "
                           "+442079460958")
    assert "is not valid: it is" in found[1][3]
    assert found[2][3] == "'call me' is not valid: it is not a phone number"


def test_phone_without_region_cannot_be_checked(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lead\nphone: 020 7946 0958\n---\n"})
    assert problems(run, root) == [(4, "invalid-phone", "warning",
                                    "'020 7946 0958' cannot be checked: write it with its "
                                    "+country code, or set profiles.phone_region in "
                                    "plaincrm.toml")]


def test_email_syntax_only(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lead\n"
                          "email: [ok@no-such-domain-xyz.example, 'a b@example.com']\n---\n"})
    found = problems(run, root)
    assert [(line, code) for line, code, _s, _m in found] == [(4, "invalid-email")]
    assert found[0][3].startswith("'a b@example.com': ")


def test_dates_that_cannot_be_right(vault: VaultFactory, run: Run) -> None:
    root = vault({
        "old.md": "---\nname: A\nstatus: lead\nemail: a@x.com\nbirthday: 1900-01-01\n---\n",
        "ok.md": "---\nname: B\nstatus: lead\nemail: b@x.com\nbirthday: 1906-11-20\n"
                 "birthday_note: --02-30\n---\n",
        "svc.md": "---\nname: C\nstatus: lead\nemail: c@x.com\ncustomer_since: 2024-05-01\n"
                  "service_due: 2024-04-01\n---\n\n## Log\n\n- 2026-11-20 call: today\n"
                  "- 2026-11-21 call: tomorrow\n",
        "unreal.md": "---\nname: D\nstatus: lead\nemail: d@x.com\nbirthday: 1990-02-30\n---\n",
    })
    found = {(line, msg) for line, _c, _s, msg in problems(run, root, "invalid-date")}
    assert (5, "birthday 1900-01-01 is more than 120 years ago") in found
    assert (6, "service_due 2024-04-01 is before customer_since 2024-05-01") in found
    assert (12, "log entry dated 2026-11-21 is after today (2026-11-20)") in found
    assert any(line == 5 and "not a real date" in msg for line, msg in found)
    assert len(found) == 4


def test_undated_open_tasks_only(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lead\nemail: a@x.com\n---\n"
                          "- [ ] 2026-12-01 dated\n- [x] done, undated\n- [ ] open\n"})
    assert problems(run, root) == [(8, "undated-task", "warning",
                                    "open task without a date: start it with YYYY-MM-DD "
                                    "('open')")]


def test_stale_active_profiles(vault: VaultFactory, run: Run) -> None:
    root = vault({
        "nolog.md": "---\nname: A\nstatus: active\nemail: a@x.com\nphone: '+442079460958'\n"
                    "---\n",
        "since.md": "---\nname: B\nstatus: active\nemail: b@x.com\n"
                    "customer_since: 2026-01-01\n---\n",
        "recent.md": "---\nname: C\nstatus: active\nemail: c@x.com\n---\n## Log\n"
                     "- 2020-01-01 old\n- 2026-10-01 call: fresh\n",
        "lead.md": "---\nname: D\nstatus: lead\nemail: d@x.com\n---\n## Log\n- 2020-01-01 x\n",
    }, config="[checks]\nstale_days = 200\n")
    data = json.loads(run(root, "check", "--json", "--date", TODAY).stdout)
    stale = {(p["path"], p["line"], p["message"]) for p in data["problems"]
             if p["code"] == "stale"}
    assert stale == {
        ("nolog.md", 3, "active, but there is no log entry yet"),
        ("since.md", 3, "active, but no log entry since customer_since 2026-01-01 (323 days "
                        "ago, more than checks.stale_days = 200)"),
    }
