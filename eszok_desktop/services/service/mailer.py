"""Sending a card by e-mail (SMTP, smtplib), the PDF attached. The SMTP password lives in
the OS keyring, never in settings files."""

from __future__ import annotations

import enum
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import keyring
from keyring.errors import KeyringError
from sqlalchemy.orm import Session

from eszok_desktop.services.errors import ServiceError, ValidationError
from eszok_desktop.services.service import cards
from eszok_desktop.services.service.card_pdf import Issuer, card_pdf

KEYRING_SERVICE = "eszok-smtp"
TIMEOUT_S = 15
ADDRESS_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class Security(enum.StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str = ""
    sender: str = ""
    sender_name: str = ""
    security: Security = Security.STARTTLS

    @property
    def configured(self) -> bool:
        return bool(self.host.strip() and self.sender.strip())


class MailFailure(enum.StrEnum):
    UNREACHABLE = "unreachable"
    AUTH = "auth"
    TLS = "tls"
    RECIPIENT_REFUSED = "recipient_refused"
    SENDER_REFUSED = "sender_refused"
    REJECTED = "rejected"
    NOT_CONFIGURED = "not_configured"


@dataclass
class MailError(ServiceError):
    """The mail was not accepted by the server; ``failure`` says why."""

    failure: MailFailure
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.failure}: {self.detail}"


def store_password(user: str, password: str) -> None:
    keyring.set_password(KEYRING_SERVICE, user, password)


def load_password(user: str) -> str | None:
    if not user:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except KeyringError:
        return None


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by commas, semicolons or spaces; ValidationError if one is bad."""
    found = [a for a in re.split(r"[,;\s]+", text.strip()) if a]
    if not found:
        raise ValidationError("recipients", "required")
    for address in found:
        if not ADDRESS_RE.match(address):
            raise ValidationError("recipients", "invalid")
    return found


def build_message(
    settings: SmtpSettings,
    recipients: list[str],
    subject: str,
    body: str,
    attachment_name: str,
    attachment: bytes,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.sender_name, settings.sender))
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(body)
    message.add_attachment(
        attachment, maintype="application", subtype="pdf", filename=attachment_name
    )
    return message


def send_message(settings: SmtpSettings, password: str | None, message: EmailMessage) -> None:
    """Hand ``message`` to the server; returns only when the server accepted it for every
    recipient, otherwise raises MailError."""
    if not settings.configured:
        raise MailError(MailFailure.NOT_CONFIGURED)
    context = ssl.create_default_context()
    try:
        if settings.security is Security.SSL:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT_S, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S)
        with client:
            client.ehlo()
            if settings.security is Security.STARTTLS:
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                client.login(settings.user, password or "")
            refused = client.send_message(message)
            if refused:
                raise MailError(MailFailure.RECIPIENT_REFUSED, ", ".join(refused))
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(MailFailure.AUTH, str(exc)) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(MailFailure.RECIPIENT_REFUSED, ", ".join(exc.recipients)) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(MailFailure.SENDER_REFUSED, str(exc)) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(MailFailure.TLS, str(exc)) from exc
    except ssl.SSLError as exc:
        raise MailError(MailFailure.TLS, str(exc)) from exc
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError) as exc:
        if isinstance(exc, smtplib.SMTPResponseException):
            raise MailError(MailFailure.REJECTED, str(exc)) from exc
        raise MailError(MailFailure.UNREACHABLE, str(exc)) from exc
    except smtplib.SMTPException as exc:
        raise MailError(MailFailure.REJECTED, str(exc)) from exc


def card_subject(card: cards.CardDetails) -> str:
    return f"Karta zadaniowa {card.number} — {card.draft.company_name}"


def card_body(card: cards.CardDetails, issuer: Issuer) -> str:
    return (
        "Dzień dobry,\n\n"
        f"w załączniku przesyłamy kartę zadaniową {card.number} z dnia "
        f"{card.draft.work_date:%d.%m.%Y}.\n\n"
        f"Z poważaniem\n{card.technician}\n{issuer.name}\n"
    )


def attachment_name(card: cards.CardDetails) -> str:
    return "karta-" + card.number.replace("/", "-") + ".pdf"


def send_card(
    session: Session,
    card_id: int,
    recipients_text: str,
    settings: SmtpSettings,
    password: str | None,
    issuer: Issuer | None = None,
) -> cards.CardDetails:
    """E-mail the card's PDF; recorded on the card (sent_at, sent_to) only after the
    server accepted the message. Runs on a worker thread (network and database)."""
    issuer = issuer or Issuer()
    recipients = parse_recipients(recipients_text)
    card = cards.get_card(session, card_id)
    message = build_message(
        settings,
        recipients,
        card_subject(card),
        card_body(card, issuer),
        attachment_name(card),
        card_pdf(card, issuer),
    )
    send_message(settings, password, message)
    cards.record_sent(session, card_id, ", ".join(recipients))
    return cards.get_card(session, card_id)
