"""The notes panel and dialog with qtbot, over the real database and task runner."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDockWidget, QLabel
from sqlalchemy import text

from eszok_desktop.services import notes
from eszok_desktop.ui import messages
from eszok_desktop.ui.notes import NotesDockHost, NotesPanel, make_notes_dock

WAW = ZoneInfo("Europe/Warsaw")
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=WAW)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def asked(monkeypatch):
    """Answers for the ``messages.ask`` seam, and the questions asked."""

    class Asked(list):
        answer = True

    record = Asked()

    def fake_ask(_parent, question, _title=None):
        record.append(question)
        return record.answer

    monkeypatch.setattr(messages, "ask", fake_ask)
    return record


@pytest.fixture
def informed(monkeypatch):
    record: list[str] = []
    monkeypatch.setattr(messages, "inform", lambda _p, text, _t=None: record.append(text))
    return record


def open_panel(qtbot, ctx, clock) -> NotesPanel:
    panel = NotesPanel(ctx, clock=clock)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        pass
    panel.resize(420, 600)
    panel.show()
    return panel


def save_note(ctx, draft: notes.NoteDraft) -> notes.NoteData:
    with ctx.db.session() as s:
        return notes.create_note(s, draft)


def titles(note_list) -> list[str]:
    return [card.title_label.text() for card in note_list.cards]


def count_rows(ctx) -> int:
    with ctx.db.session() as s:
        return s.execute(text("SELECT count(*) FROM eszok.notes")).scalar_one()


def open_dialog(qtbot, panel, note_card=None):
    if note_card is None:
        panel.add_button.click()
    else:
        note_card.edit_button.click()
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_events_loaded, timeout=10000):
        pass
    return dialog


def test_add_a_note_with_a_deadline(qtbot, ctx, clock):
    panel = open_panel(qtbot, ctx, clock)
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Aktywne (0)", "Zakończone (0)"]
    assert panel.active_list.empty_label.isVisible()
    dialog = open_dialog(qtbot, panel)
    assert dialog.date_edit.date() == QDate(2026, 12, 3)  # today in the injected clock
    dialog.title_edit.setText("Wysłać ofertę")
    dialog.body_edit.setPlainText("do firmy Kowalski sp. z o.o.")
    dialog.deadline_box.setChecked(True)
    dialog.date_edit.setDate(QDate(2026, 12, 5))
    dialog.time_check.setChecked(True)
    dialog.time_edit.setTime(QTime(15, 0))
    saved = []
    dialog.sig_note_saved.connect(saved.append)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    assert not shiboken6.isValid(dialog)  # closed and deleted
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Aktywne (1)", "Zakończone (0)"]
    (card,) = panel.active_list.cards
    assert card.title_label.text() == "Wysłać ofertę"
    assert card.body_label.text() == "do firmy Kowalski sp. z o.o."
    assert card.time_label.text() == "pozostały 2 dni 3 godz."
    assert card.deadline_label.text() == "termin: 05.12.2026 15:00"
    assert not card.overdue
    assert saved[0].deadline == datetime(2026, 12, 5, 15, 0, tzinfo=WAW)


def test_a_date_only_note_and_one_without_deadline(qtbot, ctx, clock):
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText("Urlop — złożyć wniosek")
    dialog.deadline_box.setChecked(True)
    dialog.date_edit.setDate(QDate(2026, 12, 4))
    assert dialog.day_hint.isVisible()
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText("Kiedyś")
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    assert titles(panel.active_list) == ["Urlop — złożyć wniosek", "Kiedyś"]
    day, never = panel.active_list.cards
    assert day.time_label.text() == "pozostał 1 dzień 12 godz."  # until the end of 4.12
    assert day.deadline_label.text() == "termin: 04.12.2026 (cały dzień)"
    assert never.time_label.text() == "bez terminu"


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("   ", "", "Podaj tytuł notatki."),
        ("x" * 201, "", "Tytuł jest za długi: 201 znaków, dozwolone najwyżej 200."),
        ("ok", "y" * 10001, "Treść jest za długa: 10001 znaków, dozwolone najwyżej 10000."),
    ],
)
def test_bad_input_keeps_the_dialog_open_and_saves_nothing(qtbot, ctx, clock, title, body, message):
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText(title)
    dialog.body_edit.setPlainText(body)
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_label.isVisibleTo(dialog) and dialog.error_label.text() == message
    ctx.runner.wait()
    assert count_rows(ctx) == 0


def test_a_past_deadline_on_creation_asks_first(qtbot, ctx, clock, asked):
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText("Zaległe")
    dialog.deadline_box.setChecked(True)
    dialog.date_edit.setDate(QDate(2026, 12, 2))
    asked.answer = False
    dialog.save_button.click()
    assert asked == ["Termin tej notatki już minął. Zapisać ją mimo to?"]
    assert dialog.isVisible()
    ctx.runner.wait()
    assert count_rows(ctx) == 0
    asked.answer = True
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    (card,) = panel.active_list.cards
    assert card.overdue and card.time_label.text() == "po terminie 12 godz."
    assert card.time_label.property("state") == "overdue"


def test_no_question_for_a_deadline_later_today(qtbot, ctx, clock, asked):
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText("Dziś")
    dialog.deadline_box.setChecked(True)  # today, date only: due at midnight
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    assert asked == []


def test_edit_a_note(qtbot, ctx, clock):
    save_note(ctx, notes.NoteDraft("Stary tytuł", "treść", date(2026, 12, 10)))
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel, panel.active_list.cards[0])
    assert dialog.title_edit.text() == "Stary tytuł"
    assert dialog.body_edit.toPlainText() == "treść"
    assert dialog.deadline_box.isChecked() and not dialog.time_check.isChecked()
    assert dialog.date_edit.date() == QDate(2026, 12, 10)
    dialog.title_edit.setText("Nowy tytuł")
    dialog.deadline_box.setChecked(False)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    (card,) = panel.active_list.cards
    assert card.title_label.text() == "Nowy tytuł"
    assert card.note.deadline is None and card.note.version == 2


def test_done_restore_and_counts(qtbot, ctx, clock):
    save_note(ctx, notes.NoteDraft("A", deadline_date=date(2026, 12, 4)))
    save_note(ctx, notes.NoteDraft("B"))
    panel = open_panel(qtbot, ctx, clock)
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Aktywne (2)", "Zakończone (0)"]
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        panel.active_list.cards[0].state_button.click()
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Aktywne (1)", "Zakończone (1)"]
    assert titles(panel.active_list) == ["B"]
    (done,) = panel.done_list.cards
    assert done.title_label.text() == "A"
    assert done.state_button.text() == "Przywróć"
    local_done = done.note.done_at.astimezone(WAW).strftime("%d.%m.%Y %H:%M")
    assert done.time_label.text() == f"zakończono {local_done}"
    assert not done.overdue
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        done.state_button.click()
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Aktywne (2)", "Zakończone (0)"]
    assert titles(panel.active_list) == ["A", "B"]
    assert panel.active_list.cards[0].note.done_at is None


def test_delete_asks_first(qtbot, ctx, clock, asked):
    save_note(ctx, notes.NoteDraft("Do usunięcia"))
    panel = open_panel(qtbot, ctx, clock)
    asked.answer = False
    panel.active_list.cards[0].delete_button.click()
    assert asked == ["Usunąć notatkę „Do usunięcia”? Tego nie można cofnąć."]
    ctx.runner.wait()
    assert count_rows(ctx) == 1
    asked.answer = True
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        panel.active_list.cards[0].delete_button.click()
    assert panel.active_list.cards == [] and panel.tabs.tabText(0) == "Aktywne (0)"
    assert count_rows(ctx) == 0


def test_active_notes_are_sorted_by_deadline_without_deadline_last(qtbot, ctx, clock):
    save_note(ctx, notes.NoteDraft("bez terminu"))
    save_note(ctx, notes.NoteDraft("piątek", deadline_date=date(2026, 12, 4)))
    save_note(
        ctx, notes.NoteDraft("piątek rano", deadline_date=date(2026, 12, 4), deadline_time=time(8))
    )
    save_note(ctx, notes.NoteDraft("wczoraj", deadline_date=date(2026, 12, 2)))
    panel = open_panel(qtbot, ctx, clock)
    assert titles(panel.active_list) == ["wczoraj", "piątek rano", "piątek", "bez terminu"]


def test_the_header_updates_live_from_the_clock_without_refetching(qtbot, ctx, clock, monkeypatch):
    save_note(
        ctx, notes.NoteDraft("Telefon", deadline_date=date(2026, 12, 3), deadline_time=time(14))
    )
    panel = open_panel(qtbot, ctx, clock)
    (card,) = panel.active_list.cards
    assert card.time_label.text() == "pozostały 2 godz."
    fetches = []
    original = notes.list_notes
    monkeypatch.setattr(notes, "list_notes", lambda *a, **k: fetches.append(1) or original(*a, **k))
    panel.timer.setInterval(10)
    clock.now = T0 + timedelta(hours=1, minutes=30)
    qtbot.waitUntil(lambda: card.time_label.text() == "pozostało 30 min", timeout=3000)
    clock.now = T0 + timedelta(hours=1, minutes=59, seconds=1)
    qtbot.waitUntil(lambda: card.time_label.text() == "pozostała niecała minuta", timeout=3000)
    assert not card.overdue
    clock.now = T0 + timedelta(hours=5)
    qtbot.waitUntil(lambda: card.time_label.text() == "po terminie 3 godz.", timeout=3000)
    assert card.overdue and card.time_label.property("state") == "overdue"
    assert card.property("state") == "overdue"
    assert panel.active_list.cards == [card]  # the same widget: only its text changed
    ctx.runner.wait()
    assert fetches == []


def test_a_conflict_names_who_changed_the_note_and_offers_to_reload(
    qtbot, ctx, clock, database, asked
):
    note = save_note(ctx, notes.NoteDraft("Wspólna"))
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel, panel.active_list.cards[0])
    other_client = database.signed_in(ctx.user.email)
    with other_client.session() as s:
        notes.update_note(s, note.id, note.version, notes.NoteDraft("Zmieniona gdzie indziej"))
    dialog.title_edit.setText("Moja wersja")
    asked.answer = False
    dialog.save_button.click()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert "zmieniony przez: Ewa Nowak" in asked[0]
    assert "Wczytać aktualną wersję notatki?" in asked[0]
    assert dialog.isVisible() and dialog.title_edit.text() == "Moja wersja"
    assert "Ewa Nowak" in dialog.error_label.text()
    asked.answer = True
    with qtbot.waitSignal(dialog.sig_note_reloaded, timeout=10000):
        dialog.save_button.click()
    assert dialog.title_edit.text() == "Zmieniona gdzie indziej"
    dialog.title_edit.setText("Moja wersja po wczytaniu")
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    assert titles(panel.active_list) == ["Moja wersja po wczytaniu"]


def test_done_on_a_stale_card_says_so_and_refreshes(qtbot, ctx, clock, database, informed):
    note = save_note(ctx, notes.NoteDraft("Stara"))
    panel = open_panel(qtbot, ctx, clock)
    other_client = database.signed_in(ctx.user.email)
    with other_client.session() as s:
        notes.delete_note(s, note.id, note.version)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        panel.active_list.cards[0].state_button.click()
    assert len(informed) == 1
    assert informed[0].startswith("Ta notatka została w międzyczasie usunięta przez: Ewa Nowak")
    assert panel.active_list.cards == []


def test_link_a_note_to_a_calendar_event(qtbot, ctx, clock, add_event):
    event_id = add_event("Szkolenie BHP", T0 + timedelta(days=1), [ctx.user.id])
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel)
    index = dialog.event_combo.findData(event_id)
    assert dialog.event_combo.itemText(index) == "04.12.2026 12:00 – Szkolenie BHP"
    assert dialog.event_combo.currentData() is None  # "(brak)" by default
    dialog.title_edit.setText("Zabrać dokumenty")
    dialog.event_combo.setCurrentIndex(index)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        dialog.save_button.click()
    (card,) = panel.active_list.cards
    assert card.event_label.text() == "Zadanie w terminarzu: Szkolenie BHP, 04.12.2026 12:00"
    dialog = open_dialog(qtbot, panel, card)
    assert dialog.event_combo.currentData() == event_id


def test_changes_elsewhere_refresh_the_panel(qtbot, ctx, clock):
    panel = open_panel(qtbot, ctx, clock)
    save_note(ctx, notes.NoteDraft("Z innego okna"))
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        ctx.runner.sig_changes_happened.emit(frozenset({"notes"}))
    assert titles(panel.active_list) == ["Z innego okna"]


def test_the_dock_builds_the_panel_when_first_shown(qtbot, ctx, clock):
    save_note(ctx, notes.NoteDraft("W doku"))
    content = QLabel("kalendarz")
    host = NotesDockHost(ctx, content, clock=clock)
    action = host.notes_action
    qtbot.addWidget(host)
    host.resize(900, 600)
    host.show()
    dock = host.notes_dock
    assert isinstance(dock, QDockWidget) and dock.windowTitle() == "Notatki"
    assert host.centralWidget() is content
    assert host.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not dock.isVisible() and dock.panel is None  # closed: no notes work yet
    assert action.isCheckable() and not action.isChecked() and action.text() == "Notatki"
    action.trigger()
    assert dock.isVisible() and isinstance(dock.panel, NotesPanel)
    assert dock.widget() is dock.panel
    with qtbot.waitSignal(dock.panel.sig_notes_loaded, timeout=10000):
        pass
    assert titles(dock.panel.active_list) == ["W doku"]
    assert dock.panel.clock is clock
    action.trigger()
    assert not dock.isVisible() and not dock.panel.timer.isActive()


def test_make_notes_dock(qtbot, ctx):
    dock = make_notes_dock(ctx)
    qtbot.addWidget(dock)
    dock.show()
    assert isinstance(dock.widget(), NotesPanel) and dock.objectName() == "notesDock"
    with qtbot.waitSignal(dock.widget().sig_notes_loaded, timeout=10000):
        pass


def test_saving_a_note_deleted_elsewhere_says_so_without_offering_a_reload(
    qtbot, ctx, clock, database, asked
):
    note = save_note(ctx, notes.NoteDraft("Znikająca"))
    panel = open_panel(qtbot, ctx, clock)
    dialog = open_dialog(qtbot, panel, panel.active_list.cards[0])
    other_client = database.signed_in(ctx.user.email)
    with other_client.session() as s:
        notes.delete_note(s, note.id, note.version)
    dialog.title_edit.setText("Poprawiona")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10000)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=10000)
    assert asked == []
    assert dialog.error_label.text().startswith(
        "Ta notatka została w międzyczasie usunięta przez: Ewa Nowak"
    )
    assert dialog.isVisible() and dialog.title_edit.text() == "Poprawiona"


def test_the_clock_ticks_only_while_the_panel_is_shown(qtbot, ctx, clock):
    save_note(
        ctx, notes.NoteDraft("Telefon", deadline_date=date(2026, 12, 3), deadline_time=time(14))
    )
    panel = open_panel(qtbot, ctx, clock)
    assert panel.timer.isActive()
    panel.hide()
    assert not panel.timer.isActive()
    clock.now = T0 + timedelta(hours=1)
    panel.show()  # catches up at once, before the first tick
    assert panel.timer.isActive()
    assert panel.active_list.cards[0].time_label.text() == "pozostała 1 godz."


def test_long_lists_are_built_a_page_at_a_time(qtbot, ctx, clock):
    with ctx.db.session() as s:
        for i in range(57):
            notes.create_note(
                s, notes.NoteDraft(f"Notatka {i:02}", deadline_date=date(2026, 12, 4))
            )
    panel = open_panel(qtbot, ctx, clock)
    assert panel.tabs.tabText(0) == "Aktywne (57)"
    assert len(panel.active_list.cards) == 30
    assert panel.active_list.more_button.text() == "Pokaż kolejne (27)"
    panel.active_list.more_button.click()
    assert len(panel.active_list.cards) == 57 and panel.active_list.more_button is None
    assert titles(panel.active_list)[-1] == "Notatka 56"
    # a refresh keeps the pages the user opened
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        panel.refresh()
    assert len(panel.active_list.cards) == 57


def test_a_failed_load_is_shown_in_the_panel_and_cleared_by_the_next(
    qtbot, ctx, clock, monkeypatch
):
    from eszok_desktop.services.errors import ConnectionLost

    panel = open_panel(qtbot, ctx, clock)
    original = notes.list_notes

    def lost(*_a, **_k):
        raise ConnectionLost("server closed the connection")

    monkeypatch.setattr(notes, "list_notes", lost)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.status_label.isVisibleTo(panel), timeout=10000)
    assert panel.status_label.text() == (
        "Nie udało się wczytać notatek. Utracono połączenie z serwerem. Spróbuj ponownie za chwilę."
    )
    monkeypatch.setattr(notes, "list_notes", original)
    with qtbot.waitSignal(panel.sig_notes_loaded, timeout=10000):
        ctx.runner.sig_changes_happened.emit(frozenset({"*"}))  # after a reconnect
    assert not panel.status_label.isVisibleTo(panel)
