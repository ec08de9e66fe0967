"""Typed failures a user can cause; the UI maps each to a Polish message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from sqlalchemy.exc import DBAPIError


class ServiceError(Exception):
    """Base class of the failures below."""


class PermissionDenied(ServiceError):
    """The database refused: the signed-in user may not do this."""


class NotSignedIn(ServiceError):
    """The session is missing, expired or revoked."""


class ConnectionLost(ServiceError):
    """The server went away while the work was running."""


class AlreadyApplied(ServiceError):
    """A save sent again after a lost connection had been committed the first time
    (SQLSTATE EZ010 from auth.claim_request): nothing was written twice."""


class KindRetired(ServiceError):
    """A retired dictionary kind (event kind, kind of work) was chosen for a new record
    (SQLSTATE EZ004, raised by the kind rules of migration 0003)."""


class Contention(ServiceError):
    """The save collided with another one (deadlock, serialization failure, lock wait)
    and was rolled back; repeating it is safe."""


class ServerReadOnly(ServiceError):
    """The server accepts no writes now (read-only database, standby, maintenance)."""


class ServerStorageFull(ServiceError):
    """The server ran out of disk space or another resource while saving."""


@dataclass
class ValidationError(ServiceError):
    """Bad input: ``field`` names the form field, ``code`` the rule that failed."""

    field: str
    code: str
    limit: int | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.code}"


@dataclass
class ConflictError(ServiceError):
    """Someone else saved the record meanwhile (optimistic locking)."""

    changed_by: str | None
    changed_at: datetime | None

    def __str__(self) -> str:
        return f"changed by {self.changed_by} at {self.changed_at}"


def translate_db_error(exc: BaseException) -> BaseException:
    """Turn a database exception into the matching ServiceError (or return it unchanged)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return ConnectionLost(str(orig))
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        return PermissionDenied(str(orig))
    if isinstance(orig, psycopg.Error) and orig.sqlstate == "EZ010":
        return AlreadyApplied(str(orig))
    if isinstance(orig, psycopg.Error) and orig.sqlstate == "EZ004":
        return KindRetired(str(orig))
    if isinstance(
        orig,
        psycopg.errors.DeadlockDetected
        | psycopg.errors.SerializationFailure
        | psycopg.errors.LockNotAvailable,
    ):
        return Contention(str(orig))
    if isinstance(orig, psycopg.errors.ReadOnlySqlTransaction):
        return ServerReadOnly(str(orig))
    # class 53: disk full, out of memory, too many connections (the server is up)
    if isinstance(orig, psycopg.Error) and (orig.sqlstate or "").startswith("53"):
        return ServerStorageFull(str(orig))
    if isinstance(orig, psycopg.OperationalError) and not isinstance(
        orig, psycopg.errors.QueryCanceled
    ):
        return ConnectionLost(str(orig))
    return exc
