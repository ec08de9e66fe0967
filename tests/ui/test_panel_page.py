"""Panel Główny: previous sign-in, announcements newest first, today's plan, now-line."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.panel.panel_page import PanelPage, previous_login_text
from eszok_desktop.ui.task_runner import TaskRunner
from tests.panel_rows import insert_announcement, insert_event

WARSAW = ZoneInfo("Europe/Warsaw")
NOW_RED = QColor("#d32f2f")


class Clock:
    """An injectable clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def make_page(qtbot, make_signed_in):
    runners = []

    def make(role: str = "serwisant", now=None, signed_in=None):
        _user_id, db = signed_in or make_signed_in(role)
        runner = TaskRunner(db)
        runners.append(runner)
        with db.session() as session:
            user = auth.current_user(session)
        page = PanelPage(AppContext(db, runner, user), now=now)
        qtbot.addWidget(page)
        page.resize(1000, 700)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.loaded, timeout=10000)
        return page

    yield make
    for runner in runners:
        runner.wait()


def today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.now(WARSAW).replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_previous_login_text():
    assert previous_login_text(None) == "To jest Twoje pierwsze logowanie."
    moment = datetime(2026, 12, 2, 14, 5, tzinfo=WARSAW)
    assert previous_login_text(moment) == "Ostatnie logowanie: środa, 2 grudnia 2026, 14:05"
    # shown in local time whatever zone the server answered in
    utc = moment.astimezone(ZoneInfo("UTC"))
    assert previous_login_text(utc) == "Ostatnie logowanie: środa, 2 grudnia 2026, 14:05"


def test_first_and_later_sign_in(qtbot, database, make_page):
    user_id = database.add_user("serwisant")
    email = database.email_of(user_id)
    first = make_page(signed_in=(user_id, database.signed_in(email)))
    assert first.previous_login_label.text() == "To jest Twoje pierwsze logowanie."
    with database.admin.begin() as conn:
        last = conn.execute(
            text("SELECT last_login_at FROM auth.users WHERE id = :i"), {"i": user_id}
        ).scalar_one()
    later = make_page(signed_in=(user_id, database.signed_in(email)))
    assert later.previous_login_label.text() == previous_login_text(last)
    assert later.previous_login_label.text().startswith("Ostatnie logowanie: ")


def test_announcements_newest_first_with_empty_state(qtbot, database, make_page):
    page = make_page("handlowiec")
    assert page.announcements.titles() == []
    assert page.announcements.empty_label.isVisibleTo(page)

    author = database.add_user("kierownik")
    now = datetime.now(WARSAW)
    insert_announcement(database, author, "Starsze", "Pierwsze", visible_from=now - timedelta(2))
    insert_announcement(database, author, "Najnowsze", "Trzecie", visible_from=now - timedelta(1))
    insert_announcement(database, author, "Środkowe", "Drugie", visible_from=now - timedelta(1.5))
    insert_announcement(
        database,
        author,
        "Wygasłe",
        visible_from=now - timedelta(3),
        visible_to=now - timedelta(2.5),
    )
    page.loaded = False
    page.context.runner.sig_changes_happened.emit(frozenset({"announcements"}))
    qtbot.waitUntil(lambda: page.loaded, timeout=10000)
    assert page.announcements.titles() == ["Najnowsze", "Środkowe", "Starsze"]
    card = page.announcements.cards[0]
    assert card.title_label.font().bold()
    assert card.body_label.text() == "Trzecie"
    assert not page.announcements.empty_label.isVisibleTo(page)


def test_unrelated_changes_do_not_reload(qtbot, make_page):
    page = make_page()
    page.loaded = False
    page.context.runner.sig_changes_happened.emit(frozenset({"cards"}))
    qtbot.wait(300)
    page.context.runner.wait()
    qtbot.wait(50)
    assert not page.loaded


def test_plan_shows_todays_events_overlapping_side_by_side(qtbot, database, make_page):
    user_id, db = database.add_user("serwisant"), None
    db = database.signed_in(database.email_of(user_id))
    other = database.add_user("serwisant")
    a = insert_event(database, [user_id], today_at(9), today_at(11), "Przegląd A")
    b = insert_event(database, [user_id, other], today_at(10), today_at(12), "Serwis B")
    c = insert_event(database, [user_id], today_at(14), today_at(15), "Po południu")
    insert_event(database, [other], today_at(9), today_at(10), "Cudze")
    insert_event(database, [user_id], today_at(9) + timedelta(days=1), today_at(10) + timedelta(1))
    page = make_page(signed_in=(user_id, db), now=Clock(today_at(10, 30)))
    grid = page.grid
    assert sorted(ev.key for ev in grid.events()) == sorted([a, b, c])
    ra, rb, rc = grid.event_rect(a), grid.event_rect(b), grid.event_rect(c)
    # the two overlapping events sit side by side, the lone one takes the full width
    assert ra.right() <= rb.left() + 1
    assert ra.width() == pytest.approx(rb.width(), abs=2)
    assert rc.width() > ra.width() * 1.8
    assert rb.top() > ra.top()
    assert not page.empty_plan_label.isVisibleTo(page)


def test_plan_opens_on_the_working_day(qtbot, make_page):
    page = make_page(now=Clock(today_at(8)))
    top, bottom = page.grid.visible_hours()
    assert top == pytest.approx(7, abs=0.01)
    assert bottom >= 17
    assert page.empty_plan_label.isVisibleTo(page)


def red_rows(page: PanelPage) -> list[int]:
    """Rows of the painted grid where the now-line's red runs across the column."""
    image = page.grid.grab().toImage()
    x = page.grid.GUTTER + (image.width() - page.grid.GUTTER) // 2
    return [y for y in range(image.height()) if image.pixelColor(x, y) == NOW_RED]


def test_now_marker_is_painted_at_the_current_time_and_moves(qtbot, make_page):
    clock = Clock(today_at(10, 30))
    page = make_page(now=clock)
    grid = page.grid
    expected = page.now_marker_y()
    body_top = grid.point_at(grid.days()[0], 7 * 60).y()  # the grid is scrolled to 07:00
    assert expected == pytest.approx(body_top + 3.5 * grid.hour_height(), abs=1)
    assert red_rows(page), "no now-line painted"
    assert min(abs(y - expected) for y in red_rows(page)) <= 1

    clock.moment = today_at(13, 0)
    page.tick_timer.timeout.emit()
    moved = page.now_marker_y()
    assert moved == pytest.approx(expected + 2.5 * grid.hour_height(), abs=1)
    assert min(abs(y - moved) for y in red_rows(page)) <= 1
    assert all(abs(y - expected) > 2 for y in red_rows(page))


def test_the_plan_follows_the_clock_past_midnight(qtbot, database, make_page):
    user_id = database.add_user("serwisant")
    db = database.signed_in(database.email_of(user_id))
    tomorrow_event = insert_event(
        database, [user_id], today_at(9) + timedelta(days=1), today_at(10) + timedelta(days=1)
    )
    clock = Clock(today_at(23, 59))
    page = make_page(signed_in=(user_id, db), now=clock)
    assert page.grid.events() == []
    clock.moment = today_at(0, 1) + timedelta(days=1)
    page.loaded = False
    page.tick_timer.timeout.emit()
    qtbot.waitUntil(lambda: page.loaded, timeout=10000)
    assert page.grid.days() == [clock.moment.date()]
    assert [ev.key for ev in page.grid.events()] == [tomorrow_event]


def test_reconnect_hint_reloads_everything(qtbot, database, make_page):
    page = make_page("serwisant")
    author = database.add_user("kierownik")
    insert_announcement(database, author, "Po ponownym połączeniu")
    page.loaded = False
    page.context.runner.sig_changes_happened.emit(frozenset({"*"}))
    qtbot.waitUntil(lambda: page.loaded, timeout=10000)
    assert page.announcements.titles() == ["Po ponownym połączeniu"]
