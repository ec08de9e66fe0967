"""The time left until a note's deadline, as Polish text. Pure: no Qt, no database.

Rules (F-NOTES):

* A deadline with a time is that instant. A date-only deadline is stored as local
  midnight at the start of its day and means the *end* of that day, i.e. the next local
  midnight (Europe/Warsaw unless a zone is given).
* Whole days are calendar days in the local zone (the same clock time on a later day), so
  "tomorrow at this time" is 1 day even when a DST change makes it 23 or 25 hours away;
  the remainder below a day is real elapsed time. All elapsed arithmetic is done in UTC
  (subtracting two datetimes that share one ZoneInfo gives wall-clock differences).
* Smaller amounts are floored: 2 days 3 h 59 min shows "2 dni 3 godz.". At most two
  units are shown: days + hours, hours + minutes, or minutes.
* Grammar: the past-tense verb "pozostać" agrees with the first (largest) amount, as in
  Polish it does with the subject numeral phrase:
    - exactly 1: the verb agrees with the unit's gender: "pozostał 1 dzień" (dzień is
      masculine), "pozostała 1 godz." / "pozostała 1 min" (godzina, minuta feminine);
    - 2–4, 22–24, 32–34 … (last digit 2–4, but not 12–14): plural, "pozostały 2 dni",
      "pozostały 23 godz.";
    - everything else (0, 5–21, 25–31, 12–14, 112 …): neuter singular with the genitive,
      "pozostało 5 dni", "pozostało 12 godz.", "pozostało 21 min".
  The issue's "pozostało 1 dzień" is therefore written "pozostał 1 dzień". The noun forms
  are "dzień" for 1 and "dni" otherwise; "godz." and "min" are invariant abbreviations.
* Less than a minute left: "pozostała niecała minuta". Overdue (the deadline is now or in
  the past): "po terminie 3 godz." (no verb needed), and "termin właśnie minął" during
  the first minute, including the exact moment of the deadline.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Warsaw")


class Gender(enum.Enum):
    MASCULINE = "m"
    FEMININE = "f"


class PluralForm(enum.Enum):
    ONE = "one"  # exactly 1
    FEW = "few"  # last digit 2–4, except 12–14
    MANY = "many"  # everything else


@dataclass(frozen=True)
class Unit:
    one: str
    few: str
    many: str
    gender: Gender

    def word(self, n: int) -> str:
        form = plural_form(n)
        return {PluralForm.ONE: self.one, PluralForm.FEW: self.few, PluralForm.MANY: self.many}[
            form
        ]


DAY = Unit("dzień", "dni", "dni", Gender.MASCULINE)
HOUR = Unit("godz.", "godz.", "godz.", Gender.FEMININE)
MINUTE = Unit("min", "min", "min", Gender.FEMININE)

VERB = {
    (PluralForm.ONE, Gender.MASCULINE): "pozostał",
    (PluralForm.ONE, Gender.FEMININE): "pozostała",
    (PluralForm.FEW, Gender.MASCULINE): "pozostały",
    (PluralForm.FEW, Gender.FEMININE): "pozostały",
    (PluralForm.MANY, Gender.MASCULINE): "pozostało",
    (PluralForm.MANY, Gender.FEMININE): "pozostało",
}

UNDER_A_MINUTE_LEFT = "pozostała niecała minuta"
JUST_PASSED = "termin właśnie minął"
OVERDUE_PREFIX = "po terminie"


def plural_form(n: int) -> PluralForm:
    """The Polish plural category of a non-negative count."""
    if n == 1:
        return PluralForm.ONE
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return PluralForm.FEW
    return PluralForm.MANY


@dataclass(frozen=True)
class Span:
    """A non-negative duration split into calendar days and elapsed hours and minutes."""

    days: int
    hours: int
    minutes: int
    seconds: int  # the remainder below a minute, not shown

    @property
    def under_a_minute(self) -> bool:
        return self.days == 0 and self.hours == 0 and self.minutes == 0

    def parts(self) -> list[tuple[int, Unit]]:
        """The (at most two) amounts shown, largest first."""
        if self.days:
            return [(self.days, DAY)] + ([(self.hours, HOUR)] if self.hours else [])
        if self.hours:
            return [(self.hours, HOUR)] + ([(self.minutes, MINUTE)] if self.minutes else [])
        if self.minutes:
            return [(self.minutes, MINUTE)]
        return []


@dataclass(frozen=True)
class TimeLeft:
    text: str
    overdue: bool
    span: Span


def deadline_from_parts(day: date, at: time | None, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    """The stored deadline for a date (and optional clock time) entered in ``zone``.

    A date-only deadline is stored as local midnight at the start of the day. A clock time
    that does not exist (the spring DST gap) is read with the offset before the change.
    """
    local = datetime.combine(day, at or time(0), tzinfo=zone)
    return local.astimezone(UTC)


def effective_deadline(deadline: datetime, has_time: bool, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    """The instant (UTC) the deadline falls due: itself, or the end of its local day."""
    if has_time:
        return deadline.astimezone(UTC)
    next_day = deadline.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=zone).astimezone(UTC)


def split_span(start: datetime, end: datetime, zone: ZoneInfo = LOCAL_ZONE) -> Span:
    """Split ``end - start`` (end ≥ start) into local calendar days plus elapsed time."""
    start_u = start.astimezone(UTC)
    end_u = end.astimezone(UTC)
    if end_u < start_u:
        raise ValueError("end before start")
    local_start = start_u.astimezone(zone)
    days = (end_u.astimezone(zone).date() - local_start.date()).days
    anchor = start_u
    while days > 0:
        wall = datetime.combine(
            local_start.date() + timedelta(days=days), local_start.time(), tzinfo=zone
        )
        anchor = wall.astimezone(UTC)
        if anchor <= end_u:
            break
        days -= 1
    if days == 0:
        anchor = start_u
    rest = int((end_u - anchor).total_seconds())
    return Span(days=days, hours=rest // 3600, minutes=rest % 3600 // 60, seconds=rest % 60)


def format_amount(span: Span) -> str:
    """ "2 dni 3 godz.", "1 dzień", "45 min" (empty below a minute)."""
    return " ".join(f"{n} {unit.word(n)}" for n, unit in span.parts())


def time_left(
    deadline: datetime, now: datetime, has_time: bool, zone: ZoneInfo = LOCAL_ZONE
) -> TimeLeft:
    """The header text for a note due at ``deadline`` as seen at ``now`` (both aware)."""
    if deadline.tzinfo is None or now.tzinfo is None:
        # astimezone() would silently read a naive value as the machine's local time
        raise ValueError("deadline and now must be timezone-aware")
    due = effective_deadline(deadline, has_time, zone)
    now_u = now.astimezone(UTC)
    if due > now_u:
        span = split_span(now_u, due, zone)
        if span.under_a_minute:
            return TimeLeft(UNDER_A_MINUTE_LEFT, False, span)
        first_count, first_unit = span.parts()[0]
        verb = VERB[(plural_form(first_count), first_unit.gender)]
        return TimeLeft(f"{verb} {format_amount(span)}", False, span)
    span = split_span(due, now_u, zone)
    if span.under_a_minute:
        return TimeLeft(JUST_PASSED, True, span)
    return TimeLeft(f"{OVERDUE_PREFIX} {format_amount(span)}", True, span)


def time_left_text(
    deadline: datetime, now: datetime, has_time: bool, zone: ZoneInfo = LOCAL_ZONE
) -> str:
    """Only the text of :func:`time_left`."""
    return time_left(deadline, now, has_time, zone).text
