"""Bridges the change listener's thread to the GUI: others' changes become the same
app-wide ``sig_changes_happened`` the task runner emits after local mutations, so every
open screen refreshes the one way it already knows. ``"*"`` in the kinds means "refresh
everything" (sent after a reconnect)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from eszok_desktop.db.listener import ChangeListener, Changes
from eszok_desktop.ui.task_runner import TaskRunner


class LiveRefresh(QObject):
    sig_connection_changed = Signal(bool)
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

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()

    @Slot(object)
    def on_batch_arrived(self, batch: Changes) -> None:
        self.runner.sig_changes_happened.emit(frozenset(batch))

    @Slot(bool)
    def on_state_changed(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            self.sig_connection_changed.emit(up)
