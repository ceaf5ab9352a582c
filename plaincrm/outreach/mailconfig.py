"""Where mail goes out: the SMTP settings in the user's config folder, never in the vault.

``mail.toml`` in ``platformdirs.user_config_dir("plaincrm")`` (``~/.config/plaincrm`` on
Linux)::

    [smtp]
    host = "smtp.example.com"
    port = 587                   # default: 587 for starttls, 465 for tls, 25 for none
    security = "starttls"        # starttls | tls | none (none: this machine only)
    user = "ben@brightboilers.example"          # leave out when the server needs no login
    sender = "Bright Boilers <hello@brightboilers.example>"
    password_env = "PLAINCRM_SMTP_PASSWORD"     # the variable holding the password
    cafile = ""                  # a CA bundle to trust instead of the system's
    timeout = 60                 # seconds per server reply

The password comes from the environment variable, else from the system keyring (service
``plaincrm``, the user name) when the ``keyring`` package is installed; never from a file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

import platformdirs

from plaincrm.errors import MailError

FILE_NAME = "mail.toml"
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK = ("localhost", "127.0.0.1", "::1")
KEYRING_SERVICE = "plaincrm"
KEYS = ("host", "port", "security", "user", "sender", "password_env", "cafile", "timeout")


@dataclass(frozen=True, slots=True)
class MailSettings:
    path: Path
    sender: Address
    host: str = ""
    port: int = 0
    security: str = "starttls"
    user: str = ""
    password_env: str = "PLAINCRM_SMTP_PASSWORD"
    cafile: str = ""
    timeout: float = 60.0


def config_path() -> Path:
    return Path(platformdirs.user_config_dir("plaincrm")) / FILE_NAME


EXAMPLE = """[smtp]
host = "smtp.example.com"
port = 587
security = "starttls"
user = "you@example.com"
sender = "Your Firm <you@example.com>"
"""


def load(path: Path | None = None, need_server: bool = True) -> MailSettings:
    """The mail settings; MailError saying what is missing or wrong. ``need_server=False``
    (drafts) needs only the sender."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise MailError(f"no mail settings: create {path} with at least\n{EXAMPLE}"
                        "(see docs/outreach.md)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MailError(f"{path}: cannot be read: {exc}") from None
    smtp = data.get("smtp")
    if not isinstance(smtp, dict):
        raise MailError(f"{path}: no [smtp] table")
    if "password" in smtp:
        raise MailError(f"{path}: a password is never read from a file; put it in the "
                        "environment variable named by password_env, or the system keyring")
    unknown = sorted(set(smtp) - set(KEYS))
    if unknown:
        raise MailError(f"{path}: unknown key {unknown[0]!r} in [smtp]; keys: "
                        f"{', '.join(KEYS)}")
    for key in ("host", "security", "user", "sender", "password_env", "cafile"):
        if key in smtp and not isinstance(smtp[key], str):
            raise MailError(f"{path}: {key} must be text")
    sender = _sender(path, smtp.get("sender", ""))
    security = smtp.get("security", "starttls")
    if security not in SECURITY:
        raise MailError(f"{path}: security must be one of {', '.join(SECURITY)}, not "
                        f"{security!r}")
    host = smtp.get("host", "").strip()
    port = smtp.get("port", DEFAULT_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise MailError(f"{path}: port must be a number from 1 to 65535")
    timeout = smtp.get("timeout", 60)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not \
            0 < timeout <= 3600:
        raise MailError(f"{path}: timeout must be a number of seconds from 1 to 3600")
    if need_server:
        if not host:
            raise MailError(f"{path}: say which server sends the mail: host = \"…\" in [smtp]")
        if security == "none" and host not in LOOPBACK:
            raise MailError(f"{path}: security = \"none\" is only for a server on this machine "
                            f"({', '.join(LOOPBACK)}); use starttls or tls for {host}")
    return MailSettings(path, sender, host, port, security, smtp.get("user", "").strip(),
                        smtp.get("password_env", "PLAINCRM_SMTP_PASSWORD").strip(),
                        smtp.get("cafile", "").strip(), float(timeout))


def _sender(path: Path, text: str) -> Address:
    if not text.strip():
        raise MailError(f"{path}: say who the mail is from: sender = \"Your Firm "
                        "<you@example.com>\" in [smtp]")
    name, addr = parseaddr(text)
    user, at, domain = addr.rpartition("@")
    if not at or not user or "." not in domain or not addr.isascii():
        raise MailError(f"{path}: sender {text!r} is not an address such as "
                        "\"Your Firm <you@example.com>\"")
    return Address(display_name=name, username=user, domain=domain)


def password(settings: MailSettings) -> str | None:
    """The login password: the environment variable, else the keyring; None when no login
    is configured. MailError when a login is configured and no password is found."""
    if not settings.user:
        return None
    value = os.environ.get(settings.password_env) if settings.password_env else None
    if value:
        return value
    try:
        import keyring  # type: ignore[import-not-found]  # an optional dependency
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            stored = keyring.get_password(KEYRING_SERVICE, settings.user)
        except Exception:  # a keyring backend that fails is the same as none
            stored = None
        if stored:
            return str(stored)
    raise MailError(f"no password for {settings.user}: set the environment variable "
                    f"{settings.password_env}, or store it in the system keyring "
                    f"(keyring set {KEYRING_SERVICE} {settings.user})")
