"""Calendar grants and share requests as the administrator decides them (F-SHARE), and
the role→capability matrix (F-ROLES).

Grants are written with plain SQL under the ``calendar_grants_admin`` policy (only
administrators pass it); a share request is decided by ``eszok.decide_share_request``,
which records the decision and creates the grant in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.admin.errors import NotFound, translated
from eszok_desktop.services.errors import PermissionDenied, ValidationError

LEVELS = ("view", "manage")


@dataclass(frozen=True)
class Grant:
    id: int
    owner_id: int
    owner_name: str
    grantee_id: int
    grantee_name: str
    level: str
    granted_by_name: str | None
    created_at: datetime
    version: int


@dataclass(frozen=True)
class ShareRequest:
    id: int
    owner_id: int
    owner_name: str
    grantee_id: int
    grantee_name: str
    level: str
    requested_by_name: str
    status: str
    decided_by_name: str | None
    decided_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class CapabilityMatrix:
    roles: tuple[tuple[str, str], ...]  # (code, name)
    capabilities: tuple[str, ...]
    granted: frozenset[tuple[str, str]]  # (role code, capability)

    def has(self, role: str, capability: str) -> bool:
        return (role, capability) in self.granted


def list_grants(session: Session) -> list[Grant]:
    """Every grant the caller may see (all of them for an administrator)."""
    rows = session.execute(
        text(
            "SELECT g.id, g.owner_id, o.full_name, g.grantee_id, e.full_name, g.level, "
            "b.full_name, g.created_at, g.version "
            "FROM eszok.calendar_grants g "
            "JOIN auth.users o ON o.id = g.owner_id "
            "JOIN auth.users e ON e.id = g.grantee_id "
            "LEFT JOIN auth.users b ON b.id = g.granted_by "
            "ORDER BY lower(o.full_name), lower(e.full_name), g.id"
        )
    )
    return [Grant(*row) for row in rows]


def grant(session: Session, owner_id: int, grantee_id: int, level: str) -> int:
    """Let ``grantee_id`` view or manage ``owner_id``'s calendar (replacing any earlier
    level). Returns the grant id."""
    if level not in LEVELS:
        raise ValidationError("level", "unknown")
    if owner_id == grantee_id:
        raise ValidationError("grantee", "same_as_owner")
    with translated(unique_field="grantee"):
        new_id = session.execute(
            text(
                "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level) "
                "VALUES (:o, :g, :l) "
                "ON CONFLICT (grantee_id, owner_id) DO UPDATE "
                "SET level = EXCLUDED.level, granted_by = EXCLUDED.granted_by "
                "RETURNING id"
            ),
            {"o": owner_id, "g": grantee_id, "l": level},
        ).scalar_one_or_none()
    if new_id is None:
        raise PermissionDenied("calendar grant refused")
    return int(new_id)


def revoke(session: Session, grant_id: int) -> None:
    """Remove a grant; the grantee loses access to that calendar at once."""
    with translated():
        deleted = session.execute(
            text("DELETE FROM eszok.calendar_grants WHERE id = :i RETURNING id"), {"i": grant_id}
        ).first()
    if deleted is None:
        # Either gone already or hidden by the policy; tell the two apart for the message.
        visible = session.execute(
            text("SELECT 1 FROM eszok.calendar_grants WHERE id = :i"), {"i": grant_id}
        ).first()
        if visible is not None:
            raise PermissionDenied("calendar grant revoke refused")
        raise NotFound(f"grant {grant_id}")


def list_share_requests(session: Session, *, pending_only: bool = True) -> list[ShareRequest]:
    """Share requests the caller may see, oldest pending first."""
    rows = session.execute(
        text(
            "SELECT r.id, r.owner_id, o.full_name, r.grantee_id, e.full_name, r.level, "
            "q.full_name, r.status, d.full_name, r.decided_at, r.created_at "
            "FROM eszok.share_requests r "
            "JOIN auth.users o ON o.id = r.owner_id "
            "JOIN auth.users e ON e.id = r.grantee_id "
            "JOIN auth.users q ON q.id = r.requested_by "
            "LEFT JOIN auth.users d ON d.id = r.decided_by "
            "WHERE NOT :p OR r.status = 'pending' "
            "ORDER BY r.status <> 'pending', r.created_at, r.id"
        ),
        {"p": pending_only},
    )
    return [ShareRequest(*row) for row in rows]


def decide_share_request(session: Session, request_id: int, *, approve: bool) -> int | None:
    """Approve (creating or raising the grant) or reject a pending request.

    Returns the grant id on approval. Raises AlreadyDecided when someone decided it
    meanwhile, PermissionDenied for a caller who is not an administrator.
    """
    with translated():
        grant_id = session.execute(
            text("SELECT eszok.decide_share_request(:r, :a)"), {"r": request_id, "a": approve}
        ).scalar_one()
    return None if grant_id is None else int(grant_id)


def capability_matrix(session: Session) -> CapabilityMatrix:
    """Which role has which capability (read-only; seeded by the migrations)."""
    roles = tuple(
        (code, name)
        for code, name in session.execute(text("SELECT code, name FROM eszok.roles ORDER BY id"))
    )
    pairs = session.execute(
        text("SELECT role, capability FROM eszok.role_capabilities ORDER BY capability")
    ).all()
    capabilities = tuple(sorted({cap for _, cap in pairs}))
    return CapabilityMatrix(roles, capabilities, frozenset((r, c) for r, c in pairs))
