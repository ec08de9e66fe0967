"""User accounts as the administrator manages them (F-USERS).

Reads go straight to ``auth.users`` (the client may read every column but the hash);
every change calls an ``auth.*`` function of migration 0003, which checks the caller's
``admin.users`` capability itself. Passwords are hashed here (bcrypt ``$2a$``, cost 12)
so the plain text never reaches the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.admin.errors import translated
from eszok_desktop.services.auth import check_email, check_password_policy, hash_password
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.like_pattern import escape_like
from eszok_desktop.services.users import ROLE_CODES

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    full_name: str
    role: str
    role_name: str
    active: bool
    must_change_password: bool
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    created_at: datetime
    version: int

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def list_accounts(session: Session, search: str = "") -> list[Account]:
    """All accounts (active first, by name), optionally only those whose name or e-mail
    contains ``search`` (case-insensitive)."""
    term = search.strip()
    rows = session.execute(
        text(
            "SELECT u.id, u.email, u.full_name, u.role, coalesce(r.name, u.role) AS role_name, "
            "u.active, u.must_change_password, st.locked_until, "
            "coalesce(st.failed_logins, 0), st.last_login_at, u.created_at, u.version "
            "FROM auth.users u LEFT JOIN eszok.roles r ON r.code = u.role "
            "LEFT JOIN auth.account_states() st ON st.user_id = u.id "
            "WHERE :q = '' OR u.full_name ILIKE :p OR u.email ILIKE :p "
            "ORDER BY NOT u.active, lower(u.full_name), u.id"
        ),
        {"q": term, "p": f"%{escape_like(term)}%"},
    )
    return [Account(*row) for row in rows]


def get_account(session: Session, user_id: int) -> Account | None:
    """One account by id, or None."""
    for account in list_accounts(session):
        if account.id == user_id:
            return account
    return None


def server_now(session: Session) -> datetime:
    """The database's clock (lock expiry is decided by it, not by the PC's clock)."""
    return session.execute(text("SELECT now()")).scalar_one()


def validate_new_account(email: str, full_name: str, role: str) -> tuple[str, str]:
    """Check the form fields of a new account; returns the trimmed e-mail and name."""
    email = email.strip()
    full_name = " ".join(full_name.split())
    if not email:
        raise ValidationError("email", "required")
    check_email(email)
    if not full_name:
        raise ValidationError("full_name", "required")
    if len(full_name) > MAX_NAME_LENGTH:
        raise ValidationError("full_name", "too_long", MAX_NAME_LENGTH)
    if role not in ROLE_CODES:
        raise ValidationError("role", "unknown")
    return email, full_name


def add_account(
    session: Session,
    *,
    email: str,
    full_name: str,
    role: str,
    password: str,
    must_change_password: bool = True,
) -> int:
    """Create an account (``auth.add_user``); the e-mail must be unused, case-insensitively.

    Raises ValidationError for bad input or a taken e-mail, PermissionDenied for a
    caller who is not an administrator.
    """
    email, full_name = validate_new_account(email, full_name, role)
    check_password_policy(password)
    with translated(unique_field="email"):
        return int(
            session.execute(
                text("SELECT auth.add_user(:e, :n, :r, :h, :m)"),
                {
                    "e": email,
                    "n": full_name,
                    "r": role,
                    "h": hash_password(password),
                    "m": must_change_password,
                },
            ).scalar_one()
        )


def set_role(session: Session, user_id: int, role: str) -> None:
    """Change a user's role; the last active administrator cannot be demoted."""
    if role not in ROLE_CODES:
        raise ValidationError("role", "unknown")
    with translated(unique_field="role"):
        session.execute(text("SELECT auth.set_role(:u, :r)"), {"u": user_id, "r": role})


def set_active(session: Session, user_id: int, active: bool) -> None:
    """Deactivate (ending the user's sessions at once) or reactivate an account.

    Accounts are never deleted: histories keep showing the name.
    """
    with translated(unique_field="active"):
        session.execute(text("SELECT auth.set_active(:u, :a)"), {"u": user_id, "a": active})


def reset_password(
    session: Session, user_id: int, password: str, *, must_change_password: bool = True
) -> None:
    """Set a new password for a user (their open sessions end)."""
    check_password_policy(password)
    with translated(unique_field="password"):
        session.execute(
            text("SELECT auth.reset_password(:u, :h, :m)"),
            {"u": user_id, "h": hash_password(password), "m": must_change_password},
        )


def unlock(session: Session, user_id: int) -> None:
    """Clear the lock that repeated failed sign-ins put on an account."""
    with translated():
        session.execute(text("SELECT auth.unlock(:u)"), {"u": user_id})
