"""Typed failures of the database layer; the UI turns each into a Polish message."""

from __future__ import annotations


class DatabaseSetupError(Exception):
    """Base class for problems found while reaching or preparing a server."""


class ServerBinariesNotFound(DatabaseSetupError):
    """No PostgreSQL server binaries were found on this machine."""


class ServerStartFailed(DatabaseSetupError):
    """The embedded server did not start; ``log`` holds the end of its log."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


class ServerUnreachable(DatabaseSetupError):
    """The server did not answer (host down, wrong port, firewall, timeout)."""


class AuthenticationFailed(DatabaseSetupError):
    """The server refused the database login (wrong client password)."""


class DatabaseMissing(DatabaseSetupError):
    """The named database does not exist on the server."""


class PgcryptoMissing(DatabaseSetupError):
    """The server lacks the pgcrypto extension that sign-in depends on."""


class SchemaNotInstalled(DatabaseSetupError):
    """The database has no eSZOK schema yet (run ``eszok db upgrade``)."""


class SchemaVersionMismatch(DatabaseSetupError):
    """The database schema is older or newer than this client knows."""

    def __init__(self, database_version: str | None, client_version: str, newer: bool) -> None:
        super().__init__(f"database schema {database_version!r}, client expects {client_version!r}")
        self.database_version = database_version
        self.client_version = client_version
        self.database_is_newer = newer
