"""The client's connection to the database and the session token it presents.

Every pooled connection presents the signed-in user's token with
``set_config('eszok.token', …)`` as a bound parameter (never in SQL text, since every
client can read the others' query text in ``pg_stat_activity``). ``auth.uid()`` on the
server maps the token to the user; without a valid token the connection is nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from eszok_desktop.db import errors

CONNECT_TIMEOUT_S = 5


class Database:
    """An engine for the ``eszok_client`` login plus the current session token."""

    def __init__(self, url: URL | str, *, pool_size: int = 4) -> None:
        self.url = url
        self.engine: Engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=4,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "application_name": "eszok",
                # psycopg prepares a statement from its 5th run; the generic plan that then
                # follows cannot see the parameters and was measured 2-3x slower under RLS.
                # Timestamps arrive in UTC whatever the server's zone: the views compare
                # thousands of them, which is exact and fast in a fixed-offset zone
                # (datetimes sharing a DST zone compare by wall time).
                "options": "-c plan_cache_mode=force_custom_plan -c TimeZone=UTC",
            },
        )
        self._token: str | None = None
        self._lock = threading.Lock()
        event.listen(self.engine, "checkout", self._present_token)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def token(self) -> str | None:
        return self._token

    def set_token(self, token: str | None) -> None:
        """Present ``token`` on every connection from now on (None signs out)."""
        with self._lock:
            self._token = token

    def _present_token(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        token = self._token
        if record.info.get("token", "") == (token or ""):
            return
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT set_config('eszok.token', %s, false)", (token or "",))
        # a setting made inside a transaction is undone by its rollback: commit it
        dbapi_conn.commit()
        record.info["token"] = token or ""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def check_reachable(self) -> None:
        """Connect once, turning the usual failures into typed setup errors."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            raise classify_connect_error(exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def classify_connect_error(exc: DBAPIError) -> errors.DatabaseSetupError:
    """Map a failed connection attempt to a typed, explainable error."""
    orig = exc.orig
    message = str(orig) if orig is not None else str(exc)
    if isinstance(orig, psycopg.OperationalError):
        lowered = message.lower()
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return errors.AuthenticationFailed(message)
        if "does not exist" in lowered and "database" in lowered:
            return errors.DatabaseMissing(message)
    return errors.ServerUnreachable(message)
