"""plaincrm outreach --send against a real SMTP server on 127.0.0.1: the bytes it receives,
each occasion once across reruns, days and clones, consent, refusals and dropped connections."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory
from tests.smtpserver import Server, write_mail_config

DAY = "2026-11-20"
SENDER = b"Bright Boilers <hello@brightboilers.example>"

PROFILES = {
    "zoe.md": """
        ---
        name: Zoë Harrington
        status: active
        email: zoe@example.com
        birthday: 1988-11-20
        ---

        ## Log

        - 2026-01-10 call: Asked about a new boiler.
        """,
    "hans.md": """
        ---
        name: "Müller, Hans"
        status: active
        email: hans@example.org
        birthday: 1961-11-19
        language: de
        ---
        """,
    "optout.md": """
        ---
        name: Olive Out
        status: active
        email: olive@example.com
        birthday: 1970-11-20
        email_optout: true
        ---
        """,
    "dnc.md": """
        ---
        name: Dan No
        status: active
        email: dan@example.com
        birthday: 1970-11-20
        do_not_contact: "yes"
        ---
        """,
    "sue.md": """
        ---
        name: Sue Pressed
        status: active
        email: Sue@Example.com
        birthday: 1970-11-20
        ---
        """,
    "bob.md": """
        ---
        name: Bob Blocked
        status: active
        email: bob@blocked.example
        birthday: 1970-11-20
        ---
        """,
    "nora.md": """
        ---
        name: Nora Nomail
        status: active
        phone: "+44 113 496 0000"
        birthday: 1970-11-20
        ---
        """,
    "bad.md": """
        ---
        name: Bad Address
        status: active
        email: bad@example,com
        birthday: 1970-11-20
        ---
        """,
    "suppressed.txt": """
        # asked us to stop, 2026-03-02
        sue@example.com
        @blocked.example
        """,
    "templates/messages/birthday.md": """
        ---
        subject: "Happy birthday, {{ first_name }}!"
        label: Birthday greeting
        optout: "Rather not hear from us? Reply and say so."
        ---
        Dear {{ first_name }},

        Happy birthday from all of us.

        {{ sender_name }}
        """,
    "templates/messages/birthday.de.md": """
        ---
        subject: "Alles Gute zum Geburtstag, {{ first_name }}!"
        label: Geburtstagsgruß
        optout: "Keine Post mehr? Antworten Sie einfach."
        ---
        Lieber {{ first_name }},

        herzlichen Glückwunsch!

        {{ sender_name }}
        """,
}


def msgid(path: str, key: str) -> bytes:
    digest = hashlib.sha256(f"{path}\0{key}".encode()).hexdigest()[:16]
    return f"<{key}.{digest}@brightboilers.example>".encode()


def expected_zoe(date: bytes) -> bytes:
    return (b"From: " + SENDER + b"\r\n"
            b"To: =?utf-8?q?Zo=C3=AB?= Harrington <zoe@example.com>\r\n"
            b"Subject: Happy birthday, =?utf-8?q?Zo=C3=AB!?=\r\n"
            b"Date: " + date + b"\r\n"
            b"Message-ID: " + msgid("zoe.md", "birthday-2026") + b"\r\n"
            b"Content-Type: text/plain; charset=\"utf-8\"\r\n"
            b"Content-Transfer-Encoding: quoted-printable\r\n"
            b"MIME-Version: 1.0\r\n"
            b"\r\n"
            b"Dear Zo=C3=AB,\r\n"
            b"\r\n"
            b"Happy birthday from all of us.\r\n"
            b"\r\n"
            b"Bright Boilers\r\n"
            b"\r\n"
            b"Rather not hear from us? Reply and say so.\r\n")


def expected_hans(date: bytes) -> bytes:
    return (b"From: " + SENDER + b"\r\n"
            b"To: =?utf-8?q?M=C3=BCller=2C?= Hans <hans@example.org>\r\n"
            b"Subject: Alles Gute zum Geburtstag, Hans!\r\n"
            b"Date: " + date + b"\r\n"
            b"Message-ID: " + msgid("hans.md", "birthday-2026") + b"\r\n"
            b"Content-Type: text/plain; charset=\"utf-8\"\r\n"
            b"Content-Transfer-Encoding: quoted-printable\r\n"
            b"MIME-Version: 1.0\r\n"
            b"\r\n"
            b"Lieber Hans,\r\n"
            b"\r\n"
            b"herzlichen Gl=C3=BCckwunsch!\r\n"
            b"\r\n"
            b"Bright Boilers\r\n"
            b"\r\n"
            b"Keine Post mehr? Antworten Sie einfach.\r\n")


DATE_LINE = re.compile(rb"^Date: ([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} "
                       rb"[+-]\d{4})\r$", re.M)


def date_of(content: bytes) -> bytes:
    match = DATE_LINE.search(content)
    assert match, content
    return match.group(1)


@pytest.fixture
def crm(vault: VaultFactory) -> Path:
    return vault(PROFILES)


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config"


def send(run: Run, root: Path, *extra: str, day: str = DAY) -> tuple[int, str, str]:
    result = run(root, "outreach", "--date", day, "--occasion", "birthday", "--send", *extra)
    return result.exit_code, result.stdout, result.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def test_each_message_arrives_byte_for_byte_once(crm: Path, config_home: Path,
                                                 run: Run) -> None:
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        code, out, err = send(run, crm)
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"],
                                                        ["zoe@example.com"]]
        hans, zoe = (r.content for r in smtp.received)
        assert hans == expected_hans(date_of(hans))
        assert zoe == expected_zoe(date_of(zoe))
        assert all(r.mail_from == "hello@brightboilers.example" for r in smtp.received)
        assert "Sent 2 of 2" in out
        # the bad address is a located problem; so the run says something needs the user
        assert "bad.md:4: invalid-email 'bad@example,com'" in err
        assert code == 1

        # recorded in each profile: being sent, then sent, with the Message-ID
        zoe_log = (crm / "zoe.md").read_text(encoding="utf-8")
        zid = msgid("zoe.md", "birthday-2026").decode()
        assert zoe_log.endswith(
            "- 2026-01-10 call: Asked about a new boiler.\n"
            f"- 2026-11-20 email: Birthday greeting being sent to zoe@example.com "
            f"[outreach:birthday-2026 sending {zid}]\n"
            f"- 2026-11-20 email: Birthday greeting sent to zoe@example.com "
            f"[outreach:birthday-2026 sent {zid}]\n")
        hid = msgid("hans.md", "birthday-2026").decode()
        assert f"- 2026-11-20 email: Geburtstagsgruß sent to hans@example.org " \
               f"[outreach:birthday-2026 sent {hid}]" in (crm / "hans.md").read_text("utf-8")

        # the same day again, the next day (still in the catch-up window), a dry run
        before = snapshot(crm)
        for day in (DAY, "2026-11-21", "2026-11-22"):
            send(run, crm, day=day)
        assert len(smtp.received) == 2
        assert snapshot(crm) == before
        dry = run(crm, "outreach", "--date", "2026-11-21", "--occasion", "birthday")
        assert "To send" not in dry.stdout
        assert "2 messages of these days already sent" in dry.stdout


def test_opted_out_suppressed_and_addressless_profiles_get_nothing(crm: Path, config_home: Path,
                                                                  run: Run) -> None:
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        dry = run(crm, "outreach", "--date", DAY, "--occasion", "birthday")
        not_sent = " ".join(dry.stdout.split("Not sent (6)\n", 1)[1].split())
        for line in ("Olive Out opted out (email_optout)",
                     "Dan No opted out (do_not_contact)",
                     "Sue Pressed Sue@Example.com is on the suppression list",
                     "Bob Blocked bob@blocked.example is on the suppression list",
                     "Nora Nomail no email address",
                     "Bad Address the email address is not usable"):
            assert line in not_sent, dry.stdout
        send(run, crm)
        sent_to = {a for r in smtp.received for a in r.rcpt_tos}
        assert sent_to == {"zoe@example.com", "hans@example.org"}
        for name in ("optout", "dnc", "sue", "bob", "nora", "bad"):
            assert (crm / f"{name}.md").read_text("utf-8") == \
                PROFILES[f"{name}.md"].replace("\n        ", "\n").lstrip("\n")


@pytest.mark.parametrize("breakage", ["folder", "not-utf8", "not-an-address", "outside",
                                      "fifo", "dangling", "outside-folder"])
def test_an_unreadable_suppression_list_stops_every_message(crm: Path, config_home: Path,
                                                            run: Run, tmp_path: Path,
                                                            breakage: str) -> None:
    target = crm / "suppressed.txt"
    target.unlink()
    if breakage == "folder":
        target.mkdir()
    elif breakage == "not-utf8":
        target.write_bytes(b"sue@example.com\n\xff\xfe\n")
    elif breakage == "not-an-address":
        target.write_text("sue@example.com\nSue Pressed\n", encoding="utf-8")
    elif breakage == "fifo":  # never opened for a read that waits for a writer
        os.mkfifo(target)
    elif breakage == "dangling":
        target.symlink_to(crm / "gone.txt")
    elif breakage == "outside-folder":  # a folder link out of the vault, the file beyond it
        (tmp_path / "away").mkdir()
        (tmp_path / "away" / "list.txt").write_text("sue@example.com\n", encoding="utf-8")
        (crm / "lists").symlink_to(tmp_path / "away")
        (crm / "plaincrm.toml").write_text('[outreach]\nsuppression_file = "lists/list.txt"\n',
                                           encoding="utf-8")
    else:
        outside = tmp_path / "elsewhere.txt"
        outside.write_text("sue@example.com\n", encoding="utf-8")
        target.symlink_to(outside)
    before = snapshot(crm)
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        code, out, err = send(run, crm)
        assert smtp.received == []
    assert code == 1
    listed = "lists/list.txt" if breakage == "outside-folder" else "suppressed.txt"
    assert f"{listed}:1: suppression-list" in err or breakage == "not-an-address", err
    assert "suppression-list" in err and "nothing is sent until it can be read" in err
    if breakage in ("outside", "outside-folder"):
        assert "leads outside the vault" in err
    assert "To send" not in out
    if breakage == "not-an-address":
        assert "suppressed.txt:2: suppression-list line 2: 'sue pressed'" in err
    assert snapshot(crm) == before


def test_git_vault_commits_each_record_and_a_clone_sends_nothing_again(
        crm: Path, config_home: Path, run: Run, tmp_path: Path) -> None:
    def git(cwd: Path, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                              text=True).stdout

    git(crm, "init", "-q")
    git(crm, "add", "-A")
    git(crm, "commit", "-qm", "customers")
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        send(run, crm)
        assert len(smtp.received) == 2
        assert git(crm, "status", "--porcelain") == ""
        subjects = git(crm, "log", "--format=%s").splitlines()
        assert subjects.count("log: Zoë Harrington — email") == 2  # being sent, then sent
        assert subjects.count("log: Müller, Hans — email") == 2

        clone = tmp_path / "clone"
        git(tmp_path, "clone", "-q", str(crm), str(clone))
        _, out, _ = send(run, clone, day="2026-11-21")
        assert len(smtp.received) == 2
        assert "Sent" not in out
        assert git(clone, "status", "--porcelain") == ""


def test_a_refused_recipient_is_reported_not_recorded_and_retried(
        crm: Path, config_home: Path, run: Run) -> None:
    zoe_before = (crm / "zoe.md").read_bytes()
    with Server() as smtp:
        smtp.handler.refuse.add("zoe@example.com")
        write_mail_config(config_home, smtp.port)
        code, out, _ = send(run, crm)
        assert code == 1
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"]]
        assert "NOT SENT  birthday-2026  Zoë Harrington  zoe@example.com: 550 5.1.1 No such " \
               "mailbox here" in out
        assert (crm / "zoe.md").read_bytes() == zoe_before

        smtp.handler.refuse.clear()
        send(run, crm, day="2026-11-21")
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"],
                                                        ["zoe@example.com"]]


def test_a_rejected_message_is_recorded_as_not_sent_and_retried(
        crm: Path, config_home: Path, run: Run) -> None:
    with Server() as smtp:
        smtp.handler.reject.add("zoe@example.com")
        write_mail_config(config_home, smtp.port)
        code, out, _ = send(run, crm)
        assert code == 1
        assert "554 5.7.1 Message rejected as spam" in out
        zid = msgid("zoe.md", "birthday-2026").decode()
        assert (f"- 2026-11-20 email: Birthday greeting not sent to zoe@example.com (554 5.7.1 "
                f"Message rejected as spam) [outreach:birthday-2026 failed {zid}]"
                ) in (crm / "zoe.md").read_text("utf-8")
        smtp.handler.reject.clear()
        send(run, crm)
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"],
                                                        ["zoe@example.com"]]
        assert (crm / "zoe.md").read_text("utf-8").count(
            f"[outreach:birthday-2026 sent {zid}]") == 1


def test_a_connection_dropped_while_sending_needs_a_check_and_is_never_resent(
        crm: Path, config_home: Path, run: Run) -> None:
    with Server() as smtp:
        smtp.handler.drop_data.add(1)  # the server reads Hans's message, then hangs up
        write_mail_config(config_home, smtp.port)
        code, out, _ = send(run, crm)
        assert code == 1
        assert smtp.received == [] and len(smtp.handler.dropped) == 1
        assert "CHECK     birthday-2026  Müller, Hans" in out
        assert "it may or may not have gone out" in out
        assert "not sent  birthday-2026  Zoë Harrington" in out
        hans = (crm / "hans.md").read_text("utf-8")
        hid = msgid("hans.md", "birthday-2026").decode()
        assert f"[outreach:birthday-2026 sending {hid}]" in hans
        assert "[outreach:birthday-2026 sent" not in hans
        assert "outreach:" not in (crm / "zoe.md").read_text("utf-8")

        # the next run sends Zoë's and lists Hans's for a person to check, every time
        for day in (DAY, "2026-11-21"):
            code, out, _ = send(run, crm, day=day)
            assert code == 1
            assert "Needs a check (1)\n  2026-11-20  birthday-2026  Müller, Hans" in out
            assert f"look for {hid} in the sent mail" in out
        assert [r.rcpt_tos for r in smtp.received] == [["zoe@example.com"]]


def test_a_connection_dropped_before_a_message_sends_it_next_time(
        crm: Path, config_home: Path, run: Run) -> None:
    with Server() as smtp:
        smtp.handler.drop_mail.add(2)  # Hans's goes; the server hangs up on Zoë's MAIL FROM
        write_mail_config(config_home, smtp.port)
        code, out, _ = send(run, crm)
        assert code == 1
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"]]
        assert "not sent  birthday-2026  Zoë Harrington" in out
        assert "outreach:" not in (crm / "zoe.md").read_text("utf-8")
        code, out, _ = send(run, crm)
        assert [r.rcpt_tos for r in smtp.received] == [["hans@example.org"],
                                                        ["zoe@example.com"]]
        assert "Needs a check" not in out
