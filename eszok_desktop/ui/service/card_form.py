"""The task-card form ("Nowa karta zadaniowa" / editing): inline Polish validation,
company completion from earlier cards, close/reopen, and the Historia tab."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QStringListModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.errors import ConflictError, ValidationError
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service.card_filter import CardState
from eszok_desktop.services.service.card_rules import CardDraft, field_errors
from eszok_desktop.services.service.hours import format_hours, parse_hours
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.service.filter_bar import qdate_to_date
from eszok_desktop.ui.service.history_tab import HistoryTab

MESSAGES = {
    ("work_date", "required"): "Podaj datę wykonania.",
    ("company_name", "required"): "Podaj nazwę firmy.",
    ("company_nip", "nip_format"): "NIP ma 10 cyfr (myślniki i prefiks PL są dozwolone).",
    ("company_nip", "nip_checksum"): "Nieprawidłowy NIP: suma kontrolna się nie zgadza.",
    ("contact_email", "invalid"): "Podaj prawidłowy adres e-mail.",
    ("work_kind_id", "required"): "Wybierz rodzaj pracy.",
    ("work_kind_id", "unknown"): "Ten rodzaj pracy już nie istnieje.",
    ("hours", "required"): "Podaj liczbę godzin (np. 1,5).",
    ("hours", "not_positive"): "Liczba godzin musi być większa od zera.",
    ("hours", "too_many"): "Na jednej karcie najwyżej {limit} godzin.",
    ("hours", "not_quarter"): "Godziny podaje się w kwadransach (0,25; 0,5; 0,75…).",
    ("technician_id", "required"): "Wybierz serwisanta.",
    ("technician_id", "unknown"): "Ten serwisant nie istnieje.",
    ("event_id", "unknown"): "Powiązane zdarzenie nie istnieje albo nie jest widoczne.",
}
FIELD_LABELS = {
    "number": "Numer",
    "work_date": "Data wykonania",
    "company_name": "Firma",
    "company_nip": "NIP",
    "company_address": "Adres",
    "contact_person": "Osoba kontaktowa",
    "contact_email": "E-mail",
    "contact_phone": "Telefon",
    "work_kind_id": "Rodzaj pracy",
    "description": "Opis",
    "hours": "Godziny",
    "technician_id": "Serwisant",
    "state": "Stan",
    "event_id": "Zdarzenie",
    "sent_at": "Wysłano",
    "sent_to": "Wysłano do",
    "created_by": "Utworzył",
    "deleted_at": "Usunięto",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("CardForm", text)


def describe_field_error(exc: ValidationError) -> str:
    template = MESSAGES.get((exc.field, exc.code))
    if template is None:
        return messages.describe_validation(exc)
    return tr(template).format(limit=exc.limit)


@dataclass(frozen=True)
class FormData:
    """What the form needs before it can be shown (loaded off the GUI thread)."""

    kinds: list[svc.WorkKindItem]
    technicians: list[svc.Technician]
    card: svc.CardDetails | None
    history: list[svc.HistoryEntry]
    event: svc.LinkedEvent | None = None


def load_form_data(session, card_id: int | None, event_id: int | None = None) -> FormData:
    card = svc.get_card(session, card_id) if card_id is not None else None
    if card is not None:
        event_id = card.draft.event_id
    kinds = svc.list_work_kinds(session, active_only=False)
    return FormData(
        kinds=kinds,
        technicians=svc.list_technicians(session),
        card=card,
        history=svc.card_history(session, card_id) if card_id is not None else [],
        event=svc.linked_event(session, event_id) if event_id is not None else None,
    )


class CardForm(QDialog):
    """Opens empty (new card), pre-filled (``draft``, e.g. from an event) or on a card."""

    sig_card_saved = Signal(object)  # CardDetails
    sig_loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        card_id: int | None = None,
        draft: CardDraft | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.card_id = card_id
        self.initial_draft = draft
        self.card: svc.CardDetails | None = None
        self.kind_names: dict[int, str] = {}
        self.tech_names: dict[int, str] = {}
        self.busy = False
        self.setWindowTitle(
            tr("Nowa karta zadaniowa") if card_id is None else tr("Karta zadaniowa")
        )
        self.resize(640, 620)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_card_tab(), tr("Karta"))
        self.history_tab = HistoryTab(FIELD_LABELS, self.format_history_value)
        self.tabs.addTab(self.history_tab, tr("Historia"))
        self.tabs.setTabVisible(1, card_id is not None)

        self.save_button = QPushButton(tr("Zapisz"))
        self.save_button.setDefault(True)
        self.state_button = QPushButton(tr("Zamknij kartę"))
        self.state_button.setVisible(False)
        self.cancel_button = QPushButton(tr("Anuluj"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.state_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.on_save_clicked)
        self.state_button.clicked.connect(self.on_state_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.setEnabled(False)
        self.reload()

    # --- building ------------------------------------------------------------------------
    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _build_card_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.number_label = QLabel(tr("(nadawany przy zapisie)"))
        self.state_label = QLabel()
        self.work_date = QDateEdit(QDate.currentDate())
        self.work_date.setCalendarPopup(True)
        self.work_date.setDisplayFormat("dd.MM.yyyy")
        self.company_name = self._line("company_name", tr("np. Żółw Sp. z o.o."))
        self.company_nip = self._line("company_nip", tr("10 cyfr"))
        self.company_address = self._line("company_address")
        self.contact_person = self._line("contact_person")
        self.contact_email = self._line("contact_email")
        self.contact_phone = self._line("contact_phone")
        self.work_kind = QComboBox()
        self.hours = self._line("hours", tr("np. 1,5"))
        self.technician = QComboBox()
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(tr("Opis wykonanych prac"))
        self.sent_label = QLabel()
        self.event_label = QLabel(tr("brak"))

        self.completions = QStringListModel(self)
        self.completer = QCompleter(self.completions, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.company_name.setCompleter(self.completer)
        self.suggestions: dict[str, svc.CompanySuggestion] = {}
        self._complete_timer = QTimer(self)
        self._complete_timer.setSingleShot(True)
        self._complete_timer.setInterval(250)
        self._complete_timer.timeout.connect(self.on_complete_timer_timeout)
        self.company_name.textEdited.connect(lambda _t: self._complete_timer.start())
        self.completer.activated.connect(self.on_company_chosen)

        self.error_labels: dict[str, QLabel] = {}
        rows: list[tuple[str, str, QWidget]] = [
            ("", tr("Numer"), self.number_label),
            ("", tr("Stan"), self.state_label),
            ("work_date", tr("Data wykonania *"), self.work_date),
            ("company_name", tr("Firma *"), self.company_name),
            ("company_nip", tr("NIP"), self.company_nip),
            ("company_address", tr("Adres"), self.company_address),
            ("contact_person", tr("Osoba kontaktowa"), self.contact_person),
            ("contact_email", tr("E-mail"), self.contact_email),
            ("contact_phone", tr("Telefon"), self.contact_phone),
            ("work_kind_id", tr("Rodzaj pracy *"), self.work_kind),
            ("hours", tr("Godziny *"), self.hours),
            ("technician_id", tr("Serwisant *"), self.technician),
            ("description", tr("Opis"), self.description),
            ("", tr("Wysłano"), self.sent_label),
            ("", tr("Zdarzenie"), self.event_label),
        ]
        for field, label, widget in rows:
            if not field:
                form.addRow(label, widget)
                continue
            error = QLabel()
            error.setObjectName(f"error_{field}")
            error.setStyleSheet("color: #b00020;")
            error.setWordWrap(True)
            error.hide()
            self.error_labels[field] = error
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(error)
            form.addRow(label, box)
        self.general_error = QLabel()
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        form.addRow(self.general_error)
        self.editors: list[QWidget] = [
            self.work_date,
            self.company_name,
            self.company_nip,
            self.company_address,
            self.contact_person,
            self.contact_email,
            self.contact_phone,
            self.work_kind,
            self.hours,
            self.technician,
            self.description,
        ]
        return page

    # --- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        card_id = self.card_id
        event_id = self.initial_draft.event_id if self.initial_draft else None
        self.ctx.runner.query(
            lambda s: load_form_data(s, card_id, event_id),
            on_success=self.on_data_loaded,
            on_failure=self.on_load_failed,
            owner=self,
        )

    def on_load_failed(self, exc: BaseException) -> None:
        messages.show_error(self, exc)
        self.reject()

    def on_data_loaded(self, data: FormData) -> None:
        self.kind_names = {k.id: k.name for k in data.kinds}
        self.tech_names = {t.id: t.full_name for t in data.technicians}
        self.card = data.card
        draft = data.card.draft if data.card else self.initial_draft
        self.work_kind.clear()
        for kind in data.kinds:
            if kind.active or (draft and draft.work_kind_id == kind.id):
                self.work_kind.addItem(kind.name, kind.id)
        self.technician.clear()
        technicians = data.technicians
        if not self.ctx.user.can("cards.all"):
            technicians = [t for t in technicians if t.id == self.ctx.user.id] or [
                svc.Technician(self.ctx.user.id, self.ctx.user.full_name)
            ]
        for tech in technicians:
            self.technician.addItem(tech.full_name, tech.id)
        if draft is None:
            self.technician.setCurrentIndex(max(self.technician.findData(self.ctx.user.id), 0))
        else:
            self.fill(draft)
        if data.card is not None:
            self.number_label.setText(data.card.number)
            self.setWindowTitle(tr("Karta zadaniowa {n}").format(n=data.card.number))
            self.sent_label.setText(
                tr("{when} do {to}").format(
                    when=data.card.sent_at.astimezone().strftime("%d.%m.%Y %H:%M"),
                    to=data.card.sent_to,
                )
                if data.card.sent_at
                else tr("nie")
            )
        if data.event is not None:
            self.event_label.setText(
                tr("{title}, {when}").format(
                    title=data.event.title,
                    when=data.event.starts_at.astimezone().strftime("%d.%m.%Y %H:%M"),
                )
            )
        self.history_tab.set_entries(data.history)
        self.apply_state()
        self.setEnabled(True)
        self.sig_loaded.emit()

    def fill(self, draft: CardDraft) -> None:
        if draft.work_date:
            d = draft.work_date
            self.work_date.setDate(QDate(d.year, d.month, d.day))
        self.company_name.setText(draft.company_name)
        self.company_nip.setText(draft.company_nip)
        self.company_address.setText(draft.company_address)
        self.contact_person.setText(draft.contact_person)
        self.contact_email.setText(draft.contact_email)
        self.contact_phone.setText(draft.contact_phone)
        if draft.work_kind_id is not None:
            self.work_kind.setCurrentIndex(max(self.work_kind.findData(draft.work_kind_id), 0))
        self.hours.setText(format_hours(draft.hours) if draft.hours is not None else "")
        if draft.technician_id is not None:
            index = self.technician.findData(draft.technician_id)
            if index < 0:
                name = self.tech_names.get(draft.technician_id, str(draft.technician_id))
                self.technician.addItem(name, draft.technician_id)
                index = self.technician.count() - 1
            self.technician.setCurrentIndex(index)
        self.description.setPlainText(draft.description)

    def apply_state(self) -> None:
        """A closed card is read-only; only reopening is offered."""
        closed = self.card is not None and self.card.closed
        for editor in self.editors:
            if isinstance(editor, QLineEdit | QPlainTextEdit):
                editor.setReadOnly(closed)
            else:
                editor.setEnabled(not closed)
        self.technician.setEnabled(not closed and self.ctx.user.can("cards.all"))
        self.save_button.setEnabled(not closed)
        self.state_label.setText(tr("Zamknięta (tylko do odczytu)") if closed else tr("Otwarta"))
        self.state_button.setVisible(self.card is not None)
        self.state_button.setText(tr("Otwórz ponownie") if closed else tr("Zamknij kartę"))

    # --- reading ------------------------------------------------------------------------
    def current_draft(self) -> CardDraft:
        event_id = None
        if self.card is not None:
            event_id = self.card.draft.event_id
        elif self.initial_draft is not None:
            event_id = self.initial_draft.event_id
        work_date: date | None = qdate_to_date(self.work_date.date())
        return CardDraft(
            work_date=work_date,
            company_name=self.company_name.text(),
            work_kind_id=self.work_kind.currentData(),
            hours=parse_hours(self.hours.text()),
            technician_id=self.technician.currentData(),
            company_nip=self.company_nip.text(),
            company_address=self.company_address.text(),
            contact_person=self.contact_person.text(),
            contact_email=self.contact_email.text(),
            contact_phone=self.contact_phone.text(),
            description=self.description.toPlainText(),
            event_id=event_id,
        )

    def show_errors(self, errors: list[ValidationError]) -> None:
        by_field: dict[str, str] = {}
        for exc in errors:
            by_field.setdefault(exc.field, describe_field_error(exc))
        for field, label in self.error_labels.items():
            label.setText(by_field.get(field, ""))
            label.setVisible(field in by_field)
        unplaced = [text for field, text in by_field.items() if field not in self.error_labels]
        self.general_error.setText(" ".join(unplaced))
        self.general_error.setVisible(bool(unplaced))
        if self.hours.text().strip() and parse_hours(self.hours.text()) is None:
            self.error_labels["hours"].setText(tr("Liczba godzin to liczba, np. 1,5."))
            self.error_labels["hours"].show()

    def error_text(self, field: str) -> str:
        label = self.error_labels[field]
        return label.text() if label.isVisibleTo(self) else ""

    # --- saving ------------------------------------------------------------------------
    @Slot()
    def on_save_clicked(self) -> None:
        if self.busy:
            return
        draft = self.current_draft()
        errors = field_errors(draft)
        self.show_errors(errors)
        if errors:
            return
        self.busy = True
        self.save_button.setEnabled(False)
        card = self.card
        if card is None:
            work = lambda s: svc.create_card(s, draft)  # noqa: E731
        else:
            card_id, version = card.id, card.version
            work = lambda s: svc.update_card(s, card_id, version, draft)  # noqa: E731
        self.ctx.runner.mutate(
            work,
            changes={"cards"},
            on_success=self.on_saved,
            on_failure=self.on_save_failed,
            owner=self,
        )

    def on_saved(self, card: svc.CardDetails) -> None:
        self.busy = False
        self.card = card
        self.card_id = card.id
        self.sig_card_saved.emit(card)
        self.accept()

    def on_save_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors([exc])
        elif isinstance(exc, ConflictError):
            question = messages.describe_error(exc) + " " + tr("Wczytać aktualną wersję karty?")
            if messages.ask(self, question):
                self.reload()
        elif isinstance(exc, svc.CardClosed):
            messages.inform(self, tr("Karta jest zamknięta. Otwórz ją ponownie, aby edytować."))
        else:
            messages.show_error(self, exc)

    @Slot()
    def on_state_clicked(self) -> None:
        card = self.card
        if card is None or self.busy:
            return
        target = CardState.OPEN if card.closed else CardState.CLOSED
        if target is CardState.CLOSED and not messages.ask(
            self,
            tr("Zamknąć kartę {n}? Zamkniętej karty nie można edytować.").format(n=card.number),
        ):
            return
        self.busy = True
        card_id, version = card.id, card.version
        self.ctx.runner.mutate(
            lambda s: svc.set_state(s, card_id, version, target),
            changes={"cards"},
            on_success=self.on_state_changed,
            on_failure=self.on_save_failed,
            owner=self,
        )

    def on_state_changed(self, card: svc.CardDetails) -> None:
        self.busy = False
        self.card = card
        self.apply_state()
        self.sig_card_saved.emit(card)
        self.reload()

    # --- completion ----------------------------------------------------------------------
    @Slot()
    def on_complete_timer_timeout(self) -> None:
        typed = self.company_name.text()
        self.ctx.runner.query(
            lambda s: svc.company_suggestions(s, typed),
            on_success=self.on_suggestions_loaded,
            on_failure=lambda _exc: None,  # completion is a convenience; stay quiet
            owner=self,
        )

    def on_suggestions_loaded(self, suggestions: list[svc.CompanySuggestion]) -> None:
        self.suggestions = {s.company_name: s for s in suggestions}
        self.completions.setStringList(list(self.suggestions))
        if suggestions and self.company_name.hasFocus():
            self.completer.complete()

    @Slot(str)
    def on_company_chosen(self, name: str) -> None:
        """Taking a company from an earlier card fills its empty details too."""
        found = self.suggestions.get(name)
        if found is None:
            return
        self.company_name.setText(found.company_name)
        for edit, value in (
            (self.company_nip, found.company_nip),
            (self.company_address, found.company_address),
            (self.contact_person, found.contact_person),
            (self.contact_email, found.contact_email),
            (self.contact_phone, found.contact_phone),
        ):
            if not edit.text().strip() and value:
                edit.setText(value)

    # --- history ----------------------------------------------------------------------
    def format_history_value(self, field: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if field == "work_kind_id":
            return self.kind_names.get(int(value), str(value))
        if field in ("technician_id", "created_by"):
            return self.tech_names.get(int(value), str(value))
        if field == "state":
            return tr("Zamknięta") if value == "closed" else tr("Otwarta")
        if field == "hours":
            return f"{float(value):.2f}".replace(".", ",")
        if field == "work_date" and isinstance(value, str) and len(value) == 10:
            y, m, d = value.split("-")
            return f"{d}.{m}.{y}"
        if field in ("sent_at", "deleted_at") and isinstance(value, str):
            return value[:16].replace("T", " ")
        return str(value)
