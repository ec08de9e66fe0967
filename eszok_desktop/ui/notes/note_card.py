"""One note in the notes panel: a header with the live time left, title, text, event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from eszok_desktop.services.notes import NoteData
from eszok_desktop.services.time_left import LOCAL_ZONE, time_left

BODY_PREVIEW = 400
OVERDUE_COLOR = "#c62828"
MUTED_COLOR = "#6b6b6b"

# One sheet for the whole panel, keyed on the ``state`` property: setting a style sheet
# per card re-polishes its subtree and made 300 cards take seconds to build.
STYLE_SHEET = f"""
QFrame#noteCard {{
    border: 1px solid palette(mid); border-left: 4px solid #2f6fb7;
    border-radius: 3px; background: palette(base);
}}
QFrame#noteCard[state="overdue"] {{ border-left-color: {OVERDUE_COLOR}; }}
QFrame#noteCard[state="done"] {{ border-left-color: #9e9e9e; }}
QLabel#timeLeft {{ font-weight: bold; }}
QLabel#timeLeft[state="overdue"] {{ color: {OVERDUE_COLOR}; }}
QLabel#timeLeft[state="muted"] {{ color: {MUTED_COLOR}; font-weight: normal; }}
QLabel#noteTitle {{ font-weight: bold; }}
QLabel#noteMeta {{ color: {MUTED_COLOR}; }}
"""


def set_style_state(widget: QWidget, state: str) -> None:
    """Switch the style-sheet rules that apply to ``widget`` (no-op when unchanged)."""
    if widget.property("state") == state:
        return
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def format_local(moment: datetime, zone: ZoneInfo, with_time: bool = True) -> str:
    local = moment.astimezone(zone)
    return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


class NoteCard(QFrame):
    """Paints nothing itself; the panel recomputes only the header text on each tick.

    Styled by ``STYLE_SHEET``, which the panel sets once on itself.
    """

    sig_edit_requested = Signal(object)
    sig_done_requested = Signal(object)
    sig_restore_requested = Signal(object)
    sig_delete_requested = Signal(object)

    def __init__(
        self, note: NoteData, now: datetime, zone: ZoneInfo = LOCAL_ZONE, parent=None
    ) -> None:
        super().__init__(parent)
        self.note = note
        self.zone = zone
        self.overdue = False
        self.setObjectName("noteCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)

        header = QHBoxLayout()
        self.time_label = QLabel(self)
        self.time_label.setObjectName("timeLeft")
        header.addWidget(self.time_label)
        header.addStretch(1)
        layout.addLayout(header)

        self.title_label = QLabel(note.title, self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setObjectName("noteTitle")
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)

        # its own line: next to the header it would not fit a narrow dock
        self.deadline_label = QLabel(self._deadline_text(), self)
        self.deadline_label.setObjectName("noteMeta")
        if note.deadline is None:
            self.deadline_label.hide()
        layout.addWidget(self.deadline_label)

        self.body_label = QLabel(self._body_preview(), self)
        self.body_label.setTextFormat(Qt.TextFormat.PlainText)
        self.body_label.setWordWrap(True)
        if not note.body.strip():
            self.body_label.hide()
        layout.addWidget(self.body_label)

        self.event_label = QLabel(self._event_text(), self)
        self.event_label.setTextFormat(Qt.TextFormat.PlainText)
        self.event_label.setWordWrap(True)
        self.event_label.setObjectName("noteMeta")
        if note.event_id is None:
            self.event_label.hide()
        layout.addWidget(self.event_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.edit_button = self._button(self.tr("Edytuj"), self.on_edit_clicked)
        if note.done:
            self.state_button = self._button(self.tr("Przywróć"), self.on_restore_clicked)
            self.state_button.setToolTip(self.tr("Przenieś z powrotem do aktywnych"))
        else:
            self.state_button = self._button(self.tr("Zakończ"), self.on_done_clicked)
            self.state_button.setToolTip(self.tr("Przenieś do zakończonych"))
        self.delete_button = self._button(self.tr("Usuń"), self.on_delete_clicked)
        for button in (self.edit_button, self.state_button, self.delete_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.update_time(now)

    def _button(self, text: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _deadline_text(self) -> str:
        note = self.note
        if note.deadline is None:
            return ""
        if note.deadline_has_time:
            return self.tr("termin: {when}").format(when=format_local(note.deadline, self.zone))
        return self.tr("termin: {day} (cały dzień)").format(
            day=format_local(note.deadline, self.zone, with_time=False)
        )

    def _body_preview(self) -> str:
        body = self.note.body.strip()
        return body if len(body) <= BODY_PREVIEW else body[:BODY_PREVIEW].rstrip() + "…"

    def _event_text(self) -> str:
        note = self.note
        if note.event_id is None:
            return ""
        if note.event_title is None:
            return self.tr("Zadanie w terminarzu: niedostępne")
        when = format_local(note.event_starts_at, self.zone) if note.event_starts_at else ""
        return self.tr("Zadanie w terminarzu: {title}, {when}").format(
            title=note.event_title, when=when
        )

    def update_time(self, now: datetime) -> None:
        """Recompute the header for ``now``; no database work."""
        note = self.note
        if note.done:
            text = self.tr("zakończono {when}").format(when=format_local(note.done_at, self.zone))
            self.overdue = False
            state = "done"
        elif note.deadline is None:
            text = self.tr("bez terminu")
            self.overdue = False
            state = "active"
        else:
            result = time_left(note.deadline, now, note.deadline_has_time, self.zone)
            text = result.text
            self.overdue = result.overdue
            state = "overdue" if result.overdue else "active"
        if self.time_label.text() != text:
            self.time_label.setText(text)
        muted = note.done or note.deadline is None
        label_state = "overdue" if self.overdue else ("muted" if muted else "")
        set_style_state(self.time_label, label_state)
        set_style_state(self, state)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.sig_edit_requested.emit(self.note)
        event.accept()

    def on_edit_clicked(self) -> None:
        self.sig_edit_requested.emit(self.note)

    def on_done_clicked(self) -> None:
        self.sig_done_requested.emit(self.note)

    def on_restore_clicked(self) -> None:
        self.sig_restore_requested.emit(self.note)

    def on_delete_clicked(self) -> None:
        self.sig_delete_requested.emit(self.note)
