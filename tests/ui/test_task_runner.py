"""The task runner: work runs off the GUI thread, callbacks run on it, failures typed."""

import threading

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from eszok_desktop.services.errors import PermissionDenied
from eszok_desktop.ui.task_runner import TaskRunner


@pytest.fixture
def runner(qapp, database):
    user_id = database.add_user("serwisant")
    db = database.signed_in(database.email_of(user_id))
    runner = TaskRunner(db)
    yield runner
    runner.wait()


def test_query_runs_on_a_worker_and_delivers_on_the_gui_thread(qtbot, runner):
    seen = {}

    def work(session):
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        return session.execute(text("SELECT auth.uid() IS NOT NULL")).scalar()

    def done(result):
        seen["result"] = result
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()

    runner.query(work, on_success=done)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker": True, "result": True, "gui": True}


def test_refusal_arrives_as_permission_denied(qtbot, runner):
    failures = []
    runner.query(
        lambda s: s.execute(text("SELECT password_hash FROM auth.users")).all(),
        on_failure=failures.append,
    )
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], PermissionDenied)


def test_mutation_announces_changes_after_success(qtbot, runner):
    with qtbot.waitSignal(runner.sig_changes_happened) as blocker:
        runner.mutate(lambda s: None, changes={"events"})
    assert blocker.args == [frozenset({"events"})]


def test_callbacks_of_a_destroyed_owner_are_dropped(qtbot, runner):
    owner = QObject()
    called = []
    runner.query(lambda s: 1, on_success=called.append, owner=owner)
    owner.deleteLater()
    qtbot.wait(50)
    runner.wait()
    qtbot.wait(50)
    assert called == []


def test_work_with_outside_effects_is_not_repeated_after_a_lost_connection(qtbot, runner):
    from eszok_desktop.services.errors import ConnectionLost

    calls = []

    def send_then_lose(session):
        calls.append(1)  # stands for an e-mail already handed to the mail server
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    failures = []
    runner.mutate(send_then_lose, changes={"cards"}, retry=False, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10000)
    assert isinstance(failures[0], ConnectionLost)
    assert calls == [1]
