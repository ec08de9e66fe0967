"""Start-up work off the GUI thread, before there is a signed-in Database or TaskRunner.

Like the TaskRunner (after Anki's ``QueryOp``), but the function receives a ``progress``
callback instead of a Session: preparing a server or testing a connection needs no
session, and may report steps on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

ProgressFn = Callable[[object], None]


class BackgroundCall(QObject):
    """Runs ``fn(progress)`` once on a pool thread; outcomes arrive as GUI-thread signals.

    The worker emits the private ``_sig_*`` signals; they are queued to slots of this
    object, which lives in the GUI thread, so the public signals and the callbacks
    always run there.
    """

    sig_progressed = Signal(object)
    sig_succeeded = Signal(object)
    sig_failed = Signal(object)
    sig_finished = Signal()

    _sig_worker_progress = Signal(object)
    _sig_worker_done = Signal(bool, object)

    _running: set[BackgroundCall] = set()  # keep Python wrappers alive while working

    def __init__(self, fn: Callable[[ProgressFn], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.done = False
        self._sig_worker_progress.connect(self._on_worker_progress)
        self._sig_worker_done.connect(self._on_worker_done)

    def start(self) -> BackgroundCall:
        BackgroundCall._running.add(self)
        QThreadPool.globalInstance().start(self._run)
        return self

    def _run(self) -> None:
        try:
            result = self._fn(self._sig_worker_progress.emit)
        except Exception as exc:
            self._sig_worker_done.emit(False, exc)
        else:
            self._sig_worker_done.emit(True, result)

    @Slot(object)
    def _on_worker_progress(self, step: object) -> None:
        self.sig_progressed.emit(step)

    @Slot(bool, object)
    def _on_worker_done(self, ok: bool, value: object) -> None:
        self.done = True
        BackgroundCall._running.discard(self)
        if ok:
            self.sig_succeeded.emit(value)
        else:
            self.sig_failed.emit(value)
        self.sig_finished.emit()


def run_in_background(
    fn: Callable[[ProgressFn], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[object], None] | None = None,
    parent: QObject | None = None,
) -> BackgroundCall:
    """Start ``fn`` on a worker thread; the callbacks run on the GUI thread."""
    call = BackgroundCall(fn, parent)
    if on_progress is not None:
        call.sig_progressed.connect(on_progress)
    if on_success is not None:
        call.sig_succeeded.connect(on_success)
    if on_failure is not None:
        call.sig_failed.connect(on_failure)
    return call.start()
