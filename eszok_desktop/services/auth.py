"""Sign-in, sign-out, the signed-in user, and creating accounts."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import bcrypt
from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.errors import ValidationError

BCRYPT_COST = 12
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_LENGTH = 8


class SignInStatus(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class SignInResult:
    status: SignInStatus
    token: str | None = None
    locked_until: datetime | None = None
    must_change_password: bool = False


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    full_name: str
    role: str
    previous_login_at: datetime | None
    must_change_password: bool
    capabilities: frozenset[str]

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


def check_password_length(password: str) -> None:
    """bcrypt ignores everything past 72 bytes; refuse such passwords instead."""
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValidationError("password", "too_long", MAX_PASSWORD_BYTES)


def check_password_policy(password: str) -> None:
    """The policy for new passwords: 8+ characters, a letter and a digit, ≤ 72 bytes."""
    check_password_length(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", "too_short", MIN_PASSWORD_LENGTH)
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise ValidationError("password", "needs_letter_and_digit")


def hash_password(password: str, cost: int = BCRYPT_COST) -> str:
    """A ``$2a$`` bcrypt hash, the prefix pgcrypto's crypt() verifies."""
    check_password_length(password)
    salt = bcrypt.gensalt(rounds=cost, prefix=b"2a")
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def sign_in(session: Session, email: str, password: str) -> SignInResult:
    """Sign in through ``auth.login`` and report the outcome.

    The attempt is committed on a connection of its own before its outcome is asked for:
    the database reveals whether the password was right only to a later transaction, so
    that every failure counts towards the lockout (see ``auth.login``).
    """
    check_password_length(password)
    with session.get_bind().connect() as conn:
        token = conn.execute(
            text("SELECT auth.login(:e, :p)"), {"e": email.strip(), "p": password}
        ).scalar_one()
        conn.commit()
    row = session.execute(
        text("SELECT status, locked_until, must_change_password FROM auth.sign_in_outcome(:t)"),
        {"t": token},
    ).one()
    status = SignInStatus(row.status)
    return SignInResult(
        status=status,
        token=token if status is SignInStatus.OK else None,
        locked_until=row.locked_until,
        must_change_password=bool(row.must_change_password),
    )


def sign_out(session: Session) -> None:
    """Revoke the session whose token this connection presents."""
    session.execute(text("SELECT auth.logout()"))


def current_user(session: Session) -> CurrentUser | None:
    """The signed-in user, or None when the presented token is unknown or revoked."""
    row = session.execute(text("SELECT * FROM auth.whoami()")).one()
    if row.user_id is None:
        return None
    return CurrentUser(
        id=row.user_id,
        email=row.email,
        full_name=row.full_name,
        role=row.role,
        previous_login_at=row.previous_login_at,
        must_change_password=row.must_change_password,
        capabilities=frozenset(row.capabilities),
    )


def needs_first_admin(session: Session) -> bool:
    """True on an installation that has no user yet."""
    return bool(session.execute(text("SELECT auth.needs_first_admin()")).scalar())


def create_first_admin(session: Session, email: str, full_name: str, password: str) -> int:
    """Create the first administrator; the database refuses once any user exists."""
    email = email.strip()
    full_name = full_name.strip()
    check_email(email)
    if not full_name:
        raise ValidationError("full_name", "required")
    check_password_policy(password)
    return int(
        session.execute(
            text("SELECT auth.create_first_admin(:e, :n, :h)"),
            {"e": email, "n": full_name, "h": hash_password(password)},
        ).scalar_one()
    )


def check_email(email: str) -> None:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or len(email) > 254:
        raise ValidationError("email", "invalid")
