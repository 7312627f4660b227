"""Alert e-mails over SMTP (``BELFORT_ALERTS_SMTP_*``): plain text, Dutch then English."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from belfort.settings import Settings


@dataclass(frozen=True)
class Sent:
    ok: bool
    error: str | None = None


def send(settings: Settings, to: list[str], subject: str, text: str) -> Sent:
    """Send one message to ``to``; never raises (the failure is the answer)."""
    if not settings.alerts_smtp_host:
        return Sent(False, "no SMTP server configured (BELFORT_ALERTS_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.alerts_smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")[:200]
    message.set_content(text)
    host, port = settings.alerts_smtp_host, settings.alerts_smtp_port
    timeout = settings.alerts_smtp_timeout_seconds
    try:
        smtp: smtplib.SMTP
        if settings.alerts_smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.alerts_smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.alerts_smtp_user:
                smtp.login(settings.alerts_smtp_user, settings.alerts_smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return Sent(False, f"{type(exc).__name__}: {str(exc)[:200]}")
    return Sent(True)
