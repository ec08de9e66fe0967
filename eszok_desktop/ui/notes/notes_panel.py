"""Notatki (F-NOTES): the user's to-do notes in two tabs, Aktywne and Zakończone.

A plain widget, so it fits a QDockWidget in Terminarz (``make_notes_dock``) as well as a
section of Panel Główny. Notes are fetched through the task runner, and again whenever
the app says notes (or events, whose titles the notes show) changed; a QTimer only
recomputes the "time left" headers from the clock, without touching the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import notes
from eszok_desktop.services.time_left import LOCAL_ZONE
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.notes.note_card import STYLE_SHEET, NoteCard
from eszok_desktop.ui.notes.note_dialog import NoteDialog, describe_note_error
from eszok_desktop.ui.task_runner import Task

TICK_MS = 10_000
MINIMUM_WIDTH = 260
PREFERRED_WIDTH = 340
REFRESH_ON = frozenset({"notes", "events", "*"})


class NoteList(QScrollArea):
    """A scrolling column of note cards, built a page at a time, with an empty-state line.

    Cards are widgets (word-wrapped labels, buttons): a few dozen build in milliseconds,
    hundreds take seconds, and finished notes pile up over the years. So only the first
    ``PAGE`` cards are built; "Pokaż kolejne" builds the next page.
    """

    PAGE = 30

    def __init__(
        self,
        empty_text: str,
        make_card: Callable[[notes.NoteData], NoteCard],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.empty_text = empty_text
        self.make_card = make_card
        self.notes: tuple[notes.NoteData, ...] = ()
        self.cards: list[NoteCard] = []
        self.limit = self.PAGE
        self.more_button: QPushButton | None = None
        self._rebuild()

    def set_notes(self, shown: tuple[notes.NoteData, ...]) -> None:
        """Show ``shown`` (already sorted), keeping the number of pages the user opened."""
        self.notes = shown
        self._rebuild()

    def on_more_clicked(self) -> None:
        self.limit += self.PAGE
        self._rebuild()

    def _rebuild(self) -> None:
        # Lay the cards out in a fresh, hidden container and swap it in: inserting into
        # the visible column would re-run the layout once per card.
        scroll = self.verticalScrollBar().value()
        self.cards = [self.make_card(note) for note in self.notes[: self.limit]]
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        self.empty_label = QLabel(self.empty_text, inner)
        self.empty_label.setObjectName("noteMeta")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if self.notes:
            self.empty_label.hide()
        column.addWidget(self.empty_label)
        for card in self.cards:
            column.addWidget(card)
        rest = len(self.notes) - len(self.cards)
        self.more_button = None
        if rest > 0:
            self.more_button = QPushButton(
                self.tr("Pokaż kolejne ({n})").format(n=min(rest, self.PAGE)), inner
            )
            self.more_button.clicked.connect(self.on_more_clicked)
            column.addWidget(self.more_button)
        column.addStretch(1)
        old = self.takeWidget()
        self.setWidget(inner)
        if old is not None:
            old.deleteLater()
        self.verticalScrollBar().setValue(scroll)


class NotesPanel(QWidget):
    """The notes of the signed-in user; ``clock`` is injectable for tests."""

    sig_notes_loaded = Signal(object)  # NoteLists
    sig_action_failed = Signal(object)  # the exception, after the message was shown

    ACTIVE_TAB = 0
    DONE_TAB = 1

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        zone: ZoneInfo = LOCAL_ZONE,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock or (lambda: datetime.now(UTC))
        self.zone = zone
        self.lists = notes.NoteLists((), ())
        self.dialog: NoteDialog | None = None
        self._fetch: Task | None = None

        self.add_button = QPushButton(self.tr("Nowa notatka"))
        self.add_button.clicked.connect(self.on_add_clicked)
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addStretch(1)

        self.active_list = NoteList(self.tr("Brak aktywnych notatek."), self._card)
        self.done_list = NoteList(self.tr("Brak zakończonych notatek."), self._card)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.active_list, "")
        self.tabs.addTab(self.done_list, "")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("color: #c62828;")
        self.status_label.hide()

        self.setStyleSheet(STYLE_SHEET)
        self.setMinimumWidth(MINIMUM_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        self._update_tab_titles()

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.on_clock_ticked)
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.refresh()

    # -- loading ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the notes again (an older fetch still running is dropped)."""
        if self._fetch is not None and not self._fetch.done:
            self._fetch.cancel()
        zone = self.zone
        self._fetch = self.ctx.runner.query(
            lambda s: notes.list_notes(s, zone),
            on_success=self.on_notes_loaded,
            on_failure=self.on_load_failed,
            owner=self,
        )

    def on_changes_happened(self, kinds: frozenset[str]) -> None:
        if kinds & REFRESH_ON:
            self.refresh()

    def on_notes_loaded(self, lists: notes.NoteLists) -> None:
        self.lists = lists
        self.status_label.hide()
        self.active_list.set_notes(lists.active)
        self.done_list.set_notes(lists.done)
        self._update_tab_titles()
        self.sig_notes_loaded.emit(lists)

    def on_load_failed(self, exc: BaseException) -> None:
        self.status_label.setText(
            self.tr("Nie udało się wczytać notatek. {reason}").format(
                reason=messages.describe_error(exc)
            )
        )
        self.status_label.show()

    def _card(self, note: notes.NoteData) -> NoteCard:
        card = NoteCard(note, self.clock(), self.zone)
        card.sig_edit_requested.connect(self.on_edit_requested)
        card.sig_done_requested.connect(self.on_done_requested)
        card.sig_restore_requested.connect(self.on_restore_requested)
        card.sig_delete_requested.connect(self.on_delete_requested)
        return card

    def _update_tab_titles(self) -> None:
        self.tabs.setTabText(
            self.ACTIVE_TAB, self.tr("Aktywne ({n})").format(n=len(self.lists.active))
        )
        self.tabs.setTabText(
            self.DONE_TAB, self.tr("Zakończone ({n})").format(n=len(self.lists.done))
        )

    def sizeHint(self) -> QSize:
        # what a side dock should open at: a card's buttons and header on one line each
        return QSize(PREFERRED_WIDTH, 520)

    def showEvent(self, event: QShowEvent) -> None:
        # a hidden dock or page needs no ticking; catch up at once when shown again
        super().showEvent(event)
        self.on_clock_ticked()
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def on_clock_ticked(self) -> None:
        """Recompute the time-left headers from the clock; no database work."""
        now = self.clock()
        for card in self.active_list.cards:
            card.update_time(now)

    # -- actions ----------------------------------------------------------------------

    def open_dialog(self, note: notes.NoteData | None) -> NoteDialog:
        dialog = NoteDialog(self.ctx, note, self, clock=self.clock, zone=self.zone)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def on_add_clicked(self) -> None:
        self.open_dialog(None)

    def on_edit_requested(self, note: notes.NoteData) -> None:
        self.open_dialog(note)

    def on_done_requested(self, note: notes.NoteData) -> None:
        self._mutate(lambda s: notes.mark_done(s, note.id, note.version))

    def on_restore_requested(self, note: notes.NoteData) -> None:
        self._mutate(lambda s: notes.restore_note(s, note.id, note.version))

    def on_delete_requested(self, note: notes.NoteData) -> None:
        question = self.tr("Usunąć notatkę „{title}”? Tego nie można cofnąć.").format(
            title=note.title
        )
        if messages.ask(self, question, self.tr("Usuwanie notatki")):
            self._mutate(lambda s: notes.delete_note(s, note.id, note.version))

    def _mutate(self, work) -> None:
        self.ctx.runner.mutate(
            work, changes={"notes"}, on_failure=self.on_action_failed, owner=self
        )

    def on_action_failed(self, exc: BaseException) -> None:
        # A conflict or a vanished note: say so, then show what is there now.
        messages.inform(self, describe_note_error(exc), self.tr("Notatki"))
        self.refresh()
        self.sig_action_failed.emit(exc)


class NotesDock(QDockWidget):
    """The notes panel as a dockable side panel; the panel is built when first shown, so a
    screen that starts with the dock closed does no notes work until the user opens it."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(QCoreApplication.translate("NotesPanel", "Notatki"), parent)
        self.ctx = ctx
        self.clock = clock
        self.panel: NotesPanel | None = None
        self.setObjectName("notesDock")  # lets QMainWindow.saveState remember it
        self.toggleViewAction().setToolTip(
            QCoreApplication.translate("NotesPanel", "Pokaż lub ukryj notatki")
        )
        self.visibilityChanged.connect(self.on_visibility_changed)

    def on_visibility_changed(self, visible: bool) -> None:
        if visible and self.panel is None:
            self.panel = NotesPanel(self.ctx, self, clock=self.clock)
            self.setWidget(self.panel)


def make_notes_dock(
    ctx: AppContext, parent: QWidget | None = None, *, clock: Callable[[], datetime] | None = None
) -> NotesDock:
    """The notes panel as a dockable side panel (Terminarz)."""
    return NotesDock(ctx, parent, clock=clock)


class NotesDockHost(QMainWindow):
    """``content`` inside an inner main window with the notes dock on its right.

    A QDockWidget docks only in a QMainWindow; a screen that is a plain widget (Terminarz)
    puts this host where ``content`` would go, and a button for ``notes_action``
    (checkable: show/hide the notes) in its toolbar.
    """

    def __init__(
        self,
        ctx: AppContext,
        content: QWidget,
        parent: QWidget | None = None,
        *,
        visible: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)  # a child widget, not a window of its own
        self.setCentralWidget(content)
        self.notes_dock = make_notes_dock(ctx, self, clock=clock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.notes_dock)
        self.notes_dock.setVisible(visible)
        self.notes_action: QAction = self.notes_dock.toggleViewAction()
