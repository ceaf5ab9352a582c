"""Mail settings, login, TLS, the send lock, the daily cap and the progress bar: each against a
real SMTP server on 127.0.0.1; when mail cannot go out, nothing in the vault is written."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from plaincrm.config import Config
from plaincrm.index import default_db_path
from plaincrm.loader import open_vault
from plaincrm.outreach.plan import Action
from plaincrm.outreach.run import Request
from plaincrm.outreach.run import run as outreach_run
from tests.conftest import Run, VaultFactory
from tests.livetools import run_with_terminal_stderr
from tests.smtpserver import Server, write_mail_config
from tests.test_outreach_send import PROFILES, snapshot

DAY = "2026-11-20"
TWO = {"zoe.md": PROFILES["zoe.md"], "hans.md": PROFILES["hans.md"]}


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config"


def send(run: Run, root: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run(root, "outreach", "--date", DAY, "--occasion", "birthday", "--send", env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("settings", "says"), [
    (None, "no mail settings: create "),
    ({"host": ""}, "say which server sends the mail: host"),
    ({"sender": ""}, "say who the mail is from"),
    ({"sender": "Bright Boilers"}, "sender 'Bright Boilers' is not an address"),
    ({"host": "smtp.example.com"}, "security = \"none\" is only for a server on this machine"),
    ({"security": "ssl"}, "security must be one of starttls, tls, none, not 'ssl'"),
    ({"password": "hunter2"}, "a password is never read from a file"),
    ({"prot": 25}, "unknown key 'prot' in [smtp]"),
    ({"user": "ben"}, "no password for ben: set the environment variable "
                      "PLAINCRM_SMTP_PASSWORD"),
    ({"port": 1}, "cannot talk to the mail server 127.0.0.1:1"),
])
def test_mail_settings_errors_say_what_is_wrong_and_write_nothing(
        vault: VaultFactory, run: Run, config_home: Path,
        settings: dict[str, str | int] | None, says: str) -> None:
    root = vault(TWO)
    before = snapshot(root)
    if settings is not None:
        values = dict(settings)
        path = write_mail_config(config_home, int(values.pop("port", 2525)), **values)
        if "sender" in values and not values["sender"]:
            path.write_text(path.read_text().replace('sender = ""\n', ""))
    code, out, err = send(run, root, env={"PLAINCRM_SMTP_PASSWORD": ""})
    assert code == 14, (out, err)
    assert says in err
    if settings is None or not {"user", "port"} & set(settings):
        assert str(config_home / "plaincrm" / "mail.toml") in err  # the file to fix
    assert snapshot(root) == before


def test_login_with_the_password_from_the_environment(vault: VaultFactory, run: Run,
                                                      config_home: Path) -> None:
    root = vault(TWO)
    with Server(login=("ben", "s3cret wörd")) as smtp:
        write_mail_config(config_home, smtp.port, user="ben", password_env="BB_MAIL_PASSWORD")
        before = snapshot(root)
        code, _, err = send(run, root, env={"BB_MAIL_PASSWORD": "wrong"})
        assert code == 14 and "refused the login of ben: 535" in err
        assert snapshot(root) == before and smtp.received == []
        code, out, _ = send(run, root, env={"BB_MAIL_PASSWORD": "s3cret wörd"})
        assert code == 0, out
        assert len(smtp.received) == 2


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_a_verified_certificate(
        vault: VaultFactory, run: Run, config_home: Path,
        certificate: tuple[Path, Path], security: str) -> None:
    root = vault(TWO)
    context = _server_context(certificate)
    server = Server(starttls=context) if security == "starttls" else Server(tls=context)
    with server as smtp:
        write_mail_config(config_home, smtp.port, security=security,
                          cafile=str(certificate[0]))
        code, out, err = send(run, root)
        assert code == 0, (out, err)
        assert len(smtp.received) == 2


def test_an_unknown_certificate_or_no_starttls_sends_nothing(
        vault: VaultFactory, run: Run, config_home: Path,
        certificate: tuple[Path, Path]) -> None:
    root = vault(TWO)
    before = snapshot(root)
    with Server(starttls=_server_context(certificate)) as smtp:
        write_mail_config(config_home, smtp.port, security="starttls")  # system CAs only
        code, _, err = send(run, root)
        assert code == 14 and "TLS with 127.0.0.1:" in err
    with Server() as smtp:
        write_mail_config(config_home, smtp.port, security="starttls")
        code, _, err = send(run, root)
        assert code == 14 and "does not offer STARTTLS" in err
        assert smtp.received == []
    assert snapshot(root) == before


def test_one_run_sends_at_a_time(vault: VaultFactory, run: Run, config_home: Path) -> None:
    root = vault(TWO)
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        lock = default_db_path(root.resolve()).parent / "outreach.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            code, _, err = send(run, root)
            assert code == 14 and "another plaincrm outreach is sending" in err
            assert smtp.received == []
        finally:
            os.close(fd)
        assert send(run, root)[0] == 0
        assert len(smtp.received) == 2


def test_the_daily_cap_holds_the_rest_for_a_later_run(vault: VaultFactory,
                                                      config_home: Path) -> None:
    root = vault({**TWO, "ann.md": PROFILES["zoe.md"].replace("Zoë Harrington", "Ann Other")
                  .replace("zoe@", "ann@")})
    day = dt.date(2026, 11, 20)
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        for n in (1, 2, 3):
            vault_ = open_vault(root)
            try:
                vault_.refresh()
                vault_.config = Config({"outreach.occasions": ["birthday"],
                                        "outreach.daily_cap": 2})
                result = outreach_run(vault_, Request(day=day, send=True))
            finally:
                vault_.close()
            if n == 1:
                assert [o.result for o in result.outcomes] == ["sent", "sent"]
                assert len(result.plan.of(Action.HOLD)) == 1
                assert "over the daily cap of 2" in "\n".join(result.lines())
            else:
                assert result.outcomes == [] and len(result.plan.of(Action.HOLD)) == 1
        assert len(smtp.received) == 2
        # the next day the held one goes out (one day late, inside the catch-up days)
        vault_ = open_vault(root)
        try:
            vault_.refresh()
            vault_.config = Config({"outreach.occasions": ["birthday"],
                                    "outreach.daily_cap": 2})
            result = outreach_run(vault_, Request(day=day + dt.timedelta(days=1), send=True))
        finally:
            vault_.close()
        assert [o.result for o in result.outcomes] == ["sent"]
        assert len(smtp.received) == 3


def test_a_progress_bar_on_a_terminal_only(vault: VaultFactory, config_home: Path,
                                           tmp_path: Path) -> None:
    root = vault(TWO)
    env = {**os.environ, "TERM": "dumb"}
    with Server() as smtp:
        write_mail_config(config_home, smtp.port)
        cmd = [sys.executable, "-m", "plaincrm", "--vault", str(root), "outreach", "--date",
               DAY, "--occasion", "birthday", "--send"]
        done, seen = run_with_terminal_stderr(cmd, env, timeout=60)
        assert done.returncode == 0, done.stdout
        assert b"Sending" in seen
        assert b"Sent 2 of 2" in done.stdout
        assert len(smtp.received) == 2


def test_the_mail_error_is_one_of_plaincrm_s_errors_with_its_documented_code() -> None:
    """Every exit code sits in plaincrm/errors.py, each in docs/cli.md's table; 14 is mail."""
    import inspect
    import re

    from plaincrm import errors

    classes = {name: cls for name, cls in inspect.getmembers(errors, inspect.isclass)
               if issubclass(cls, errors.PlaincrmError)}
    assert classes["MailError"].exit_code == 14
    table = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert {cls.exit_code for cls in classes.values()} <= documented
