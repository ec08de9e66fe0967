"""Task cards: create, edit, close/reopen, delete, list with filters, history, and the
pre-filled draft for a Serwis event. All rules that matter are repeated by the database
(row-level security, constraints and triggers in migration 0002)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eszok_desktop.models import Card, WorkKind
from eszok_desktop.services.errors import (
    ConflictError,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from eszok_desktop.services.like_pattern import escape_like
from eszok_desktop.services.service.card_filter import (
    COMPANY_IDS_LIMIT,
    CardFilter,
    CardSort,
    CardState,
    after_clause,
    filter_clause,
    key_columns,
    needs_company_ids,
    order_clause,
)
from eszok_desktop.services.service.card_rules import CardDraft, check_draft
from eszok_desktop.services.service.hours import hours_from_duration

LOCAL_ZONE = ZoneInfo("Europe/Warsaw")
PAGE_SIZE = 200
DEFAULT_SORT = CardSort()


class CardNotFound(ServiceError):
    """The card does not exist, was deleted, or is not visible to the user."""


class CardClosed(ServiceError):
    """A closed card is read-only until it is reopened."""


@dataclass(frozen=True)
class WorkKindItem:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Technician:
    id: int
    full_name: str


@dataclass(frozen=True)
class CardRow:
    """One line of the card list."""

    id: int
    number: str
    work_date: date
    company_name: str
    company_nip: str | None
    work_kind: str
    hours: Decimal
    technician: str
    state: CardState
    sent_at: datetime | None


@dataclass(frozen=True)
class CardPage:
    rows: list[CardRow]
    cursor: tuple[Any, ...] | None  # None: no more rows after these


@dataclass(frozen=True)
class CardTotals:
    count: int
    hours: Decimal


@dataclass(frozen=True)
class CardDetails:
    """A card as the form, the PDF and the e-mail need it."""

    id: int
    number: str
    version: int
    state: CardState
    draft: CardDraft
    work_kind: str
    technician: str
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    sent_to: str | None

    @property
    def closed(self) -> bool:
        return self.state is CardState.CLOSED


@dataclass(frozen=True)
class CompanySuggestion:
    company_name: str
    company_nip: str | None
    company_address: str
    contact_person: str
    contact_email: str | None
    contact_phone: str


@dataclass(frozen=True)
class LinkedEvent:
    """The calendar event a card was generated from (``cards.event_id``)."""

    id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one field (insert: old is None; delete: new is None)."""

    changed_at: datetime
    user: str | None
    operation: str
    field: str
    old: Any
    new: Any


def list_work_kinds(session: Session, *, active_only: bool = True) -> list[WorkKindItem]:
    query = select(WorkKind.id, WorkKind.name, WorkKind.active).order_by(
        WorkKind.sort_order, WorkKind.name
    )
    if active_only:
        query = query.where(WorkKind.active)
    return [WorkKindItem(*row) for row in session.execute(query)]


def list_technicians(session: Session) -> list[Technician]:
    """Active users whose role may have task cards (the technician picker)."""
    rows = session.execute(
        text(
            "SELECT u.id, u.full_name FROM auth.users u WHERE u.active AND EXISTS ("
            " SELECT 1 FROM eszok.role_capabilities rc"
            " WHERE rc.role = u.role AND rc.capability = 'cards.own') ORDER BY u.full_name"
        )
    )
    return [Technician(*row) for row in rows]


def _values(draft: CardDraft) -> dict[str, Any]:
    return {
        "work_date": draft.work_date,
        "company_name": draft.company_name,
        "company_nip": draft.company_nip or None,
        "company_address": draft.company_address,
        "contact_person": draft.contact_person,
        "contact_email": draft.contact_email or None,
        "contact_phone": draft.contact_phone,
        "work_kind_id": draft.work_kind_id,
        "description": draft.description,
        "hours": draft.hours,
        "technician_id": draft.technician_id,
    }


def _translate_write_error(exc: DBAPIError) -> BaseException:
    orig = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None) or ""
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        return PermissionDenied(str(orig))
    if constraint == "cards_closed":
        return CardClosed(str(orig))
    if constraint == "cards_deleted":
        return CardNotFound(str(orig))
    if constraint == "cards_event":
        return ValidationError("event_id", "unknown")
    if constraint == "cards_work_kind_id_fkey":
        return ValidationError("work_kind_id", "unknown")
    if constraint == "cards_technician_id_fkey":
        return ValidationError("technician_id", "unknown")
    if isinstance(orig, psycopg.errors.CheckViolation | psycopg.errors.ForeignKeyViolation):
        return ValidationError("card", "invalid")
    return exc


def create_card(session: Session, draft: CardDraft) -> CardDetails:
    """Save a new card; the database assigns its number (``KZ/2026/0001``)."""
    clean = check_draft(draft)
    card = Card(**_values(clean), event_id=clean.event_id, state=str(CardState.OPEN))
    try:
        with session.begin_nested():
            session.add(card)
            session.flush()
    except DBAPIError as exc:
        raise _translate_write_error(exc) from exc
    return get_card(session, card.id)


def _load(session: Session, card_id: int, version: int) -> Card:
    # Row-locked: a save racing ours waits here and then sees the new version. Without
    # the lock the race ends in the flush's StaleDataError, raised while begin_nested()
    # flushes *before* its savepoint, so the transaction is dead and no ConflictError
    # naming the other user can be built.
    card = session.get(Card, card_id, populate_existing=True, with_for_update=True)
    if card is None or card.deleted_at is not None:
        raise CardNotFound(str(card_id))
    if card.version != version:
        raise _conflict(session, card_id)
    return card


def _conflict(session: Session, card_id: int) -> ConflictError:
    """Who saved the card last (from the change log)."""
    row = session.execute(
        text(
            "SELECT u.full_name, l.changed_at FROM audit.change_log l"
            " LEFT JOIN auth.users u ON u.id = l.user_id"
            " WHERE l.table_name = 'cards' AND l.record_id = :id ORDER BY l.id DESC LIMIT 1"
        ),
        {"id": card_id},
    ).first()
    return ConflictError(row[0] if row else None, row[1] if row else None)


def _flush(session: Session, card: Card) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError as exc:
        raise _conflict(session, card.id) from exc
    except DBAPIError as exc:
        raise _translate_write_error(exc) from exc


def update_card(session: Session, card_id: int, version: int, draft: CardDraft) -> CardDetails:
    """Save the form's changes; ConflictError when someone saved meanwhile."""
    clean = check_draft(draft)
    card = _load(session, card_id, version)
    if card.state == CardState.CLOSED:
        raise CardClosed(card.number)
    for name, value in _values(clean).items():
        setattr(card, name, value)
    _flush(session, card)
    return get_card(session, card_id)


def set_state(session: Session, card_id: int, version: int, state: CardState) -> CardDetails:
    """Close a card (it becomes read-only) or reopen it."""
    card = _load(session, card_id, version)
    card.state = str(state)
    _flush(session, card)
    return get_card(session, card_id)


def delete_card(session: Session, card_id: int, version: int) -> None:
    """Soft delete: the card leaves every list; its number and history stay."""
    card = _load(session, card_id, version)
    if card.state == CardState.CLOSED:
        raise CardClosed(card.number)
    card.deleted_at = datetime.now(LOCAL_ZONE)
    _flush(session, card)


def record_sent(session: Session, card_id: int, recipients: str) -> None:
    """Note on the card that the mail server accepted it for ``recipients``.

    Deliberately not version-checked: the sending happened whatever else changed.
    """
    card = session.get(Card, card_id, populate_existing=True)
    if card is None or card.deleted_at is not None:
        raise CardNotFound(str(card_id))
    card.sent_at = datetime.now(LOCAL_ZONE)
    card.sent_to = recipients[:1000]
    _flush(session, card)


_DETAIL_SQL = """
SELECT c.*, k.name AS work_kind, t.full_name AS technician, cb.full_name AS creator
  FROM eszok.cards c
  JOIN eszok.work_kinds k ON k.id = c.work_kind_id
  JOIN auth.users t ON t.id = c.technician_id
  JOIN auth.users cb ON cb.id = c.created_by
 WHERE c.id = :id AND c.deleted_at IS NULL
"""


def get_card(session: Session, card_id: int) -> CardDetails:
    row = session.execute(text(_DETAIL_SQL), {"id": card_id}).mappings().first()
    if row is None:
        raise CardNotFound(str(card_id))
    draft = CardDraft(
        work_date=row["work_date"],
        company_name=row["company_name"],
        work_kind_id=row["work_kind_id"],
        hours=row["hours"],
        technician_id=row["technician_id"],
        company_nip=row["company_nip"] or "",
        company_address=row["company_address"],
        contact_person=row["contact_person"],
        contact_email=row["contact_email"] or "",
        contact_phone=row["contact_phone"],
        description=row["description"],
        event_id=row["event_id"],
    )
    return CardDetails(
        id=row["id"],
        number=row["number"],
        version=row["version"],
        state=CardState(row["state"]),
        draft=draft,
        work_kind=row["work_kind"],
        technician=row["technician"],
        created_by=row["creator"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        sent_to=row["sent_to"],
    )


def resolve_company(session: Session, card_filter: CardFilter) -> CardFilter:
    """``card_filter`` with the ids of the cards matching its company when that makes the
    search use the trigram index (see ``needs_company_ids``); past COMPANY_IDS_LIMIT
    matches a plain scan is cheaper than fetching them by id, so the ids are dropped."""
    if not needs_company_ids(card_filter):
        return card_filter
    ids = session.execute(
        text("SELECT eszok.cards_with_company(:p)"), {"p": escape_like(card_filter.company.strip())}
    ).scalar_one()
    if len(ids) > COMPANY_IDS_LIMIT:
        return card_filter
    return replace(card_filter, company_ids=tuple(ids))


_LIST_FROM = """
  FROM eszok.cards c
  JOIN eszok.work_kinds k ON k.id = c.work_kind_id
  JOIN auth.users u ON u.id = c.technician_id
"""


def list_cards(
    session: Session,
    card_filter: CardFilter,
    sort: CardSort = DEFAULT_SORT,
    *,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> CardPage:
    """One page of the cards matching ``card_filter`` in ``sort`` order, continuing after
    ``after`` (the previous page's cursor)."""
    where, params = filter_clause(resolve_company(session, card_filter))
    keyset, key_params = after_clause(sort, after)
    if keyset:
        where = f"{where} AND {keyset}"
    params.update(key_params)
    params["limit"] = limit
    sql = (
        "SELECT c.id, c.number, c.work_date, c.company_name, c.company_nip, k.name,"
        f" c.hours, u.full_name, c.state, c.sent_at, {key_columns(sort)}"
        f" {_LIST_FROM} WHERE {where} ORDER BY {order_clause(sort)} LIMIT :limit"
    )
    result = session.execute(text(sql), params).all()
    rows = [
        CardRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], CardState(r[8]), r[9])
        for r in result
    ]
    cursor = None
    if len(result) == limit:
        last = result[-1]
        cursor = (*last[10:], last[0])
    return CardPage(rows, cursor)


def count_cards(session: Session, card_filter: CardFilter) -> CardTotals:
    """How many cards match and their total hours."""
    where, params = filter_clause(resolve_company(session, card_filter))
    row = session.execute(
        text(
            f"SELECT count(*), coalesce(sum(c.quarters), 0) / 4.0 FROM eszok.cards c WHERE {where}"
        ),
        params,
    ).one()
    return CardTotals(int(row[0]), Decimal(row[1]).quantize(Decimal("0.01")))


def company_suggestions(session: Session, prefix: str, limit: int = 15) -> list[CompanySuggestion]:
    """Companies of earlier cards whose name contains ``prefix`` (diacritic- and
    case-insensitive), each with the data of its latest card, for completion."""
    typed = prefix.strip()
    if len(typed) < 2:
        return []
    rows = session.execute(
        text(
            "SELECT company_name, company_nip, company_address, contact_person, contact_email,"
            " contact_phone FROM ("
            " SELECT DISTINCT ON (c.company_folded) c.*"
            "   FROM eszok.cards c WHERE c.deleted_at IS NULL"
            "    AND c.company_folded LIKE '%' || eszok.fold_text(:p) || '%' ESCAPE '\\'"
            "  ORDER BY c.company_folded, c.id DESC) s"
            " ORDER BY company_folded NOT LIKE eszok.fold_text(:p) || '%' ESCAPE '\\',"
            " company_name LIMIT :limit"
        ),
        {"p": escape_like(typed), "limit": limit},
    )
    return [CompanySuggestion(*row) for row in rows]


def draft_from_event(session: Session, event_id: int, me: int, *, may_assign: bool) -> CardDraft:
    """A card draft pre-filled from a Serwis event: company, address, date, hours from its
    duration, technician (responsible person, else a participant) and note.

    ``may_assign`` (cards.all) allows another technician; otherwise the card is ``me``'s.
    """
    row = (
        session.execute(
            text(
                "SELECT e.*, c.code AS calendar_code FROM eszok.events e"
                " JOIN eszok.calendars c ON c.id = e.calendar_id WHERE e.id = :id"
            ),
            {"id": event_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError("event_id", "unknown")
    if row["calendar_code"] != "serwis":
        raise ValidationError("event_id", "not_service")
    technicians = {t.id for t in list_technicians(session)}
    technician = me
    if may_assign:
        candidates = [row["responsible_id"], *row["participant_ids"]]
        technician = next((c for c in candidates if c in technicians), me)
    start = row["starts_at"].astimezone(LOCAL_ZONE)
    kinds = list_work_kinds(session)
    kind = next((k.id for k in kinds if k.name == "Serwis"), kinds[0].id if kinds else None)
    description = row["note"] or row["title"] or ""
    return CardDraft(
        work_date=start.date(),
        company_name=row["company_name"] or "",
        work_kind_id=kind,
        hours=hours_from_duration(row["starts_at"], row["ends_at"], all_day=row["all_day"]),
        technician_id=technician,
        company_nip=row["company_nip"] or "",
        company_address=row["company_address"] or "",
        description=description,
        event_id=event_id,
    )


def linked_event(session: Session, event_id: int) -> LinkedEvent | None:
    """The event of a card, or None when it is gone or not visible to the user."""
    row = session.execute(
        text("SELECT id, title, starts_at FROM eszok.events WHERE id = :e"), {"e": event_id}
    ).first()
    return LinkedEvent(*row) if row else None


def cards_for_event(session: Session, event_id: int) -> list[str]:
    """Numbers of the (visible, not deleted) cards generated from an event."""
    return list(
        session.execute(
            text(
                "SELECT number FROM eszok.cards WHERE event_id = :e AND deleted_at IS NULL"
                " ORDER BY id"
            ),
            {"e": event_id},
        ).scalars()
    )


HIDDEN_HISTORY_FIELDS = {
    "id",
    "number_year",
    "number_seq",
    "created_at",
    "deleted_by",
    "company_folded",
    "quarters",
}


def card_history(session: Session, card_id: int) -> list[HistoryEntry]:
    """Every recorded change of a card, oldest first, one entry per field."""
    rows = session.execute(
        text(
            "SELECT l.changed_at, u.full_name, l.operation, l.old_values, l.new_values"
            "  FROM audit.change_log l LEFT JOIN auth.users u ON u.id = l.user_id"
            " WHERE l.table_name = 'cards' AND l.record_id = :id ORDER BY l.id"
        ),
        {"id": card_id},
    )
    entries: list[HistoryEntry] = []
    for changed_at, user, op, old, new in rows:
        old = old or {}
        new = new or {}
        for field in sorted(set(old) | set(new)):
            if field in HIDDEN_HISTORY_FIELDS:
                continue
            entries.append(
                HistoryEntry(changed_at, user, op, field, old.get(field), new.get(field))
            )
    return entries


def with_event(draft: CardDraft, event_id: int | None) -> CardDraft:
    return replace(draft, event_id=event_id)
