"""Handing messages to an SMTP server, one step at a time so every failure is told apart.

A message goes out in two steps: :meth:`Connection.offer` (MAIL FROM, RCPT TO: the server says
whether it takes the recipient; nothing is sent yet) and :meth:`Connection.deliver` (DATA: the
message itself). The runner records "being sent" between the two. Each failure says what is
known about the message:

- :class:`Refused`: the server said no (a refused recipient, a rejected message); the message
  did not go out and the connection is still usable.
- :class:`Lost`: the connection broke before the message was handed over; it did not go out.
- :class:`Unknown`: the connection broke while or after the message was handed over; it may
  have gone out. Never retried by itself: a person checks.

Connecting, TLS and the login come first, before anything is recorded: their failures are
:class:`~plaincrm.errors.MailError` and nothing in the vault is written.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import ssl
from types import TracebackType

from plaincrm.errors import MailError
from plaincrm.outreach.mailconfig import MailSettings


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(SendError):
    """The server refused this message: it did not go out."""


class Lost(SendError):
    """The connection broke before the message was handed over: it did not go out."""


class Unknown(SendError):
    """The connection broke while the message was handed over: it may have gone out."""


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}".strip()


class Connection:
    """One logged-in SMTP session."""

    def __init__(self, settings: MailSettings, password: str | None) -> None:
        self.settings = settings
        where = f"{settings.host}:{settings.port}"
        context = ssl.create_default_context(cafile=settings.cafile or None)
        try:
            if settings.security == "tls":
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=context)
            else:
                self.smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            self.smtp.ehlo()
            if settings.security == "starttls":
                if not self.smtp.has_extn("starttls"):
                    self.smtp.close()
                    raise MailError(f"{where} does not offer STARTTLS; plaincrm does not send "
                                    "unencrypted (use security = \"tls\" if it takes TLS)")
                self.smtp.starttls(context=context)
                self.smtp.ehlo()
            if password is not None:
                self._login(settings.user, password)
        except MailError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailError(f"{where} refused the login of {settings.user}: "
                            f"{_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            self.close()
            raise MailError(f"{where} offers no login plaincrm can use (AUTH PLAIN or LOGIN); "
                            f"leave out user in "
                            f"{settings.path}") from None
        except ssl.SSLError as exc:
            self.close()
            raise MailError(f"TLS with {where} failed: {exc.reason or exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"cannot talk to the mail server {where}: {exc}") from None

    def _login(self, user: str, password: str) -> None:
        """Log in once, with PLAIN or LOGIN (UTF-8, RFC 4616: smtplib's own login sends
        ASCII only, and tries every mechanism in turn). SMTPAuthenticationError if refused."""
        offered = self.smtp.esmtp_features.get("auth", "").upper().split()

        def b64(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        if "PLAIN" in offered:
            code, reply = self.smtp.docmd("AUTH", "PLAIN " + b64(f"\0{user}\0{password}"))
        elif "LOGIN" in offered:
            code, reply = self.smtp.docmd("AUTH", "LOGIN")
            if code == 334:
                code, reply = self.smtp.docmd(b64(user))
            if code == 334:
                code, reply = self.smtp.docmd(b64(password))
        else:
            raise smtplib.SMTPNotSupportedError("no AUTH mechanism plaincrm knows")
        if code not in (235, 503):  # 503: already logged in
            raise smtplib.SMTPAuthenticationError(code, reply)

    def offer(self, sender: str, recipient: str) -> None:
        """MAIL FROM and RCPT TO: Refused when the server will not take it, Lost when the
        connection is gone. Nothing has been sent either way."""
        try:
            code, message = self.smtp.mail(sender)
            if code != 250:
                self._reset()
                raise Refused(_reply(code, message))
            code, message = self.smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise Refused(_reply(code, message))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Lost(str(exc) or "the server closed the connection") from None

    def deliver(self, data: bytes) -> None:
        """DATA: returns when the server has accepted the message. Refused when it said no;
        Unknown when the connection broke on the way (it may have gone out)."""
        try:
            code, message = self.smtp.data(data)
        except smtplib.SMTPDataError as exc:
            self._reset()
            raise Refused(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
            raise Unknown(str(exc) or "the server closed the connection") from None
        if code != 250:  # the server answered the message itself with a refusal
            self._reset()
            raise Refused(_reply(code, message))

    def cancel(self) -> None:
        """Give up the message offered (RSET)."""
        self._reset()

    def _reset(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.smtp.rset()

    def close(self) -> None:
        if not hasattr(self, "smtp"):
            return  # the connection never opened
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
