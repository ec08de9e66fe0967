"""Where eSZOK connects: the local embedded server (default) or a central server.

The settings are a small JSON file in the user's config directory (``platformdirs``;
``ESZOK_CONFIG_DIR`` overrides it, e.g. for tests). The central client password is never
written there: it lives in the OS keyring under the service ``eszok-db``.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import platformdirs
from sqlalchemy import URL

from eszok_desktop.db.errors import DatabaseSetupError

APP_NAME = "eszok"
KEYRING_SERVICE = "eszok-db"
SETTINGS_FILE = "connection.json"
# root's home is private (0700): the `postgres` user that runs the server could not enter it
ROOT_DATA_DIR = Path("/var/lib/eszok")
SSL_MODES = ("disable", "prefer", "require", "verify-full")
Mode = Literal["embedded", "central"]


class KeyringUnavailable(DatabaseSetupError):
    """No OS keyring backend: the central client password cannot be stored safely."""


@dataclass
class ConnectionSettings:
    """Connection choice; ``host`` … ``user`` matter only in central mode."""

    mode: Mode = "embedded"
    host: str = ""
    port: int = 5432
    database: str = "eszok"
    sslmode: str = "prefer"
    user: str = "eszok_client"

    @property
    def is_central(self) -> bool:
        return self.mode == "central"

    @property
    def keyring_user(self) -> str:
        """The keyring entry name: one password per server, database and login."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def config_dir() -> Path:
    if env := os.environ.get("ESZOK_CONFIG_DIR"):
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The embedded server's base directory."""
    if env := os.environ.get("ESZOK_DATA_DIR"):
        return Path(env)
    if os.name != "nt" and os.geteuid() == 0:
        return ROOT_DATA_DIR
    return Path(platformdirs.user_data_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def load_settings() -> ConnectionSettings:
    """The saved settings, or the defaults (embedded) when there are none or they are bad."""
    path = settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ConnectionSettings()
    if not isinstance(raw, dict):
        return ConnectionSettings()
    known = {f.name for f in fields(ConnectionSettings)}
    values = {k: v for k, v in raw.items() if k in known}
    try:
        settings = ConnectionSettings(**values)
        settings.port = int(settings.port)
    except (TypeError, ValueError):
        return ConnectionSettings()
    if settings.mode not in ("embedded", "central"):
        settings.mode = "embedded"
    if settings.sslmode not in SSL_MODES:
        settings.sslmode = "prefer"
    return settings


def save_settings(settings: ConnectionSettings) -> None:
    """Write the settings file (no secrets in it)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)


def keyring_available() -> bool:
    """False when keyring has only its fail/null backend (headless sessions)."""
    backend = keyring.get_keyring()
    return not isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring)


def load_client_password(settings: ConnectionSettings) -> str | None:
    """The central client password from the keyring, or None."""
    try:
        return keyring.get_password(KEYRING_SERVICE, settings.keyring_user)
    except keyring.errors.KeyringError:
        return None


def store_client_password(settings: ConnectionSettings, password: str) -> None:
    """Keep the central client password in the OS keyring (never in a file)."""
    try:
        keyring.set_password(KEYRING_SERVICE, settings.keyring_user, password)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc)) from exc


def forget_client_password(settings: ConnectionSettings) -> None:
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(KEYRING_SERVICE, settings.keyring_user)


def central_url(settings: ConnectionSettings, password: str | None) -> URL:
    """The client URL for ``Database`` in central mode."""
    return URL.create(
        "postgresql+psycopg",
        username=settings.user,
        password=password or None,
        host=settings.host,
        port=settings.port,
        database=settings.database,
        query={"sslmode": settings.sslmode},
    )
