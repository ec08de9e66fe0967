"""Remembered sign-in data: the e-mail in QSettings, the password only in the OS keyring.

There is deliberately no fallback for the password: when no keyring backend exists the
login window disables "Zapamiętaj hasło" instead of writing the password anywhere else.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.errors import KeyringError
from PySide6.QtCore import QSettings

KEYRING_SERVICE = "eszok"
log = logging.getLogger(__name__)

_EMAIL = "login/email"
_REMEMBER_EMAIL = "login/remember_email"
_REMEMBER_PASSWORD = "login/remember_password"


def keyring_available() -> bool:
    """True when ``keyring`` has a backend that can really keep a secret."""
    try:
        backend = keyring.get_keyring()
    except KeyringError:
        return False
    return not isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring)


def load_password(email: str) -> str | None:
    """The password kept for ``email``, or None (also when the keyring fails)."""
    if not email or not keyring_available():
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, email)
    except KeyringError:
        log.warning("keyring read failed", exc_info=True)
        return None


def save_password(email: str, password: str) -> bool:
    """Keep ``password`` for ``email`` in the keyring; False when that is impossible."""
    if not keyring_available():
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, email, password)
    except KeyringError:
        log.warning("keyring write failed", exc_info=True)
        return False
    return True


def forget_password(email: str) -> None:
    """Remove a kept password (nothing happens when there is none)."""
    if not email or not keyring_available():
        return
    # PasswordDeleteError means nothing was kept
    with contextlib.suppress(KeyringError):
        keyring.delete_password(KEYRING_SERVICE, email)


class LoginSettings:
    """The login window's remembered choices over a QSettings store."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    @property
    def remember_email(self) -> bool:
        return _as_bool(self.settings.value(_REMEMBER_EMAIL, False))

    @property
    def remember_password(self) -> bool:
        return _as_bool(self.settings.value(_REMEMBER_PASSWORD, False))

    @property
    def email(self) -> str:
        return str(self.settings.value(_EMAIL, "") or "") if self.remember_email else ""

    def store(self, email: str, *, remember_email: bool, remember_password: bool) -> None:
        self.settings.setValue(_REMEMBER_EMAIL, remember_email)
        self.settings.setValue(_REMEMBER_PASSWORD, remember_password)
        if remember_email:
            self.settings.setValue(_EMAIL, email)
        else:
            self.settings.remove(_EMAIL)
        self.settings.sync()


def _as_bool(value: object) -> bool:
    # INI and registry back-ends hand booleans back as strings
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)
