"""Message templates: located errors for broken ones, skipped messages for missing fields, the
sandbox, language variants, plaincrm's defaults, and drafts read back with the email package."""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory
from tests.smtpserver import Server, write_mail_config
from tests.test_outreach_send import PROFILES, snapshot

DAY = "2026-11-20"
ZOE = PROFILES["zoe.md"]
HANS = PROFILES["hans.md"]


def template(body: str, subject: str = "Happy birthday, {{ first_name }}!") -> str:
    return f'---\nsubject: "{subject}"\nlabel: Birthday greeting\n---\n{body}'


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config"


@pytest.mark.parametrize(("body", "subject", "where", "message"), [
    ("Dear {{ first_name }},\n\n{{ first_name | shout }}\n", None, 7,
     "template-error No filter named 'shout'."),
    ("Dear {{ first_name }},\n{% if age > 40 %}\nWell done.\n", None, 7,
     "template-error Unexpected end of template."),
    ("Dear {{ first_name }},\n\n{{ first_name }\n", None, 7, "template-error unexpected '}'"),
    ("Dear {{ first_name }},\n", "Happy {{ birthday", 2, "template-error unexpected end of "
     "template"),
])
def test_a_broken_template_is_located_and_sends_nothing(vault: VaultFactory, run: Run,
                                                        config_home: Path, body: str,
                                                        subject: str | None, where: int,
                                                        message: str) -> None:
    text = template(body) if subject is None else template(body, subject)
    root = vault({"zoe.md": ZOE, "hans.md": HANS, "templates/messages/birthday.md": text})
    before = snapshot(root)
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--send")
        assert smtp.received == []
    assert result.exit_code == 1
    assert f"templates/messages/birthday.md:{where}: {message}" in result.stderr
    assert result.stderr.count("templates/messages/birthday.md") == 1  # once, not per person
    assert "nothing is sent for this occasion" in result.stderr
    assert "To send" not in result.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize(("text", "where", "message"), [
    ("subject: x\n---\nbody\n", 1, "a template starts with front matter"),
    ("---\nsubject: x\nbody\n", 1, "the front matter is not closed"),
    ("---\nlabel: Greeting\n---\nbody\n", 1, "the front matter has no subject"),
    ("---\nsubject: x\nsubjetc: y\n---\nbody\n", 3, "unknown key 'subjetc'"),
    ("---\nsubject: [a, b]\n---\nbody\n", 2, "subject must be one line of text"),
    ("---\nsubject: x\nsubject: y\n---\nbody\n", 3, "subject is given twice"),
    ("---\nsubject: 'x\n---\nbody\n", 3, "the front matter is not valid YAML"),
])
def test_bad_front_matter_is_located(vault: VaultFactory, run: Run, text: str, where: int,
                                     message: str) -> None:
    root = vault({"zoe.md": ZOE, "templates/messages/birthday.md": text})
    result = run(root, "outreach", "--date", DAY, "--occasion", "birthday")
    assert result.exit_code == 1
    assert f"templates/messages/birthday.md:{where}: template-error {message}" in result.stderr


def test_a_missing_field_skips_only_that_message(vault: VaultFactory, run: Run,
                                                 config_home: Path) -> None:
    body = "Dear {{ first_name }},\n\nHow is the {{ boiler_model }} doing?\n"
    zoe = ZOE.replace("birthday: 1988-11-20", "birthday: 1988-11-20\n        boiler_model: "
                                              "Vaillant ecoTEC")
    hans = HANS.replace("        language: de\n", "")
    root = vault({"zoe.md": zoe, "hans.md": hans, "templates/messages/birthday.md":
                  template(body)})
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--send")
        assert [r.rcpt_tos for r in smtp.received] == [["zoe@example.com"]]
        assert b"How is the Vaillant ecoTEC doing?" in smtp.received[0].content
    assert result.exit_code == 1
    assert ("templates/messages/birthday.md:7: template-field 'boiler_model' is undefined for "
            "hans.md: that message is skipped") in result.stderr
    assert "outreach:" not in (root / "hans.md").read_text("utf-8")
    assert "Dear ," not in result.stdout


@pytest.mark.parametrize("expression", ["''.__class__.__mro__[1].__subclasses__()",
                                        "first_name.__class__.__init__.__globals__",
                                        "range(10**9) | list | length"])
def test_the_sandbox_refuses_what_a_template_may_not_do(vault: VaultFactory, run: Run,
                                                        expression: str) -> None:
    body = "Dear {{ first_name }},\n\n{{ " + expression + " }}\n"
    root = vault({"zoe.md": ZOE, "templates/messages/birthday.md": template(body)})
    result = run(root, "outreach", "--date", DAY, "--occasion", "birthday")
    assert result.exit_code == 1
    assert "templates/messages/birthday.md:7: template-" in result.stderr
    assert "To send" not in result.stdout


def test_language_picks_a_variant_and_falls_back(vault: VaultFactory, run: Run) -> None:
    french = HANS.replace("language: de", "language: fr")
    root = vault({"hans.md": french, "zoe.md": ZOE.replace("status: active",
                                                           "status: active\n        language: de"),
                  "templates/messages/birthday.de.md": template(
                      "Lieber {{ first_name }}\n", "Alles Gute, {{ first_name }}!")})
    result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--json")
    import json

    subjects = {i["name"]: (i["subject"], i["template"])
                for i in json.loads(result.stdout)["items"]}
    assert subjects == {
        # no French template: the default shipped with plaincrm
        "Müller, Hans": ("Happy birthday, Hans!", "(built-in) messages/birthday.md"),
        "Zoë Harrington": ("Alles Gute, Zoë!", "templates/messages/birthday.de.md"),
    }


def test_drafts_are_standard_messages_and_change_nothing(vault: VaultFactory, run: Run,
                                                        config_home: Path,
                                                        tmp_path: Path) -> None:
    root = vault({"zoe.md": ZOE, "hans.md": HANS})
    before = snapshot(root)
    write_mail_config(config_home, 25, host="", sender="Bright Boilers <hello@bright.example>")
    outbox = tmp_path / "outbox"
    result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--drafts",
                 str(outbox))
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == ["birthday-2026-hans.eml", "birthday-2026-zoe.eml"]
    assert f"  {files[0]}" in result.stdout
    parsed = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == "Zoë Harrington"
    assert parsed["To"].addresses[0].addr_spec == "zoe@example.com"
    assert str(parsed["From"]) == "Bright Boilers <hello@bright.example>"
    assert parsed["Subject"] == "Happy birthday, Zoë!"
    assert parsed["Message-ID"].startswith("<birthday-2026.")
    assert parsed["Message-ID"].endswith("@bright.example>")
    assert email.utils.parsedate_to_datetime(parsed["Date"]).tzinfo is not None
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    body = parsed.get_content().replace("\r\n", "\n")
    # plaincrm's default birthday template, and the default opt-out line
    assert body.startswith("Dear Zoë,\n\nEveryone at Bright Boilers wishes you a very happy "
                           "birthday.")
    assert body.endswith("Warm wishes,\nBright Boilers\n\nIf you would rather not hear from us "
                         "by email, reply and say so: we will not write again.\n")
    # raw bytes: CRLF lines, ASCII only (non-ASCII is encoded), each header once
    raw = files[1].read_bytes()
    assert raw.isascii() and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if not line[:1].isspace()]
    assert sorted(names) == sorted(set(names))


@pytest.mark.parametrize("name", ["birthday", "anniversary", "service", "feedback", "invoice",
                                  "stage"])
def test_every_default_template_renders(name: str) -> None:
    import datetime as dt

    from plaincrm.outreach.occasions import Occasion
    from plaincrm.outreach.template import Rendered, Templates, variables
    from plaincrm.parse import parse_profile

    profile = parse_profile("zoe.md", PROFILES["zoe.md"].replace("\n        ", "\n")
                            .lstrip("\n").encode())[0]
    assert profile is not None
    entry = {"date": dt.date(2026, 11, 2), "kind": "job-done", "text": "Fitted."}
    occasion = Occasion(name, f"{name}-x", dt.date(2026, 11, 20), "why", profile.location,
                        {"age": 38, "years": 5, "due": dt.date(2026, 12, 4), "entry": entry,
                         "invoice_date": dt.date(2026, 10, 1), "reminder_number": 1})
    found = Templates(Path("/nonexistent"), "templates/messages").find((name,), None)
    rendered = found.render(variables(profile, occasion, dt.date(2026, 11, 20),
                                      "zoe@example.com", "Bright Boilers"), "Opt out.")
    assert isinstance(rendered, Rendered), rendered
    assert "Zoë" in rendered.body and rendered.body.endswith("Bright Boilers\n\nOpt out.\n")


@pytest.mark.parametrize(("breakage", "message"), [
    ("outside", "leads outside the vault"),
    ("fifo", "is not a regular file (a FIFO)"),
    ("folder", "is not a regular file (a folder)"),
    ("not-utf8", "is not UTF-8 text"),
])
def test_a_template_that_must_not_be_read_is_located_and_sends_nothing(
        vault: VaultFactory, run: Run, config_home: Path, tmp_path: Path, breakage: str,
        message: str) -> None:
    """Templates are read as every vault file is: inside the vault, a regular file."""
    root = vault({"zoe.md": ZOE, "hans.md": HANS})
    folder = root / "templates" / "messages"
    folder.mkdir(parents=True)
    target = folder / "birthday.md"
    if breakage == "outside":  # a committed link to a file elsewhere is never read
        secret = tmp_path / "secret.md"
        secret.write_text(template("{{ first_name }}, the secret is 42\n"), encoding="utf-8")
        target.symlink_to(secret)
    elif breakage == "fifo":
        os.mkfifo(target)
    elif breakage == "folder":
        target.mkdir()
    else:
        target.write_bytes(template("Dear {{ first_name }}, \xe9\n").encode("latin-1"))
    before = snapshot(root)
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--send")
        assert smtp.received == []
    assert result.exit_code == 1
    assert "templates/messages/birthday.md:1: template-error" in result.stderr
    assert message in result.stderr and "To send" not in result.stdout
    assert snapshot(root) == before
