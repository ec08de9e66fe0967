"""The painted month view: whole Monday-first weeks, events as lines or bars per day,
"+N więcej" when a day is crowded (it opens that day).

Signals match ``TimeGrid``'s: ``sig_range_selected(start, end, all_day=True)`` when a day
(or a dragged run of days) is clicked, ``sig_day_activated(date)`` from a day number or
"+N więcej", ``sig_event_selected``/``sig_event_activated(key)``, and
``sig_event_changed(key, start, end)`` when an editable event is dragged to another day
(times of day kept).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent, QLocale, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from eszok_desktop.services.calendar import layout
from eszok_desktop.services.calendar.periods import ViewMode, visible_days
from eszok_desktop.services.calendar.public_holidays import polish_holiday
from eszok_desktop.ui.calendar.time_grid import ViewEvent, box_colors, moved, tooltip_of

POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)
# hoisted: PySide6's enum members are slow to look up and to combine, and a crowded month
# paints hundreds of lines
_TEXT = QColor("#202020")
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ELIDE = Qt.TextElideMode.ElideRight
_NO_PEN = Qt.PenStyle.NoPen
_ANTIALIASING = QPainter.RenderHint.Antialiasing


@dataclass(frozen=True)
class _Item:
    rect: QRectF
    key: Hashable
    day: date
    first_piece: bool
    cut_left: bool = False
    cut_right: bool = False


@dataclass(frozen=True)
class _More:
    rect: QRectF
    day: date
    count: int


class MonthView(QWidget):
    sig_range_selected = Signal(object, object, bool)
    sig_day_activated = Signal(object)
    sig_event_selected = Signal(object)
    sig_event_activated = Signal(object)
    sig_event_changed = Signal(object, object, object)

    HEADER_HEIGHT = 24
    DAY_LABEL_HEIGHT = 18
    LINE_HEIGHT = 17

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._tz: tzinfo = layout.display_zone()
        self._anchor = date.today()
        self._days: list[date] = visible_days(ViewMode.MONTH, self._anchor)
        self._events: list[ViewEvent] = []
        self._by_key: dict[Hashable, ViewEvent] = {}
        self._items: list[_Item] = []
        self._more: list[_More] = []
        self._bars: dict[Hashable, bool] = {}
        self._selected: Hashable | None = None
        self._read_only = False
        self._press: tuple[QPointF, date, Hashable | None] | None = None
        self._hover_day: date | None = None
        self._drag_target: date | None = None
        self._now_provider: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._timer = QTimer(self)
        self._timer.setInterval(60_000)
        self._timer.timeout.connect(self.update)
        self._timer.start()

    # --- public API ---------------------------------------------------------------

    def set_timezone(self, tz: tzinfo) -> None:
        self._tz = tz
        self._relayout()

    def set_anchor(self, anchor: date) -> None:
        """Show the month of ``anchor``."""
        self._anchor = anchor
        self._days = visible_days(ViewMode.MONTH, anchor)
        self._relayout()

    def days(self) -> list[date]:
        return list(self._days)

    def set_events(self, events: Iterable[ViewEvent]) -> None:
        self._events = list(events)
        self._by_key = {ev.key: ev for ev in self._events}
        self._relayout()

    def set_now_provider(self, provider: Callable[[], datetime]) -> None:
        self._now_provider = provider
        self.update()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    def set_selected(self, key: Hashable | None) -> None:
        self._selected = key
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # --- geometry (also used by tests) ----------------------------------------------

    def _rows(self) -> int:
        return max(1, len(self._days) // 7)

    def _cell_size(self) -> tuple[float, float]:
        return self.width() / 7, (self.height() - self.HEADER_HEIGHT) / self._rows()

    def cell_rect(self, day: date) -> QRectF:
        index = self._days.index(day)
        w, h = self._cell_size()
        row, col = divmod(index, 7)
        return QRectF(col * w, self.HEADER_HEIGHT + row * h, w, h)

    def day_at(self, pos: QPoint | QPointF) -> date | None:
        w, h = self._cell_size()
        if pos.y() < self.HEADER_HEIGHT or pos.x() < 0:
            return None
        col = int(pos.x() // w)
        row = int((pos.y() - self.HEADER_HEIGHT) // h)
        index = row * 7 + col
        return self._days[index] if 0 <= col < 7 and 0 <= index < len(self._days) else None

    def capacity(self) -> int:
        """Event lines that fit in one day cell."""
        _w, h = self._cell_size()
        return max(0, int((h - self.DAY_LABEL_HEIGHT - 2) // self.LINE_HEIGHT))

    def event_rects(self, key: Hashable) -> list[tuple[date, QRectF]]:
        return [(item.day, item.rect) for item in self._items if item.key == key]

    def more_rect(self, day: date) -> tuple[QRectF, int] | None:
        for more in self._more:
            if more.day == day:
                return more.rect, more.count
        return None

    def empty_point(self, day: date) -> QPoint:
        """A point in ``day``'s cell below its events (tests)."""
        rect = self.cell_rect(day)
        return QPoint(round(rect.center().x()), round(rect.bottom() - 3))

    def day_label_point(self, day: date) -> QPoint:
        rect = self.cell_rect(day)
        return QPoint(round(rect.right() - 10), round(rect.top() + self.DAY_LABEL_HEIGHT / 2))

    # --- layout -------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        self._items, self._more = [], []
        if not self._days:
            return
        capacity = self.capacity()
        tz = self._tz
        locate = layout.DayIndex(self._days, tz).locate
        count = len(self._days)
        bars: list[tuple[ViewEvent, date, date]] = []
        # per day: (start, minus the length, input order, event), to sort earlier first,
        # then longer first, by comparing plain tuples
        singles: list[list[tuple[datetime, timedelta, int, ViewEvent]]] = [[] for _ in self._days]
        for n, ev in enumerate(self._events):
            first, last, start, end = locate(ev.start, ev.end)
            if ev.all_day or first != last:
                bars.append((ev, *layout.covered_dates(ev.start, ev.end, tz)))
            elif 0 <= first < count:
                singles[first].append((start, start - end, n, ev))
        bars.sort(key=lambda b: (not b[0].all_day, *_order_key(b[0])))
        self._bars = {b[0].key: True for b in bars}
        for row in range(self._rows()):
            week = self._days[row * 7 : row * 7 + 7]
            # multi-day bars first take the lowest lanes across the week; single-day events
            # then fill the free lanes of their day in time order, which is what one greedy
            # pass over all of them would give, without placing the hidden ones
            spans = layout.layout_all_day(
                [(b[0].key, b[1], b[2]) for b in bars if b[2] >= week[0] and b[1] <= week[-1]],
                week,
            )
            taken: list[dict[int, layout.DaySpan]] = [{} for _ in range(7)]
            for span in spans:
                for i in range(span.first, span.last + 1):
                    taken[i][span.lane] = span
            for i, day in enumerate(week):
                day_singles = sorted(singles[row * 7 + i])
                total = len(taken[i]) + len(day_singles)
                lanes_needed = max(taken[i], default=-1) + 1
                free = (lane for lane in range(10_000) if lane not in taken[i])
                placed: list[tuple[int, ViewEvent]] = []
                for _start, _length, _n, ev in day_singles:
                    lane = next(free)
                    lanes_needed = max(lanes_needed, lane + 1)
                    if lane >= capacity:
                        break
                    placed.append((lane, ev))
                overflow = lanes_needed > capacity
                shown_lanes = capacity - 1 if overflow else capacity
                cell = self.cell_rect(day)
                shown = 0
                for lane, span in sorted(taken[i].items()):
                    if lane >= shown_lanes:
                        continue
                    shown += 1
                    left_cut = i > span.first and lane < _shown_lanes_of(taken[i - 1], capacity)
                    right_cut = i < span.last and lane < _shown_lanes_of(taken[i + 1], capacity)
                    rect = self._line_rect(cell, lane, left_cut, right_cut)
                    first_piece = i == span.first or not left_cut
                    self._items.append(_Item(rect, span.key, day, first_piece, left_cut, right_cut))
                for lane, ev in placed:
                    if lane >= shown_lanes:
                        continue
                    shown += 1
                    rect = self._line_rect(cell, lane, False, False)
                    self._items.append(_Item(rect, ev.key, day, True))
                if overflow:
                    top = cell.top() + self.DAY_LABEL_HEIGHT + shown_lanes * self.LINE_HEIGHT
                    rect = QRectF(cell.left() + 3, top, cell.width() - 6, self.LINE_HEIGHT - 2)
                    self._more.append(_More(rect, day, total - shown))
        self.update()

    def _line_rect(self, cell: QRectF, lane: int, left_cut: bool, right_cut: bool) -> QRectF:
        top = cell.top() + self.DAY_LABEL_HEIGHT + lane * self.LINE_HEIGHT
        return QRectF(
            cell.left() + (0 if left_cut else 3),
            top,
            cell.width() - (0 if left_cut else 3) - (0 if right_cut else 3),
            self.LINE_HEIGHT - 2,
        )

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        today = self._now_provider().astimezone(self._tz).date()
        w, _h = self._cell_size()
        painter.fillRect(QRectF(0, 0, self.width(), self.HEADER_HEIGHT), self.palette().window())
        painter.setPen(QColor("#303030"))
        for col in range(7):
            name = POLISH.standaloneDayName(col + 1, QLocale.FormatType.LongFormat)
            painter.drawText(
                QRectF(col * w, 0, w, self.HEADER_HEIGHT), Qt.AlignmentFlag.AlignCenter, name
            )
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.8)
        for day in self._days:
            cell = self.cell_rect(day)
            other_month = day.month != self._anchor.month
            holiday = polish_holiday(day)
            if day == today:
                painter.fillRect(cell, QColor("#fff3c4"))
            elif day == self._drag_target:
                painter.fillRect(cell, QColor("#dde8f7"))
            elif holiday:
                painter.fillRect(cell, QColor("#fdecec"))
            elif day.weekday() >= 5:
                painter.fillRect(cell, QColor("#f4f4f6"))
            if other_month:
                painter.fillRect(cell, QColor(255, 255, 255, 120))
            painter.setPen(QColor("#d6d6da"))
            painter.drawRect(cell)
            label_rect = QRectF(cell.left() + 3, cell.top() + 1, cell.width() - 6, 16)
            bold = QFont(self.font())
            bold.setBold(day == today)
            painter.setFont(bold)
            red = holiday or day.weekday() == 6
            color = QColor("#b71c1c") if red else QColor("#202020")
            if other_month:
                color = QColor("#a0a0a0")
            painter.setPen(color)
            text = (
                str(day.day)
                if day.day != 1
                else f"{day.day} {POLISH.monthName(day.month, QLocale.FormatType.ShortFormat)}"
            )
            painter.drawText(label_rect, _RIGHT, text)
            if holiday:
                painter.setFont(small)
                painter.drawText(
                    label_rect.adjusted(0, 0, -30, 0),
                    _LEFT,
                    QFontMetrics(small).elidedText(holiday, _ELIDE, int(label_rect.width() - 30)),
                )
        if today in self._days:
            painter.setPen(QPen(QColor("#e0a800"), 2))
            painter.drawRect(self.cell_rect(today).adjusted(1, 1, -1, -1))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        by_key = self._by_key
        shown = [(item, by_key[item.key]) for item in self._items if item.key in by_key]
        singles = []
        for item, ev in shown:
            if self._bars.get(item.key, False):
                self._paint_bar(painter, item, ev, metrics)
            else:
                singles.append((item, ev))
        self._paint_singles(painter, singles, metrics)
        painter.setPen(QColor("#1a4f8b"))
        for more in self._more:
            painter.drawText(
                more.rect,
                _LEFT,
                self.tr("+{count} więcej").format(count=more.count),
            )
        painter.end()

    def _paint_bar(
        self, painter: QPainter, item: _Item, ev: ViewEvent, metrics: QFontMetrics
    ) -> None:
        """A piece of an all-day or multi-day event's bar."""
        rect = item.rect
        colors = box_colors(ev.color, 0.55)
        painter.fillRect(rect, colors.fill)
        painter.setPen(QPen(colors.strong_border, 2 if ev.key == self._selected else 1))
        painter.drawLine(rect.topLeft(), rect.topRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        if not item.cut_left:
            painter.drawLine(rect.topLeft(), rect.bottomLeft())
        if not item.cut_right:
            painter.drawLine(rect.topRight(), rect.bottomRight())
        if item.first_piece:
            painter.setPen(colors.text)
            text_rect = rect.adjusted(3, 0, -2, 0)
            painter.drawText(
                text_rect, _LEFT, metrics.elidedText(ev.title, _ELIDE, int(text_rect.width()))
            )

    def _paint_singles(
        self, painter: QPainter, singles: list[tuple[_Item, ViewEvent]], metrics: QFontMetrics
    ) -> None:
        """Single-day events as a coloured dot, the time and the title; in passes that
        share the painter's state (hundreds of lines in a crowded month)."""
        for item, ev in singles:
            if ev.key == self._selected:
                painter.fillRect(item.rect, box_colors(ev.color, 0.3).fill)
        painter.setPen(_NO_PEN)
        painter.setRenderHint(_ANTIALIASING, True)
        for item, ev in singles:
            painter.setBrush(box_colors(ev.color, 0.3).base)
            painter.drawEllipse(QPointF(item.rect.left() + 5, item.rect.center().y()), 3.5, 3.5)
        painter.setRenderHint(_ANTIALIASING, False)
        painter.setPen(_TEXT)
        tz = self._tz
        for item, ev in singles:
            local = ev.start.astimezone(tz)
            text = f"{local.hour:02d}:{local.minute:02d} {ev.title}"
            text_rect = item.rect.adjusted(11, 0, -2, 0)
            painter.drawText(
                text_rect, _LEFT, metrics.elidedText(text, _ELIDE, int(text_rect.width()))
            )

    # --- interaction ----------------------------------------------------------------

    def _item_at(self, pos: QPointF) -> _Item | None:
        return next((item for item in self._items if item.rect.contains(pos)), None)

    def _more_at(self, pos: QPointF) -> _More | None:
        return next((m for m in self._more if m.rect.contains(pos)), None)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            item = self._item_at(QPointF(event.pos()))
            ev = self._by_key.get(item.key) if item else None
            if ev is not None:
                QToolTip.showText(event.globalPos(), tooltip_of(ev, self._tz), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        self.setFocus()
        day = self.day_at(pos)
        if day is None:
            return
        more = self._more_at(pos)
        if more is not None:
            self.sig_day_activated.emit(more.day)
            return
        cell = self.cell_rect(day)
        if pos.y() < cell.top() + self.DAY_LABEL_HEIGHT:
            self.sig_day_activated.emit(day)
            return
        item = self._item_at(pos)
        if item is not None:
            self._selected = item.key
            self.sig_event_selected.emit(item.key)
            self.update()
        self._press = (pos, day, item.key if item else None)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        _pos, start_day, key = self._press
        day = self.day_at(event.position())
        ev = self._by_key.get(key) if key is not None else None
        if ev is not None and ev.editable and not self._read_only and day != start_day:
            self._drag_target = day
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, self._press = self._press, None
        self._drag_target = None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        _pos, start_day, key = press
        day = self.day_at(event.position())
        if day is None:
            self.update()
            return
        if key is not None:
            ev = self._by_key.get(key)
            if ev is not None and ev.editable and not self._read_only and day != start_day:
                shift = (day - start_day).days
                tz = self._tz
                shifted = moved(
                    ev, _shift_days(ev.start, shift, tz), _shift_days(ev.end, shift, tz)
                )
                self._events = [shifted if e.key == key else e for e in self._events]
                self._by_key[key] = shifted
                self._relayout()
                self.sig_event_changed.emit(key, shifted.start, shifted.end)
            self.update()
            return
        if self._read_only:
            return
        first, last = sorted((start_day, day))
        start = layout.moment_at(first, 0, self._tz)
        end = layout.moment_at(last, 1440, self._tz)
        self.sig_range_selected.emit(start, end, True)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item = self._item_at(event.position())
        if item is not None:
            self.sig_event_activated.emit(item.key)


def _order_key(ev: ViewEvent) -> tuple[datetime, timedelta]:
    """Earlier first, then longer first."""
    start, end = layout.comparable(ev.start), layout.comparable(ev.end)
    return start, start - end


def _shown_lanes_of(taken: dict[int, layout.DaySpan], capacity: int) -> int:
    """A bound on the lanes a neighbour cell shows: a bar continues into it unless its
    lane is cut off there by "+N więcej"."""
    overflow = bool(taken) and max(taken) + 1 > capacity
    return capacity - 1 if overflow else capacity


def _shift_days(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The same wall-clock time ``days`` later (DST-safe)."""
    local = moment.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tz)
