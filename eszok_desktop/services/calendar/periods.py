"""Which days a calendar view shows and which period it fetches (pure, no Qt).

Weeks start on Monday. The month view shows whole weeks, from the Monday on or before
the 1st to the Sunday on or after the last day (4–6 rows).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta, tzinfo

from eszok_desktop.services.calendar.layout import day_bounds


class ViewMode(enum.StrEnum):
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def visible_days(mode: ViewMode, anchor: date) -> list[date]:
    """The days shown for ``anchor`` in ``mode``, in order."""
    if mode == ViewMode.DAY:
        return [anchor]
    if mode == ViewMode.WEEK:
        start = monday_of(anchor)
        return [start + timedelta(days=i) for i in range(7)]
    first = anchor.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = monday_of(first)
    end = monday_of(last) + timedelta(days=6)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def step(mode: ViewMode, anchor: date, count: int) -> date:
    """``anchor`` moved by ``count`` periods (months keep the day where they can)."""
    if mode == ViewMode.DAY:
        return anchor + timedelta(days=count)
    if mode == ViewMode.WEEK:
        return anchor + timedelta(weeks=count)
    month_index = anchor.year * 12 + anchor.month - 1 + count
    year, month = divmod(month_index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return date(year, month, min(anchor.day, last_day))


def fetch_bounds(days: list[date], tz: tzinfo) -> tuple[datetime, datetime]:
    """The real period ``[start, end)`` covering ``days`` in zone ``tz``."""
    return day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]


def iso_week(day: date) -> int:
    return day.isocalendar().week
