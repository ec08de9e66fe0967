"""The time-left text: plural rules for every unit, boundaries, midnight, DST (no Qt)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from eszok_desktop.services.time_left import (
    PluralForm,
    deadline_from_parts,
    effective_deadline,
    plural_form,
    split_span,
    time_left,
    time_left_text,
)

WAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=WAW)


def left(**kw) -> str:
    return time_left_text(NOW + timedelta(**kw), NOW, True)


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, PluralForm.MANY),
        (1, PluralForm.ONE),
        (2, PluralForm.FEW),
        (3, PluralForm.FEW),
        (4, PluralForm.FEW),
        (5, PluralForm.MANY),
        (11, PluralForm.MANY),
        (12, PluralForm.MANY),
        (13, PluralForm.MANY),
        (14, PluralForm.MANY),
        (21, PluralForm.MANY),
        (22, PluralForm.FEW),
        (23, PluralForm.FEW),
        (24, PluralForm.FEW),
        (25, PluralForm.MANY),
        (101, PluralForm.MANY),
        (112, PluralForm.MANY),
        (122, PluralForm.FEW),
    ],
)
def test_plural_category(n, form):
    assert plural_form(n) is form


# Days: dzień is masculine; 1 "pozostał 1 dzień", 2–4 "pozostały", 5+ "pozostało".
@pytest.mark.parametrize(
    ("days", "text"),
    [
        (1, "pozostał 1 dzień"),
        (2, "pozostały 2 dni"),
        (3, "pozostały 3 dni"),
        (4, "pozostały 4 dni"),
        (5, "pozostało 5 dni"),
        (11, "pozostało 11 dni"),
        (12, "pozostało 12 dni"),
        (13, "pozostało 13 dni"),
        (14, "pozostało 14 dni"),
        (21, "pozostało 21 dni"),
        (22, "pozostały 22 dni"),
        (23, "pozostały 23 dni"),
        (24, "pozostały 24 dni"),
        (25, "pozostało 25 dni"),
        (112, "pozostało 112 dni"),
        (122, "pozostały 122 dni"),
    ],
)
def test_days(days, text):
    assert left(days=days) == text


# Hours: godzina is feminine; 1 "pozostała 1 godz.".
@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (1, "pozostała 1 godz."),
        (2, "pozostały 2 godz."),
        (4, "pozostały 4 godz."),
        (5, "pozostało 5 godz."),
        (12, "pozostało 12 godz."),
        (13, "pozostało 13 godz."),
        (14, "pozostało 14 godz."),
        (21, "pozostało 21 godz."),
        (22, "pozostały 22 godz."),
        (23, "pozostały 23 godz."),
    ],
)
def test_hours(hours, text):
    assert left(hours=hours) == text


# Minutes: minuta is feminine too.
@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "pozostała 1 min"),
        (2, "pozostały 2 min"),
        (3, "pozostały 3 min"),
        (5, "pozostało 5 min"),
        (12, "pozostało 12 min"),
        (14, "pozostało 14 min"),
        (21, "pozostało 21 min"),
        (22, "pozostały 22 min"),
        (24, "pozostały 24 min"),
        (45, "pozostało 45 min"),
        (59, "pozostało 59 min"),
    ],
)
def test_minutes(minutes, text):
    assert left(minutes=minutes) == text


def test_the_verb_agrees_with_the_first_amount():
    assert left(days=2, hours=3) == "pozostały 2 dni 3 godz."
    assert left(days=1, hours=5) == "pozostał 1 dzień 5 godz."
    assert left(days=5, hours=1) == "pozostało 5 dni 1 godz."
    assert left(hours=1, minutes=30) == "pozostała 1 godz. 30 min"
    assert left(hours=3, minutes=22) == "pozostały 3 godz. 22 min"


def test_two_units_at_most_and_lower_units_floored():
    assert left(days=2, hours=3, minutes=59, seconds=59) == "pozostały 2 dni 3 godz."
    assert left(days=5, minutes=59) == "pozostało 5 dni"
    assert left(hours=2, seconds=59) == "pozostały 2 godz."
    assert left(minutes=45, seconds=59) == "pozostało 45 min"


def test_exactly_now_is_due_and_overdue():
    result = time_left(NOW, NOW, True)
    assert (result.text, result.overdue) == ("termin właśnie minął", True)


def test_fifty_nine_seconds_either_side():
    ahead = time_left(NOW + timedelta(seconds=59), NOW, True)
    assert (ahead.text, ahead.overdue) == ("pozostała niecała minuta", False)
    behind = time_left(NOW - timedelta(seconds=59), NOW, True)
    assert (behind.text, behind.overdue) == ("termin właśnie minął", True)
    assert left(seconds=60) == "pozostała 1 min"
    assert left(seconds=1) == "pozostała niecała minuta"


def test_overdue_uses_the_amount_without_a_verb():
    result = time_left(NOW - timedelta(hours=3), NOW, True)
    assert (result.text, result.overdue) == ("po terminie 3 godz.", True)
    assert time_left_text(NOW - timedelta(days=2, hours=1), NOW, True) == (
        "po terminie 2 dni 1 godz."
    )
    assert time_left_text(NOW - timedelta(minutes=1), NOW, True) == "po terminie 1 min"
    assert time_left_text(NOW - timedelta(days=1), NOW, True) == "po terminie 1 dzień"


def test_date_only_deadline_is_the_end_of_that_day():
    today = deadline_from_parts(date(2026, 12, 3), None, WAW)
    assert today == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # local midnight, stored
    assert effective_deadline(today, False, WAW) == datetime(2026, 12, 4, 0, 0, tzinfo=WAW)
    assert time_left_text(today, NOW, False) == "pozostało 12 godz."
    late_evening = datetime(2026, 12, 3, 23, 59, 30, tzinfo=WAW)
    assert time_left_text(today, late_evening, False) == "pozostała niecała minuta"
    just_after = datetime(2026, 12, 4, 0, 0, tzinfo=WAW)
    assert time_left(today, just_after, False).overdue
    tomorrow = deadline_from_parts(date(2026, 12, 4), None, WAW)
    assert time_left_text(tomorrow, NOW, False) == "pozostał 1 dzień 12 godz."


def test_across_midnight():
    evening = datetime(2026, 12, 3, 23, 30, tzinfo=WAW)
    next_morning = datetime(2026, 12, 4, 0, 15, tzinfo=WAW)
    assert time_left_text(next_morning, evening, True) == "pozostało 45 min"
    # 23:30 → 23:10 next day is not a whole calendar day yet
    assert time_left_text(datetime(2026, 12, 4, 23, 10, tzinfo=WAW), evening, True) == (
        "pozostały 23 godz. 40 min"
    )
    assert time_left_text(datetime(2026, 12, 4, 23, 30, tzinfo=WAW), evening, True) == (
        "pozostał 1 dzień"
    )


# Europe/Warsaw: 2026-03-29 02:00 CET → 03:00 CEST (23-hour day);
# 2026-10-25 03:00 CEST → 02:00 CET (25-hour day).
SPRING_SAT = datetime(2026, 3, 28, 12, 0, tzinfo=WAW)
AUTUMN_SAT = datetime(2026, 10, 24, 12, 0, tzinfo=WAW)


def test_spring_dst_same_clock_time_next_day_is_one_day_though_23_hours():
    sunday_noon = datetime(2026, 3, 29, 12, 0, tzinfo=WAW)
    assert (sunday_noon - SPRING_SAT) == timedelta(days=1)  # naive wall-clock difference
    assert sunday_noon.astimezone(UTC) - SPRING_SAT.astimezone(UTC) == timedelta(hours=23)
    assert time_left_text(sunday_noon, SPRING_SAT, True) == "pozostał 1 dzień"
    # real elapsed time inside the shortened night
    before = datetime(2026, 3, 29, 1, 0, tzinfo=WAW)
    after = datetime(2026, 3, 29, 4, 0, tzinfo=WAW)
    assert time_left_text(after, before, True) == "pozostały 2 godz."
    # the whole shortened Sunday, as a date-only deadline, from its midnight
    sunday = deadline_from_parts(date(2026, 3, 29), None, WAW)
    assert time_left_text(sunday, datetime(2026, 3, 29, 0, 0, tzinfo=WAW), False) == (
        "pozostał 1 dzień"
    )
    assert time_left_text(sunday, datetime(2026, 3, 29, 1, 0, tzinfo=WAW), False) == (
        "pozostały 22 godz."
    )


def test_autumn_dst_same_clock_time_next_day_is_one_day_though_25_hours():
    sunday_noon = datetime(2026, 10, 25, 12, 0, tzinfo=WAW)
    assert sunday_noon.astimezone(UTC) - AUTUMN_SAT.astimezone(UTC) == timedelta(hours=25)
    assert time_left_text(sunday_noon, AUTUMN_SAT, True) == "pozostał 1 dzień"
    before = datetime(2026, 10, 25, 1, 0, tzinfo=WAW)
    after = datetime(2026, 10, 25, 4, 0, tzinfo=WAW)
    assert time_left_text(after, before, True) == "pozostały 4 godz."
    # just under a calendar day on the 25-hour day is more than 24 real hours
    sat_late = datetime(2026, 10, 24, 23, 30, tzinfo=WAW)
    sun_late = datetime(2026, 10, 25, 23, 29, tzinfo=WAW)
    assert time_left_text(sun_late, sat_late, True) == "pozostały 24 godz. 59 min"
    overdue = time_left(AUTUMN_SAT, sunday_noon, True)
    assert (overdue.text, overdue.overdue) == ("po terminie 1 dzień", True)


def test_the_repeated_autumn_hour_counts_both_times():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=WAW, fold=0)  # CEST
    second = datetime(2026, 10, 25, 2, 30, tzinfo=WAW, fold=1)  # CET, an hour later
    assert time_left_text(second, first, True) == "pozostała 1 godz."
    span = split_span(first, second, WAW)
    assert (span.days, span.hours, span.minutes) == (0, 1, 0)


def test_a_clock_time_in_the_spring_gap_is_read_with_the_winter_offset():
    stored = deadline_from_parts(date(2026, 3, 29), time(2, 30), WAW)
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # = 03:30 CEST


def test_now_in_another_zone_gives_the_same_answer():
    deadline = datetime(2026, 12, 5, 12, 0, tzinfo=WAW)
    assert time_left_text(deadline, NOW.astimezone(UTC), True) == "pozostały 2 dni"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        time_left_text(datetime(2026, 12, 5, 12, 0), NOW, True)
    with pytest.raises(ValueError):
        time_left_text(NOW, datetime(2026, 12, 3, 12, 0), True)
