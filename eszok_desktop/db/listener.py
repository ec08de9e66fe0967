"""Listening for change hints (``LISTEN eszok_changes``) on a connection of its own.

Every eszok table notifies ``<table>:<id>`` on commit (migration 0006). The listener
batches the hints for a short debounce window and hands ``{table: {ids}}`` to a
callback on its own thread. Hints are never data: the receiver re-queries under
row-level security. When the connection drops it reconnects with backoff and reports
``FULL_REFRESH`` once it is back, since hints sent meanwhile are lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import URL
from sqlalchemy.engine import make_url

CHANNEL = "eszok_changes"
FULL_REFRESH = "*"
DEBOUNCE_S = 0.15
MAX_BACKOFF_S = 10.0

Changes = dict[str, set[int]]
log = logging.getLogger(__name__)


def conninfo(url: URL | str) -> str:
    """A libpq URI for ``url`` (SQLAlchemy's driver suffix removed)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def parse_hint(payload: str) -> tuple[str, int] | None:
    table, _, raw_id = payload.partition(":")
    if not table or not raw_id.isdigit():
        return None
    return table, int(raw_id)


class ChangeListener:
    """A daemon thread delivering batched change hints to ``on_changes``."""

    def __init__(
        self,
        url: URL | str,
        on_changes: Callable[[Changes], None],
        on_connection_changed: Callable[[bool], None] | None = None,
    ) -> None:
        self._conninfo = conninfo(url)
        self._on_changes = on_changes
        self._on_connection_changed = on_connection_changed or (lambda _up: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eszok-listener", daemon=True)
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            try:
                # keepalives notice a silently cut network within seconds
                with psycopg.connect(
                    self._conninfo,
                    autocommit=True,
                    connect_timeout=5,
                    keepalives_idle=5,
                    keepalives_interval=2,
                    keepalives_count=2,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self._report(self._on_connection_changed, True)
                    if not first:
                        self._report(self._on_changes, {FULL_REFRESH: set()})
                    first = False
                    backoff = 0.5
                    self._pump(conn)
            except psycopg.Error as exc:
                log.info("change listener disconnected: %s", exc)
            self.listening.clear()
            if self._stop.is_set():
                break
            self._report(self._on_connection_changed, False)
            self._stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _report(self, callback: Callable[[Any], None], value: Any) -> None:
        """Hand ``value`` on, unless stopped (the receiver may be gone by then)."""
        if self._stop.is_set():
            return
        try:
            callback(value)
        except Exception:
            log.exception("change listener callback failed")

    def _pump(self, conn: psycopg.Connection) -> None:
        pending: Changes = defaultdict(set)
        deadline: float | None = None
        while not self._stop.is_set():
            timeout = 0.5 if deadline is None else max(0.0, deadline - time.monotonic())
            for note in conn.notifies(timeout=timeout, stop_after=64):
                hint = parse_hint(note.payload)
                if hint is not None:
                    pending[hint[0]].add(hint[1])
                    deadline = deadline or time.monotonic() + DEBOUNCE_S
            if deadline is not None and time.monotonic() >= deadline:
                batch, pending, deadline = dict(pending), defaultdict(set), None
                self._report(self._on_changes, batch)
            if conn.closed or conn.broken:
                raise psycopg.OperationalError("listener connection closed")
