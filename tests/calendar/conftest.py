"""Shared helpers for the Terminarz tests: users, grants and events on a real database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.db.engine import Database
from eszok_desktop.services import auth
from eszok_desktop.services.calendar import events

WARSAW = ZoneInfo("Europe/Warsaw")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WARSAW)


@dataclass
class Person:
    id: int
    db: Database

    def me(self) -> auth.CurrentUser:
        with self.db.session() as s:
            user = auth.current_user(s)
        assert user is not None
        return user

    def dictionaries(self) -> events.Dictionaries:
        me = self.me()
        with self.db.session() as s:
            return events.load_dictionaries(s, me)


class World:
    """Users, grants (inserted on the maintenance connection) and dictionary ids."""

    def __init__(self, database, make_signed_in) -> None:
        self.database = database
        self.make_signed_in = make_signed_in
        with database.admin.connect() as conn:
            self.calendars = dict(conn.execute(text("SELECT code, id FROM eszok.calendars")).all())
            self.kinds = {
                (code, name): kid
                for code, name, kid in conn.execute(
                    text(
                        "SELECT c.code, k.name, k.id FROM eszok.event_kinds k "
                        "JOIN eszok.calendars c ON c.id = k.calendar_id"
                    )
                )
            }

    def person(self, role: str = "handlowiec", **kw) -> Person:
        user_id, db = self.make_signed_in(role, **kw)
        return Person(user_id, db)

    def grant(self, owner: Person, grantee: Person, level: str) -> None:
        with Session(self.database.admin) as s, s.begin():
            s.execute(
                text(
                    "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by) "
                    "VALUES (:o, :g, :l, :o)"
                ),
                {"o": owner.id, "g": grantee.id, "l": level},
            )

    def draft(self, participants, start, end, **kw) -> events.EventDraft:
        code = kw.pop("calendar", "handlowy")
        kind = kw.pop("kind", "Spotkanie")
        return events.EventDraft(
            calendar_id=self.calendars[code],
            kind_id=self.kinds[(code, kind)],
            title=kw.pop("title", "Spotkanie"),
            starts_at=start,
            ends_at=end,
            participant_ids=tuple(p.id for p in participants),
            **kw,
        )

    def create(self, who: Person, participants, start, end, **kw) -> int:
        draft = self.draft(participants, start, end, **kw)
        with who.db.session() as s:
            return events.create_event(s, draft)


@pytest.fixture
def world(database, make_signed_in) -> World:
    return World(database, make_signed_in)
