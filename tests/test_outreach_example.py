"""The issue's finish line on vault-example: turn on birthdays and services, see the dry run,
write drafts, send to a local server, rerun, and find each message sent once and logged in the
right profile; and a campaign to a filtered set."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.smtpserver import Server, write_mail_config
from tests.test_outreach_send import snapshot

EXAMPLE = Path(__file__).parent.parent / "vault-example"
ON = ("--occasion", "birthday", "--occasion", "service")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "vault-example"
    shutil.copytree(EXAMPLE, root)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "example"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def test_birthdays_and_services_on_vault_example_go_once(example: Path, run: Run,
                                                        tmp_path: Path) -> None:
    day = "2026-11-27"
    dry = run(example, "outreach", "--date", day, *ON, "--json")
    assert dry.exit_code == 0, dry.output
    items = json.loads(dry.stdout)["items"]
    # Fatima's and Margaret's services are booked (booked: entries): no reminder to book
    assert {(i["action"], i["path"], i["key"]) for i in items} == {
        ("send", "fatima-rahman.md", "birthday-2026"),
    }
    with Server() as smtp:
        write_mail_config(tmp_path / "home" / ".config", smtp.port)
        before = snapshot(example)
        drafts = run(example, "outreach", "--date", day, *ON, "--drafts", str(tmp_path / "out"))
        assert drafts.exit_code == 0 and snapshot(example) == before
        subjects = sorted(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                          ["Subject"] for p in (tmp_path / "out").iterdir())
        assert subjects == ["Happy birthday, Fatima!"]

        sent = run(example, "outreach", "--date", day, *ON, "--send")
        assert sent.exit_code == 0, sent.output
        assert "Sent 1 of 1" in sent.stdout
        for again in (day, "2026-11-28"):
            rerun = run(example, "outreach", "--date", again, *ON, "--send")
            assert "Sent" not in rerun.stdout
        assert [r.rcpt_tos for r in smtp.received] == [["fatima.rahman@example.com"]]

    changed = {path for path, data in snapshot(example).items() if before.get(path) != data}
    assert changed == {"fatima-rahman.md"}
    show = run(example, "show", "fatima", "--date", day)
    assert "Birthday greeting sent to fatima.rahman@example.com [outreach:birthday-2026 sent" \
        in show.stdout
    status = subprocess.run(["git", "status", "--porcelain"], cwd=example, check=True,
                            capture_output=True, text=True)
    assert status.stdout == ""
    check = run(example, "check", "--json", "--date", day)
    assert not [p for p in json.loads(check.stdout)["problems"]
                if p["path"] == "fatima-rahman.md"]


def test_a_campaign_goes_to_the_selected_profiles_once(example: Path, run: Run,
                                                       tmp_path: Path) -> None:
    (example / "templates" / "messages" / "loyalty-2026.md").write_text(
        "---\nsubject: \"A thank-you for {{ first_name }}\"\nlabel: Loyalty offer\n---\n"
        "Dear {{ first_name }},\n\n10% off your next service.\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=example, check=True)
    subprocess.run(["git", "commit", "-qm", "loyalty"], cwd=example, check=True)
    args = ("outreach", "--date", "2026-12-01", "--campaign", "loyalty-2026", "--status",
            "active", "--tag", "family")
    dry = run(example, *args, "--json")
    chosen = {i["path"]: i["action"] for i in json.loads(dry.stdout)["items"]}
    # active and tagged family: Siobhán, Zoë; Noor is suppressed (and her status is 'Active')
    assert chosen == {"siobhan-oconnell.md": "send", "zoe-harrington.md": "send",
                      "noor-hassan.md": "skip"}
    with Server() as smtp:
        write_mail_config(tmp_path / "home" / ".config", smtp.port)
        run(example, *args, "--send")
        run(example, *args, "--send")
        assert sorted(a for r in smtp.received for a in r.rcpt_tos) == [
            "siobhan.oconnell@example.com", "zoe.harrington@example.com"]
    missing = run(example, "outreach", "--campaign", "nope")
    assert missing.exit_code == 1
    assert "templates/messages/nope.md:1: missing-template there is no template for 'nope'" \
        in missing.stderr


def test_plaincrm_toml_turns_on_the_example_occasions(example: Path, run: Run) -> None:
    """vault-example's [outreach] section is read: without --occasion the dry run has its
    birthdays and services (and no anniversary), and no 'unknown section' warning."""
    dry = run(example, "outreach", "--date", "2026-11-27", "--json")
    assert dry.exit_code == 0, dry.output
    assert {(i["occasion"], i["path"]) for i in json.loads(dry.stdout)["items"]} == {
        ("birthday", "fatima-rahman.md")}  # her service and Margaret's are booked
    later = run(example, "outreach", "--date", "2027-01-10", "--json")
    assert {(i["occasion"], i["path"], i["action"])
            for i in json.loads(later.stdout)["items"]} == {
        ("service", "lukasz-nowak.md", "send"), ("service", "aisha-begum.md", "send"),
        ("service", "grace-okafor.md", "skip")}  # Grace's email is mistyped
    check = run(example, "check", "--date", "2026-11-27")
    assert "plaincrm.toml" not in check.stdout + check.stderr


def test_outreach_options_in_plaincrm_toml_are_used_and_checked(vault: Callable[..., Path],
                                                                run: Run) -> None:
    profile = """\
        ---
        name: Jane Roe
        status: active
        email: jane@example.com
        birthday: 1980-05-07
        ---
        """
    root = vault({"jane.md": profile}, config="""\
        [outreach]
        occasions = ["birthday"]
        catch_up_days = 10
        """)
    late = run(root, "outreach", "--date", "2026-05-15", "--json")  # 8 days late: within 10
    assert [i["key"] for i in json.loads(late.stdout)["items"]] == ["birthday-2026"]
    (root / "plaincrm.toml").write_text('[outreach]\noccasions = ["birthday", "xmas"]\n',
                                        encoding="utf-8")
    check = run(root, "check", "--date", "2026-05-07")
    assert "plaincrm.toml:2: config-error outreach.occasions 'xmas' is not an occasion" \
        in check.stdout + check.stderr
    off = run(root, "outreach", "--date", "2026-05-07")
    assert off.stdout.startswith("Outreach is off")  # the bad value keeps the default: none


def test_init_writes_the_default_message_templates_into_a_new_vault(tmp_path: Path,
                                                                    run: Run) -> None:
    """A new vault has templates/messages/ with plaincrm's own templates, ready to edit, and
    outreach uses them; init never overwrites one the user changed."""
    from importlib import resources

    shipped = sorted(p.name for p in resources.files("plaincrm.data").joinpath(
        "messages").iterdir() if p.name.endswith(".md"))
    assert "birthday.md" in shipped and "service.md" in shipped
    target = tmp_path / "shop"
    result = run(None, "init", str(target))
    assert result.exit_code == 0, result.output
    for name in shipped:
        rel = f"templates/messages/{name}"
        assert f"created                 {rel}\n" in result.stdout
        assert (target / rel).read_text(encoding="utf-8") == resources.files(
            "plaincrm.data").joinpath("messages", name).read_text(encoding="utf-8")
    mine = target / "templates" / "messages" / "birthday.md"
    mine.write_text('---\nsubject: "Many happy returns, {{ first_name }}"\n---\nHi!\n',
                    encoding="utf-8")
    again = run(None, "init", str(target))
    assert "kept (already there)    templates/messages/birthday.md" in again.stdout
    (target / "jane.md").write_text("---\nname: Jane Roe\nstatus: active\nemail: "
                                    "jane@example.com\nbirthday: 1980-05-07\n---\n",
                                    encoding="utf-8")
    dry = run(target, "outreach", "--date", "2026-05-07", "--occasion", "birthday", "--json")
    (item,) = [i for i in json.loads(dry.stdout)["items"] if i["path"] == "jane.md"]
    assert (item["subject"], item["template"]) == ("Many happy returns, Jane",
                                                   "templates/messages/birthday.md")
    listed = json.loads(run(target, "list", "--json").stdout)["profiles"]
    assert sorted(p["name"] for p in listed) == ["Ada Example", "Jane Roe"]  # not profiles


def test_init_hook_in_an_existing_vault_writes_no_message_templates(tmp_path: Path,
                                                                    run: Run) -> None:
    root = tmp_path / "crm"
    root.mkdir()
    (root / "jane.md").write_text("---\nname: Jane Roe\n---\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = run(None, "init", "--hook", str(root))
    assert result.exit_code == 0, result.output
    assert "templates" not in result.stdout and not (root / "templates").exists()
    assert sorted(p.name for p in root.iterdir()) == [".git", "jane.md"]
