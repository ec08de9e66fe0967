"""An event's history (F-HISTORY) from ``audit.change_log``, written by database triggers.

Values are resolved for display here (user, calendar and kind ids become names, time
stamps become datetimes); labels and formatting are the UI's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

# The order fields are listed in within one change (as the dialog shows them).
FIELD_ORDER = (
    "title",
    "calendar_id",
    "kind_id",
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
TIME_FIELDS = frozenset({"starts_at", "ends_at", "created_at"})
USER_FIELDS = frozenset({"responsible_id", "created_by"})


@dataclass(frozen=True)
class FieldChange:
    """One field of one change; ``old``/``new`` are display values: str, bool, float,
    datetime, a tuple of names (participants) or None."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    changed_at: datetime
    user_name: str | None  # None: a change made outside the app without a user
    db_user: str
    operation: str  # "I" created, "U" changed, "D" deleted
    changes: tuple[FieldChange, ...]


def event_history(session: Session, event_id: int) -> list[HistoryEntry]:
    """Every recorded change of event ``event_id`` the caller may read, oldest first."""
    rows = session.execute(
        text(
            "SELECT l.id, l.changed_at, u.full_name, l.db_user, l.operation, "
            "l.old_values, l.new_values FROM audit.change_log l "
            "LEFT JOIN auth.users u ON u.id = l.user_id "
            "WHERE l.table_name = 'events' AND l.schema_name = 'eszok' AND l.record_id = :id "
            "ORDER BY l.changed_at, l.id"
        ),
        {"id": event_id},
    ).all()
    if not rows:
        return []
    names = _Names(session, rows)
    entries = []
    for entry_id, changed_at, user_name, db_user, operation, old, new in rows:
        old, new = old or {}, new or {}
        keys = [f for f in FIELD_ORDER if f in old or f in new]
        if operation == "I":
            keys = [f for f in keys if new.get(f) not in (None, False)]
        elif operation == "D":
            keys = [f for f in keys if old.get(f) not in (None, False)]
        changes = tuple(
            FieldChange(f, names.value(f, old.get(f)), names.value(f, new.get(f))) for f in keys
        )
        entries.append(HistoryEntry(entry_id, changed_at, user_name, db_user, operation, changes))
    return entries


class _Names:
    """Looks up every id the history mentions in three queries."""

    def __init__(self, session: Session, rows: list[Any]) -> None:
        user_ids: set[int] = set()
        for row in rows:
            for values in (row[5] or {}, row[6] or {}):
                user_ids.update(int(v) for v in values.get("participant_ids") or ())
                for f in USER_FIELDS:
                    if values.get(f) is not None:
                        user_ids.add(int(values[f]))
        self.users = dict(
            session.execute(
                text("SELECT id, full_name FROM auth.users WHERE id = ANY(:ids)"),
                {"ids": sorted(user_ids)},
            ).all()
        )
        self.calendars = dict(session.execute(text("SELECT id, name FROM eszok.calendars")).all())
        self.kinds = dict(session.execute(text("SELECT id, name FROM eszok.event_kinds")).all())

    def user(self, value: Any) -> str:
        return self.users.get(int(value), f"#{value}")

    def value(self, field: str, value: Any) -> Any:
        if value is None:
            return None
        if field in TIME_FIELDS:
            return datetime.fromisoformat(value)
        if field == "participant_ids":
            return tuple(self.user(v) for v in value)
        if field in USER_FIELDS:
            return self.user(value)
        if field == "calendar_id":
            return self.calendars.get(int(value), f"#{value}")
        if field == "kind_id":
            return self.kinds.get(int(value), f"#{value}")
        return value
