"""Checks on a card's data before it is saved (pure functions; the database repeats the
essential ones as constraints)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.pl import nip as stdnum_nip

from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.service.hours import MAX_HOURS, is_quarter

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {
    "company_name": 200,
    "company_address": 300,
    "contact_person": 200,
    "contact_email": 254,
    "contact_phone": 50,
    "description": 10000,
}


@dataclass(frozen=True)
class CardDraft:
    """What the card form edits (and what generation from an event pre-fills)."""

    work_date: date | None
    company_name: str
    work_kind_id: int | None
    hours: Decimal | None
    technician_id: int | None
    company_nip: str = ""
    company_address: str = ""
    contact_person: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    description: str = ""
    event_id: int | None = None


def normalize_nip(text: str) -> str:
    """Digits of a NIP as typed ("123-456-32-18", "PL1234563218") or "" when empty."""
    cleaned = text.strip().upper()
    if cleaned.startswith("PL"):
        cleaned = cleaned[2:]
    return re.sub(r"[\s-]", "", cleaned)


def check_nip(text: str) -> str | None:
    """The normalised NIP, or None for an empty one; ValidationError when it is wrong."""
    digits = normalize_nip(text)
    if not digits:
        return None
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError("company_nip", "nip_format")
    if not stdnum_nip.is_valid(digits):
        raise ValidationError("company_nip", "nip_checksum")
    return digits


def check_hours(hours: Decimal | None) -> Decimal:
    if hours is None:
        raise ValidationError("hours", "required")
    if hours <= 0:
        raise ValidationError("hours", "not_positive")
    if hours > MAX_HOURS:
        raise ValidationError("hours", "too_many", int(MAX_HOURS))
    if not is_quarter(hours):
        raise ValidationError("hours", "not_quarter")
    return hours.quantize(Decimal("0.01"))


def field_errors(draft: CardDraft) -> list[ValidationError]:
    """Every problem of ``draft``, in form order (the form shows them all at once)."""
    problems: list[ValidationError] = []
    if draft.work_date is None:
        problems.append(ValidationError("work_date", "required"))
    if not draft.company_name.strip():
        problems.append(ValidationError("company_name", "required"))
    try:
        check_nip(draft.company_nip)
    except ValidationError as exc:
        problems.append(exc)
    email = draft.contact_email.strip()
    if email and not EMAIL_RE.match(email):
        problems.append(ValidationError("contact_email", "invalid"))
    for name, limit in LIMITS.items():
        if len(getattr(draft, name).strip()) > limit:
            problems.append(ValidationError(name, "too_long", limit))
    if draft.work_kind_id is None:
        problems.append(ValidationError("work_kind_id", "required"))
    try:
        check_hours(draft.hours)
    except ValidationError as exc:
        problems.append(exc)
    if draft.technician_id is None:
        problems.append(ValidationError("technician_id", "required"))
    return problems


def check_draft(draft: CardDraft) -> CardDraft:
    """``draft`` normalised for saving; raises the first ValidationError found."""
    problems = field_errors(draft)
    if problems:
        raise problems[0]
    assert draft.hours is not None
    return CardDraft(
        work_date=draft.work_date,
        company_name=draft.company_name.strip(),
        work_kind_id=draft.work_kind_id,
        hours=check_hours(draft.hours),
        technician_id=draft.technician_id,
        company_nip=check_nip(draft.company_nip) or "",
        company_address=draft.company_address.strip(),
        contact_person=draft.contact_person.strip(),
        contact_email=draft.contact_email.strip(),
        contact_phone=draft.contact_phone.strip(),
        description=draft.description.strip(),
        event_id=draft.event_id,
    )
