"""The notes panel is reachable from Terminarz (a dock) and from Panel Główny."""

from __future__ import annotations

from eszok_desktop.services import notes
from eszok_desktop.ui.calendar.calendar_page import CalendarPage
from eszok_desktop.ui.notes import NotesPanel
from eszok_desktop.ui.panel.panel_page import PanelPage
from tests.notes.test_notes_panel import T0, FakeClock, save_note, titles


def test_terminarz_opens_the_notes_dock(qtbot, ctx):
    save_note(ctx, notes.NoteDraft("Z terminarza"))
    page = CalendarPage(ctx, now_provider=FakeClock(T0))
    qtbot.addWidget(page)
    page.resize(1500, 800)
    page.show()
    dock = page.notes_host.notes_dock
    assert not dock.isVisible() and page.notes_button.text() == "Notatki"
    page.notes_button.click()
    assert dock.isVisible() and isinstance(dock.panel, NotesPanel)
    with qtbot.waitSignal(dock.panel.sig_notes_loaded, timeout=10000):
        pass
    assert titles(dock.panel.active_list) == ["Z terminarza"]
    ctx.runner.wait()


def test_panel_glowny_shows_the_notes(qtbot, ctx):
    save_note(ctx, notes.NoteDraft("Z panelu"))
    page = PanelPage(ctx, now=FakeClock(T0))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.notes_panel.sig_notes_loaded, timeout=10000):
        pass
    assert titles(page.notes_panel.active_list) == ["Z panelu"]
    assert page.notes_panel.tabs.tabText(0) == "Aktywne (1)"
    ctx.runner.wait()
