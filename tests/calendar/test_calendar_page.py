"""The Terminarz screen with qtbot on a real database: every way of creating an event,
drag move/resize with undo, the dialog's validation, history after edits by two users,
deletion, side-panel filtering, fetching once per period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from eszok_desktop.services.calendar import events
from eszok_desktop.services.calendar.periods import ViewMode
from eszok_desktop.ui import messages
from eszok_desktop.ui.calendar import MODULE
from eszok_desktop.ui.calendar.calendar_page import CalendarPage, period_title
from eszok_desktop.ui.calendar.event_dialog import action_tab, details_tab
from eszok_desktop.ui.calendar.event_dialog.action_tab import EventAction
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.task_runner import TaskRunner
from tests.calendar.conftest import WARSAW, at

NOW = at(2026, 5, 6, 10, 30)  # a Wednesday


@pytest.fixture
def open_page(qtbot, world):
    runners = []

    def make(person, now=NOW) -> CalendarPage:
        runner = TaskRunner(person.db)
        runners.append(runner)
        context = AppContext(person.db, runner, person.me())
        page = CalendarPage(context, tz=WARSAW, now_provider=lambda: now)
        qtbot.addWidget(page)
        page.resize(1300, 800)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(
            lambda: page.dictionaries is not None and page.fetch_count > 0, timeout=10000
        )
        wait_idle(qtbot, page)
        return page

    yield make
    for runner in runners:
        runner.wait()


def wait_idle(qtbot, page: CalendarPage) -> None:
    qtbot.waitUntil(lambda: page.context.runner._running == 0, timeout=10000)


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 7):
        qtbot.mouseMove(widget, start + (end - start) * (i / 6))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def save_dialog(qtbot, page, dialog) -> int:
    with qtbot.waitSignal(dialog.sig_event_saved, timeout=10000) as blocker:
        dialog.save_button.click()
    wait_idle(qtbot, page)
    return blocker.args[0]


def stored(person, event_id) -> events.EventDetails:
    with person.db.session() as s:
        return events.get_event(s, event_id)


def test_module_spec():
    assert (MODULE.key, MODULE.title, MODULE.order) == ("calendar", "Terminarz", 20)
    assert MODULE.visible_for(None)


def test_period_titles_are_polish():
    assert period_title(ViewMode.MONTH, date(2026, 12, 3)) == "grudzień 2026"
    assert period_title(ViewMode.DAY, date(2026, 12, 3)) == "czwartek, 3 grudnia 2026"
    assert period_title(ViewMode.WEEK, date(2026, 12, 3)) == (
        "30 listopada – 6 grudnia 2026 (tydz. 49)"
    )


# --- creating -----------------------------------------------------------------------


def test_create_by_dragging_in_week_view(qtbot, world, open_page):
    anna = world.person()
    page = open_page(anna)
    grid = page.week_view
    grid.scroll_to_hour(8)
    day = date(2026, 5, 7)
    drag(qtbot, grid, grid.point_at(day, 9 * 60 + 3), grid.point_at(day, 11 * 60 + 20))
    dialog = page.open_dialog
    assert dialog is not None and dialog.windowTitle() == "Nowe zadanie"
    draft = dialog.current_draft()
    assert (draft.starts_at, draft.ends_at, draft.all_day) == (
        at(2026, 5, 7, 9),
        at(2026, 5, 7, 11, 15),
        False,
    )
    dialog.details.title_edit.setText("Prezentacja oferty")
    event_id = save_dialog(qtbot, page, dialog)
    details = stored(anna, event_id)
    assert details.draft.title == "Prezentacja oferty"
    assert details.draft.participant_ids == (anna.id,)
    qtbot.waitUntil(lambda: event_id in page.rows, timeout=10000)
    assert grid.event_rect(event_id, day) is not None


def test_create_by_double_click_in_day_view(qtbot, world, open_page):
    anna = world.person()
    page = open_page(anna)
    page.set_mode(ViewMode.DAY)
    grid = page.day_view
    grid.scroll_to_hour(12)
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.point_at(NOW.date(), 14 * 60 + 40))
    dialog = page.open_dialog
    draft = dialog.current_draft()
    assert (draft.starts_at, draft.ends_at) == (at(2026, 5, 6, 14, 30), at(2026, 5, 6, 15, 30))
    dialog.details.title_edit.setText("Telefon")
    event_id = save_dialog(qtbot, page, dialog)
    assert stored(anna, event_id).draft.starts_at == at(2026, 5, 6, 14, 30)


def test_create_by_clicking_a_day_in_month_view(qtbot, world, open_page):
    anna = world.person()
    page = open_page(anna)
    qtbot.keyClick(page.week_view, Qt.Key.Key_M)
    assert page.mode == ViewMode.MONTH
    month = page.month_view
    day = date(2026, 5, 20)
    qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=month.empty_point(day))
    dialog = page.open_dialog
    draft = dialog.current_draft()
    assert draft.all_day and draft.starts_at == at(2026, 5, 20) and draft.ends_at == at(2026, 5, 21)
    # the dialog shows the inclusive last day
    assert dialog.details.end_edit.date().toPython() == day
    dialog.details.title_edit.setText("Urlop")
    idx = dialog.details.calendar_combo.findText("Nieobecności")
    dialog.details.calendar_combo.setCurrentIndex(idx)
    assert [
        dialog.details.kind_combo.itemText(i) for i in range(dialog.details.kind_combo.count())
    ] == [
        "Urlop",
        "L4",
        "Szkolenie",
    ]
    event_id = save_dialog(qtbot, page, dialog)
    saved = stored(anna, event_id).draft
    assert saved.all_day and saved.calendar_id == world.calendars["nieobecnosci"]
    qtbot.waitUntil(lambda: bool(month.event_rects(event_id)), timeout=10000)


def test_create_with_the_button_and_edited_dates(qtbot, world, open_page):
    anna = world.person()
    page = open_page(anna)
    page.new_button.click()
    dialog = page.open_dialog
    draft = dialog.current_draft()
    assert draft.starts_at == at(2026, 5, 6, 11) and draft.ends_at == at(2026, 5, 6, 12)
    from PySide6.QtCore import QDate, QDateTime, QTime

    dialog.details.start_edit.setDateTime(QDateTime(QDate(2026, 5, 8), QTime(13, 0)))
    dialog.details.end_edit.setDateTime(QDateTime(QDate(2026, 5, 8), QTime(14, 45)))
    dialog.details.title_edit.setText("Serwis u klienta")
    dialog.details.calendar_combo.setCurrentIndex(dialog.details.calendar_combo.findText("Serwis"))
    dialog.details.kind_combo.setCurrentIndex(dialog.details.kind_combo.findText("Serwis"))
    dialog.details.company_edit.setText("ACME sp. z o.o.")
    dialog.details.nip_edit.setText("856-734-62-15")
    dialog.details.note_edit.setPlainText("Wymiana tonera")
    event_id = save_dialog(qtbot, page, dialog)
    saved = stored(anna, event_id).draft
    assert (saved.starts_at, saved.ends_at) == (at(2026, 5, 8, 13), at(2026, 5, 8, 14, 45))
    assert saved.company_nip == "8567346215" and saved.note == "Wymiana tonera"
    assert saved.kind_id == world.kinds[("serwis", "Serwis")]


# --- the dialog's rules -------------------------------------------------------------


def test_validation_messages_in_polish(qtbot, world, open_page):
    anna, bartek = world.person(), world.person(full_name="Bartek Obcy")
    page = open_page(anna)
    dialog = page.open_new_event(at(2026, 5, 7, 9), at(2026, 5, 7, 10), False)
    d = dialog.details

    def message_after_save() -> str:
        dialog.save_button.click()
        return dialog.message()

    assert message_after_save() == "Podaj tytuł zadania."
    d.title_edit.setText("x" * 201)
    assert message_after_save() == "Tytuł jest za długi (najwyżej 200 znaków)."
    d.title_edit.setText("Spotkanie")
    from PySide6.QtCore import QDate, QDateTime, QTime

    d.end_edit.setDateTime(QDateTime(QDate(2026, 5, 7), QTime(8, 0)))
    assert message_after_save() == "Koniec zadania nie może być wcześniej niż jego początek."
    d.end_edit.setDateTime(QDateTime(QDate(2026, 5, 7), QTime(10, 0)))
    d.nip_edit.setText("856-734-62-16")
    assert message_after_save() == "NIP ma błędną cyfrę kontrolną. Sprawdź numer."
    d.nip_edit.setText("12345")
    assert message_after_save() == "NIP musi mieć 10 cyfr (np. 123-456-32-18)."
    d.nip_edit.setText("")
    d.set_participant_checked(bartek.id, True)
    assert message_after_save() == (
        "Nie masz uprawnień do dodawania zadań do kalendarza: Bartek Obcy."
    )
    d.set_participant_checked(bartek.id, False)
    d.note_edit.setPlainText("n" * 10001)
    assert message_after_save() == "Notatka jest za długa (najwyżej 10000 znaków)."
    d.note_edit.setPlainText("")
    # a kind from another calendar (e.g. a stale list) is refused with the calendar's name
    wrong = replace(dialog.current_draft(), kind_id=world.kinds[("serwis", "Wydruk")])
    d.set_draft(wrong)
    assert message_after_save() == "Wybrany rodzaj nie należy do kalendarza „Handlowy”."
    # nothing was saved by any of these attempts
    assert page.context.runner._running == 0
    with anna.db.session() as s:
        assert events.fetch_period(s, at(2026, 5, 1), at(2026, 6, 1), [anna.id], [1, 2, 3]) == []


def test_conflict_warning_can_be_declined_or_accepted(qtbot, world, open_page, monkeypatch):
    anna = world.person()
    world.create(
        anna,
        [anna],
        at(2026, 5, 7),
        at(2026, 5, 8),
        calendar="nieobecnosci",
        kind="Urlop",
        all_day=True,
        title="Urlop",
    )
    page = open_page(anna)
    asked = []
    answers = [False, True]
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title=None: asked.append(text) or answers.pop(0)
    )
    dialog = page.open_new_event(at(2026, 5, 7, 9), at(2026, 5, 7, 10), False)
    dialog.details.title_edit.setText("Spotkanie")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert "nieobecność „Urlop”" in asked[0] and "Zapisać mimo to?" in asked[0]
    assert dialog.isVisible()
    save_dialog(qtbot, page, dialog)
    assert len(asked) == 2


def test_stale_edit_says_who_changed_it_and_reloads(qtbot, world, open_page, monkeypatch):
    anna, bartek = world.person(full_name="Anna Nowak"), world.person(full_name="Bartek Kowal")
    world.grant(anna, bartek, "manage")
    eid = world.create(anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10), title="Przed")
    page = open_page(anna)
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    with bartek.db.session() as s:
        events.move_event(
            s, eid, dialog.details_data.version, at(2026, 5, 7, 12), at(2026, 5, 7, 13)
        )
    asked = []
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title=None: asked.append(text) or True
    )
    dialog.details.title_edit.setText("Moja wersja")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: any("Bartek Kowal" in a for a in asked), timeout=10000)
    assert "zmieniony przez: Bartek Kowal" in dialog.message()
    # reloaded: the other user's time is shown, nothing was overwritten
    qtbot.waitUntil(lambda: dialog.current_draft().starts_at == at(2026, 5, 7, 12), timeout=10000)
    assert stored(anna, eid).draft.title == "Przed"


# --- history and deletion -----------------------------------------------------------


def test_history_after_edits_by_two_users(qtbot, world, open_page, qtmodeltester):
    anna, bartek = world.person(full_name="Anna Nowak"), world.person(full_name="Bartek Kowal")
    world.grant(anna, bartek, "manage")
    world.grant(bartek, anna, "manage")
    eid = world.create(anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10), title="Pierwszy")
    with bartek.db.session() as s:
        d = events.get_event(s, eid)
        events.update_event(
            s, eid, d.version, replace(d.draft, title="Drugi", participant_ids=(anna.id, bartek.id))
        )
    with anna.db.session() as s:
        d = events.get_event(s, eid)
        events.move_event(s, eid, d.version, at(2026, 5, 7, 11), at(2026, 5, 7, 12, 30))
    page = open_page(anna)
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    tab_titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tab_titles == ["Szczegóły", "Historia", "Akcja"]
    rows = dialog.history_tab.row_texts()
    whens = [r[0] for r in rows]
    assert whens == sorted(whens, key=lambda w: datetime.strptime(w, "%d.%m.%Y %H:%M:%S"))
    assert rows[0][1:] == ["Anna Nowak", "Utworzenie zadania", "", "Pierwszy"]
    assert ["Bartek Kowal", "Tytuł", "Pierwszy", "Drugi"] in [r[1:] for r in rows]
    assert ["Bartek Kowal", "Uczestnicy", "Anna Nowak", "Anna Nowak, Bartek Kowal"] in [
        r[1:] for r in rows
    ]
    assert ["Anna Nowak", "Początek", "07.05.2026 09:00", "07.05.2026 11:00"] in [
        r[1:] for r in rows
    ]
    assert ["Anna Nowak", "Koniec", "07.05.2026 10:00", "07.05.2026 12:30"] in [r[1:] for r in rows]
    assert not dialog.history_tab.row_has_pencil(0)
    assert all(dialog.history_tab.row_has_pencil(i) for i in range(1, len(rows)))
    qtmodeltester.check(dialog.history_tab.table.model())
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    dialog.grab()


def test_new_event_dialog_hides_history_and_action(qtbot, world, open_page):
    page = open_page(world.person())
    dialog = page.open_new_event(at(2026, 5, 7, 9), at(2026, 5, 7, 10), False)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["Szczegóły"]


def test_delete_with_confirmation(qtbot, world, open_page, monkeypatch):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10), title="Do usunięcia")
    page = open_page(anna)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    questions = []
    answers = [False, True]
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title=None: questions.append(text) or answers.pop(0)
    )
    dialog.action_tab.delete_button.click()
    assert questions == ["Czy na pewno usunąć zadanie „Do usunięcia”?"]
    assert stored(anna, eid)  # declined: still there
    with qtbot.waitSignal(dialog.sig_event_deleted, timeout=10000):
        dialog.action_tab.delete_button.click()
    wait_idle(qtbot, page)
    with anna.db.session() as s, pytest.raises(events.EventNotFound):
        events.get_event(s, eid)
    qtbot.waitUntil(lambda: eid not in page.rows, timeout=10000)
    # the change log keeps it, with the deletion last
    from eszok_desktop.services.calendar import history

    with anna.db.session() as s:
        assert [e.operation for e in history.event_history(s, eid)] == ["I", "D"]


def test_a_participant_leaves_an_event_they_may_not_delete(qtbot, world, open_page, monkeypatch):
    anna, bartek = world.person(full_name="Anna Nowak"), world.person()
    world.grant(bartek, anna, "manage")
    eid = world.create(anna, [anna, bartek], at(2026, 5, 7, 9), at(2026, 5, 7, 10), title="Narada")
    page = open_page(bartek)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    tab = dialog.action_tab
    assert not tab.delete_button.isEnabled()
    assert "Anna Nowak" in tab.hint.text() and "wypisać" in tab.hint.text()
    assert not tab.leave_button.isHidden()
    questions = []
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title=None: questions.append(text) or True
    )
    tab.leave_button.click()
    assert questions and "Narada" in questions[0]
    qtbot.waitUntil(lambda: eid not in page.rows, timeout=10000)  # gone from his calendar
    assert stored(anna, eid).draft.participant_ids == (anna.id,)  # still in hers
    # anna may delete it; leaving is offered only with someone else in the event
    page = open_page(anna)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    assert dialog.action_tab.delete_button.isEnabled()
    assert dialog.action_tab.leave_button.isHidden()
    assert dialog.action_tab.hint.text() == ""


def test_action_providers_add_buttons(qtbot, world, open_page):
    anna = world.person()
    eid = world.create(
        anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10), calendar="serwis", kind="Serwis"
    )
    calls = []

    def provider(context, event, calendar):
        if calendar.code != "serwis":
            return []
        return [EventAction("Wygeneruj kartę zadaniową", lambda parent: calls.append(event.id))]

    action_tab.register_event_action_provider(provider)
    try:
        page = open_page(anna)
        dialog = page.open_event(eid)
        qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
        # (the Serwis module may have registered its own provider in this process too)
        (button,) = [b for b in dialog.action_tab.extra_buttons if b.toolTip() == ""]
        assert button.text() == "Wygeneruj kartę zadaniową"
        with qtbot.waitSignal(dialog.action_tab.sig_action_triggered) as blocker:
            button.click()
        assert calls == [eid] and blocker.args == ["Wygeneruj kartę zadaniową", eid]
    finally:
        action_tab.unregister_event_action_provider(provider)


def test_view_only_event_opens_read_only(qtbot, world, open_page):
    anna, bartek = world.person(), world.person()
    world.grant(anna, bartek, "view")
    eid = world.create(anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10))
    page = open_page(bartek)
    page.side_panel.set_user_checked(anna.id, True)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    assert not page.grid_event(page.rows[eid]).editable
    dialog = page.open_event(eid)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    assert not dialog.save_button.isEnabled()
    assert not dialog.details.title_edit.isEnabled()
    assert not dialog.action_tab.delete_button.isEnabled()


# --- dragging in the views ------------------------------------------------------------


def test_drag_move_saves_at_once_and_ctrl_z_undoes(qtbot, world, open_page):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    page = open_page(anna)
    grid = page.week_view
    grid.scroll_to_hour(8)
    qtbot.waitUntil(lambda: grid.event_rect(eid) is not None, timeout=10000)
    rect = grid.event_rect(eid)
    press = QPoint(round(rect.center().x()), round(rect.top() + 15))
    target = grid.point_at(date(2026, 5, 7), 0)
    target = QPoint(target.x(), press.y() + 2 * grid.hour_height())
    drag(qtbot, grid, press, target)
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 7, 11), timeout=10000)
    assert stored(anna, eid).draft.ends_at == at(2026, 5, 7, 12)
    wait_idle(qtbot, page)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 6, 9), timeout=10000)
    wait_idle(qtbot, page)
    qtbot.waitUntil(lambda: grid.event_rect(eid, date(2026, 5, 6)) is not None, timeout=10000)


def test_a_drag_onto_an_absence_warns_and_offers_to_undo(qtbot, world, open_page, monkeypatch):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    world.create(
        anna, [anna], at(2026, 5, 7, 10), at(2026, 5, 7, 14), calendar="nieobecnosci", kind="L4"
    )
    questions = []
    answers = [False, True]
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title=None: questions.append(text) or answers.pop(0)
    )
    page = open_page(anna)
    grid = page.week_view
    grid.scroll_to_hour(8)
    qtbot.waitUntil(lambda: grid.event_rect(eid) is not None, timeout=10000)

    def drag_to_thursday_eleven():
        rect = grid.event_rect(eid, date(2026, 5, 6))
        press = QPoint(round(rect.center().x()), round(rect.top() + 15))
        target = grid.point_at(date(2026, 5, 7), 0)
        drag(qtbot, grid, press, QPoint(target.x(), press.y() + 2 * grid.hour_height()))

    drag_to_thursday_eleven()
    qtbot.waitUntil(lambda: len(questions) == 1, timeout=10000)
    assert "nieobecność „Spotkanie”" in questions[0] and "07.05 10:00" in questions[0]
    # "no": the move is undone
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 6, 9), timeout=10000)
    wait_idle(qtbot, page)
    qtbot.waitUntil(lambda: grid.event_rect(eid, date(2026, 5, 6)) is not None, timeout=10000)
    drag_to_thursday_eleven()
    qtbot.waitUntil(lambda: len(questions) == 2, timeout=10000)
    wait_idle(qtbot, page)
    assert stored(anna, eid).draft.starts_at == at(2026, 5, 7, 11)  # "yes": it stays
    # moving it back (Ctrl+Z) asks nothing
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 6, 9), timeout=10000)
    wait_idle(qtbot, page)
    assert len(questions) == 2


def test_drag_resize_saves_at_once(qtbot, world, open_page):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    page = open_page(anna)
    page.set_mode(ViewMode.DAY)
    grid = page.day_view
    grid.scroll_to_hour(8)
    qtbot.waitUntil(lambda: grid.event_rect(eid) is not None, timeout=10000)
    rect = grid.event_rect(eid)
    drag(
        qtbot,
        grid,
        QPoint(round(rect.center().x()), round(rect.bottom() - 2)),
        grid.point_at(NOW.date(), 11 * 60 + 30),
    )
    qtbot.waitUntil(
        lambda: stored(anna, eid).draft.ends_at == at(2026, 5, 6, 11, 30), timeout=10000
    )
    assert stored(anna, eid).draft.starts_at == at(2026, 5, 6, 9)


def test_drag_between_days_in_month_view(qtbot, world, open_page):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    page = open_page(anna)
    page.set_mode(ViewMode.MONTH)
    month = page.month_view
    qtbot.waitUntil(lambda: bool(month.event_rects(eid)), timeout=10000)
    ((_day, rect),) = month.event_rects(eid)
    drag(qtbot, month, rect.center().toPoint(), month.empty_point(date(2026, 5, 14)))
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 14, 9), timeout=10000)


def test_others_events_cannot_be_dragged_with_a_view_grant(qtbot, world, open_page):
    anna, bartek = world.person(), world.person()
    world.grant(anna, bartek, "view")
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    page = open_page(bartek)
    page.side_panel.set_user_checked(anna.id, True)
    grid = page.week_view
    grid.scroll_to_hour(8)
    qtbot.waitUntil(lambda: grid.event_rect(eid) is not None, timeout=10000)
    rect = grid.event_rect(eid)
    with qtbot.assertNotEmitted(grid.sig_event_changed):
        drag(qtbot, grid, rect.center().toPoint(), grid.point_at(date(2026, 5, 8), 13 * 60))


# --- side panel, navigation, fetching -----------------------------------------------


def test_side_panel_filters_calendars_and_overlays_users(qtbot, world, open_page, qtmodeltester):
    anna, bartek = world.person(), world.person(full_name="Bartek Kowal")
    world.grant(bartek, anna, "view")
    mine = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    serwis = world.create(
        anna, [anna], at(2026, 5, 6, 12), at(2026, 5, 6, 13), calendar="serwis", kind="Serwis"
    )
    his = world.create(bartek, [bartek], at(2026, 5, 7, 9), at(2026, 5, 7, 10))
    page = open_page(anna)
    panel = page.side_panel
    qtmodeltester.check(panel.users.model())
    users = [panel.users.item(i).text() for i in range(panel.users.count())]
    assert users[0].endswith("(mój)") and users[1] == "Bartek Kowal (podgląd)"
    qtbot.waitUntil(lambda: set(page.rows) == {mine, serwis}, timeout=10000)
    panel.set_calendar_checked(world.calendars["serwis"], False)
    qtbot.waitUntil(lambda: set(page.rows) == {mine}, timeout=10000)
    panel.set_user_checked(bartek.id, True)
    qtbot.waitUntil(lambda: set(page.rows) == {mine, his}, timeout=10000)
    # overlaid: coloured by user, with the calendar colour as the stripe
    assert page.grid_event(page.rows[his]).color == panel.user_color(bartek.id)
    assert page.grid_event(page.rows[mine]).color == panel.user_color(anna.id)
    assert page.grid_event(page.rows[his]).accent == "#2f6fb7"
    panel.set_user_checked(anna.id, False)
    qtbot.waitUntil(lambda: set(page.rows) == {his}, timeout=10000)
    panel.set_calendar_checked(world.calendars["serwis"], True)
    panel.set_user_checked(anna.id, True)
    panel.set_user_checked(bartek.id, False)
    qtbot.waitUntil(lambda: set(page.rows) == {mine, serwis}, timeout=10000)
    assert page.grid_event(page.rows[mine]).color == "#2f6fb7"  # by calendar again


def test_fetch_once_per_period_and_keyboard_navigation(qtbot, world, open_page):
    anna = world.person()
    page = open_page(anna)
    count = page.fetch_count
    page.refresh()  # same period: no new query
    assert page.fetch_count == count
    grid = page.week_view
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_PageDown)
    wait_idle(qtbot, page)
    assert page.anchor == date(2026, 5, 13) and page.fetch_count == count + 1
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # same week: no fetch
    wait_idle(qtbot, page)
    assert page.anchor == date(2026, 5, 14) and page.fetch_count == count + 1
    qtbot.keyClick(grid, Qt.Key.Key_T)
    assert page.anchor == NOW.date()
    qtbot.keyClick(grid, Qt.Key.Key_D)
    assert page.mode == ViewMode.DAY and page.title_label.text() == "środa, 6 maja 2026"
    qtbot.keyClick(page.day_view, Qt.Key.Key_Left)
    assert page.anchor == date(2026, 5, 5)
    qtbot.keyClick(page.day_view, Qt.Key.Key_W)
    assert page.mode == ViewMode.WEEK
    page.prev_button.click()
    assert page.anchor == date(2026, 4, 28)
    page.today_button.click()
    assert page.anchor == NOW.date()
    page.side_panel.on_navigator_clicked(__import__("PySide6.QtCore").QtCore.QDate(2026, 6, 15))
    assert page.anchor == date(2026, 6, 15)


def test_plus_n_more_opens_the_day(qtbot, world, open_page):
    anna = world.person()
    day = date(2026, 5, 12)
    for i in range(12):
        world.create(
            anna,
            [anna],
            at(2026, 5, 12, 8 + i // 2, 30 * (i % 2)),
            at(2026, 5, 12, 9 + i // 2),
            title=f"Zadanie {i}",
        )
    page = open_page(anna)
    page.set_mode(ViewMode.MONTH)
    month = page.month_view
    qtbot.waitUntil(lambda: month.more_rect(day) is not None, timeout=10000)
    rect, hidden = month.more_rect(day)
    shown = sum(1 for item in month._items if item.day == day)
    assert shown + hidden == 12 and hidden > 0
    qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert page.mode == ViewMode.DAY and page.anchor == day
    wait_idle(qtbot, page)
    # all twelve are laid out side by side in the day view, none hidden
    grid = page.day_view
    qtbot.waitUntil(lambda: len(page.rows) == 12, timeout=10000)
    assert all(grid.event_rect(eid) is not None for eid in page.rows)


def test_share_and_access_requests_from_the_side_panel(qtbot, world, open_page, monkeypatch):
    anna, bartek = world.person(), world.person(full_name="Bartek Kowal")
    page = open_page(anna)
    informed = []
    monkeypatch.setattr(messages, "inform", lambda parent, text, title=None: informed.append(text))
    page.side_panel.share_button.click()
    dialog = page.share_dialog
    dialog.set_person(bartek.id)
    dialog.manage_radio.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(
        lambda: informed == ["Prośba została wysłana do administratora."], timeout=10000
    )
    wait_idle(qtbot, page)
    qtbot.waitUntil(
        lambda: (
            page.side_panel.pending.count() == 1
            and "Bartek" in page.side_panel.pending.item(0).text()
        ),
        timeout=10000,
    )
    assert page.side_panel.pending.item(0).text() == "Udostępniam: Bartek Kowal (zarządzanie)"
    page.side_panel.request_button.click()
    dialog = page.share_dialog
    dialog.set_person(bartek.id)
    dialog.accept()
    qtbot.waitUntil(lambda: page.side_panel.pending.count() == 2, timeout=10000)
    assert page.side_panel.pending.item(1).text() == "Dostęp do: Bartek Kowal (podgląd)"
    # withdraw the first
    page.side_panel.pending.setCurrentRow(0)
    page.side_panel.withdraw_button.click()
    qtbot.waitUntil(lambda: page.side_panel.pending.count() == 1, timeout=10000)


def test_address_check_and_map(qtbot, world, open_page, monkeypatch):
    import threading
    from http.server import ThreadingHTTPServer

    from tests.calendar.test_geocoding import StandIn

    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_page(world.person())
        dialog = page.open_new_event(at(2026, 5, 7, 9), at(2026, 5, 7, 10), False)
        d = dialog.details
        d.geocoder_url = f"http://127.0.0.1:{server.server_address[1]}"
        d.address_edit.setText("ul. Piotrkowska 104, Łódź")
        with qtbot.waitSignal(d.sig_geocode_finished, timeout=10000):
            d.check_address_button.click()
        assert "Znaleziono: Piotrkowska 104" in d.geocode_label.text()
        assert "51.76480, 19.45720" in d.geocode_label.text()
        draft = d.draft()
        assert draft.address_lat == pytest.approx(51.7648)
        d.use_address_button.click()
        assert d.address_edit.text().startswith("Piotrkowska 104, Śródmieście, Łódź")
        assert d.draft().address_lat == pytest.approx(51.7648)  # still the same place
        d.address_edit.setText("Nieznana 1, Nigdzie")
        with qtbot.waitSignal(d.sig_geocode_finished, timeout=10000):
            d.check_address_button.click()
        assert d.geocode_label.text() == "Nie znaleziono takiego adresu."
        assert d.draft().address_lat is None  # the coordinates were of the other address
        opened = []
        monkeypatch.setattr(details_tab, "open_url", lambda url: opened.append(url) or True)
        d.map_button.click()
        assert opened == [
            "https://www.google.com/maps/search/?api=1&query=Nieznana%201%2C%20Nigdzie"
        ]
    finally:
        server.shutdown()
        server.server_close()


def test_dst_week_renders_the_right_hours(qtbot, world, open_page):
    anna = world.person()
    # 10:00–11:00 local on the last Sundays of October and March
    october = world.create(anna, [anna], at(2026, 10, 25, 10), at(2026, 10, 25, 11))
    march = world.create(anna, [anna], at(2026, 3, 29, 10), at(2026, 3, 29, 11))
    page = open_page(anna, now=at(2026, 10, 22, 12))
    grid = page.week_view
    grid.scroll_to_hour(6)
    qtbot.waitUntil(lambda: grid.event_rect(october) is not None, timeout=10000)
    rect = grid.event_rect(october, date(2026, 10, 25))
    assert abs(rect.top() - grid.point_at(date(2026, 10, 25), 600).y()) <= 1
    page.set_anchor(date(2026, 3, 29))
    qtbot.waitUntil(lambda: grid.event_rect(march) is not None, timeout=10000)
    rect = grid.event_rect(march, date(2026, 3, 29))
    assert abs(rect.top() - grid.point_at(date(2026, 3, 29), 600).y()) <= 1
    assert rect.height() == pytest.approx(grid.hour_height(), abs=2)
    assert datetime(2026, 3, 29, 8, tzinfo=UTC) == at(2026, 3, 29, 10)


def test_other_users_changes_refresh_the_view(qtbot, world, open_page):
    anna, bartek = world.person(), world.person()
    world.grant(anna, bartek, "manage")
    page = open_page(anna)
    count = page.fetch_count
    eid = world.create(bartek, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10))
    # what live refresh emits when another client changed events
    page.context.runner.sig_changes_happened.emit(frozenset({"events"}))
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    assert page.fetch_count == count + 1


def test_tooltips_show_the_details(qtbot, world, open_page):
    from eszok_desktop.ui.calendar.time_grid import tooltip_of

    anna = world.person(full_name="Anna Nowak")
    eid = world.create(
        anna, [anna], at(2026, 5, 7, 9), at(2026, 5, 7, 10, 30), title="Wizyta", company_name="ACME"
    )
    page = open_page(anna)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    (item,) = [ev for ev in page.week_view.events() if ev.key == eid]
    text = tooltip_of(item, WARSAW)
    assert text.splitlines() == [
        "Wizyta",
        "07.05.2026 09:00 – 07.05.2026 10:30",
        "Handlowy: Spotkanie",
        "ACME",
        "Uczestnicy: Anna Nowak",
    ]


def test_undo_after_paging_away(qtbot, world, open_page):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    page = open_page(anna)
    qtbot.waitUntil(lambda: eid in page.rows, timeout=10000)
    page.on_view_event_changed(eid, at(2026, 5, 6, 13), at(2026, 5, 6, 14))
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 6, 13), timeout=10000)
    wait_idle(qtbot, page)
    page.go(1)  # the event is no longer on screen
    wait_idle(qtbot, page)
    assert eid not in page.rows
    page.undo_stack.undo()
    qtbot.waitUntil(lambda: stored(anna, eid).draft.starts_at == at(2026, 5, 6, 9), timeout=10000)
