"""User accounts as seen by everyone (names for pickers and histories) and created by
administrators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from eszok_desktop.models import Role, User
from eszok_desktop.services.auth import check_email, check_password_policy, hash_password
from eszok_desktop.services.errors import ValidationError

ROLE_CODES = ("administrator", "kierownik", "handlowiec", "serwisant", "programista")


@dataclass(frozen=True)
class UserSummary:
    id: int
    email: str
    full_name: str
    role: str
    active: bool


def list_users(session: Session, *, active_only: bool = False) -> list[UserSummary]:
    """All users the database lets the caller see, by name."""
    query = select(User.id, User.email, User.full_name, User.role, User.active).order_by(
        User.full_name
    )
    if active_only:
        query = query.where(User.active)
    return [UserSummary(*row) for row in session.execute(query)]


def role_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Role.code, Role.name).order_by(Role.id)).tuples().all())


def add_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    must_change_password: bool = False,
) -> int:
    """Insert a user on a maintenance connection (``eszok user add``, demo data).

    The client login has no INSERT right on ``auth.users``: signed-in administrators
    manage accounts through the administration functions instead.
    """
    email = email.strip()
    full_name = full_name.strip()
    check_email(email)
    if not full_name:
        raise ValidationError("full_name", "required")
    if role not in ROLE_CODES:
        raise ValidationError("role", "unknown")
    if password_hash is None:
        if password is None:
            raise ValidationError("password", "required")
        check_password_policy(password)
        password_hash = hash_password(password)
    taken = session.execute(
        text("SELECT 1 FROM auth.users WHERE lower(email) = lower(:e)"), {"e": email}
    ).first()
    if taken:
        raise ValidationError("email", "taken")
    return int(
        session.execute(
            text(
                "INSERT INTO auth.users (email, full_name, role, password_hash, "
                "must_change_password) VALUES (:e, :n, :r, :h, :m) RETURNING id"
            ),
            {"e": email, "n": full_name, "r": role, "h": password_hash, "m": must_change_password},
        ).scalar_one()
    )
