"""The change-log browser (F-AUDIT): every change by every operator, paged in SQL.

Rows come newest first and are paged by keyset on the log id (``before_id``), so a page
deep in a long history costs the same as the first. Administrators read the whole log
(the ``change_log_read`` policy); others only what concerns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    """What to show: one user's changes, one kind of record, a period [since, until)."""

    user_id: int | None = None
    table_name: str | None = None
    record_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    changed_at: datetime
    user_id: int | None
    user_name: str | None
    db_user: str
    schema_name: str
    table_name: str
    record_id: int
    operation: str
    old_values: dict[str, Any] = field(default_factory=dict)
    new_values: dict[str, Any] = field(default_factory=dict)

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The columns this change touched, in a stable order."""
        return tuple(sorted(set(self.old_values) | set(self.new_values)))


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    has_more: bool

    @property
    def next_before_id(self) -> int | None:
        """The cursor for the next (older) page, or None on the last page."""
        return self.rows[-1].id if self.has_more and self.rows else None


def build_conditions(flt: AuditFilter, before_id: int | None = None) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (``TRUE`` when empty) and its bound parameters for ``flt``."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if flt.user_id is not None:
        parts.append("c.user_id = :user_id")
        params["user_id"] = flt.user_id
    if flt.table_name:
        parts.append("c.table_name = :table_name")
        params["table_name"] = flt.table_name
    if flt.record_id is not None:
        parts.append("c.record_id = :record_id")
        params["record_id"] = flt.record_id
    if flt.since is not None:
        parts.append("c.changed_at >= :since")
        params["since"] = flt.since
    if flt.until is not None:
        parts.append("c.changed_at < :until")
        params["until"] = flt.until
    if before_id is not None:
        parts.append("c.id < :before_id")
        params["before_id"] = before_id
    return (" AND ".join(parts) or "TRUE"), params


_SELECT = (
    "SELECT c.id, c.changed_at, c.user_id, u.full_name AS user_name, c.db_user, "
    "c.schema_name, c.table_name, c.record_id, c.operation, "
    "coalesce(c.old_values, '{}'::jsonb) AS old_values, "
    "coalesce(c.new_values, '{}'::jsonb) AS new_values "
    "FROM audit.change_log c LEFT JOIN auth.users u ON u.id = c.user_id "
)


def browse(
    session: Session,
    flt: AuditFilter | None = None,
    *,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the change log, newest first, older than ``before_id`` if given."""
    where, params = build_conditions(flt or AuditFilter(), before_id)
    params["limit"] = limit + 1  # one more tells whether another page exists
    rows = [
        AuditRow(*row)
        for row in session.execute(
            text(_SELECT + f"WHERE {where} ORDER BY c.id DESC LIMIT :limit"), params
        )
    ]
    return AuditPage(rows[:limit], has_more=len(rows) > limit)


def record_history(session: Session, table_name: str, record_id: int) -> list[AuditRow]:
    """Every change of one record, oldest first."""
    return [
        AuditRow(*row)
        for row in session.execute(
            text(_SELECT + "WHERE c.table_name = :t AND c.record_id = :r ORDER BY c.id"),
            {"t": table_name, "r": record_id},
        )
    ]


def logged_tables(session: Session) -> list[str]:
    """The kinds of record the log holds: audited tables (from their triggers), by name."""
    return list(
        session.execute(
            text(
                "SELECT DISTINCT c.relname FROM pg_catalog.pg_trigger t "
                "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE t.tgname = 'audit' AND n.nspname IN ('eszok', 'auth') "
                "ORDER BY 1"
            )
        ).scalars()
    )
