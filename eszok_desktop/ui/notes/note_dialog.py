"""Add or edit a note: title, text, optional deadline (date, or date and time), event link.

The dialog saves through the task runner itself, so a refusal (bad input, a conflict, a
lost connection) keeps it open with the user's input intact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import notes
from eszok_desktop.services.errors import ConflictError, ValidationError
from eszok_desktop.services.time_left import LOCAL_ZONE
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext

DEFAULT_TIME = time(17, 0)


def tr(text: str) -> str:
    return QCoreApplication.translate("NoteDialog", text)


def describe_note_validation(exc: ValidationError, length: int | None = None) -> str:
    """The Polish message for a refused note field."""
    key = (exc.field, exc.code)
    if key == ("title", "required"):
        return tr("Podaj tytuł notatki.")
    if key == ("title", "too_long"):
        return tr("Tytuł jest za długi: {n} znaków, dozwolone najwyżej {limit}.").format(
            n=length, limit=exc.limit
        )
    if key == ("body", "too_long"):
        return tr("Treść jest za długa: {n} znaków, dozwolone najwyżej {limit}.").format(
            n=length, limit=exc.limit
        )
    if key == ("event_id", "unknown"):
        return tr("Wybrane zadanie nie jest już dostępne w terminarzu. Wybierz inne.")
    if key == ("deadline", "required"):
        return tr("Godzina terminu wymaga daty.")
    return messages.describe_error(exc)


def describe_note_error(exc: BaseException) -> str:
    """Polish text for a failed note action (the shared messages plus the notes' own)."""
    if isinstance(exc, notes.NoteDeleted):
        when = exc.changed_at.astimezone().strftime("%d.%m.%Y %H:%M") if exc.changed_at else ""
        return (
            tr("Ta notatka została w międzyczasie usunięta przez: {who} {when}.")
            .format(who=exc.changed_by or tr("inny użytkownik"), when=when)
            .replace(" .", ".")
        )
    if isinstance(exc, notes.NoteNotFound):
        return tr("Ta notatka już nie istnieje (mogła zostać usunięta w innym oknie).")
    if isinstance(exc, ValidationError):
        return describe_note_validation(exc)
    return messages.describe_error(exc)


class NoteDialog(QDialog):
    sig_note_saved = Signal(object)  # NoteData
    sig_events_loaded = Signal()
    sig_note_reloaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        note: notes.NoteData | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        zone: ZoneInfo = LOCAL_ZONE,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.note = note
        self.clock = clock or (lambda: datetime.now(UTC))
        self.zone = zone
        self.saved_note: notes.NoteData | None = None
        self._choices: list[notes.EventChoice] = []
        self.setWindowTitle(self.tr("Nowa notatka") if note is None else self.tr("Edycja notatki"))
        self.setMinimumWidth(460)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("Co jest do zrobienia?"))
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText(self.tr("Szczegóły (opcjonalnie)"))

        self.deadline_box = QGroupBox(self.tr("Termin"))
        self.deadline_box.setCheckable(True)
        self.deadline_box.setChecked(False)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd.MM.yyyy")
        self.time_check = QCheckBox(self.tr("o godzinie"))
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setEnabled(False)
        self.time_check.toggled.connect(self.time_edit.setEnabled)
        row = QHBoxLayout(self.deadline_box)
        row.addWidget(self.date_edit)
        row.addWidget(self.time_check)
        row.addWidget(self.time_edit)
        row.addStretch(1)
        self.day_hint = QLabel(self.tr("bez godziny: do końca dnia"))
        self.day_hint.setStyleSheet("color: #6b6b6b;")
        self.time_check.toggled.connect(lambda on: self.day_hint.setVisible(not on))
        row.addWidget(self.day_hint)

        self.event_combo = QComboBox()
        self.event_combo.setMinimumContentsLength(30)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Zapisz"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Anuluj"))
        self.save_button.clicked.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Tytuł:"), self.title_edit)
        form.addRow(self.tr("Treść:"), self.body_edit)
        form.addRow(self.deadline_box)
        form.addRow(self.tr("Zadanie w terminarzu:"), self.event_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.fill(note)
        self.load_events()

    # -- form <-> draft ---------------------------------------------------------------

    def fill(self, note: notes.NoteData | None) -> None:
        """Show ``note`` (or an empty form) in the fields."""
        today = self.clock().astimezone(self.zone).date()
        draft = note.draft(self.zone) if note else notes.NoteDraft("")
        self.title_edit.setText(draft.title)
        self.body_edit.setPlainText(draft.body)
        day = draft.deadline_date or today
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        at = draft.deadline_time or DEFAULT_TIME
        self.time_edit.setTime(QTime(at.hour, at.minute))
        self.deadline_box.setChecked(draft.deadline_date is not None)
        self.time_check.setChecked(draft.deadline_time is not None)
        self.time_edit.setEnabled(draft.deadline_time is not None)
        self.day_hint.setVisible(draft.deadline_time is None)
        self._fill_events(self._choices, keep=note.event_id if note else None)

    def draft(self) -> notes.NoteDraft:
        """What the form says now (not yet validated)."""
        day = self.date_edit.date().toPython() if self.deadline_box.isChecked() else None
        at = None
        if day is not None and self.time_check.isChecked():
            at = self.time_edit.time().toPython().replace(second=0, microsecond=0)
        return notes.NoteDraft(
            title=self.title_edit.text(),
            body=self.body_edit.toPlainText(),
            deadline_date=day,
            deadline_time=at,
            event_id=self.event_combo.currentData(),
        )

    # -- event picker -----------------------------------------------------------------

    def load_events(self) -> None:
        now = self.clock()
        self.ctx.runner.query(
            lambda s: notes.list_event_choices(s, now),
            on_success=self.on_events_loaded,
            on_failure=self.on_events_failed,
            owner=self,
        )

    def on_events_loaded(self, choices: list[notes.EventChoice]) -> None:
        self._choices = list(choices)
        self._fill_events(choices, keep=self.event_combo.currentData())
        self.sig_events_loaded.emit()

    def on_events_failed(self, exc: BaseException) -> None:
        self.event_combo.setToolTip(
            self.tr("Nie udało się wczytać zadań: {error}").format(
                error=messages.describe_error(exc)
            )
        )
        self.sig_events_loaded.emit()

    def _fill_events(self, choices: list[notes.EventChoice], keep: int | None) -> None:
        combo = self.event_combo
        combo.clear()
        combo.addItem(self.tr("(brak)"), None)
        for choice in choices:
            if choice.all_day:
                when = choice.starts_at.astimezone(self.zone).strftime("%d.%m.%Y")
            else:
                when = choice.starts_at.astimezone(self.zone).strftime("%d.%m.%Y %H:%M")
            combo.addItem(f"{when} – {choice.title}", choice.id)
        if keep is not None and combo.findData(keep) < 0:
            # the linked event is outside the listed period, or no longer visible
            title = None
            if self.note is not None and self.note.event_id == keep:
                title = self.note.event_title
            combo.addItem(title or self.tr("(zadanie niedostępne)"), keep)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)

    # -- saving -----------------------------------------------------------------------

    def show_problem(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def on_save_clicked(self) -> None:
        draft = self.draft()
        try:
            notes.validate_draft(draft)
        except ValidationError as exc:
            self._show_validation(exc, draft)
            return
        self.error_label.hide()
        if self.note is None and notes.deadline_is_past(draft, self.clock(), self.zone):
            question = self.tr("Termin tej notatki już minął. Zapisać ją mimo to?")
            if not messages.ask(self, question, self.tr("Termin w przeszłości")):
                return
        self.save_button.setEnabled(False)
        zone = self.zone
        if self.note is None:
            work = lambda s: notes.create_note(s, draft, zone)  # noqa: E731
        else:
            note_id, version = self.note.id, self.note.version
            work = lambda s: notes.update_note(s, note_id, version, draft, zone)  # noqa: E731
        self.ctx.runner.mutate(
            work,
            changes={"notes"},
            on_success=self.on_saved,
            on_failure=self.on_save_failed,
            owner=self,
        )

    def _show_validation(self, exc: ValidationError, draft: notes.NoteDraft) -> None:
        length = {"title": len(draft.title.strip()), "body": len(draft.body)}.get(exc.field)
        self.show_problem(describe_note_validation(exc, length))
        target = {"title": self.title_edit, "body": self.body_edit}.get(exc.field)
        if exc.field == "event_id":
            target = self.event_combo
        if target is not None:
            target.setFocus()

    def on_saved(self, note: notes.NoteData) -> None:
        self.saved_note = note
        self.note = note
        self.sig_note_saved.emit(note)
        self.accept()

    def on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_validation(exc, self.draft())
            return
        if isinstance(exc, ConflictError) and not isinstance(exc, notes.NoteDeleted):
            question = self.tr(
                "{problem}\n\nWczytać aktualną wersję notatki? Twoje zmiany zostaną utracone."
            ).format(problem=messages.describe_error(exc))
            if messages.ask(self, question, self.tr("Notatka została zmieniona")):
                self.reload()
            else:
                self.show_problem(messages.describe_error(exc))
            return
        self.show_problem(describe_note_error(exc))

    def reload(self) -> None:
        """Replace the form with the note as it is in the database now."""
        assert self.note is not None
        note_id = self.note.id
        self.ctx.runner.query(
            lambda s: notes.get_note(s, note_id),
            on_success=self.on_note_reloaded,
            on_failure=lambda exc: self.show_problem(describe_note_error(exc)),
            owner=self,
        )

    def on_note_reloaded(self, note: notes.NoteData) -> None:
        self.note = note
        self.fill(note)
        self.error_label.hide()
        self.sig_note_reloaded.emit()
