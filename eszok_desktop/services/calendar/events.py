"""Calendar events: the period query of the views, reading, creating, editing, moving and
deleting events, and the conflicts the event dialog warns about.

Every statement runs under the events row policies: the database decides which calendars
(participants) the caller may read or change. The checks here only give the user a clear
Polish message (through ``ValidationError`` codes) before the database would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import NamedTuple

import psycopg
from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip as stdnum_nip

from eszok_desktop.services.auth import CurrentUser
from eszok_desktop.services.errors import (
    ConflictError,
    PermissionDenied,
    ServiceError,
    ValidationError,
    translate_db_error,
)

TITLE_MAX = 200
COMPANY_NAME_MAX = 200
ADDRESS_MAX = 300
NOTE_MAX = 10000
MAX_PARTICIPANTS = 100
LONG_EVENT_DAYS = 35  # as in migration 0004's long_event column
ABSENCE_CALENDAR = "nieobecnosci"


class EventNotFound(ServiceError):
    """The event does not exist (any more) or the caller may not see it."""


# --- dictionaries ---------------------------------------------------------------


@dataclass(frozen=True)
class CalendarInfo:
    id: int
    code: str
    name: str
    color: str


@dataclass(frozen=True)
class KindInfo:
    id: int
    calendar_id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    active: bool


@dataclass(frozen=True)
class CalendarOwner:
    """A user whose calendar the caller may see, and how far: ``own``, ``view`` or
    ``manage`` (administrators manage everyone's)."""

    user_id: int
    full_name: str
    level: str

    @property
    def manageable(self) -> bool:
        return self.level in ("own", "manage")


@dataclass(frozen=True)
class Dictionaries:
    calendars: tuple[CalendarInfo, ...]
    kinds: tuple[KindInfo, ...]
    people: tuple[Person, ...]
    owners: tuple[CalendarOwner, ...]  # own first, then by name

    @cached_property
    def _calendars_by_id(self) -> dict[int, CalendarInfo]:
        return {c.id: c for c in self.calendars}

    @cached_property
    def _kinds_by_id(self) -> dict[int, KindInfo]:
        return {k.id: k for k in self.kinds}

    @cached_property
    def _names_by_id(self) -> dict[int, str]:
        return {p.id: p.full_name for p in self.people}

    def calendar(self, calendar_id: int) -> CalendarInfo | None:
        return self._calendars_by_id.get(calendar_id)

    def kind(self, kind_id: int) -> KindInfo | None:
        return self._kinds_by_id.get(kind_id)

    def kinds_of(self, calendar_id: int, *, include: int | None = None) -> list[KindInfo]:
        """Active kinds of a calendar (plus ``include``, an event's retired kind)."""
        return [
            k for k in self.kinds if k.calendar_id == calendar_id and (k.active or k.id == include)
        ]

    def person_name(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        return self._names_by_id.get(user_id, f"#{user_id}")

    @cached_property
    def _manageable(self) -> frozenset[int]:
        return frozenset(o.user_id for o in self.owners if o.manageable)

    def manageable_ids(self) -> frozenset[int]:
        return self._manageable


def load_dictionaries(session: Session, me: CurrentUser) -> Dictionaries:
    """Calendars, kinds, people and the calendars ``me`` may see, in one round of queries."""
    calendars = tuple(
        CalendarInfo(*row)
        for row in session.execute(
            text("SELECT id, code, name, color FROM eszok.calendars ORDER BY sort_order, id")
        )
    )
    kinds = tuple(
        KindInfo(*row)
        for row in session.execute(
            text(
                "SELECT id, calendar_id, name, active FROM eszok.event_kinds "
                "ORDER BY calendar_id, sort_order, id"
            )
        )
    )
    people = tuple(
        Person(*row)
        for row in session.execute(
            text("SELECT id, full_name, active FROM auth.users ORDER BY lower(full_name), id")
        )
    )
    return Dictionaries(calendars, kinds, people, tuple(calendar_owners(session, me, people)))


def calendar_owners(
    session: Session, me: CurrentUser, people: Sequence[Person] | None = None
) -> list[CalendarOwner]:
    """Whose calendars ``me`` may see: own first, then granted (or, with
    ``calendars.all``, every active user), by name."""
    if people is None:
        people = [
            Person(*row)
            for row in session.execute(
                text("SELECT id, full_name, active FROM auth.users ORDER BY lower(full_name), id")
            )
        ]
    own_name = next((p.full_name for p in people if p.id == me.id), me.full_name)
    result = [CalendarOwner(me.id, own_name, "own")]
    if me.can("calendars.all"):
        result += [
            CalendarOwner(p.id, p.full_name, "manage") for p in people if p.active and p.id != me.id
        ]
        return result
    rows = session.execute(
        text(
            "SELECT g.owner_id, u.full_name, g.level FROM eszok.calendar_grants g "
            "JOIN auth.users u ON u.id = g.owner_id "
            "WHERE g.grantee_id = :me AND u.active ORDER BY lower(u.full_name), u.id"
        ),
        {"me": me.id},
    )
    result += [CalendarOwner(*row) for row in rows]
    return result


# --- the period query -----------------------------------------------------------


class EventRow(NamedTuple):
    """An event as the views paint it (no note or address: they are not shown). A named
    tuple: an overlaid month has thousands, and a frozen dataclass takes six times as long
    to build."""

    id: int
    calendar_id: int
    kind_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    participant_ids: tuple[int, ...]
    responsible_id: int | None
    company_name: str | None
    version: int


# Only leakproof comparisons (timestamps, booleans, integers) can become index conditions
# under row-level security (see migration 0004): the period is bounded on starts_at from
# both sides, events longer than LONG_EVENT_DAYS come from their own partial index.
PERIOD_SQL = text(
    "SELECT id, calendar_id, kind_id, title, starts_at, ends_at, all_day, participant_ids, "
    "responsible_id, company_name, version FROM eszok.events "
    "WHERE starts_at < :end AND (ends_at > :start OR starts_at >= :start) "
    "AND (starts_at >= :floor OR long_event) "
    "AND participant_ids && CAST(:owners AS bigint[]) "
    "AND calendar_id = ANY(CAST(:calendars AS bigint[])) "
    "ORDER BY starts_at, ends_at DESC, id"
)


def period_params(
    start: datetime, end: datetime, owner_ids: Iterable[int], calendar_ids: Iterable[int]
) -> dict[str, object]:
    """The bound parameters of ``PERIOD_SQL`` (also used by the benchmark's raw fetch)."""
    return {
        "start": start,
        "end": end,
        "floor": start - timedelta(days=LONG_EVENT_DAYS),
        "owners": sorted(set(owner_ids)),
        "calendars": sorted(set(calendar_ids)),
    }


def fetch_period(
    session: Session,
    start: datetime,
    end: datetime,
    owner_ids: Iterable[int],
    calendar_ids: Iterable[int],
) -> list[EventRow]:
    """Events overlapping ``[start, end)`` that lie in any of ``owner_ids``' calendars
    and belong to one of ``calendar_ids`` (Handlowy/Serwis/Nieobecności). An instant event
    belongs to the period it starts in. Ordered by start, longer first."""
    params = period_params(start, end, owner_ids, calendar_ids)
    if not params["owners"] or not params["calendars"] or end <= start:
        return []
    # the driver's cursor inside the session's transaction: thousands of rows for an
    # overlaid month, and SQLAlchemy's result layer would double the fetch time; binary
    # results (timestamps, arrays) load about a quarter quicker than text
    cursor = session.connection().connection.driver_connection.cursor(binary=True)
    try:
        cursor.execute(PERIOD_DRIVER_SQL, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        EventRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7]), r[8], r[9], r[10])
        for r in rows
    ]


# PERIOD_SQL with the driver's %(name)s placeholders (also the benchmark's raw fetch)
PERIOD_DRIVER_SQL = re.sub(r"(?<!:):(\w+)", r"%(\1)s", PERIOD_SQL.text)


# --- one event ------------------------------------------------------------------


@dataclass(frozen=True)
class EventDraft:
    """What the event dialog edits; ``participant_ids`` are the calendars it lies in."""

    calendar_id: int
    kind_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    participant_ids: tuple[int, ...] = ()
    responsible_id: int | None = None
    company_name: str | None = None
    company_nip: str | None = None
    company_address: str | None = None
    address_lat: float | None = None
    address_lon: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class EventDetails:
    id: int
    draft: EventDraft
    created_by: int
    created_at: datetime
    version: int
    extra: dict[str, object] = field(default_factory=dict)


EDITABLE_COLUMNS = (
    "calendar_id",
    "kind_id",
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "participant_ids",
    "responsible_id",
    "company_name",
    "company_nip",
    "company_address",
    "address_lat",
    "address_lon",
    "note",
)


def normalize_nip(value: str | None) -> str | None:
    """Digits of a NIP ("856-734-62-15", "PL8567346215" → "8567346215"), or None when
    empty. Raises ValidationError("company_nip", "nip_checksum" | "nip_format")."""
    if value is None or not value.strip():
        return None
    try:
        return stdnum_nip.validate(value)
    except StdnumError as exc:
        code = "nip_checksum" if "checksum" in type(exc).__name__.lower() else "nip_format"
        raise ValidationError("company_nip", code) from exc


def clean_draft(draft: EventDraft) -> EventDraft:
    """Trim texts, turn empty ones into None, normalise the NIP, de-duplicate
    participants (keeping their order)."""

    def opt(value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None

    participants = tuple(dict.fromkeys(draft.participant_ids))
    return replace(
        draft,
        title=draft.title.strip(),
        participant_ids=participants,
        company_name=opt(draft.company_name),
        company_nip=normalize_nip(draft.company_nip),
        company_address=opt(draft.company_address),
        note=opt(draft.note),
    )


def validate_draft(
    draft: EventDraft,
    dictionaries: Dictionaries,
    *,
    previous_participants: Sequence[int] = (),
) -> EventDraft:
    """Check a draft the way the database will, with codes the dialog turns into Polish
    messages. Returns the cleaned draft. Participants already on the event may stay even
    when the user could not add them."""
    draft = clean_draft(draft)
    if not draft.title:
        raise ValidationError("title", "required")
    if len(draft.title) > TITLE_MAX:
        raise ValidationError("title", "too_long", TITLE_MAX)
    if dictionaries.calendar(draft.calendar_id) is None:
        raise ValidationError("calendar_id", "required")
    kind = dictionaries.kind(draft.kind_id)
    if kind is None or kind.calendar_id != draft.calendar_id:
        raise ValidationError("kind_id", "kind_not_of_calendar")
    if draft.ends_at < draft.starts_at:
        raise ValidationError("ends_at", "end_before_start")
    if not draft.participant_ids:
        raise ValidationError("participant_ids", "required")
    if len(draft.participant_ids) > MAX_PARTICIPANTS:
        raise ValidationError("participant_ids", "too_many", MAX_PARTICIPANTS)
    allowed = dictionaries.manageable_ids() | set(previous_participants)
    if not set(draft.participant_ids) <= allowed:
        raise ValidationError("participant_ids", "participant_not_allowed")
    for name, value, limit in (
        ("company_name", draft.company_name, COMPANY_NAME_MAX),
        ("company_address", draft.company_address, ADDRESS_MAX),
        ("note", draft.note, NOTE_MAX),
    ):
        if value is not None and len(value) > limit:
            raise ValidationError(name, "too_long", limit)
    return draft


def _values(draft: EventDraft) -> dict[str, object]:
    values = {name: getattr(draft, name) for name in EDITABLE_COLUMNS}
    values["participant_ids"] = list(draft.participant_ids)
    return values


def _translated(exc: DBAPIError) -> BaseException:
    orig = exc.orig
    if isinstance(orig, psycopg.errors.CheckViolation):
        constraint = getattr(orig.diag, "constraint_name", "") or ""
        for column in ("title", "company_nip", "company_name", "company_address", "note"):
            if column in constraint:
                code = "nip_checksum" if column == "company_nip" else "invalid"
                return ValidationError(column, code)
        if "participant" in constraint:
            return ValidationError("participant_ids", "invalid")
        return ValidationError("ends_at", "end_before_start")
    if isinstance(orig, psycopg.errors.ForeignKeyViolation):
        return ValidationError("kind_id", "kind_not_of_calendar")
    if getattr(orig, "sqlstate", None) == "EZ004":  # require_active_kind (0003)
        return ValidationError("kind_id", "kind_inactive")
    return translate_db_error(exc)


_ARRAY_PARAMS = (bindparam("participant_ids", type_=ARRAY(BigInteger)),)


def get_event(session: Session, event_id: int) -> EventDetails:
    """One event with everything the dialog shows; EventNotFound when gone or hidden."""
    row = (
        session.execute(
            text(
                f"SELECT {', '.join(EDITABLE_COLUMNS)}, created_by, created_at, version "
                "FROM eszok.events WHERE id = :id"
            ),
            {"id": event_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise EventNotFound(event_id)
    values = {name: row[name] for name in EDITABLE_COLUMNS}
    values["participant_ids"] = tuple(values["participant_ids"])
    return EventDetails(
        event_id, EventDraft(**values), row["created_by"], row["created_at"], row["version"]
    )


def create_event(session: Session, draft: EventDraft) -> int:
    """Insert an event (already validated); returns its id."""
    columns = ", ".join(EDITABLE_COLUMNS)
    params = ", ".join(f":{c}" for c in EDITABLE_COLUMNS)
    try:
        return int(
            session.execute(
                text(
                    f"INSERT INTO eszok.events ({columns}) VALUES ({params}) RETURNING id"
                ).bindparams(*_ARRAY_PARAMS),
                _values(draft),
            ).scalar_one()
        )
    except DBAPIError as exc:
        raise _translated(exc) from exc


def update_event(session: Session, event_id: int, version: int, draft: EventDraft) -> int:
    """Save ``draft`` over event ``event_id`` if it is still at ``version``; returns the
    new version. ConflictError names who saved it meanwhile."""
    assignments = ", ".join(f"{c} = :{c}" for c in EDITABLE_COLUMNS)
    return _versioned_update(session, event_id, version, assignments, _values(draft))


def move_event(
    session: Session, event_id: int, version: int, starts_at: datetime, ends_at: datetime
) -> int:
    """Change only the times (drag in a view); returns the new version."""
    if ends_at < starts_at:
        raise ValidationError("ends_at", "end_before_start")
    return _versioned_update(
        session,
        event_id,
        version,
        "starts_at = :starts_at, ends_at = :ends_at",
        {"starts_at": starts_at, "ends_at": ends_at},
    )


def _versioned_update(
    session: Session, event_id: int, version: int, assignments: str, values: dict[str, object]
) -> int:
    statement = text(
        f"UPDATE eszok.events SET {assignments}, version = version + 1 "
        "WHERE id = :event_id AND version = :version RETURNING version"
    )
    if "participant_ids" in values:
        statement = statement.bindparams(*_ARRAY_PARAMS)
    try:
        new_version = session.execute(
            statement, {**values, "event_id": event_id, "version": version}
        ).scalar_one_or_none()
    except DBAPIError as exc:
        raise _translated(exc) from exc
    if new_version is not None:
        return int(new_version)
    raise _why_not_saved(session, event_id, version)


def _why_not_saved(session: Session, event_id: int, version: int) -> ServiceError:
    current = session.execute(
        text("SELECT version FROM eszok.events WHERE id = :id"), {"id": event_id}
    ).scalar_one_or_none()
    if current is None:
        return EventNotFound(event_id)
    if current == version:
        return PermissionDenied("event is read-only for this user")
    who = session.execute(
        text(
            "SELECT u.full_name, l.changed_at FROM audit.change_log l "
            "LEFT JOIN auth.users u ON u.id = l.user_id "
            "WHERE l.table_name = 'events' AND l.record_id = :id ORDER BY l.id DESC LIMIT 1"
        ),
        {"id": event_id},
    ).first()
    return ConflictError(who[0] if who else None, who[1] if who else None)


def delete_event(session: Session, event_id: int, version: int) -> None:
    """Delete an event if still at ``version`` (it stays in the change log)."""
    try:
        deleted = session.execute(
            text("DELETE FROM eszok.events WHERE id = :id AND version = :v RETURNING id"),
            {"id": event_id, "v": version},
        ).first()
    except DBAPIError as exc:
        raise _translated(exc) from exc
    if deleted is None:
        raise _why_not_saved(session, event_id, version)


def leave_event(session: Session, event_id: int, version: int) -> int:
    """Take the signed-in user out of a shared event's participants (it stays in the
    others' calendars); the new version. Deleting a shared event needs the right to
    manage every participant's calendar (migration 0008), leaving only one's own."""
    try:
        new_version = session.execute(
            text("SELECT eszok.leave_event(:id, :v)"), {"id": event_id, "v": version}
        ).scalar_one()
    except DBAPIError as exc:
        raise _translated(exc) from exc
    if new_version is None:
        raise _why_not_saved(session, event_id, version)
    return new_version


def can_delete(me: CurrentUser, participant_ids: Iterable[int], manageable: frozenset[int]) -> bool:
    """Whether ``me`` may delete an event of these participants (the database decides;
    this says so before asking): every one of their calendars must be manageable."""
    return me.can("calendars.all") or set(participant_ids) <= manageable


# --- conflicts ------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A participant who already has something at that time."""

    participant_id: int
    participant_name: str
    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    absence: bool


def find_conflicts(
    session: Session,
    participant_ids: Iterable[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude_event_id: int | None = None,
) -> list[Conflict]:
    """Events (visible to the caller) of these participants overlapping the time; the
    dialog warns about them but does not refuse (absences first)."""
    ids = sorted(set(participant_ids))
    if not ids:
        return []
    end = ends_at if ends_at > starts_at else starts_at.astimezone(UTC)
    rows = session.execute(
        text(
            "SELECT p.id, u.full_name, e.id, e.title, e.starts_at, e.ends_at, "
            "c.code = :absence AS absence "
            "FROM eszok.events e JOIN eszok.calendars c ON c.id = e.calendar_id "
            "CROSS JOIN LATERAL unnest(e.participant_ids) AS p (id) "
            "JOIN auth.users u ON u.id = p.id "
            "WHERE e.starts_at < :e2 AND e.ends_at > :s "
            "AND (e.starts_at >= :floor OR e.long_event) "
            "AND e.participant_ids && :ids AND p.id = ANY(:ids) "
            "AND (CAST(:x AS bigint) IS NULL OR e.id <> :x) "
            "ORDER BY absence DESC, e.starts_at, u.full_name"
        ).bindparams(bindparam("ids", type_=ARRAY(BigInteger))),
        {
            "s": starts_at,
            "e2": max(end, starts_at),
            "floor": starts_at - timedelta(days=LONG_EVENT_DAYS),
            "ids": ids,
            "x": exclude_event_id,
            "absence": ABSENCE_CALENDAR,
        },
    )
    return [Conflict(*row) for row in rows]
