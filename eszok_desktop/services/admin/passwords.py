"""Passwords: generating an initial one, and every user changing their own."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.admin.errors import translated
from eszok_desktop.services.auth import (
    check_password_length,
    check_password_policy,
    hash_password,
)
from eszok_desktop.services.errors import ValidationError

# No look-alikes (0/O, 1/l/I): a generated password is read off the screen and typed.
GENERATED_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
GENERATED_LENGTH = 12


def generate_password(length: int = GENERATED_LENGTH) -> str:
    """A random password that meets the policy (``secrets``, letters and digits)."""
    while True:
        candidate = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(length))
        try:
            check_password_policy(candidate)
        except ValidationError:
            continue
        return candidate


def change_own_password(session: Session, old_password: str, new_password: str) -> None:
    """Change the signed-in user's password; the old one must be given.

    Clears "change at next sign-in" and ends the user's other sessions. The attempt is
    committed on a connection of its own before its outcome is asked for: the database
    tells whether the old password was right only to a later transaction, so every wrong
    guess counts towards the lockout (see ``auth.change_own_password``). Raises
    ValidationError("old_password", "wrong" | "locked").
    """
    if not old_password:
        raise ValidationError("old_password", "required")
    check_password_length(old_password)
    check_password_policy(new_password)
    if new_password == old_password:
        raise ValidationError("new_password", "same_as_old")
    new_hash = hash_password(new_password)
    with translated(unique_field="password"), session.get_bind().connect() as conn:
        attempt = conn.execute(
            text("SELECT auth.change_own_password(:o, :h)"), {"o": old_password, "h": new_hash}
        ).scalar_one()
        conn.commit()
    outcome = session.execute(
        text("SELECT auth.password_change_outcome(:a)"), {"a": attempt}
    ).scalar_one()
    if outcome != "ok":
        raise ValidationError("old_password", "locked" if outcome == "locked" else "wrong")
