"""Pure placement of calendar events: no Qt, no database (after KOrganizer's agenda).

Painted views (week/day grid, month grid, the Panel Główny day plan, printing later) all
lay events out with these functions, so the geometry is decided and tested in one place.

* ``place_intervals(items)`` puts overlapping intervals side by side: each item gets a
  sub-column ``column`` out of ``columns`` in its cluster (a cluster is a maximal set of
  transitively overlapping items) and a ``span`` ≥ 1 of free columns to its right it may
  stretch into. Nothing is ever hidden. Works on any comparable values (minutes,
  datetimes, day indices).
* ``day_bounds(day, tz)`` is the real start/end of a calendar day in ``tz``; a DST day is
  23 or 25 hours long.
* ``wall_minutes(moment, day, tz)`` is the wall-clock position of ``moment`` on ``day``'s
  grid (0 … 1440), which is how the hour grid positions events: labels stay 0:00 … 23:00 on
  DST days and an event at 10:00 local time sits on the 10:00 row.
* ``layout_day(events, day, tz)`` clips events to one day column and places them.
* ``layout_all_day(events, days)`` assigns lanes to (multi-)day events in the strip above
  the hour grid or in month-view week rows.
* ``month_cell(items, capacity)`` decides which events a crowded month cell shows and how
  many go under "+N więcej".
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Protocol, TypeVar

MINUTES_PER_DAY = 24 * 60

K = TypeVar("K", bound=Hashable)


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


@dataclass(frozen=True)
class Placement:
    """Where one interval goes: sub-column ``column`` (0-based) of ``columns``, ``span``
    columns wide (it may extend into free columns on its right)."""

    column: int
    columns: int
    span: int = 1

    @property
    def left(self) -> float:
        """Left edge as a fraction of the day column's width."""
        return self.column / self.columns

    @property
    def width(self) -> float:
        """Width as a fraction of the day column's width."""
        return self.span / self.columns


def place_intervals(items: Iterable[tuple[K, Any, Any]]) -> dict[K, Placement]:
    """Place ``(key, start, end)`` intervals into sub-columns so none overlap visually.

    Intervals are half-open: one ending at 10:00 does not overlap one starting at 10:00.
    An empty interval (start == end) occupies its start point, so two such at the same
    time still sit side by side. Order: earlier start first, then longer first, then by
    input order, which keeps the result stable for equal times.
    """
    ordered = sorted(
        ((start, end, i, key) for i, (key, start, end) in enumerate(items)),
        key=lambda it: (it[0], _negated_length(it[0], it[1]), it[2]),
    )
    result: dict[K, Placement] = {}
    cluster: list[tuple[Any, Any, K, int]] = []  # start, end, key, column
    columns = 0
    # Taken in start order, a column stays free once its last interval no longer
    # overlaps: a non-empty one ending at or before the start, an empty one before it.
    # So free columns come off a heap of (end, empty, column) and the lowest free one
    # off a heap of indices, instead of testing every column for every interval (an
    # overlaid week has clusters of a hundred events in twenty columns).
    busy: list[tuple[Any, bool, int]] = []
    free: list[int] = []
    cluster_end: Any = None

    def flush() -> None:
        starts: list[list[Any]] = [[] for _ in range(columns)]
        by_column: list[list[tuple[Any, Any]]] = [[] for _ in range(columns)]
        for start, end, _key, col in cluster:  # in start order: each column sorted
            starts[col].append(start)
            by_column[col].append((start, end))
        for start, end, key, col in cluster:
            span = 1
            while col + span < columns and not _column_overlaps(
                starts[col + span], by_column[col + span], start, end
            ):
                span += 1
            result[key] = Placement(col, columns, span)
        cluster.clear()

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
            columns, cluster_end = 0, None
            busy.clear()
            free.clear()
        while busy and (busy[0][0] < start or (busy[0][0] == start and not busy[0][1])):
            heapq.heappush(free, heapq.heappop(busy)[2])
        if free:
            col = heapq.heappop(free)
        else:
            col, columns = columns, columns + 1
        heapq.heappush(busy, (end, start == end, col))
        cluster.append((start, end, key, col))
        cluster_end = end if cluster_end is None or end > cluster_end else cluster_end
    if cluster:
        flush()
    return result


def _column_overlaps(starts: list[Any], items: list[tuple[Any, Any]], start: Any, end: Any) -> bool:
    """Whether an interval of one column (disjoint, sorted: ``starts`` are theirs)
    overlaps ``[start, end)``; only the last one starting before its end can."""
    j = bisect_right(starts, start) if start == end else bisect_left(starts, end)
    return j > 0 and _overlaps(start, end, *items[j - 1])


def _overlaps(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> bool:
    if a_start == a_end and b_start == b_end:
        return a_start == b_start
    if a_start == a_end:
        return b_start <= a_start < b_end
    if b_start == b_end:
        return a_start <= b_start < a_end
    return a_start < b_end and b_start < a_end


def _negated_length(start: Any, end: Any) -> Any:
    return -(end - start)


# --- days and wall-clock positions -------------------------------------------------


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The real start and end of ``day`` in ``tz``, in UTC (aware datetimes sharing one
    zone compare and subtract by wall time, which is wrong across DST: UTC is not)."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


class DayIndex:
    """Which of ``days`` (consecutive dates in ``tz``) an event covers, found by bisecting
    the instants of their midnights: a month of 20 overlaid users has some 6,000 events,
    and two comparisons each are several times quicker than converting them to ``tz``.
    """

    def __init__(self, days: Sequence[date], tz: tzinfo) -> None:
        self.days = list(days)
        starts = [day_bounds(day, tz)[0] for day in self.days]
        if self.days:
            starts.append(day_bounds(self.days[-1], tz)[1])
        self._utc = starts
        # the midnights in each fixed-offset zone met so far: datetimes sharing a zone
        # compare by wall time, which is exact only when the offset never changes
        self._by_zone: dict[tzinfo | None, list[datetime]] = {UTC: starts}

    def locate(self, start: datetime, end: datetime) -> tuple[int, int, datetime, datetime]:
        """The indices of the first and last (inclusive) day ``[start, end)`` covers, as
        ``covered_dates`` gives them (an end at exactly midnight does not cover the next
        day; -1 is before the first day, ``len(days)`` after the last), and ``start`` and
        ``end`` as they compare exactly (see ``comparable``)."""
        bounds = self._by_zone.get(start.tzinfo)
        if bounds is None or end.tzinfo is not start.tzinfo:
            return self._locate_other(start, end)
        first = bisect_right(bounds, start) - 1
        last = bisect_left(bounds, end) - 1
        return first, (last if last > first else first), start, end

    def _locate_other(self, start: datetime, end: datetime) -> tuple[int, int, datetime, datetime]:
        zone = start.tzinfo
        if end.tzinfo is zone and _fixed_offset(zone):
            self._by_zone[zone] = [b.astimezone(zone) for b in self._utc]
            return self.locate(start, end)
        return self.locate(start.astimezone(UTC), end.astimezone(UTC))


def _fixed_offset(zone: tzinfo | None) -> bool:
    """Whether ``zone`` is known never to change its UTC offset."""
    return isinstance(zone, timezone) or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


def comparable(moment: datetime) -> datetime:
    """``moment`` itself when it is in a fixed-offset zone (as the database's timestamps
    are), else in UTC: datetimes sharing a DST zone compare and subtract by wall time."""
    return moment if _fixed_offset(moment.tzinfo) else moment.astimezone(UTC)


def wall_minutes(moment: datetime, day: date, tz: tzinfo) -> float:
    """Wall-clock minutes of ``moment`` from the midnight of ``day`` in ``tz``, clipped
    to 0 … 1440 (the grid's rows are wall-clock hours, also on DST days)."""
    local = moment.astimezone(tz)
    minutes = (local.date() - day).days * MINUTES_PER_DAY + local.hour * 60 + local.minute
    minutes += local.second / 60
    return float(min(max(minutes, 0), MINUTES_PER_DAY))


def moment_at(day: date, minutes: float, tz: tzinfo) -> datetime:
    """The aware moment shown at wall-clock ``minutes`` of ``day`` (inverse of
    ``wall_minutes``). Minute 1440 is the next midnight. A wall time in the spring-forward
    gap (02:00–03:00 on the last Sunday of March) maps one hour later, the way zoneinfo
    normalises it; an ambiguous autumn time maps to its first occurrence."""
    minutes = round(min(max(minutes, 0), MINUTES_PER_DAY))
    if minutes >= MINUTES_PER_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), tz)
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tz)
    return wall.astimezone(UTC).astimezone(tz)


def snap_minutes(minutes: float, step: int = 15) -> int:
    """Round to the nearest ``step`` minutes (the grid snaps drags to 15 minutes)."""
    return int(round(minutes / step) * step)


# --- one day column ----------------------------------------------------------------


class Timed(Protocol):
    """What the layout needs of an event: a key, aware start and end."""

    @property
    def key(self) -> Hashable: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


@dataclass(frozen=True)
class DaySegment:
    """The part of one event shown in one day column, in wall-clock minutes."""

    key: Hashable
    top: float
    bottom: float
    placement: Placement
    continues_before: bool
    continues_after: bool


def layout_day(
    events: Iterable[Timed], day: date, tz: tzinfo, *, min_minutes: float = 15
) -> list[DaySegment]:
    """Clip ``events`` to ``day`` and place them side by side.

    ``min_minutes`` is the shortest box drawn; it also counts for overlap, so a
    zero-length event and one starting right after it do not paint over each other.
    """
    day_start, day_end = day_bounds(day, tz)
    raw: list[tuple[Hashable, float, float, bool, bool]] = []
    for ev in events:
        start, end = ev.start.astimezone(UTC), ev.end.astimezone(UTC)
        if not (start < day_end and (end > day_start or start >= day_start)):
            continue
        top = wall_minutes(max(start, day_start), day, tz)
        bottom = wall_minutes(end, day, tz) if end < day_end else float(MINUTES_PER_DAY)
        bottom = max(bottom, top)
        raw.append((ev.key, top, bottom, start < day_start, end > day_end))
    visual = [
        (key, top, min(max(bottom, top + min_minutes), MINUTES_PER_DAY))
        for key, top, bottom, _b, _a in raw
    ]
    # a box squeezed against midnight still needs its minimum height
    visual = [(k, min(t, b - min_minutes) if b - t < min_minutes else t, b) for k, t, b in visual]
    placements = place_intervals(visual)
    return [
        DaySegment(key, top, bottom, placements[key], before, after)
        for key, top, bottom, before, after in raw
    ]


# --- all-day strip / month rows -----------------------------------------------------


@dataclass(frozen=True)
class DaySpan:
    """An all-day (or multi-day) event across visible day indices ``first``…``last``."""

    key: Hashable
    first: int
    last: int
    lane: int
    continues_before: bool
    continues_after: bool


def layout_all_day(
    events: Iterable[tuple[Hashable, date, date]], days: Sequence[date]
) -> list[DaySpan]:
    """Assign lanes to ``(key, first_day, last_day)`` items (inclusive) over ``days``
    (consecutive dates). Items outside ``days`` are left out."""
    if not days:
        return []
    first_day, last_day = days[0], days[-1]
    clipped: list[tuple[Hashable, int, int, bool, bool]] = []
    for key, first, last in events:
        if last < first_day or first > last_day:
            continue
        a = (max(first, first_day) - first_day).days
        b = (min(last, last_day) - first_day).days
        clipped.append((key, a, b, first < first_day, last > last_day))
    lanes = place_lanes([(key, a, b + 1) for key, a, b, _x, _y in clipped])
    return [DaySpan(key, a, b, lanes[key], x, y) for key, a, b, x, y in clipped]


def place_lanes(items: Iterable[tuple[K, int, int]]) -> dict[K, int]:
    """Greedy lanes for half-open integer ranges: each item takes the lowest free lane
    (unlike sub-columns, lanes are not shared per cluster: month rows stack)."""
    ordered = sorted(enumerate(items), key=lambda it: (it[1][1], -(it[1][2] - it[1][1]), it[0]))
    busy: list[tuple[int, int]] = []  # heap of (end, lane) still occupied
    free: list[int] = []  # heap of lanes free again
    lanes = 0
    result: dict[K, int] = {}
    for _i, (key, start, end) in ordered:
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = lanes
            lanes += 1
        heapq.heappush(busy, (end, lane))
        result[key] = lane
    return result


@dataclass(frozen=True)
class CellContent:
    """What one month cell shows: the keys in order and how many are hidden."""

    shown: tuple[Hashable, ...]
    hidden: int


def month_cell(keys: Sequence[Hashable], capacity: int) -> CellContent:
    """Show ``keys`` (already ordered) in a cell with room for ``capacity`` lines; when
    they do not fit, the last line becomes "+N więcej"."""
    if capacity <= 0:
        return CellContent((), len(keys))
    if len(keys) <= capacity:
        return CellContent(tuple(keys), 0)
    shown = tuple(keys[: capacity - 1])
    return CellContent(shown, len(keys) - len(shown))


def display_zone() -> tzinfo:
    """The zone calendar views show times in: ``TZ`` or the system zone, else
    Europe/Warsaw (the product's default)."""
    import os
    from pathlib import Path
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and "/" in name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("Europe/Warsaw")


def covered_dates(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, date]:
    """First and last (inclusive) local dates an event covers. An end at exactly
    midnight does not cover the next day, so an all-day event stored as
    [midnight of its first day, midnight after its last day) covers just its days."""
    first = start.astimezone(tz).date()
    local_end = end.astimezone(tz)
    last = local_end.date()
    if last > first and local_end.time() == time(0):
        last -= timedelta(days=1)
    return first, max(first, last)
