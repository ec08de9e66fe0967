"""The painted hour grid on its own: geometry, DST days, drags, signals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt

from eszok_desktop.ui.calendar.time_grid import GridEvent, TimeGrid, box_colors

WARSAW = ZoneInfo("Europe/Warsaw")


def at(d: date, h: int, m: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, h, m, tzinfo=WARSAW)


@pytest.fixture
def grid(qtbot):
    widget = TimeGrid()
    widget.set_timezone(WARSAW)
    widget.resize(900, 700)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def week(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    steps = 6
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        qtbot.mouseMove(widget, p)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_event_box_sits_on_its_hour_rows(grid):
    day = date(2026, 5, 6)
    grid.set_days(week(date(2026, 5, 4)))
    grid.set_events([GridEvent(1, "A", at(day, 9), at(day, 11))])
    grid.scroll_to_hour(6)
    rect = grid.event_rect(1)
    assert rect is not None
    assert abs(rect.top() - grid.point_at(day, 9 * 60).y()) <= 1
    assert abs(rect.bottom() - grid.point_at(day, 11 * 60).y()) <= 2
    assert rect.height() == pytest.approx(2 * grid.hour_height(), abs=2)
    # in Wednesday's column
    x = grid.point_at(day, 600).x()
    assert rect.left() < x < rect.right()


def test_overlapping_events_are_side_by_side(grid):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.set_events(
        [GridEvent(1, "A", at(day, 9), at(day, 11)), GridEvent(2, "B", at(day, 10), at(day, 12))]
    )
    a, b = grid.event_rect(1), grid.event_rect(2)
    assert a.right() <= b.left() + 1
    assert a.width() == pytest.approx(b.width(), abs=2)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 10, 25), 25), (date(2026, 3, 29), 23)],
    ids=["last-sunday-october", "last-sunday-march"],
)
def test_dst_day_renders_wall_clock_hours(grid, day, hours):
    start = datetime.combine(day, datetime.min.time(), WARSAW).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), WARSAW).astimezone(UTC)
    assert end - start == timedelta(hours=hours)
    grid.set_days([day - timedelta(days=1), day, day + timedelta(days=1)])
    # 10:00–11:00 local, given in UTC as the database returns it
    ten_utc = at(day, 10).astimezone(UTC)
    grid.set_events(
        [
            GridEvent(1, "Dziesiąta", ten_utc, ten_utc + timedelta(hours=1)),
            GridEvent(2, "Noc", at(day, 1), at(day, 4)),
        ]
    )
    grid.scroll_to_hour(0)
    rect = grid.event_rect(1, day)
    assert abs(rect.top() - grid.point_at(day, 600).y()) <= 1
    assert rect.height() == pytest.approx(grid.hour_height(), abs=2)
    # 01:00–04:00 local is 4 real hours in October and 2 in March, drawn 1:00–4:00 anyway
    night = grid.event_rect(2, day)
    assert abs(night.top() - grid.point_at(day, 60).y()) <= 1
    assert night.height() == pytest.approx(3 * grid.hour_height(), abs=2)
    grid.grab()  # paints without error (including the DST shading)


def test_drag_on_empty_grid_selects_a_snapped_range(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days(week(date(2026, 5, 4)))
    grid.scroll_to_hour(8)
    with qtbot.waitSignal(grid.sig_range_selected) as blocker:
        drag(qtbot, grid, grid.point_at(day, 9 * 60 + 5), grid.point_at(day, 10 * 60 + 37))
    start, end, all_day = blocker.args
    assert (start, end, all_day) == (at(day, 9), at(day, 10, 30), False)


def test_double_click_on_empty_slot_offers_one_hour(grid, qtbot):
    day = date(2026, 5, 5)
    grid.set_days(week(date(2026, 5, 4)))
    grid.scroll_to_hour(12)
    with qtbot.waitSignal(grid.sig_range_selected) as blocker:
        qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.point_at(day, 14 * 60 + 20))
    assert blocker.args == [at(day, 14, 15), at(day, 15, 15), False]


def test_drag_in_all_day_strip_selects_days(grid, qtbot):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    with qtbot.waitSignal(grid.sig_range_selected) as blocker:
        drag(
            qtbot,
            grid,
            grid.strip_point(monday + timedelta(1)),
            grid.strip_point(monday + timedelta(3)),
        )
    start, end, all_day = blocker.args
    assert all_day
    assert start == at(monday + timedelta(1), 0)
    assert end == at(monday + timedelta(4), 0)


def test_move_event_by_drag_keeps_duration_and_snaps(grid, qtbot):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    grid.scroll_to_hour(8)
    ev = GridEvent(7, "Spotkanie", at(monday, 9), at(monday, 10, 30), editable=True)
    grid.set_events([ev])
    rect = grid.event_rect(7)
    press = QPoint(round(rect.center().x()), round(rect.top() + 20))
    # one day right, 1 h 50 min down → snapped to 1 h 45 min
    target = grid.point_at(monday + timedelta(1), 0)
    target = QPoint(target.x(), press.y() + round(grid.hour_height() * 110 / 60))
    with qtbot.waitSignal(grid.sig_event_changed) as blocker:
        drag(qtbot, grid, press, target)
    key, start, end = blocker.args
    assert key == 7
    assert start == at(monday + timedelta(1), 10, 45)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=90)
    # shown at the new place at once
    assert grid.event_rect(7, monday + timedelta(1)) is not None
    assert grid.event_rect(7, monday) is None


def test_resize_bottom_edge(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.scroll_to_hour(8)
    grid.set_events([GridEvent(3, "A", at(day, 9), at(day, 10), editable=True)])
    rect = grid.event_rect(3)
    press = QPoint(round(rect.center().x()), round(rect.bottom() - 2))
    with qtbot.waitSignal(grid.sig_event_changed) as blocker:
        drag(qtbot, grid, press, grid.point_at(day, 12 * 60 + 20))
    assert blocker.args == [3, at(day, 9), at(day, 12, 15)]


def test_resize_top_edge(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.scroll_to_hour(6)
    grid.set_events([GridEvent(3, "A", at(day, 9), at(day, 10), editable=True)])
    rect = grid.event_rect(3)
    press = QPoint(round(rect.center().x()), round(rect.top() + 2))
    with qtbot.waitSignal(grid.sig_event_changed) as blocker:
        drag(qtbot, grid, press, grid.point_at(day, 7 * 60 + 30))
    assert blocker.args == [3, at(day, 7, 30), at(day, 10)]


def test_read_only_events_do_not_move(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.scroll_to_hour(8)
    grid.set_events([GridEvent(3, "A", at(day, 9), at(day, 10), editable=False)])
    rect = grid.event_rect(3)
    with qtbot.assertNotEmitted(grid.sig_event_changed):
        drag(qtbot, grid, rect.center().toPoint(), grid.point_at(day, 13 * 60))
    assert grid.selected() == 3


def test_double_click_on_event_activates_it(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.scroll_to_hour(8)
    grid.set_events([GridEvent(11, "A", at(day, 9), at(day, 10))])
    with qtbot.waitSignal(grid.sig_event_activated) as blocker:
        qtbot.mouseDClick(
            grid, Qt.MouseButton.LeftButton, pos=grid.event_rect(11).center().toPoint()
        )
    assert blocker.args == [11]


def test_header_click_activates_day(grid, qtbot):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    with qtbot.waitSignal(grid.sig_day_activated) as blocker:
        qtbot.mouseClick(
            grid, Qt.MouseButton.LeftButton, pos=grid.header_point(monday + timedelta(2))
        )
    assert blocker.args == [monday + timedelta(2)]


def test_wheel_and_scroll_to_hour(grid, qtbot):
    grid.set_days([date(2026, 5, 6)])
    grid.scroll_to_hour(2)
    top, _bottom = grid.visible_hours()
    assert top == pytest.approx(2)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    event = QWheelEvent(
        QPointF(400, 400),
        QPointF(grid.mapToGlobal(QPoint(400, 400))),
        QPoint(0, 0),
        QPoint(0, -240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    grid.wheelEvent(event)
    assert grid.visible_hours()[0] == pytest.approx(4)
    grid.scroll_to_hour(23)  # clamped: the last row ends at the bottom
    assert grid.visible_hours()[1] == pytest.approx(24)


def test_all_day_events_go_to_the_strip(grid):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    grid.set_events(
        [
            GridEvent(
                5, "Urlop", at(monday + timedelta(1), 0), at(monday + timedelta(3), 0), all_day=True
            )
        ]
    )
    rect = grid.event_rect(5)
    assert rect.bottom() < grid.point_at(monday, 0).y() or rect.top() < 80
    # covers Tuesday and Wednesday only
    assert rect.left() < grid.strip_point(monday + timedelta(1)).x() < rect.right()
    assert rect.left() < grid.strip_point(monday + timedelta(2)).x() < rect.right()
    assert not rect.left() < grid.strip_point(monday + timedelta(3)).x() < rect.right()


def test_now_line_follows_the_provider(grid):
    day = date(2026, 5, 6)
    grid.set_days([day])
    clock = {"now": at(day, 10)}
    grid.set_now_provider(lambda: clock["now"])
    grid.scroll_to_hour(8)
    image = grid.grab().toImage()
    y = grid.point_at(day, 600).y()
    x = grid.point_at(day, 600).x()
    red = image.pixelColor(x, y)
    assert red.red() > 180 and red.green() < 90, red.name()
    clock["now"] = at(day, 12)
    image = grid.grab().toImage()
    assert image.pixelColor(x, y).red() < 250 or image.pixelColor(x, y).green() > 90
    y12 = grid.point_at(day, 720).y()
    assert image.pixelColor(x, y12).green() < 90


def test_all_day_event_moves_by_days_in_the_strip(grid, qtbot):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    ev = GridEvent(
        9, "Urlop", at(monday, 0), at(monday + timedelta(2), 0), all_day=True, editable=True
    )
    grid.set_events([ev])
    rect = grid.event_rect(9)
    start = QPoint(round(rect.left() + 10), round(rect.center().y()))
    three_days = grid.strip_point(monday + timedelta(3)).x() - grid.strip_point(monday).x()
    with qtbot.waitSignal(grid.sig_event_changed) as blocker:
        drag(qtbot, grid, start, QPoint(start.x() + three_days, start.y()))
    assert blocker.args == [9, at(monday + timedelta(3), 0), at(monday + timedelta(5), 0)]


def all_day(key: int, day: date, days: int = 1) -> GridEvent:
    start = datetime(day.year, day.month, day.day, tzinfo=WARSAW)
    end = datetime.combine(day + timedelta(days=days), datetime.min.time(), WARSAW)
    return GridEvent(key, f"Urlop {key}", start, end, all_day=True, editable=True)


def test_a_crowded_all_day_strip_keeps_the_hour_grid_visible(grid, qtbot):
    monday = date(2026, 5, 4)
    grid.set_days(week(monday))
    wednesday = monday + timedelta(days=2)
    grid.set_events([all_day(k, wednesday) for k in range(1, 31)] + [all_day(99, monday)])
    # a quarter of the 700 px height: 8 lanes, the last one says how many are hidden
    rect, hidden = grid.strip_more_rect(wednesday)
    assert hidden == 30 - 7
    assert grid.strip_more_rect(monday) is None  # Monday's one event fits
    assert grid._body_top() < grid.height() / 3
    assert grid.event_rect(1) is not None and grid.event_rect(30) is None  # not painted
    assert grid._hidden_titles(2) == [f"Urlop {k}" for k in range(8, 31)]
    with qtbot.waitSignal(grid.sig_day_activated) as opened:
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert opened.args == [wednesday]


def test_a_one_day_strip_shows_more_when_asked(grid, qtbot):
    day = date(2026, 5, 6)
    grid.set_days([day])
    grid.set_events([all_day(k, day) for k in range(1, 31)])
    rect, hidden = grid.strip_more_rect(day)
    top = grid._body_top()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    # all but three hour rows: 30 lanes need 600 px, 700 - 36 - 6 - 120 px leave 26 lanes
    rect, more_hidden = grid.strip_more_rect(day)
    assert more_hidden == 30 - 25 < hidden
    assert grid._body_top() > top
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert grid._body_top() == top  # and back
    grid.set_days([day + timedelta(days=1)])
    assert grid._body_top() == grid.HEADER_HEIGHT + grid.LANE_HEIGHT + 6  # a new day: collapsed


def test_a_sliver_among_many_overlapping_events_is_painted_without_text(grid):
    day = date(2026, 5, 6)
    grid.set_days(week(date(2026, 5, 4)))
    grid.set_events(
        [GridEvent(k, "Spotkanie", at(day, 9), at(day, 11), color="#2e7d32") for k in range(40)]
    )
    grid.scroll_to_hour(8)
    rect = grid.event_rect(5)
    assert rect.width() < TimeGrid.NARROW_BOX
    image = grid.grab().toImage()
    fill = box_colors("#2e7d32", 0.35).fill.name()
    x = round(rect.center().x())
    # painted in the tinted fill, and no title or time drawn over its top
    column = {
        image.pixelColor(x, y).name() for y in range(round(rect.top()) + 2, round(rect.top()) + 40)
    }
    assert column == {fill}
