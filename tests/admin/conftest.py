"""Fixtures for the Administracja screens: an AppContext signed in with a given role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from eszok_desktop.services import auth
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.task_runner import TaskRunner


@pytest.fixture
def make_context(qapp, make_signed_in) -> Iterator[Callable[..., AppContext]]:
    runners: list[TaskRunner] = []

    def make(role: str = "administrator", **kw) -> AppContext:
        _, db = make_signed_in(role, **kw)
        runner = TaskRunner(db)
        runners.append(runner)
        with db.session() as session:
            user = auth.current_user(session)
        assert user is not None
        return AppContext(db, runner, user)

    yield make
    for runner in runners:
        runner.wait()


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    """Error boxes the pages would show, as text (no modal box opens)."""
    shown: list[str] = []
    monkeypatch.setattr(
        feedback, "show_error", lambda _p, exc: shown.append(feedback.describe(exc))
    )
    return shown


@pytest.fixture
def answers(monkeypatch) -> list[str]:
    """Questions asked; every one is answered yes."""
    asked: list[str] = []

    def ask(_parent, question):
        asked.append(question)
        return True

    monkeypatch.setattr(feedback, "ask", ask)
    return asked
