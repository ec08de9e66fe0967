"""Database work off the GUI thread (after Anki's ``QueryOp``/``CollectionOp``).

``query`` runs a function taking a Session on a worker thread and hands its result to
``on_success`` on the GUI thread; ``mutate`` does the same and afterwards emits the
app-wide ``sig_changes_happened`` with the kinds of data it changed, so each open screen
decides whether to refresh. Failures are translated to ServiceErrors and handed to
``on_failure`` (by default the shared error message box).
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.db.engine import Database
from eszok_desktop.services.errors import (
    AlreadyApplied,
    ConnectionLost,
    Contention,
    NotSignedIn,
    PermissionDenied,
    translate_db_error,
)

T = TypeVar("T")
SAVE_RETRY_WINDOW_S = 30.0
log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives in the GUI thread; its queued signals carry results back from workers."""

    sig_finished = Signal(object, object, object)  # callback, result, task


class _Job(QRunnable):
    def __init__(
        self,
        runner: TaskRunner,
        task: Task,
        fn: Callable[[Session], Any],
        request_id: uuid.UUID | None = None,
        retry: bool = False,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.task = task
        self.fn = fn
        self.request_id = request_id
        self.retry = retry

    def run(self) -> None:
        # A save whose connection dropped is sent again with the same request id until
        # the server is back; auth.claim_request makes sure it is applied only once.
        deadline = time.monotonic() + (SAVE_RETRY_WINDOW_S if self.retry else 0.0)
        delay = 0.5
        while True:
            try:
                with self.runner.db.session() as session:
                    if self.request_id is not None:
                        session.execute(
                            text("SELECT auth.claim_request(:r)"), {"r": self.request_id}
                        )
                    result = self.fn(session)
            except Exception as exc:
                error = translate_db_error(exc)
                if (
                    isinstance(error, ConnectionLost | Contention)
                    and time.monotonic() + delay < deadline
                    and not self.runner.stopping
                ):
                    time.sleep(delay)
                    delay = min(delay * 2, 4.0)
                    continue
                if isinstance(error, PermissionDenied) and self._session_expired():
                    error = NotSignedIn(str(error))
                _clear_frames(error)
                self.runner._relay.sig_finished.emit(self.task._failed, error, self)
            else:
                self.runner._relay.sig_finished.emit(self.task._succeeded, result, self)
            return

    def _session_expired(self) -> bool:
        """A refusal may only mean the session ended (expired, revoked): ask the server."""
        db = self.runner.db
        if db.token is None:
            return False
        try:
            with db.session() as session:
                return session.execute(text("SELECT auth.uid()")).scalar() is None
        except Exception:
            return False


def _clear_frames(exc: BaseException) -> None:
    """Drop the local variables of the frames an exception (and its causes) went
    through: they hold the job's closures, and the worker must not be the one to let
    go of those (see ``TaskRunner._on_job_finished``). File names and lines stay."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


class Task:
    """A handle on one piece of background work; ``cancel`` drops its callbacks."""

    def __init__(
        self,
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[BaseException], None] | None,
        owner: QObject | None,
        after_success: Callable[[], None] | None = None,
    ) -> None:
        self.on_success = on_success
        self.on_failure = on_failure
        self.owner = owner
        self.after_success = after_success
        self.cancelled = False
        self.done = False

    def cancel(self) -> None:
        self.cancelled = True

    def _alive(self) -> bool:
        return not self.cancelled and (self.owner is None or shiboken6.isValid(self.owner))

    def _succeeded(self, result: Any) -> None:
        if self._alive() and self.on_success is not None:
            self.on_success(result)
        if self.after_success is not None:
            self.after_success()

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            from eszok_desktop.ui import messages

            messages.show_error(self.owner, exc)


class TaskRunner(QObject):
    """Runs database work for the whole app on a small thread pool."""

    sig_changes_happened = Signal(object)  # frozenset[str] of changed data kinds
    sig_busy_changed = Signal(bool)
    sig_session_expired = Signal()  # a job was refused because the session has ended

    def __init__(self, db: Database, parent: QObject | None = None, threads: int = 4) -> None:
        super().__init__(parent)
        self.db = db
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.sig_finished.connect(self._on_job_finished)
        self._running = 0
        self.stopping = False

    def query(
        self,
        fn: Callable[[Session], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
    ) -> Task:
        """Run a read on a worker thread; callbacks run on the GUI thread."""
        task = Task(on_success, on_failure, owner)
        self._start(task, fn)
        return task

    def mutate(
        self,
        fn: Callable[[Session], T],
        *,
        changes: Iterable[str],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
        request_id: uuid.UUID | None = None,
        retry: bool = True,
    ) -> Task:
        """Run a write; on success also announce ``changes`` app-wide.

        The write claims ``request_id`` (a new one unless given) in its transaction and is
        retried for a while when the connection drops, so it is applied exactly once. If
        a retry finds the first attempt committed after all, ``on_failure`` receives
        AlreadyApplied and the changes are announced anyway. Work with effects outside the
        database (sending an e-mail) passes ``retry=False``: those cannot be taken back.
        """
        kinds = frozenset(changes)
        task = Task(on_success, on_failure, owner, lambda: self.sig_changes_happened.emit(kinds))
        self._start(task, fn, request_id or uuid.uuid4(), retry)
        return task

    def _start(
        self,
        task: Task,
        fn: Callable[[Session], Any],
        request_id: uuid.UUID | None = None,
        retry: bool = False,
    ) -> None:
        self._running += 1
        if self._running == 1:
            self.sig_busy_changed.emit(True)
        self.pool.start(_Job(self, task, fn, request_id, retry))

    @Slot(object, object, object)
    def _on_job_finished(self, callback: Callable[[Any], None], value: Any, job: _Job) -> None:
        try:
            self._deliver(callback, value, job)
        finally:
            # the job's closures often hold widgets: let go of them here, on the GUI
            # thread; a QObject whose last reference went away on a worker would be
            # deleted there, leaving its timers behind in the GUI thread's event loop
            job.fn = job.task = None

    def _deliver(self, callback: Callable[[Any], None], value: Any, job: _Job) -> None:
        job.task.done = True
        self._running -= 1
        if self._running == 0:
            self.sig_busy_changed.emit(False)
        if isinstance(value, NotSignedIn) and callback == job.task._failed:
            self.sig_session_expired.emit()
        if isinstance(value, AlreadyApplied) and job.task.after_success is not None:
            job.task.after_success()
        try:
            callback(value)
        except Exception:
            log.exception("task callback failed")
            raise

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (shutdown and tests only); saves waiting for a
        lost server stop retrying."""
        self.stopping = True
        try:
            return self.pool.waitForDone(msecs)
        finally:
            self.stopping = False
