"""Polish public holidays for the calendar views (``holidays`` package, Polish names)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _year(year: int) -> dict[date, str]:
    return dict(holidays.Poland(years=year, language="pl"))


def polish_holiday(day: date) -> str | None:
    """The Polish name of the public holiday on ``day``, or None."""
    return _year(day.year).get(day)
