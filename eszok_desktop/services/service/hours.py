"""Hours arithmetic of task cards: quarter-hour steps, a sensible maximum, durations."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

QUARTER = Decimal("0.25")
MAX_HOURS = Decimal("24")
ALL_DAY_HOURS = Decimal("8")


def round_to_quarter(hours: Decimal | float | int | str) -> Decimal:
    """``hours`` rounded to the nearest quarter hour (halves round up): 1.12 → 1.00,
    1.13 → 1.25."""
    value = Decimal(str(hours))
    quarters = (value / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (quarters * QUARTER).quantize(Decimal("0.01"))


def parse_hours(text: str) -> Decimal | None:
    """Hours typed by a user ("1,5", "2.25", "3"), or None when it is not a number."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def is_quarter(hours: Decimal) -> bool:
    return hours % QUARTER == 0


def hours_from_duration(
    starts_at: datetime, ends_at: datetime, *, all_day: bool = False
) -> Decimal:
    """Billable hours for an event: its duration in quarter hours, at least one quarter and
    at most a card's maximum; an all-day event counts as a working day."""
    if all_day:
        return ALL_DAY_HOURS.quantize(Decimal("0.01"))
    seconds = Decimal(int((ends_at - starts_at).total_seconds()))
    hours = round_to_quarter(seconds / Decimal(3600))
    return min(max(hours, QUARTER), MAX_HOURS).quantize(Decimal("0.01"))


def format_hours(hours: Decimal) -> str:
    """Polish display form: "1,50"."""
    return f"{hours:.2f}".replace(".", ",")
