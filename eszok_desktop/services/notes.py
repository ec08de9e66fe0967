"""Notatki (F-NOTES): the signed-in user's private to-do notes.

Notes are private by row-level security (policy ``notes_own``) and audited by the generic
trigger; this module adds the friendly checks (Polish messages in the UI) and optimistic
locking: every change names the version the user saw, and a note changed meanwhile (in
another client) raises ConflictError with who changed it and when, from the change log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eszok_desktop.models import ChangeLog, Event, Note, User
from eszok_desktop.services.errors import ConflictError, ServiceError, ValidationError
from eszok_desktop.services.time_left import LOCAL_ZONE, deadline_from_parts, effective_deadline

# The database CHECKs on eszok.notes (migration 0001).
TITLE_MAX = 200
BODY_MAX = 10000

EVENTS_BACK = timedelta(days=30)
EVENTS_AHEAD = timedelta(days=90)
EVENTS_LIMIT = 300


class NoteNotFound(ServiceError):
    """The note does not exist (any more) or is not the signed-in user's."""


class NoteDeleted(ConflictError):
    """The note was deleted meanwhile (in another client); who and when are known."""


@dataclass(frozen=True)
class NoteDraft:
    """What the note form edits. A deadline is a date, optionally with a clock time."""

    title: str
    body: str = ""
    deadline_date: date | None = None
    deadline_time: time | None = None
    event_id: int | None = None

    def deadline(self, zone: ZoneInfo = LOCAL_ZONE) -> datetime | None:
        """The stored deadline: the instant, or local midnight starting a date-only day."""
        if self.deadline_date is None:
            return None
        return deadline_from_parts(self.deadline_date, self.deadline_time, zone)

    @property
    def has_time(self) -> bool:
        return self.deadline_date is not None and self.deadline_time is not None


@dataclass(frozen=True)
class NoteData:
    id: int
    title: str
    body: str
    deadline: datetime | None
    deadline_has_time: bool
    event_id: int | None
    event_title: str | None  # None also when the linked event is not visible any more
    event_starts_at: datetime | None
    done_at: datetime | None
    created_at: datetime
    version: int

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def due(self, zone: ZoneInfo = LOCAL_ZONE) -> datetime | None:
        """When the note falls due (a date-only deadline: the end of that local day)."""
        if self.deadline is None:
            return None
        return effective_deadline(self.deadline, self.deadline_has_time, zone)

    def draft(self, zone: ZoneInfo = LOCAL_ZONE) -> NoteDraft:
        """The note as the form edits it."""
        local = self.deadline.astimezone(zone) if self.deadline is not None else None
        return NoteDraft(
            title=self.title,
            body=self.body,
            deadline_date=local.date() if local else None,
            deadline_time=local.time().replace(tzinfo=None)
            if local and self.deadline_has_time
            else None,
            event_id=self.event_id,
        )


@dataclass(frozen=True)
class NoteLists:
    active: tuple[NoteData, ...]
    done: tuple[NoteData, ...]


@dataclass(frozen=True)
class EventChoice:
    """An event a note can be linked to, as the picker shows it."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool


def validate_draft(draft: NoteDraft) -> NoteDraft:
    """The draft with its title trimmed, or ValidationError (field, code, limit)."""
    title = draft.title.strip()
    if not title:
        raise ValidationError("title", "required")
    if len(title) > TITLE_MAX:
        raise ValidationError("title", "too_long", TITLE_MAX)
    if len(draft.body) > BODY_MAX:
        raise ValidationError("body", "too_long", BODY_MAX)
    if draft.deadline_time is not None and draft.deadline_date is None:
        raise ValidationError("deadline", "required")
    return replace(draft, title=title)


def deadline_is_past(draft: NoteDraft, now: datetime, zone: ZoneInfo = LOCAL_ZONE) -> bool:
    """True when the draft's deadline is already due at ``now`` (the form warns)."""
    deadline = draft.deadline(zone)
    if deadline is None:
        return False
    return effective_deadline(deadline, draft.has_time, zone) <= now.astimezone(UTC)


def sort_active(notes: Iterable[NoteData], zone: ZoneInfo = LOCAL_ZONE) -> list[NoteData]:
    """By when they fall due, soonest first; notes without a deadline last, oldest first."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(notes, key=lambda n: (n.due(zone) or far, n.deadline is None, n.created_at, n.id))


def sort_done(notes: Iterable[NoteData]) -> list[NoteData]:
    """Most recently finished first."""
    return sorted(notes, key=lambda n: (n.done_at, n.id), reverse=True)


def _note_query():
    return (
        select(
            Note.id,
            Note.title,
            Note.body,
            Note.deadline,
            Note.deadline_has_time,
            Note.event_id,
            Event.title,
            Event.starts_at,
            Note.done_at,
            Note.created_at,
            Note.version,
        )
        .select_from(Note)
        .outerjoin(Event, Event.id == Note.event_id)
    )


def list_notes(session: Session, zone: ZoneInfo = LOCAL_ZONE) -> NoteLists:
    """The signed-in user's notes: active ones by deadline, finished ones newest first."""
    rows = session.execute(_note_query().where(Note.owner_id == func.auth.uid())).all()
    notes = [NoteData(*row) for row in rows]
    return NoteLists(
        active=tuple(sort_active((n for n in notes if not n.done), zone)),
        done=tuple(sort_done(n for n in notes if n.done)),
    )


def get_note(session: Session, note_id: int) -> NoteData:
    """One of the signed-in user's notes, or NoteNotFound."""
    row = session.execute(_note_query().where(Note.id == note_id)).one_or_none()
    if row is None:
        raise NoteNotFound(note_id)
    return NoteData(*row)


def list_event_choices(
    session: Session,
    now: datetime,
    *,
    back: timedelta = EVENTS_BACK,
    ahead: timedelta = EVENTS_AHEAD,
    limit: int = EVENTS_LIMIT,
) -> list[EventChoice]:
    """The user's own recent and upcoming events (in their calendar), by start time."""
    me = session.execute(text("SELECT auth.uid()")).scalar()
    if me is None:
        return []
    rows = session.execute(
        select(Event.id, Event.title, Event.starts_at, Event.ends_at, Event.all_day)
        .where(
            Event.participant_ids.op("@>")(literal([me], ARRAY(BigInteger))),
            Event.ends_at >= now - back,
            Event.starts_at <= now + ahead,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ).all()
    return [EventChoice(*row) for row in rows]


def _check_event(session: Session, event_id: int | None) -> None:
    # The database refuses too (migration 0005); this gives the form a field to point at.
    if event_id is None:
        return
    visible = session.execute(select(Event.id).where(Event.id == event_id)).scalar()
    if visible is None:
        raise ValidationError("event_id", "unknown")


def create_note(session: Session, draft: NoteDraft, zone: ZoneInfo = LOCAL_ZONE) -> NoteData:
    """Save a new note of the signed-in user. A past deadline is allowed (the form warns)."""
    draft = validate_draft(draft)
    _check_event(session, draft.event_id)
    note = Note(
        title=draft.title,
        body=draft.body,
        deadline=draft.deadline(zone),
        deadline_has_time=draft.has_time,
        event_id=draft.event_id,
    )
    session.add(note)
    session.flush()
    return get_note(session, note.id)


def last_change(
    session: Session, note_id: int, *, deleted_by_me: bool = False
) -> ConflictError | None:
    """Who last changed the note and when, as a ConflictError (None if nothing is logged).

    With ``deleted_by_me`` only the signed-in user's own deletion counts: a note that is
    not visible was either deleted by its owner (in another client) or never theirs, and
    an administrator, who may read the whole log, must not be told otherwise.
    """
    query = (
        select(User.full_name, ChangeLog.changed_at)
        .select_from(ChangeLog)
        .outerjoin(User, User.id == ChangeLog.user_id)
        .where(ChangeLog.table_name == "notes", ChangeLog.record_id == note_id)
        .order_by(ChangeLog.id.desc())
        .limit(1)
    )
    if deleted_by_me:
        query = query.where(ChangeLog.operation == "D", ChangeLog.user_id == func.auth.uid())
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    kind = NoteDeleted if deleted_by_me else ConflictError
    return kind(changed_by=row.full_name, changed_at=row.changed_at)


def _locked(session: Session, note_id: int, expected_version: int) -> Note:
    """The note, row-locked, if it is still at the version the user saw."""
    note = session.execute(
        select(Note).where(Note.id == note_id).with_for_update()
    ).scalar_one_or_none()
    if note is None:
        # Deleted meanwhile (the log says by whom), or never the user's to see.
        raise last_change(session, note_id, deleted_by_me=True) or NoteNotFound(note_id)
    if note.version != expected_version:
        raise last_change(session, note_id) or ConflictError(None, None)
    return note


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # cannot happen under the row lock; never overwrite
        raise ConflictError(None, None) from exc


def update_note(
    session: Session,
    note_id: int,
    expected_version: int,
    draft: NoteDraft,
    zone: ZoneInfo = LOCAL_ZONE,
) -> NoteData:
    """Save edits to a note the user saw at ``expected_version``."""
    draft = validate_draft(draft)
    note = _locked(session, note_id, expected_version)
    if draft.event_id != note.event_id:
        _check_event(session, draft.event_id)
    note.title = draft.title
    note.body = draft.body
    note.deadline = draft.deadline(zone)
    note.deadline_has_time = draft.has_time
    note.event_id = draft.event_id
    _flush(session)
    return get_note(session, note_id)


def mark_done(session: Session, note_id: int, expected_version: int) -> NoteData:
    """Move the note to Zakończone, stamped with the server's time."""
    note = _locked(session, note_id, expected_version)
    if note.done_at is None:
        note.done_at = session.execute(select(func.now())).scalar_one()
        _flush(session)
    return get_note(session, note_id)


def restore_note(session: Session, note_id: int, expected_version: int) -> NoteData:
    """Move a finished note back to Aktywne."""
    note = _locked(session, note_id, expected_version)
    if note.done_at is not None:
        note.done_at = None
        _flush(session)
    return get_note(session, note_id)


def delete_note(session: Session, note_id: int, expected_version: int) -> None:
    """Delete the note for good (the change log keeps its last values)."""
    note = _locked(session, note_id, expected_version)
    session.delete(note)
    _flush(session)
