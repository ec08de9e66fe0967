"""What Panel Główny shows: current announcements and the signed-in user's plan of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import BigInteger, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from eszok_desktop.models import Announcement, Calendar, Event, EventKind
from eszok_desktop.services.calendar.layout import day_bounds

MAX_ANNOUNCEMENTS = 50


@dataclass(frozen=True)
class PanelAnnouncement:
    id: int
    title: str
    body: str
    visible_from: datetime


@dataclass(frozen=True)
class PlanEvent:
    """One event of the day plan, with only what the plan shows."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    calendar_name: str
    calendar_color: str
    kind_name: str
    company_name: str | None


def current_announcements(
    session: Session, *, limit: int = MAX_ANNOUNCEMENTS
) -> list[PanelAnnouncement]:
    """Announcements visible now, newest first.

    The row policy lets publishers read every announcement (also expired or future ones,
    so they can edit them); the panel shows only the current ones to everybody.
    """
    now = func.now()
    query = (
        select(Announcement.id, Announcement.title, Announcement.body, Announcement.visible_from)
        .where(
            Announcement.visible_from <= now,
            or_(Announcement.visible_to.is_(None), Announcement.visible_to > now),
        )
        .order_by(Announcement.visible_from.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return [PanelAnnouncement(*row) for row in session.execute(query)]


def day_plan(session: Session, user_id: int, day: date, tz: tzinfo) -> list[PlanEvent]:
    """The events of ``day`` (in zone ``tz``) that lie in ``user_id``'s own calendar.

    An event counts when it overlaps the day (a DST day is 23 or 25 hours long); an
    instant event at midnight belongs to the day it starts. Ordered by start, longer
    events first.
    """
    start, end = day_bounds(day, tz)
    me = literal([user_id], ARRAY(BigInteger))
    query = (
        select(
            Event.id,
            Event.title,
            Event.starts_at,
            Event.ends_at,
            Event.all_day,
            Calendar.name,
            Calendar.color,
            EventKind.name,
            Event.company_name,
        )
        .join(Calendar, Calendar.id == Event.calendar_id)
        .join(EventKind, EventKind.id == Event.kind_id)
        # && on the array uses the GIN index on participant_ids
        .where(Event.participant_ids.op("&&")(me))
        .where(Event.starts_at < end)
        .where(or_(Event.ends_at > start, Event.starts_at >= start))
        .order_by(Event.starts_at, Event.ends_at.desc(), Event.id)
    )
    return [PlanEvent(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class PanelData:
    announcements: list[PanelAnnouncement]
    plan: list[PlanEvent]


def load_panel(session: Session, user_id: int, day: date, tz: tzinfo) -> PanelData:
    """Everything Panel Główny shows below its header, read in one transaction."""
    return PanelData(current_announcements(session), day_plan(session, user_id, day, tz))
