"""The pure placement functions, without Qt or a database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from eszok_desktop.services.calendar.layout import (
    DayIndex,
    Placement,
    _overlaps,
    comparable,
    covered_dates,
    day_bounds,
    layout_all_day,
    layout_day,
    moment_at,
    month_cell,
    place_intervals,
    place_lanes,
    snap_minutes,
    wall_minutes,
)

WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass(frozen=True)
class Ev:
    key: int
    start: datetime
    end: datetime


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WARSAW)


def assert_no_visual_overlap(items, placements):
    """Two overlapping intervals never share a sub-column range."""
    for i, (ka, sa, ea) in enumerate(items):
        for kb, sb, eb in items[i + 1 :]:
            if sa < eb and sb < ea:
                pa, pb = placements[ka], placements[kb]
                assert pa.columns == pb.columns, (ka, kb)
                a_cols = set(range(pa.column, pa.column + pa.span))
                b_cols = set(range(pb.column, pb.column + pb.span))
                assert not a_cols & b_cols, (ka, pa, kb, pb)


def test_single_and_disjoint_events_take_the_full_width():
    result = place_intervals([("a", 60, 120), ("b", 120, 180), ("c", 300, 310)])
    assert result == {k: Placement(0, 1, 1) for k in "abc"}


def test_two_overlapping_events_sit_side_by_side():
    result = place_intervals([("a", 60, 120), ("b", 90, 150)])
    assert result["a"] == Placement(0, 2, 1)
    assert result["b"] == Placement(1, 2, 1)
    assert result["b"].left == 0.5 and result["b"].width == 0.5


def test_free_column_is_reused_and_short_event_spans_into_free_space():
    # a long event in column 0, then b and c one after another in column 1,
    # d overlapping only b goes to column 2; c may stretch over column 2.
    items = [("a", 0, 600), ("b", 60, 120), ("c", 120, 240), ("d", 90, 110)]
    result = place_intervals(items)
    assert result["a"].column == 0
    assert result["b"].column == 1
    assert result["c"].column == 1  # reused after b ended
    assert result["d"].column == 2
    assert all(p.columns == 3 for p in result.values())
    assert result["c"].span == 2
    assert result["b"].span == 1
    assert_no_visual_overlap(items, result)


def test_separate_clusters_have_their_own_column_count():
    result = place_intervals([("a", 0, 60), ("b", 30, 90), ("c", 200, 260)])
    assert result["a"].columns == result["b"].columns == 2
    assert result["c"] == Placement(0, 1, 1)


def test_equal_times_keep_input_order_and_longer_first():
    result = place_intervals([("x", 60, 120), ("y", 60, 120), ("long", 60, 300)])
    assert result["long"].column == 0
    assert result["x"].column == 1
    assert result["y"].column == 2


def test_empty_intervals_at_the_same_time_are_both_visible():
    result = place_intervals([("a", 60, 60), ("b", 60, 60), ("c", 61, 61)])
    assert result["a"].column != result["b"].column
    assert result["c"] == Placement(0, 1, 1)


def test_many_overlapping_events_are_never_hidden():
    rnd = random.Random(7)
    items = []
    for i in range(400):
        start = rnd.randrange(0, 1400)
        items.append((i, start, start + rnd.randrange(1, 240)))
    result = place_intervals(items)
    assert set(result) == {k for k, _s, _e in items}
    assert_no_visual_overlap(items, result)
    for p in result.values():
        assert 0 <= p.column < p.columns
        assert p.column + p.span <= p.columns


def test_fifty_events_at_once_get_fifty_columns():
    result = place_intervals([(i, 600, 660) for i in range(50)])
    assert sorted(p.column for p in result.values()) == list(range(50))
    assert {p.columns for p in result.values()} == {50}


def test_place_intervals_agrees_with_testing_every_column():
    rnd = random.Random(11)
    for _case in range(300):
        items = []
        for i in range(rnd.randrange(1, 60)):
            start = rnd.randrange(0, 200, rnd.choice((1, 5, 15)))
            items.append((i, start, start + rnd.choice((0, 0, 5, 15, 30, rnd.randrange(1, 90)))))
        assert place_intervals(items) == reference_place_intervals(items), items


def reference_place_intervals(items):
    """The column search of the first version: every column tested for every
    interval (quadratic, but plainly right)."""
    ordered = sorted(
        ((start, end, i, key) for i, (key, start, end) in enumerate(items)),
        key=lambda it: (it[0], -(it[1] - it[0]), it[2]),
    )
    result = {}
    cluster = []  # start, end, key, column
    column_last = []  # the latest interval of each column
    cluster_end = None

    def flush() -> None:
        columns = len(column_last)
        by_column = [[] for _ in range(columns)]
        for start, end, _key, col in cluster:
            by_column[col].append((start, end))
        for start, end, key, col in cluster:
            span = 1
            while col + span < columns and not any(
                _overlaps(start, end, o_start, o_end) for o_start, o_end in by_column[col + span]
            ):
                span += 1
            result[key] = Placement(col, columns, span)
        cluster.clear()
        column_last.clear()

    for start, end, _order, key in ordered:
        joins = cluster and (
            start < cluster_end
            or (
                start == cluster_end
                and any(_overlaps(start, end, s, e) for s, e, _k, _c in cluster if e == start)
            )
        )
        if cluster and not joins:
            flush()
            cluster_end = None
        col = next(
            (c for c, (s, e) in enumerate(column_last) if not _overlaps(start, end, s, e)),
            len(column_last),
        )
        if col == len(column_last):
            column_last.append((start, end))
        else:
            column_last[col] = (start, end)
        cluster.append((start, end, key, col))
        cluster_end = end if cluster_end is None or end > cluster_end else cluster_end
    if cluster:
        flush()
    return result


def test_works_on_datetimes():
    result = place_intervals(
        [(1, at(2026, 5, 4, 9), at(2026, 5, 4, 10)), (2, at(2026, 5, 4, 9, 30), at(2026, 5, 4, 11))]
    )
    assert result[1].column == 0 and result[2].column == 1


def test_day_bounds_on_dst_days():
    start, end = day_bounds(date(2026, 3, 29), WARSAW)
    assert end - start == timedelta(hours=23)
    assert start.astimezone(WARSAW).hour == 0
    start, end = day_bounds(date(2026, 10, 25), WARSAW)
    assert end - start == timedelta(hours=25)
    start, end = day_bounds(date(2026, 6, 1), WARSAW)
    assert end - start == timedelta(hours=24)


def test_wall_minutes_on_dst_days_follow_the_local_clock():
    # Last Sunday of October: 10:00 local is 09:00 UTC, still the 10:00 row.
    oct_day = date(2026, 10, 25)
    ten = datetime(2026, 10, 25, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert wall_minutes(ten, oct_day, WARSAW) == 600
    # Last Sunday of March: 10:00 local is 08:00 UTC.
    mar_day = date(2026, 3, 29)
    ten = datetime(2026, 3, 29, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert wall_minutes(ten, mar_day, WARSAW) == 600
    # 01:00 UTC on the March day is 03:00 CEST: the 2:00 row is skipped.
    assert wall_minutes(datetime(2026, 3, 29, 1, 0, tzinfo=ZoneInfo("UTC")), mar_day, WARSAW) == 180
    # clipped to the day
    assert wall_minutes(at(2026, 10, 24, 22), oct_day, WARSAW) == 0
    assert wall_minutes(at(2026, 10, 26, 1), oct_day, WARSAW) == 1440


def test_moment_at_inverts_wall_minutes_and_normalises_the_gap():
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 7, 1)):
        for minutes in (0, 60, 180, 600, 1425):
            moment = moment_at(day, minutes, WARSAW)
            assert wall_minutes(moment, day, WARSAW) == minutes
        assert moment_at(day, 1440, WARSAW) == day_bounds(day, WARSAW)[1]
    # 02:30 does not exist on the March day: it becomes 03:30 CEST
    gap = moment_at(date(2026, 3, 29), 150, WARSAW)
    assert (gap.hour, gap.minute) == (3, 30)
    assert gap.utcoffset() == timedelta(hours=2)


def test_snap_minutes():
    assert snap_minutes(7) == 0
    assert snap_minutes(8) == 15
    assert snap_minutes(52) == 45
    assert snap_minutes(61, 30) == 60


def test_layout_day_clips_multi_day_events_and_marks_continuation():
    events = [
        Ev(1, at(2026, 5, 3, 22), at(2026, 5, 4, 2)),
        Ev(2, at(2026, 5, 4, 1), at(2026, 5, 4, 3)),
        Ev(3, at(2026, 5, 4, 23), at(2026, 5, 5, 1)),
        Ev(4, at(2026, 5, 5, 9), at(2026, 5, 5, 10)),  # another day
    ]
    segs = {s.key: s for s in layout_day(events, date(2026, 5, 4), WARSAW)}
    assert set(segs) == {1, 2, 3}
    assert (segs[1].top, segs[1].bottom) == (0, 120)
    assert segs[1].continues_before and not segs[1].continues_after
    assert (segs[3].top, segs[3].bottom) == (1380, 1440)
    assert segs[3].continues_after
    assert segs[1].placement.columns == segs[2].placement.columns == 2
    assert segs[3].placement == Placement(0, 1, 1)


def test_layout_day_gives_short_events_room():
    events = [
        Ev(1, at(2026, 5, 4, 9), at(2026, 5, 4, 9)),
        Ev(2, at(2026, 5, 4, 9, 5), at(2026, 5, 4, 10)),
    ]
    segs = {s.key: s for s in layout_day(events, date(2026, 5, 4), WARSAW)}
    # the zero-length event is drawn 15 minutes high, so they sit side by side
    assert segs[1].placement.columns == 2
    assert segs[1].top == segs[1].bottom == 540


def test_layout_day_keeps_an_event_ending_at_midnight_out_of_the_next_day():
    events = [Ev(1, at(2026, 5, 4, 23), at(2026, 5, 5, 0))]
    assert [s.key for s in layout_day(events, date(2026, 5, 4), WARSAW)] == [1]
    assert layout_day(events, date(2026, 5, 5), WARSAW) == []


def test_layout_day_on_the_autumn_dst_day():
    # 01:00–04:00 local lasts four real hours on the October day, and is drawn 1:00–4:00.
    events = [
        Ev(1, at(2026, 10, 25, 1), at(2026, 10, 25, 4)),
        Ev(2, at(2026, 10, 25, 20), at(2026, 10, 25, 21)),
    ]
    assert events[0].end.astimezone(UTC) - events[0].start.astimezone(UTC) == timedelta(hours=4)
    segs = {s.key: s for s in layout_day(events, date(2026, 10, 25), WARSAW)}
    assert (segs[1].top, segs[1].bottom) == (60, 240)
    assert (segs[2].top, segs[2].bottom) == (1200, 1260)


def test_layout_day_on_the_spring_dst_day():
    # 01:30–03:30 local lasts one real hour on the March day, still drawn 1:30–3:30.
    events = [Ev(1, at(2026, 3, 29, 1, 30), at(2026, 3, 29, 3, 30))]
    assert events[0].end.astimezone(UTC) - events[0].start.astimezone(UTC) == timedelta(hours=1)
    (seg,) = layout_day(events, date(2026, 3, 29), WARSAW)
    assert (seg.top, seg.bottom) == (90, 210)


def test_all_day_lanes_over_a_week():
    days = [date(2026, 5, 4) + timedelta(days=i) for i in range(7)]
    events = [
        ("trip", date(2026, 5, 1), date(2026, 5, 5)),
        ("conf", date(2026, 5, 5), date(2026, 5, 7)),
        ("one", date(2026, 5, 8), date(2026, 5, 8)),
        ("later", date(2026, 5, 20), date(2026, 5, 20)),
    ]
    spans = {s.key: s for s in layout_all_day(events, days)}
    assert set(spans) == {"trip", "conf", "one"}
    assert (spans["trip"].first, spans["trip"].last) == (0, 1)
    assert spans["trip"].continues_before and not spans["trip"].continues_after
    assert spans["conf"].lane != spans["trip"].lane
    assert spans["one"].lane == 0


def test_place_lanes_reuses_the_lowest_free_lane():
    lanes = place_lanes([("a", 0, 2), ("b", 1, 3), ("c", 2, 4), ("d", 3, 5)])
    assert lanes == {"a": 0, "b": 1, "c": 0, "d": 1}


def test_month_cell_overflow():
    assert month_cell([1, 2, 3], 3) == month_cell([1, 2, 3], 5)
    assert month_cell([1, 2, 3], 3).hidden == 0
    crowded = month_cell(list(range(10)), 4)
    assert crowded.shown == (0, 1, 2)
    assert crowded.hidden == 7
    assert month_cell([1], 0).hidden == 1


def test_visible_days_are_monday_first():
    from eszok_desktop.services.calendar.periods import ViewMode, step, visible_days

    week = visible_days(ViewMode.WEEK, date(2026, 12, 3))
    assert week[0] == date(2026, 11, 30) and week[-1] == date(2026, 12, 6)
    month = visible_days(ViewMode.MONTH, date(2026, 12, 3))
    assert month[0] == date(2026, 11, 30) and month[-1] == date(2027, 1, 3)
    assert len(month) % 7 == 0 and all(d.weekday() == 0 for d in month[::7])
    # February 2027 starts on a Monday and ends on a Sunday: exactly four rows
    assert len(visible_days(ViewMode.MONTH, date(2027, 2, 10))) == 28
    assert visible_days(ViewMode.DAY, date(2026, 3, 29)) == [date(2026, 3, 29)]
    assert step(ViewMode.MONTH, date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert step(ViewMode.MONTH, date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert step(ViewMode.MONTH, date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert step(ViewMode.WEEK, date(2026, 12, 3), -1) == date(2026, 11, 26)
    assert step(ViewMode.DAY, date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_fetch_bounds_cover_dst_days():
    from eszok_desktop.services.calendar.periods import ViewMode, fetch_bounds, visible_days

    start, end = fetch_bounds(visible_days(ViewMode.WEEK, date(2026, 10, 25)), WARSAW)
    assert start == datetime(2026, 10, 19, tzinfo=WARSAW)
    assert end == datetime(2026, 10, 26, tzinfo=WARSAW)
    assert end - start == timedelta(days=7, hours=1)


# --- DayIndex ---------------------------------------------------------------------

AUTUMN_WEEK = [date(2026, 10, 19) + timedelta(days=i) for i in range(14)]  # DST on the 25th


def test_day_index_agrees_with_covered_dates_across_dst():
    index = DayIndex(AUTUMN_WEEK, WARSAW)
    rnd = random.Random(5)
    first_day = datetime(2026, 10, 17, tzinfo=UTC)
    zones = [UTC, ZoneInfo("UTC"), WARSAW, timezone(timedelta(hours=5))]
    for _ in range(2000):
        start = first_day + timedelta(minutes=15 * rnd.randrange(0, 18 * 96))
        end = start + timedelta(minutes=rnd.choice((0, 15, 60, 24 * 60, rnd.randrange(0, 5000))))
        zone = rnd.choice(zones)
        start, end = start.astimezone(zone), end.astimezone(rnd.choice((zone, UTC)))
        first, last, cmp_start, cmp_end = index.locate(start, end)
        want_first, want_last = covered_dates(start, end, WARSAW)

        def expected(day):
            if day < AUTUMN_WEEK[0]:
                return -1
            if day > AUTUMN_WEEK[-1]:
                return len(AUTUMN_WEEK)
            return AUTUMN_WEEK.index(day)

        assert (first, last) == (expected(want_first), expected(want_last)), (start, end)
        # the same instants (== would say no across zones for an ambiguous wall time)
        assert (cmp_start.timestamp(), cmp_end.timestamp()) == (start.timestamp(), end.timestamp())


def test_day_index_edges():
    index = DayIndex(AUTUMN_WEEK, WARSAW)

    def span(start, end):
        return index.locate(start, end)[:2]

    sunday = AUTUMN_WEEK.index(date(2026, 10, 25))
    # a 25-hour day: 23:30 local is still the 25th, midnight is the 26th
    assert span(at(2026, 10, 25, 23, 30), at(2026, 10, 25, 23, 45)) == (sunday, sunday)
    assert span(at(2026, 10, 26), at(2026, 10, 26, 1)) == (sunday + 1, sunday + 1)
    # ending at midnight does not cover the next day; an empty event at midnight does
    assert span(at(2026, 10, 25, 9), at(2026, 10, 26)) == (sunday, sunday)
    assert span(at(2026, 10, 26), at(2026, 10, 26)) == (sunday + 1, sunday + 1)
    # before and after the days
    assert span(at(2026, 10, 1), at(2026, 10, 2)) == (-1, -1)
    assert span(at(2026, 10, 1), at(2026, 12, 1)) == (-1, len(AUTUMN_WEEK))


def test_comparable_keeps_fixed_zones_and_converts_dst_zones():
    utc_moment = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert comparable(utc_moment) is utc_moment
    # 02:30 occurs twice in Warsaw that night: wall time alone would misorder them
    first = datetime(2026, 10, 25, 2, 30, tzinfo=WARSAW)
    second = datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=WARSAW)
    assert not first < second  # wall-clock comparison, wrong
    assert comparable(first) < comparable(second)
