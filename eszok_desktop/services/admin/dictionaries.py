"""Dictionaries the administrator edits: event kinds per calendar (F-CALS) and kinds of
work for task cards (F-CARDS).

A kind some record uses can be retired (``active = false``: no longer offered for new
records) but not deleted; the database enforces both (migration 0003 triggers), and
only administrators pass the write policies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.admin.errors import NotFound, conflict, translated
from eszok_desktop.services.errors import PermissionDenied, ValidationError

MAX_NAME = 60


class Dictionary(enum.StrEnum):
    EVENT_KINDS = "event_kinds"
    WORK_KINDS = "work_kinds"


# (table, referencing table, referencing column): names fixed here, never from input.
_TABLES = {
    Dictionary.EVENT_KINDS: ("eszok.event_kinds", "eszok.events", "kind_id"),
    Dictionary.WORK_KINDS: ("eszok.work_kinds", "eszok.cards", "work_kind_id"),
}


@dataclass(frozen=True)
class Calendar:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Kind:
    id: int
    calendar_id: int | None  # None for kinds of work
    name: str
    active: bool
    sort_order: int
    in_use: bool
    version: int


def validate_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("name", "required")
    if len(name) > MAX_NAME:
        raise ValidationError("name", "too_long", MAX_NAME)
    return name


def list_calendars(session: Session) -> list[Calendar]:
    """The calendars (Handlowy, Serwis, Nieobecności), in their order."""
    rows = session.execute(text("SELECT id, code, name FROM eszok.calendars ORDER BY sort_order"))
    return [Calendar(*row) for row in rows]


def list_kinds(
    session: Session, dictionary: Dictionary, calendar_id: int | None = None
) -> list[Kind]:
    """The kinds of one dictionary (event kinds: of one calendar), active first."""
    table, ref_table, ref_col = _TABLES[dictionary]
    calendar = "k.calendar_id" if dictionary is Dictionary.EVENT_KINDS else "NULL::smallint"
    where = "k.calendar_id = :c" if calendar_id is not None else "TRUE"
    rows = session.execute(
        text(
            f"SELECT k.id, {calendar}, k.name, k.active, k.sort_order, "
            f"EXISTS (SELECT 1 FROM {ref_table} r WHERE r.{ref_col} = k.id), k.version "
            f"FROM {table} k WHERE {where} ORDER BY NOT k.active, k.sort_order, k.name"
        ),
        {"c": calendar_id},
    )
    return [Kind(*row) for row in rows]


def add_kind(
    session: Session, dictionary: Dictionary, name: str, calendar_id: int | None = None
) -> int:
    """Add a kind at the end of its list; names are unique (per calendar)."""
    name = validate_name(name)
    table = _TABLES[dictionary][0]
    with translated(unique_field="name"):
        if dictionary is Dictionary.EVENT_KINDS:
            if calendar_id is None:
                raise ValidationError("calendar", "required")
            sql = (
                f"INSERT INTO {table} (calendar_id, name, sort_order) "
                f"SELECT :c, :n, coalesce(max(sort_order), 0) + 1 FROM {table} "
                "WHERE calendar_id = :c RETURNING id"
            )
        else:
            sql = (
                f"INSERT INTO {table} (name, sort_order) "
                f"SELECT :n, coalesce(max(sort_order), 0) + 1 FROM {table} RETURNING id"
            )
        return int(session.execute(text(sql), {"c": calendar_id, "n": name}).scalar_one())


def update_kind(
    session: Session,
    dictionary: Dictionary,
    kind_id: int,
    version: int,
    *,
    name: str,
    active: bool,
) -> None:
    """Rename, retire (``active=False``) or bring back a kind read at ``version``."""
    name = validate_name(name)
    table = _TABLES[dictionary][0]
    with translated(unique_field="name"):
        updated = session.execute(
            text(
                f"UPDATE {table} SET name = :n, active = :a, version = version + 1 "
                "WHERE id = :i AND version = :v RETURNING id"
            ),
            {"n": name, "a": active, "i": kind_id, "v": version},
        ).first()
    if updated is None:
        raise _why_not_saved(session, dictionary, kind_id)


def delete_kind(session: Session, dictionary: Dictionary, kind_id: int) -> None:
    """Delete an unused kind; one in use raises KindInUse (retire it instead)."""
    table = _TABLES[dictionary][0]
    with translated():
        deleted = session.execute(
            text(f"DELETE FROM {table} WHERE id = :i RETURNING id"), {"i": kind_id}
        ).first()
    if deleted is None:
        raise _why_not_saved(session, dictionary, kind_id)


def _why_not_saved(session: Session, dictionary: Dictionary, kind_id: int) -> Exception:
    table = _TABLES[dictionary][0]
    if (
        session.execute(text(f"SELECT 1 FROM {table} WHERE id = :i"), {"i": kind_id}).first()
        is None
    ):
        return NotFound(f"{dictionary} {kind_id}")
    if not session.execute(text("SELECT auth.has_capability('admin.users')")).scalar():
        return PermissionDenied("admin.users needed")
    return conflict(session, str(dictionary), kind_id)
