"""Share requests from the calendar's side panel (F-SHARE): "Udostępnij mój kalendarz…"
(the caller owns the calendar) and "Poproś o dostęp…" (the caller would be the grantee).

Requests wait for an administrator (``services.admin.grants.decide_share_request``); the
row policy lets a user insert only requests they make themselves, and the table's checks
require the requester to be one of the two sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eszok_desktop.services.errors import ValidationError, translate_db_error

LEVELS = ("view", "manage")


@dataclass(frozen=True)
class PendingRequest:
    id: int
    owner_id: int
    owner_name: str
    grantee_id: int
    grantee_name: str
    level: str
    requested_by: int
    created_at: datetime

    def outgoing(self, me: int) -> bool:
        """True when ``me`` shares their own calendar (else ``me`` asks for access)."""
        return self.owner_id == me


def request_share(session: Session, me: int, *, owner_id: int, grantee_id: int, level: str) -> int:
    """File a pending request that ``grantee_id`` may view/manage ``owner_id``'s calendar;
    ``me`` must be one of the two. Returns the request id."""
    if level not in LEVELS:
        raise ValidationError("level", "unknown")
    if owner_id == grantee_id:
        raise ValidationError("grantee", "same_as_owner")
    if me not in (owner_id, grantee_id):
        raise ValidationError("grantee", "invalid")
    try:
        return int(
            session.execute(
                text(
                    "INSERT INTO eszok.share_requests (owner_id, grantee_id, level) "
                    "VALUES (:o, :g, :l) RETURNING id"
                ),
                {"o": owner_id, "g": grantee_id, "l": level},
            ).scalar_one()
        )
    except DBAPIError as exc:
        if isinstance(exc.orig, psycopg.errors.UniqueViolation):
            raise ValidationError("grantee", "request_pending") from exc
        raise translate_db_error(exc) from exc


def pending_requests(session: Session, me: int) -> list[PendingRequest]:
    """The caller's pending requests (both directions), oldest first."""
    rows = session.execute(
        text(
            "SELECT r.id, r.owner_id, o.full_name, r.grantee_id, g.full_name, r.level, "
            "r.requested_by, r.created_at FROM eszok.share_requests r "
            "JOIN auth.users o ON o.id = r.owner_id JOIN auth.users g ON g.id = r.grantee_id "
            "WHERE r.status = 'pending' AND :me IN (r.owner_id, r.grantee_id, r.requested_by) "
            "ORDER BY r.created_at, r.id"
        ),
        {"me": me},
    )
    return [PendingRequest(*row) for row in rows]


def withdraw_request(session: Session, request_id: int) -> bool:
    """Withdraw one's own pending request; False when it was decided meanwhile."""
    try:
        deleted = session.execute(
            text(
                "DELETE FROM eszok.share_requests WHERE id = :i AND status = 'pending' RETURNING id"
            ),
            {"i": request_id},
        ).first()
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
    return deleted is not None
