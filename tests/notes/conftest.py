"""Helpers for the notes tests: a signed-in AppContext, events made by maintenance."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.task_runner import TaskRunner


@pytest.fixture
def ctx(make_signed_in, qtbot):
    """What a screen gets, for a signed-in serwisant named Ewa Nowak."""
    _uid, db = make_signed_in(full_name="Ewa Nowak")
    runner = TaskRunner(db)
    with db.session() as s:
        user = auth.current_user(s)
    yield AppContext(db, runner, user)
    runner.wait()


@pytest.fixture
def add_event(database):
    """Factory: an event in the calendars of ``participants``; returns its id."""

    def add(title: str, starts_at: datetime, participants: list[int], hours: float = 1.0) -> int:
        with database.admin.begin() as conn:
            return conn.execute(
                text(
                    """
                    INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at,
                                              participant_ids, created_by)
                    SELECT k.calendar_id, k.id, :title, :s, :e, :p, :by
                      FROM eszok.event_kinds k JOIN eszok.calendars c ON c.id = k.calendar_id
                     WHERE c.code = 'handlowy' AND k.name = 'Spotkanie'
                    RETURNING id
                    """
                ),
                {
                    "title": title,
                    "s": starts_at,
                    "e": starts_at + timedelta(hours=hours),
                    "p": participants,
                    "by": participants[0],
                },
            ).scalar_one()

    return add
