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

    Clears "change at next sign-in" and ends the user's other sessions. A wrong old
    password raises ValidationError("old_password", "wrong") and counts as a failed
    attempt (repeated ones lock the account, as at sign-in).
    """
    if not old_password:
        raise ValidationError("old_password", "required")
    check_password_length(old_password)
    check_password_policy(new_password)
    if new_password == old_password:
        raise ValidationError("new_password", "same_as_old")
    with translated(unique_field="password"):
        changed = session.execute(
            text("SELECT auth.change_own_password(:o, :h)"),
            {"o": old_password, "h": hash_password(new_password)},
        ).scalar_one()
    if not changed:
        # Keep the failure count the function recorded: the caller's transaction would
        # otherwise roll it back together with the refusal.
        session.commit()
        raise ValidationError("old_password", "wrong")
