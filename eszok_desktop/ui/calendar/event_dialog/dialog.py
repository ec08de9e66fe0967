"""The event dialog ("Nowe zadanie" / an existing event): Szczegóły, Historia, Akcja.

One method per tab (after Picard's info dialog); Historia and Akcja are hidden for a
new event. All database work goes through the task runner: loading, the conflict check
(a warning, never a refusal), saving with optimistic locking, history, deletion.
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar import events, history
from eszok_desktop.services.calendar.events import (
    Conflict,
    Dictionaries,
    EventDetails,
    EventDraft,
    EventNotFound,
)
from eszok_desktop.services.calendar.layout import display_zone
from eszok_desktop.services.errors import ConflictError, ValidationError
from eszok_desktop.ui import messages
from eszok_desktop.ui.calendar.event_dialog.action_tab import ActionTab
from eszok_desktop.ui.calendar.event_dialog.details_tab import DetailsTab
from eszok_desktop.ui.calendar.event_dialog.history_tab import HistoryTab
from eszok_desktop.ui.context import AppContext


def tr(text: str) -> str:
    return QCoreApplication.translate("EventDialog", text)


VALIDATION_TEXT = {
    ("title", "required"): "Podaj tytuł zadania.",
    ("title", "too_long"): "Tytuł jest za długi (najwyżej {limit} znaków).",
    ("calendar_id", "required"): "Wybierz kalendarz.",
    ("kind_id", "kind_not_of_calendar"): "Wybrany rodzaj nie należy do kalendarza „{calendar}”.",
    ("kind_id", "kind_inactive"): "Ten rodzaj zadania został wycofany. Wybierz inny.",
    ("ends_at", "end_before_start"): "Koniec zadania nie może być wcześniej niż jego początek.",
    ("participant_ids", "required"): "Wybierz co najmniej jednego uczestnika.",
    ("participant_ids", "too_many"): "Za dużo uczestników (najwyżej {limit}).",
    ("participant_ids", "participant_not_allowed"): (
        "Nie masz uprawnień do dodawania zadań do kalendarza: {names}."
    ),
    ("participant_ids", "invalid"): "Nieprawidłowa lista uczestników.",
    ("company_nip", "nip_checksum"): "NIP ma błędną cyfrę kontrolną. Sprawdź numer.",
    ("company_nip", "nip_format"): "NIP musi mieć 10 cyfr (np. 123-456-32-18).",
    ("company_name", "too_long"): "Nazwa firmy jest za długa (najwyżej {limit} znaków).",
    ("company_address", "too_long"): "Adres jest za długi (najwyżej {limit} znaków).",
    ("note", "too_long"): "Notatka jest za długa (najwyżej {limit} znaków).",
}


def conflicts_text(conflicts: list[Conflict], tz: tzinfo) -> str:
    """ "W tym czasie uczestnicy mają już inne zajęcia:" and a line per conflict (at
    most eight), absences first."""
    lines = []
    for c in conflicts[:8]:
        start = c.starts_at.astimezone(tz)
        end = c.ends_at.astimezone(tz)
        what = tr("nieobecność") if c.absence else tr("inne zadanie")
        lines.append(
            f"• {c.participant_name}: {what} „{c.title}” ({start:%d.%m %H:%M} – {end:%d.%m %H:%M})"
        )
    if len(conflicts) > 8:
        lines.append(tr("• … i {n} więcej").format(n=len(conflicts) - 8))
    return tr("W tym czasie uczestnicy mają już inne zajęcia:") + "\n" + "\n".join(lines)


class EventDialog(QDialog):
    sig_event_saved = Signal(int)
    sig_event_deleted = Signal(int)

    def __init__(
        self,
        context: AppContext,
        dictionaries: Dictionaries,
        *,
        event_id: int | None = None,
        initial: EventDraft | None = None,
        tz: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.dictionaries = dictionaries
        self.event_id = event_id
        self.tz = tz or display_zone()
        self.details_data: EventDetails | None = None
        self.editable = True
        self._previous_participants: tuple[int, ...] = ()
        self.setWindowTitle(tr("Nowe zadanie") if event_id is None else tr("Zadanie"))
        self.resize(640, 640)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.hide()
        self.tabs = QTabWidget(self)
        self.details = self._build_details_tab()
        self.history_tab = self._build_history_tab()
        self.action_tab = self._build_action_tab()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            tr("Zapisz"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            tr("Anuluj"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.clicked.connect(self.on_save_clicked)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

        if event_id is None:
            if initial is not None:
                self.details.set_draft(initial)
        else:
            self.save_button.setEnabled(False)
            self.reload()

    # --- tabs ---------------------------------------------------------------------

    def _build_details_tab(self) -> DetailsTab:
        tab = DetailsTab(self.dictionaries, self.context.user.id, self.tz, self)
        self.tabs.addTab(tab, tr("Szczegóły"))
        return tab

    def _build_history_tab(self) -> HistoryTab:
        tab = HistoryTab(self.tz, self)
        if self.event_id is not None:
            self.tabs.addTab(tab, tr("Historia"))
        return tab

    def _build_action_tab(self) -> ActionTab:
        tab = ActionTab(self.context, self)
        tab.sig_delete_clicked.connect(self.on_delete_clicked)
        tab.sig_leave_clicked.connect(self.on_leave_clicked)
        if self.event_id is not None:
            self.tabs.addTab(tab, tr("Akcja"))
        return tab

    # --- loading ------------------------------------------------------------------

    def reload(self) -> None:
        """(Re)load the event and its history from the database."""
        event_id = self.event_id
        assert event_id is not None

        def load(session):
            return events.get_event(session, event_id), history.event_history(session, event_id)

        self.context.runner.query(
            load, on_success=self.on_loaded, on_failure=self.on_load_failed, owner=self
        )

    def on_loaded(self, result: tuple[EventDetails, list[history.HistoryEntry]]) -> None:
        details, entries = result
        self.details_data = details
        self._previous_participants = details.draft.participant_ids
        manageable = self.dictionaries.manageable_ids()
        self.editable = bool(set(details.draft.participant_ids) & manageable)
        self.details.set_draft(details.draft, details.draft.participant_ids)
        self.details.set_read_only(not self.editable)
        self.save_button.setEnabled(self.editable)
        self.history_tab.set_entries(entries)
        participants = details.draft.participant_ids
        self.action_tab.set_event(
            details,
            self.dictionaries.calendar(details.draft.calendar_id),
            self.editable,
            deletable=events.can_delete(self.context.user, participants, manageable),
            others=[self.dictionaries.person_name(p) for p in participants if p not in manageable],
        )
        title = details.draft.title
        self.setWindowTitle(
            tr("Zadanie: {title}").format(title=title)
            if self.editable
            else tr("Zadanie (podgląd): {title}").format(title=title)
        )

    def on_load_failed(self, exc: BaseException) -> None:
        self.show_message(self.describe(exc))
        self.history_tab.set_failed(self.describe(exc))

    # --- saving -------------------------------------------------------------------

    def current_draft(self) -> EventDraft:
        return self.details.draft()

    def on_save_clicked(self) -> None:
        try:
            draft = events.validate_draft(
                self.details.draft(),
                self.dictionaries,
                previous_participants=self._previous_participants,
            )
        except ValidationError as exc:
            self.show_validation(exc)
            return
        self.error_label.hide()
        self.save_button.setEnabled(False)
        exclude = self.event_id

        def check(session):
            return events.find_conflicts(
                session,
                draft.participant_ids,
                draft.starts_at,
                draft.ends_at,
                exclude_event_id=exclude,
            )

        self.context.runner.query(
            check,
            on_success=lambda conflicts: self.on_conflicts_checked(draft, conflicts),
            on_failure=self.on_save_failed,
            owner=self,
        )

    def on_conflicts_checked(self, draft: EventDraft, conflicts: list[Conflict]) -> None:
        if conflicts and not messages.ask(self, self.conflict_text(conflicts), tr("Uwaga")):
            self.save_button.setEnabled(True)
            return
        event_id, version = self.event_id, self.details_data.version if self.details_data else 0

        def save(session) -> int:
            if event_id is None:
                return events.create_event(session, draft)
            events.update_event(session, event_id, version, draft)
            return event_id

        self.context.runner.mutate(
            save,
            changes={"events"},
            on_success=self.on_saved,
            on_failure=self.on_save_failed,
            owner=self,
        )

    def conflict_text(self, conflicts: list[Conflict]) -> str:
        return conflicts_text(conflicts, self.tz) + "\n\n" + tr("Zapisać mimo to?")

    def on_saved(self, event_id: int) -> None:
        self.event_id = event_id
        self.sig_event_saved.emit(event_id)
        self.accept()

    def on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(self.editable)
        if isinstance(exc, ValidationError):
            self.show_validation(exc)
            return
        if isinstance(exc, ConflictError):
            text = self.describe(exc)
            self.show_message(text)
            if messages.ask(self, text + "\n\n" + tr("Wczytać aktualną wersję zadania?")):
                self.reload()
            return
        self.show_message(self.describe(exc))

    # --- deleting -----------------------------------------------------------------

    def on_delete_clicked(self) -> None:
        if self.details_data is None or self.event_id is None:
            return
        title = self.details_data.draft.title
        if not messages.ask(
            self, tr("Czy na pewno usunąć zadanie „{title}”?").format(title=title), tr("Usuń")
        ):
            return
        event_id, version = self.event_id, self.details_data.version
        self.context.runner.mutate(
            lambda session: events.delete_event(session, event_id, version),
            changes={"events"},
            on_success=lambda _r: self.on_deleted(event_id),
            on_failure=self.on_save_failed,
            owner=self,
        )

    def on_deleted(self, event_id: int) -> None:
        self.sig_event_deleted.emit(event_id)
        self.accept()

    def on_leave_clicked(self) -> None:
        if self.details_data is None or self.event_id is None:
            return
        title = self.details_data.draft.title
        question = tr(
            "Wypisać Cię z zadania „{title}”? Zniknie z Twojego kalendarza, "
            "u pozostałych uczestników zostanie."
        ).format(title=title)
        if not messages.ask(self, question, tr("Wypisz mnie")):
            return
        event_id, version = self.event_id, self.details_data.version
        self.context.runner.mutate(
            lambda session: events.leave_event(session, event_id, version),
            changes={"events"},
            on_success=lambda _version: self.accept(),
            on_failure=self.on_save_failed,
            owner=self,
        )

    # --- messages -----------------------------------------------------------------

    def describe(self, exc: BaseException) -> str:
        if isinstance(exc, EventNotFound):
            return tr("To zadanie zostało w międzyczasie usunięte albo nie masz do niego dostępu.")
        if isinstance(exc, ValidationError):
            return self.validation_text(exc)
        return messages.describe_error(exc)

    def validation_text(self, exc: ValidationError) -> str:
        template = VALIDATION_TEXT.get((exc.field, exc.code))
        if template is None:
            return messages.describe_validation(exc)
        calendar = self.dictionaries.calendar(int(self.details.calendar_combo.currentData()))
        manageable = self.dictionaries.manageable_ids() | set(self._previous_participants)
        names = ", ".join(
            self.dictionaries.person_name(pid)
            for pid in self.details.checked_participants()
            if pid not in manageable
        )
        return tr(template).format(
            limit=exc.limit, calendar=calendar.name if calendar else "", names=names
        )

    def show_validation(self, exc: ValidationError) -> None:
        self.show_message(self.validation_text(exc))
        widget = self.details.field_widgets.get(exc.field)
        if widget is not None:
            self.tabs.setCurrentWidget(self.details)
            widget.setFocus()

    def show_message(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def message(self) -> str:
        """The message shown above the tabs ('' when none; tests)."""
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""
