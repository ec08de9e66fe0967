"""One painted hour grid for N day columns (the week and day views, Panel Główny's plan).

The widget paints everything itself — day headers, an all-day strip, 24 hour rows with
wall-clock labels (0:00 … 23:00, also on DST days), today's column, Polish public
holidays, weekends, a now-line, and events as colour-coded boxes — and scrolls its hour
rows with its own scroll bar. It never queries: feed it ``ViewEvent``s (such as plain
``GridEvent`` values).
Overlapping events are placed side by side by ``services.calendar.layout.layout_day``.

API::

    grid = TimeGrid(parent)
    grid.set_days([date(2026, 5, 4), ...])       # the columns, left to right
    grid.set_events([GridEvent(...), ...])      # replaces all events
    grid.set_now_provider(lambda: datetime.now(tz))  # the now-line; default: the clock
    grid.set_timezone(ZoneInfo("Europe/Warsaw"))    # default: layout.display_zone()
    grid.set_read_only(True)                    # no drag-to-create / move / resize
    grid.set_hour_height(40)                    # pixels per hour row
    grid.scroll_to_hour(7)                      # first visible hour
    grid.set_selected(key)                      # highlight one event

Signals (the owner decides what they mean; the grid saves nothing)::

    sig_range_selected(start, end, all_day)  # drag over empty grid / strip, or a
                                             # double-click on an empty slot (1 h)
    sig_event_activated(key)                 # double-click on an event
    sig_event_selected(key)                  # click on an event
    sig_event_changed(key, start, end)       # an editable event was moved / resized
    sig_day_activated(date)                  # click on a day header

Drags snap to ``SNAP_MINUTES`` (15). Only events with ``editable=True`` can be dragged;
moving an event keeps its real duration, resizing drags its top or bottom edge.
Test helpers: ``event_rect(key, day)``, ``point_at(day, minutes)``,
``moment_at_point(pos)``, ``visible_hours()``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from functools import lru_cache
from typing import Protocol

from PySide6.QtCore import QEvent, QLocale, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QToolTip, QWidget

from eszok_desktop.services.calendar import layout
from eszok_desktop.services.calendar.public_holidays import polish_holiday

SNAP_MINUTES = 15
POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)
_ELIDE = Qt.TextElideMode.ElideRight  # hoisted: PySide6's enum lookups are slow


class ViewEvent(Protocol):
    """What the painted views read of an event (no ORM object, no database)."""

    @property
    def key(self) -> Hashable: ...
    @property
    def title(self) -> str: ...
    @property
    def start(self) -> datetime: ...  # aware
    @property
    def end(self) -> datetime: ...  # aware; all-day events end at the midnight after
    @property
    def color(self) -> str: ...  # box colour: the calendar's, or the user's when overlaid
    @property
    def all_day(self) -> bool: ...
    @property
    def subtitle(self) -> str: ...  # a second line (kind, company)
    @property
    def tooltip(self) -> str: ...  # on hover; empty: the title and times
    @property
    def editable(self) -> bool: ...  # may be moved and resized by dragging
    @property
    def accent(self) -> str | None: ...  # left stripe colour (the calendar's when overlaid)


@dataclass(frozen=True, slots=True)
class GridEvent:
    """A ``ViewEvent`` as a plain value."""

    key: Hashable
    title: str
    start: datetime
    end: datetime
    color: str = "#2f6fb7"
    all_day: bool = False
    subtitle: str = ""
    tooltip: str = ""
    editable: bool = False
    accent: str | None = None


def moved(ev: ViewEvent, start: datetime, end: datetime) -> GridEvent:
    """``ev`` at other times (what a drag shows until the owner saves it)."""
    return GridEvent(
        key=ev.key,
        title=ev.title,
        start=start,
        end=end,
        color=ev.color,
        all_day=ev.all_day,
        subtitle=ev.subtitle,
        tooltip=ev.tooltip,
        editable=ev.editable,
        accent=ev.accent,
    )


class _Drag(Enum):
    SELECT = "select"
    SELECT_DAYS = "select_days"
    MOVE = "move"
    RESIZE_TOP = "resize_top"
    RESIZE_BOTTOM = "resize_bottom"
    MOVE_DAYS = "move_days"


@dataclass
class _DragState:
    mode: _Drag
    press: QPointF
    day_index: int
    minutes: float
    key: Hashable | None = None
    original: ViewEvent | None = None
    moved: bool = False


def text_color_for(fill: QColor) -> QColor:
    """Dark text on light fills, white on dark ones."""
    luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
    return QColor("#1b1b1b") if luminance > 0.6 else QColor("#ffffff")


@dataclass(frozen=True)
class BoxColors:
    """The colours of an event box drawn in ``base`` (shared: do not modify them)."""

    base: QColor
    fill: QColor  # ``base`` tinted
    text: QColor  # readable on ``fill``
    border: QColor
    strong_border: QColor  # of a selected box or a bar


@lru_cache(maxsize=512)
def box_colors(color: str, amount: float) -> BoxColors:
    """``BoxColors`` of ``color`` tinted by ``amount`` (see ``tint``), made once: a crowded
    view paints hundreds of boxes in a handful of colours."""
    base = QColor(color)
    fill = tint(base, amount)
    return BoxColors(base, fill, text_color_for(fill), base.darker(110), base.darker(130))


def tint(color: QColor, amount: float) -> QColor:
    """``color`` mixed with white; ``amount`` is the share of the colour (0…1)."""
    return QColor.fromRgbF(
        1 - (1 - color.redF()) * amount,
        1 - (1 - color.greenF()) * amount,
        1 - (1 - color.blueF()) * amount,
    )


def tooltip_of(ev: ViewEvent, tz: tzinfo) -> str:
    """The text to show when hovering ``ev``."""
    return ev.tooltip or default_tooltip(ev, tz)


def default_tooltip(ev: ViewEvent, tz: tzinfo) -> str:
    start, end = ev.start.astimezone(tz), ev.end.astimezone(tz)
    if ev.all_day:
        first, last = layout.covered_dates(ev.start, ev.end, tz)
        when = first.strftime("%d.%m.%Y")
        if last != first:
            when += " – " + last.strftime("%d.%m.%Y")
    elif start.date() == end.date():
        when = f"{start:%d.%m.%Y %H:%M} – {end:%H:%M}"
    else:
        when = f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"
    lines = [ev.title, when]
    if ev.subtitle:
        lines.append(ev.subtitle)
    return "\n".join(lines)


class TimeGrid(QWidget):
    """Day columns × 24 hour rows, painted; see the module docstring for the API."""

    sig_range_selected = Signal(object, object, bool)
    sig_event_activated = Signal(object)
    sig_event_selected = Signal(object)
    sig_event_changed = Signal(object, object, object)
    sig_day_activated = Signal(object)

    GUTTER = 52
    HEADER_HEIGHT = 36
    LANE_HEIGHT = 20
    EDGE = 5  # pixels at an event's top/bottom that resize instead of move
    NARROW_BOX = 24  # pixels: a box this narrow gets no text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._tz: tzinfo = layout.display_zone()
        self._days: list[date] = []
        self._events: list[ViewEvent] = []
        self._by_key: dict[Hashable, ViewEvent] = {}
        self._segments: list[list[layout.DaySegment]] = []
        self._spans: list[layout.DaySpan] = []
        self._lanes = 0
        self._strip_expanded = False  # a one-day view showing more of a crowded strip
        self._hour_height = 40
        self._read_only = False
        self._selected: Hashable | None = None
        self._drag: _DragState | None = None
        self._preview: ViewEvent | None = None
        self._selection: tuple[int, float, float] | None = None  # day index, minutes
        self._day_selection: tuple[int, int] | None = None
        self._now_provider: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self._scrollbar.valueChanged.connect(self.update)
        self._scrollbar.setSingleStep(self._hour_height // 2)
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.update)
        self._timer.start()

    # --- public API ---------------------------------------------------------------

    def set_timezone(self, tz: tzinfo) -> None:
        self._tz = tz
        self._relayout()

    def timezone(self) -> tzinfo:
        return self._tz

    def set_days(self, days: Sequence[date]) -> None:
        self._days = list(days)
        self._selection = None
        self._strip_expanded = False
        self._relayout()

    def days(self) -> list[date]:
        return list(self._days)

    def set_events(self, events: Iterable[ViewEvent]) -> None:
        self._events = list(events)
        self._by_key = {ev.key: ev for ev in self._events}
        if self._drag is None:
            self._preview = None
        self._relayout()

    def events(self) -> list[ViewEvent]:
        return list(self._events)

    def set_now_provider(self, provider: Callable[[], datetime]) -> None:
        """Where the now-line gets the time (tests pass a fixed clock)."""
        self._now_provider = provider
        self.update()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    def set_hour_height(self, pixels: int) -> None:
        self._hour_height = max(12, pixels)
        self._scrollbar.setSingleStep(self._hour_height // 2)
        self._update_scrollbar()
        self.update()

    def hour_height(self) -> int:
        return self._hour_height

    def scroll_to_hour(self, hour: float) -> None:
        self._scrollbar.setValue(round(hour * self._hour_height))

    def visible_hours(self) -> tuple[float, float]:
        top = self._scrollbar.value() / self._hour_height
        return top, top + self._body_rect().height() / self._hour_height

    def set_selected(self, key: Hashable | None) -> None:
        self._selected = key
        self.update()

    def selected(self) -> Hashable | None:
        return self._selected

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # --- geometry -----------------------------------------------------------------

    def _strip_capacity(self) -> int:
        """Lanes the all-day strip may take: a quarter of the height (at least two); in a
        one-day view expanded by its "+N więcej", all but three hour rows."""
        room = self.height() - self.HEADER_HEIGHT - 6
        room = room - 3 * self._hour_height if self._strip_expanded else room // 4
        return max(2, int(room // self.LANE_HEIGHT))

    def _strip_rows(self) -> tuple[int, bool]:
        """The lane rows the strip draws, and whether its last one says "+N więcej"
        (twenty overlaid calendars can have dozens of all-day events in a week)."""
        capacity = self._strip_capacity()
        return (capacity, True) if self._lanes > capacity else (self._lanes, False)

    def _strip_height(self) -> int:
        return max(1, self._strip_rows()[0]) * self.LANE_HEIGHT + 6

    def _shown_spans(self) -> list[layout.DaySpan]:
        rows, overflow = self._strip_rows()
        return [s for s in self._spans if s.lane < rows - 1] if overflow else self._spans

    def _strip_more(self) -> list[tuple[int, int, QRectF]]:
        """``(day index, hidden events, rect)`` of the "+N więcej" of each crowded day."""
        rows, overflow = self._strip_rows()
        if not overflow:
            return []
        hidden = [0] * len(self._days)
        for span in self._spans:
            if span.lane >= rows - 1:
                for index in range(span.first, span.last + 1):
                    hidden[index] += 1
        y = self.HEADER_HEIGHT + 3 + (rows - 1) * self.LANE_HEIGHT
        width = self._column_width() - 4
        return [
            (index, count, QRectF(self._column_x(index) + 2, y, width, self.LANE_HEIGHT - 2))
            for index, count in enumerate(hidden)
            if count
        ]

    def strip_more_rect(self, day: date) -> tuple[QRectF, int] | None:
        """Where ``day``'s "+N więcej" is in the all-day strip, and N (tests)."""
        index = self._days.index(day)
        return next(((rect, n) for i, n, rect in self._strip_more() if i == index), None)

    def _more_at(self, pos: QPointF) -> tuple[int, int] | None:
        return next(((i, n) for i, n, rect in self._strip_more() if rect.contains(pos)), None)

    def _hidden_titles(self, index: int) -> list[str]:
        rows, _overflow = self._strip_rows()
        keys = [s.key for s in self._spans if s.lane >= rows - 1 and s.first <= index <= s.last]
        return [self._by_key[k].title for k in keys if k in self._by_key]

    def _body_top(self) -> int:
        return self.HEADER_HEIGHT + self._strip_height()

    def _columns_left(self) -> int:
        return self.GUTTER

    def _columns_width(self) -> float:
        return max(1.0, self.width() - self.GUTTER - self._scrollbar.sizeHint().width())

    def _column_width(self) -> float:
        return self._columns_width() / max(1, len(self._days))

    def _body_rect(self) -> QRectF:
        top = self._body_top()
        return QRectF(self.GUTTER, top, self._columns_width(), max(0, self.height() - top))

    def _column_x(self, index: int) -> float:
        return self.GUTTER + index * self._column_width()

    def _y_of(self, minutes: float) -> float:
        return self._body_top() + minutes / 60 * self._hour_height - self._scrollbar.value()

    def _minutes_at_y(self, y: float) -> float:
        return (y - self._body_top() + self._scrollbar.value()) / self._hour_height * 60

    def _day_index_at_x(self, x: float) -> int | None:
        if not self._days or x < self.GUTTER:
            return None
        index = int((x - self.GUTTER) // self._column_width())
        return index if 0 <= index < len(self._days) else None

    def _segment_rect(self, index: int, seg: layout.DaySegment) -> QRectF:
        return next(r for i, s, r in self._segment_rects(days=[index]) if s is seg)

    def _segment_rects(
        self, top: float | None = None, bottom: float | None = None, days: Iterable[int] = ()
    ) -> Iterator[tuple[int, layout.DaySegment, QRectF]]:
        """The timed segments (of ``days``, else of all) that reach into ``top`` …
        ``bottom``, with their rectangles: the geometry is worked out once, not per box
        (an overlaid week paints about a thousand)."""
        col_w = self._column_width()
        inner = col_w - 4
        y0 = self._body_top() - self._scrollbar.value()
        scale = self._hour_height / 60
        for index in days or range(len(self._segments)):
            left = self.GUTTER + index * col_w + 1
            for seg in self._segments[index]:
                y = y0 + seg.top * scale
                height = max(6.0, max(seg.bottom - seg.top, SNAP_MINUTES) * scale - 1)
                if (top is not None and y + height < top) or (bottom is not None and y > bottom):
                    continue
                placement = seg.placement
                x = left + inner * placement.column / placement.columns
                w = inner * placement.span / placement.columns - 1
                yield index, seg, QRectF(x, y, max(3.0, w), height)

    def _span_rect(self, span: layout.DaySpan) -> QRectF:
        x = self._column_x(span.first) + 2
        w = (span.last - span.first + 1) * self._column_width() - 4
        y = self.HEADER_HEIGHT + 3 + span.lane * self.LANE_HEIGHT
        return QRectF(x, y, w, self.LANE_HEIGHT - 2)

    def point_at(self, day: date, minutes: float) -> QPoint:
        """The widget point at wall-clock ``minutes`` of ``day``, mid-column (tests)."""
        index = self._days.index(day)
        x = self._column_x(index) + self._column_width() / 2
        return QPoint(round(x), round(self._y_of(minutes)))

    def strip_point(self, day: date) -> QPoint:
        """A point in the all-day strip under ``day`` below its lanes (tests)."""
        index = self._days.index(day)
        x = self._column_x(index) + self._column_width() / 2
        return QPoint(round(x), self.HEADER_HEIGHT + self._strip_height() - 3)

    def header_point(self, day: date) -> QPoint:
        index = self._days.index(day)
        x = self._column_x(index) + self._column_width() / 2
        return QPoint(round(x), self.HEADER_HEIGHT // 2)

    def moment_at_point(self, pos: QPoint | QPointF) -> datetime | None:
        """The moment under ``pos`` in the hour grid, unsnapped, or None."""
        index = self._day_index_at_x(pos.x())
        if index is None or pos.y() < self._body_top():
            return None
        return layout.moment_at(self._days[index], self._minutes_at_y(pos.y()), self._tz)

    def event_rect(self, key: Hashable, day: date | None = None) -> QRectF | None:
        """Where event ``key`` is painted (in ``day``'s column, or its first part)."""
        for index, segs in enumerate(self._segments):
            if day is not None and self._days[index] != day:
                continue
            for seg in segs:
                if seg.key == key:
                    return self._segment_rect(index, seg)
        for span in self._shown_spans():
            if span.key == key and (day is None or self._days[span.first] <= day):
                return self._span_rect(span)
        return None

    # --- layout -------------------------------------------------------------------

    def _shown_events(self) -> list[ViewEvent]:
        if self._preview is None:
            return self._events
        return [self._preview if ev.key == self._preview.key else ev for ev in self._events]

    def _relayout(self) -> None:
        events = self._shown_events()
        # bucket the timed events by the days they touch, so each column lays out only
        # its own (an overlaid week has about a thousand)
        locate = layout.DayIndex(self._days, self._tz).locate
        last_index = len(self._days) - 1
        per_day: list[list[ViewEvent]] = [[] for _ in self._days]
        for ev in events:
            if ev.all_day:
                continue
            first, last, _start, _end = locate(ev.start, ev.end)
            for i in range(max(first, 0), min(last, last_index) + 1):
                per_day[i].append(ev)
        self._segments = [
            layout.layout_day(per_day[i], day, self._tz) for i, day in enumerate(self._days)
        ]
        spans_in = [
            (ev.key, *layout.covered_dates(ev.start, ev.end, self._tz))
            for ev in events
            if ev.all_day
        ]
        self._spans = layout.layout_all_day(spans_in, self._days)
        self._lanes = max((s.lane + 1 for s in self._spans), default=0)
        self._update_scrollbar()
        self.update()

    def _update_scrollbar(self) -> None:
        body = max(0, self.height() - self._body_top())
        total = 24 * self._hour_height
        self._scrollbar.setRange(0, max(0, total - body))
        self._scrollbar.setPageStep(max(1, body))
        width = self._scrollbar.sizeHint().width()
        self._scrollbar.setGeometry(self.width() - width, self._body_top(), width, body)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        today = self._now_provider().astimezone(self._tz).date()
        body = self._body_rect()
        self._paint_columns_background(painter, body, today)
        painter.save()
        painter.setClipRect(QRectF(0, body.top(), self.width(), body.height()))
        self._paint_hour_lines(painter, body)
        self._paint_selection(painter)
        self._paint_timed_events(painter, body)
        self._paint_now_line(painter, body)
        painter.restore()
        self._paint_header(painter, today)
        self._paint_strip(painter)
        painter.end()

    def _paint_columns_background(self, painter: QPainter, body: QRectF, today: date) -> None:
        for index, day in enumerate(self._days):
            x = self._column_x(index)
            rect = QRectF(x, self.HEADER_HEIGHT, self._column_width(), self.height())
            if day == today:
                painter.fillRect(rect, QColor("#fff7d6"))
            elif polish_holiday(day):
                painter.fillRect(rect, QColor("#fdecec"))
            elif day.weekday() >= 5:
                painter.fillRect(rect, QColor("#f4f4f6"))
        # wall-clock hours that do not exist / occur twice on DST days
        for index, day in enumerate(self._days):
            start, end = layout.day_bounds(day, self._tz)
            hours = round((end - start).total_seconds() / 3600)
            if hours == 23:
                gap_top = self._y_of(120)
                painter.fillRect(
                    QRectF(self._column_x(index), gap_top, self._column_width(), self._hour_height),
                    QColor(0, 0, 0, 18),
                )

    def _paint_hour_lines(self, painter: QPainter, body: QRectF) -> None:
        grid = QColor("#dcdce0")
        half = QColor("#ececf0")
        text = self.palette().text().color()
        first = max(0, int(self._minutes_at_y(body.top()) // 60))
        last = min(24, int(self._minutes_at_y(body.bottom()) // 60) + 1)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        right = body.right()
        for hour in range(first, last + 1):
            y = self._y_of(hour * 60)
            painter.setPen(QPen(grid))
            painter.drawLine(QPointF(self.GUTTER - 6, y), QPointF(right, y))
            if hour < 24:
                y_half = self._y_of(hour * 60 + 30)
                painter.setPen(QPen(half, 1, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(self.GUTTER, y_half), QPointF(right, y_half))
                painter.setPen(text)
                painter.drawText(
                    QRectF(0, y + 1, self.GUTTER - 8, 16),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                    f"{hour}:00",
                )
        painter.setPen(QPen(grid))
        for index in range(len(self._days) + 1):
            x = self._column_x(index)
            painter.drawLine(QPointF(x, self.HEADER_HEIGHT), QPointF(x, self.height()))

    def _paint_selection(self, painter: QPainter) -> None:
        if self._selection is None:
            return
        index, a, b = self._selection
        top, bottom = self._y_of(min(a, b)), self._y_of(max(a, b))
        rect = QRectF(self._column_x(index) + 1, top, self._column_width() - 2, bottom - top)
        color = QColor(self.palette().highlight().color())
        color.setAlpha(70)
        painter.fillRect(rect, color)
        painter.setPen(self.palette().highlight().color())
        painter.drawRect(rect)

    def _paint_timed_events(self, painter: QPainter, body: QRectF) -> None:
        shown = {ev.key: ev for ev in self._shown_events()}
        for _index, seg, rect in self._segment_rects(body.top(), body.bottom()):
            ev = shown.get(seg.key)
            if ev is not None:
                self._paint_box(painter, rect, ev, timed=True)

    def _paint_box(self, painter: QPainter, rect: QRectF, ev: ViewEvent, *, timed: bool) -> None:
        colors = box_colors(ev.color, 0.35 if timed else 0.55)
        selected = ev.key == self._selected or (
            self._preview is not None and self._preview.key == ev.key
        )
        if rect.width() < self.NARROW_BOX:
            # a sliver among many overlapping events (overlaid calendars): no room for
            # text or rounded corners, only the colour and an edge to tell them apart
            painter.fillRect(rect, colors.strong_border if selected else colors.fill)
            painter.fillRect(QRectF(rect.left(), rect.top(), 1, rect.height()), colors.border)
            return
        if selected:
            painter.setPen(QPen(colors.strong_border, 2))
        else:
            painter.setPen(colors.border)
        painter.setBrush(colors.fill)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        stripe = box_colors(ev.accent, 1.0).base if ev.accent else colors.base
        painter.fillRect(QRectF(rect.left() + 1, rect.top() + 1, 4, rect.height() - 2), stripe)
        painter.setPen(colors.text)
        font, bold, metrics, bold_metrics = self._box_fonts()
        painter.setFont(font)
        text_rect = rect.adjusted(7, 1, -2, -1)
        lines = [ev.title]
        if timed:
            start = ev.start.astimezone(self._tz)
            end = ev.end.astimezone(self._tz)
            lines.append(f"{start:%H:%M}–{end:%H:%M}")
        if ev.subtitle:
            lines.append(ev.subtitle)
        y = text_rect.top()
        for i, line in enumerate(lines):
            if y + metrics.height() > text_rect.bottom() + 2 and i > 0:
                break
            if i == 0:
                painter.setFont(bold)
                elided = bold_metrics.elidedText(line, _ELIDE, int(text_rect.width()))
            else:
                painter.setFont(font)
                elided = metrics.elidedText(line, _ELIDE, int(text_rect.width()))
            painter.drawText(QPointF(text_rect.left(), y + metrics.ascent()), elided)
            y += metrics.height()

    def _box_fonts(self) -> tuple[QFont, QFont, QFontMetrics, QFontMetrics]:
        """Fonts of the event boxes, made once per widget font (not per box)."""
        key = self.font().key()
        if getattr(self, "_fonts_key", None) != key:
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 0.85)
            bold = QFont(font)
            bold.setBold(True)
            self._fonts = (font, bold, QFontMetrics(font), QFontMetrics(bold))
            self._fonts_key = key
        return self._fonts

    def _paint_now_line(self, painter: QPainter, body: QRectF) -> None:
        now = self._now_provider()
        local = now.astimezone(self._tz)
        if local.date() not in self._days:
            return
        index = self._days.index(local.date())
        y = self._y_of(layout.wall_minutes(now, local.date(), self._tz))
        red = QColor("#d32f2f")
        painter.setPen(QPen(red, 2))
        painter.drawLine(QPointF(self._column_x(index), y), QPointF(self._column_x(index + 1), y))
        painter.setBrush(red)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.drawEllipse(QPointF(self._column_x(index), y), 4, 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_header(self, painter: QPainter, today: date) -> None:
        header = QRectF(0, 0, self.width(), self.HEADER_HEIGHT)
        painter.fillRect(header, self.palette().window())
        painter.setPen(QColor("#c8c8cc"))
        painter.drawLine(QPointF(0, self.HEADER_HEIGHT), QPointF(self.width(), self.HEADER_HEIGHT))
        font = QFont(self.font())
        for index, day in enumerate(self._days):
            rect = QRectF(self._column_x(index), 0, self._column_width(), self.HEADER_HEIGHT)
            holiday = polish_holiday(day)
            bold = QFont(font)
            bold.setBold(day == today)
            painter.setFont(bold)
            if day == today:
                painter.fillRect(rect.adjusted(1, 1, -1, 0), QColor("#ffe9a8"))
            painter.setPen(
                QColor("#b71c1c") if holiday or day.weekday() == 6 else QColor("#202020")
            )
            name = POLISH.dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)
            label = f"{name} {day.day}.{day.month:02d}"
            if len(self._days) == 1:
                long_name = POLISH.dayName(day.isoweekday())
                label = f"{long_name}, {day.day} {POLISH.monthName(day.month)} {day.year}"
            painter.drawText(
                rect.adjusted(2, 2, -2, -self.HEADER_HEIGHT / 2),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
            if holiday:
                small = QFont(font)
                small.setPointSizeF(font.pointSizeF() * 0.75)
                painter.setFont(small)
                painter.drawText(
                    rect.adjusted(2, self.HEADER_HEIGHT / 2, -2, -1),
                    Qt.AlignmentFlag.AlignCenter,
                    QFontMetrics(small).elidedText(
                        holiday, Qt.TextElideMode.ElideRight, int(rect.width() - 4)
                    ),
                )

    def _paint_strip(self, painter: QPainter) -> None:
        strip = QRectF(0, self.HEADER_HEIGHT, self.width(), self._strip_height())
        painter.fillRect(
            QRectF(0, strip.top(), self.GUTTER, strip.height()), self.palette().window()
        )
        painter.setPen(QColor("#c8c8cc"))
        painter.drawLine(QPointF(0, strip.bottom()), QPointF(self.width(), strip.bottom()))
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.75)
        painter.setFont(small)
        painter.setPen(QColor("#606060"))
        painter.drawText(
            QRectF(0, strip.top(), self.GUTTER - 6, strip.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            self.tr("cały dzień"),
        )
        if self._day_selection is not None:
            a, b = sorted(self._day_selection)
            color = QColor(self.palette().highlight().color())
            color.setAlpha(70)
            painter.fillRect(
                QRectF(
                    self._column_x(a),
                    strip.top(),
                    (b - a + 1) * self._column_width(),
                    strip.height(),
                ),
                color,
            )
        shown = {ev.key: ev for ev in self._shown_events()}
        for span in self._shown_spans():
            ev = shown.get(span.key)
            if ev is not None:
                self._paint_box(painter, self._span_rect(span), ev, timed=False)
        painter.setFont(self._box_fonts()[0])
        painter.setPen(QColor("#1a4f8b"))
        for _index, count, rect in self._strip_more():
            painter.drawText(
                rect.adjusted(4, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.tr("+{count} więcej").format(count=count),
            )

    # --- hit testing --------------------------------------------------------------

    def _event_at(self, pos: QPointF) -> tuple[Hashable, QRectF, int] | None:
        if pos.y() >= self._body_top():
            index = self._day_index_at_x(pos.x())
            if index is not None:
                hits = [(s.key, r, i) for i, s, r in self._segment_rects(pos.y(), pos.y(), [index])]
                return next((hit for hit in reversed(hits) if hit[1].contains(pos)), None)
        elif pos.y() >= self.HEADER_HEIGHT:
            for span in self._shown_spans():
                rect = self._span_rect(span)
                if rect.contains(pos):
                    return span.key, rect, span.first
        return None

    def event_at(self, pos: QPoint | QPointF) -> Hashable | None:
        hit = self._event_at(QPointF(pos))
        return hit[0] if hit else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            more = self._more_at(QPointF(event.pos()))
            if more is not None:
                titles = self._hidden_titles(more[0])
                text = "\n".join(titles[:15] + (["…"] if len(titles) > 15 else []))
                QToolTip.showText(event.globalPos(), text, self)
                return True
            hit = self._event_at(QPointF(event.pos()))
            if hit is not None and hit[0] in self._by_key:
                ev = self._by_key[hit[0]]
                QToolTip.showText(event.globalPos(), tooltip_of(ev, self._tz), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # --- mouse --------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        self.setFocus()
        if pos.y() < self.HEADER_HEIGHT:
            index = self._day_index_at_x(pos.x())
            if index is not None:
                self.sig_day_activated.emit(self._days[index])
            return
        index = self._day_index_at_x(pos.x())
        if index is None:
            return
        more = self._more_at(pos)
        if more is not None:
            if len(self._days) > 1:
                self.sig_day_activated.emit(self._days[more[0]])
            else:
                self._strip_expanded = not self._strip_expanded
                self._update_scrollbar()
                self.update()
            return
        hit = self._event_at(pos)
        in_strip = pos.y() < self._body_top()
        minutes = self._minutes_at_y(pos.y())
        if hit is not None:
            key, rect, _first = hit
            self._selected = key
            self.sig_event_selected.emit(key)
            ev = self._by_key.get(key)
            if ev is not None and ev.editable and not self._read_only:
                if in_strip:
                    mode = _Drag.MOVE_DAYS
                elif pos.y() - rect.top() <= self.EDGE and not ev.all_day:
                    mode = _Drag.RESIZE_TOP
                elif rect.bottom() - pos.y() <= self.EDGE:
                    mode = _Drag.RESIZE_BOTTOM
                else:
                    mode = _Drag.MOVE
                self._drag = _DragState(mode, pos, index, minutes, key, ev)
            self.update()
            return
        self._selected = None
        if self._read_only:
            self.update()
            return
        if in_strip:
            self._drag = _DragState(_Drag.SELECT_DAYS, pos, index, 0)
            self._day_selection = (index, index)
        else:
            snapped = self._floor_snap(minutes)
            self._drag = _DragState(_Drag.SELECT, pos, index, snapped)
            self._selection = (index, snapped, snapped + SNAP_MINUTES)
        self.update()

    def _floor_snap(self, minutes: float) -> float:
        return max(0, min(1440 - SNAP_MINUTES, int(minutes // SNAP_MINUTES) * SNAP_MINUTES))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        drag = self._drag
        if drag is None:
            hit = self._event_at(pos)
            cursor = Qt.CursorShape.ArrowCursor
            if hit is not None and not self._read_only:
                ev = self._by_key.get(hit[0])
                if ev is not None and ev.editable and pos.y() >= self._body_top():
                    rect = hit[1]
                    if pos.y() - rect.top() <= self.EDGE or rect.bottom() - pos.y() <= self.EDGE:
                        cursor = Qt.CursorShape.SizeVerCursor
                    else:
                        cursor = Qt.CursorShape.SizeAllCursor
            self.setCursor(cursor)
            return
        if (pos - drag.press).manhattanLength() >= 3:
            drag.moved = True
        if not drag.moved:
            return
        index = self._day_index_at_x(pos.x())
        if index is None:
            index = 0 if pos.x() < self.GUTTER else len(self._days) - 1
        minutes = min(max(self._minutes_at_y(pos.y()), 0), 1440)
        if drag.mode == _Drag.SELECT:
            current = layout.snap_minutes(minutes, SNAP_MINUTES)
            start = min(drag.minutes, current)
            end = max(drag.minutes + SNAP_MINUTES, current)
            if current <= drag.minutes:
                end = drag.minutes + SNAP_MINUTES
            self._selection = (drag.day_index, start, max(end, start + SNAP_MINUTES))
        elif drag.mode == _Drag.SELECT_DAYS:
            self._day_selection = (drag.day_index, index)
        elif drag.original is not None:
            self._preview = self._dragged(drag, index, minutes)
            self._relayout()
        self.update()

    def _dragged(self, drag: _DragState, index: int, minutes: float) -> GridEvent:
        """The event as it would be after the drag so far."""
        ev = drag.original
        assert ev is not None
        tz = self._tz
        start_utc, end_utc = ev.start.astimezone(UTC), ev.end.astimezone(UTC)
        duration = end_utc - start_utc
        day_shift = index - drag.day_index
        if drag.mode == _Drag.MOVE_DAYS:
            first = ev.start.astimezone(tz)
            new_start = datetime.combine(first.date() + timedelta(days=day_shift), first.time(), tz)
            last = ev.end.astimezone(tz)
            new_end = datetime.combine(last.date() + timedelta(days=day_shift), last.time(), tz)
            return moved(ev, new_start, new_end)
        target_day = self._days[index]
        if drag.mode == _Drag.MOVE:
            delta = layout.snap_minutes(minutes - drag.minutes, SNAP_MINUTES)
            local = ev.start.astimezone(tz)
            wall = local.hour * 60 + local.minute + delta
            base_day = local.date() + timedelta(days=day_shift)
            new_start = layout.moment_at(base_day + timedelta(days=wall // 1440), wall % 1440, tz)
            return moved(ev, new_start, (new_start.astimezone(UTC) + duration).astimezone(tz))
        snapped = layout.snap_minutes(minutes, SNAP_MINUTES)
        moment = layout.moment_at(target_day, snapped, tz).astimezone(UTC)
        if drag.mode == _Drag.RESIZE_BOTTOM:
            new_end = max(moment, start_utc + timedelta(minutes=SNAP_MINUTES))
            return moved(ev, ev.start, new_end.astimezone(tz))
        new_start = min(moment, end_utc - timedelta(minutes=SNAP_MINUTES))
        return moved(ev, new_start.astimezone(tz), ev.end)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        if drag.mode == _Drag.SELECT:
            if drag.moved and self._selection is not None:
                index, a, b = self._selection
                day = self._days[index]
                self.sig_range_selected.emit(
                    layout.moment_at(day, a, self._tz), layout.moment_at(day, b, self._tz), False
                )
        elif drag.mode == _Drag.SELECT_DAYS:
            if drag.moved and self._day_selection is not None:
                a, b = sorted(self._day_selection)
                self._emit_days(a, b)
            self._day_selection = None
        elif self._preview is not None and drag.original is not None:
            preview, self._preview = self._preview, None
            same = preview.start == drag.original.start and preview.end == drag.original.end
            if not same:
                # show the new place at once; the owner saves and refreshes
                self._events = [preview if ev.key == preview.key else ev for ev in self._events]
                self._by_key[preview.key] = preview
                self.sig_event_changed.emit(preview.key, preview.start, preview.end)
            self._relayout()
        self.update()

    def _emit_days(self, first: int, last: int) -> None:
        start = layout.moment_at(self._days[first], 0, self._tz)
        end = layout.moment_at(self._days[last], 1440, self._tz)
        self.sig_range_selected.emit(start, end, True)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._drag = None
        pos = event.position()
        hit = self._event_at(pos)
        if hit is not None:
            self.sig_event_activated.emit(hit[0])
            return
        index = self._day_index_at_x(pos.x())
        if index is None or self._read_only or pos.y() < self.HEADER_HEIGHT:
            return
        if pos.y() < self._body_top():
            self._emit_days(index, index)
            return
        minutes = self._floor_snap(self._minutes_at_y(pos.y()))
        day = self._days[index]
        start = layout.moment_at(day, minutes, self._tz)
        end = layout.moment_at(day, min(1440, minutes + 60), self._tz)
        self._selection = (index, minutes, min(1440, minutes + 60))
        self.update()
        self.sig_range_selected.emit(start, end, False)

    def clear_selection(self) -> None:
        self._selection = None
        self._day_selection = None
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        self._scrollbar.setValue(round(self._scrollbar.value() - steps * self._hour_height))
        event.accept()
