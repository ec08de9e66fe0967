"""Typed refusals of the administration rules, and the mapping from database errors.

The migration raises custom SQLSTATEs (EZ001…EZ004) for its rules; ``translated()``
turns those, and the usual refusals, into ServiceErrors the UI can explain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eszok_desktop.services.errors import (
    ConflictError,
    KindRetired,
    PermissionDenied,
    ServiceError,
    ValidationError,
    translate_db_error,
)


class LastAdministrator(ServiceError):
    """The last active administrator cannot be deactivated or demoted."""


class AlreadyDecided(ServiceError):
    """The share request was approved or rejected meanwhile."""


class KindInUse(ServiceError):
    """A dictionary kind that records use can be retired but not deleted."""


class NotFound(ServiceError):
    """The record does not exist (or the caller may not see it)."""


SQLSTATE_ERRORS: dict[str, type[ServiceError]] = {
    "EZ001": LastAdministrator,
    "EZ002": AlreadyDecided,
    "EZ003": KindInUse,
    "EZ004": KindRetired,
}


@contextmanager
def translated(unique_field: str = "name") -> Iterator[None]:
    """Re-raise database errors of the block as ServiceErrors.

    ``unique_field`` names the form field a unique violation is reported on.
    """
    try:
        yield
    except DBAPIError as exc:
        orig = exc.orig
        state = getattr(orig, "sqlstate", None)
        if state in SQLSTATE_ERRORS:
            raise SQLSTATE_ERRORS[state](str(orig)) from exc
        if isinstance(orig, psycopg.errors.UniqueViolation):
            raise ValidationError(unique_field, "taken") from exc
        if isinstance(orig, psycopg.errors.NoDataFound):
            raise NotFound(str(orig)) from exc
        if isinstance(orig, psycopg.errors.CheckViolation):
            raise ValidationError(unique_field, "invalid") from exc
        if isinstance(orig, psycopg.errors.InsufficientPrivilege):
            raise PermissionDenied(str(orig)) from exc
        mapped = translate_db_error(exc)
        if mapped is not exc:
            raise mapped from exc
        raise


def conflict(session: Session, table: str, record_id: int) -> ConflictError:
    """The ConflictError for a stale save of ``table``/``record_id``: who changed it last."""
    row = session.execute(
        text(
            "SELECT u.full_name, c.changed_at FROM audit.change_log c "
            "LEFT JOIN auth.users u ON u.id = c.user_id "
            "WHERE c.table_name = :t AND c.record_id = :i ORDER BY c.id DESC LIMIT 1"
        ),
        {"t": table, "i": record_id},
    ).first()
    if row is None:
        return ConflictError(None, None)
    return ConflictError(row.full_name, row.changed_at)
