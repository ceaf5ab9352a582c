"""One message as RFC 5322 bytes: plain UTF-8 text, encoded non-ASCII headers, CRLF lines.

The same bytes are written as a draft (``.eml``) and handed to the SMTP server. The Message-ID
is derived from the profile and the occasion key, so a message has one id whenever it is made:
the ledger records it before sending, and a mail program that somehow got it twice sees one.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage

from plaincrm.model import Profile
from plaincrm.outreach.template import Rendered

POLICY = email.policy.SMTP  # CRLF line ends, RFC 2047 encoded words for non-ASCII headers


def message_id(profile: Profile, key: str, domain: str) -> str:
    """``<key.hash@domain>``: stable for this profile and occasion, with no name in it."""
    who = profile.id or profile.path
    digest = hashlib.sha256(f"{who}\0{key}".encode()).hexdigest()[:16]
    return f"<{key}.{digest}@{domain}>"


def display(text: str) -> str:
    """A display name or subject on one line, without control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def build(rendered: Rendered, sender: Address, name: str, address: str, msgid: str,
          when: dt.datetime) -> EmailMessage:
    """The message to ``name <address>`` from ``sender``, dated ``when`` (aware)."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    user, _, domain = address.rpartition("@")
    msg["To"] = Address(display_name=display(name), username=user, domain=domain)
    msg["Subject"] = rendered.subject
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = msgid
    if rendered.reply_to:
        msg["Reply-To"] = rendered.reply_to
    msg.set_content(rendered.body, charset="utf-8", cte="quoted-printable")
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=POLICY)
