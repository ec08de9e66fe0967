"""Bridges the change listener's thread to the GUI: others' changes become the same
app-wide ``sig_changes_happened`` the task runner emits after local mutations, so every
open screen refreshes the one way it already knows. ``"*"`` in the kinds means "refresh
everything" (sent after a reconnect)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from eszok_desktop.db import schema
from eszok_desktop.db.listener import FULL_REFRESH, ChangeListener, Changes
from eszok_desktop.ui.task_runner import TaskRunner

log = logging.getLogger(__name__)
SCHEMA_HINT = "schema"  # sent by every migration run (alembic/env.py)


class LiveRefresh(QObject):
    sig_connection_changed = Signal(bool)
    sig_schema_changed = Signal(str)  # the database's revision, now unknown to this client
    _sig_batch = Signal(object)
    _sig_state = Signal(bool)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.connected = True
        # queued: emitted on the listener thread, delivered on the GUI thread
        self._sig_batch.connect(self.on_batch_arrived)
        self._sig_state.connect(self.on_state_changed)
        self._listener = ChangeListener(runner.db.url, self._sig_batch.emit, self._sig_state.emit)
        # however the owner goes away, the thread must stop calling back into it
        listener = self._listener
        self.destroyed.connect(lambda *_args: listener.stop(timeout=0))

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()

    @Slot(object)
    def on_batch_arrived(self, batch: Changes) -> None:
        if SCHEMA_HINT in batch or FULL_REFRESH in batch:
            # a migration may also have run while we were disconnected
            self.runner.query(
                schema.stamped_revision,
                on_success=self.on_revision_read,
                on_failure=self.on_revision_failed,
            )
        kinds = frozenset(batch) - {SCHEMA_HINT}
        if kinds:
            self.runner.sig_changes_happened.emit(kinds)

    def on_revision_failed(self, exc: BaseException) -> None:
        # the next hint or reconnect asks again; the banner covers a lost server
        log.info("schema revision not readable: %s", exc)

    @Slot(object)
    def on_revision_read(self, revision: str | None) -> None:
        if revision != schema.client_schema_head():
            self.sig_schema_changed.emit(revision or "")

    @Slot(bool)
    def on_state_changed(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            self.sig_connection_changed.emit(up)
