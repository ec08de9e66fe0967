"""Historia zmian (F-AUDIT): the change log across the system, filtered by user, kind
of record and period, paged in SQL (keyset on the log id); a row opens the history of
its record."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QModelIndex, Slot
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from eszok_desktop.services.admin import audit
from eszok_desktop.services.admin.audit import AuditFilter, AuditPage, AuditRow
from eszok_desktop.services.users import UserSummary, list_users
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.table_model import Column, RowTableModel, make_table, selected_row
from eszok_desktop.ui.admin.user_dialogs import dialog_buttons
from eszok_desktop.ui.context import AppContext

PAGE_SIZE = 100
MAX_VALUE_TEXT = 80

TABLE_NAMES = {
    "users": "Użytkownicy",
    "events": "Wydarzenia",
    "cards": "Karty zadaniowe",
    "notes": "Notatki",
    "announcements": "Ogłoszenia",
    "calendar_grants": "Uprawnienia do kalendarzy",
    "share_requests": "Prośby o udostępnienie",
    "event_kinds": "Rodzaje wydarzeń",
    "work_kinds": "Rodzaje prac",
    "calendars": "Kalendarze",
    "roles": "Role",
    "role_capabilities": "Możliwości ról",
}
OPERATION_NAMES = {"I": "dodanie", "U": "zmiana", "D": "usunięcie"}
FIELD_NAMES = {
    "email": "e-mail",
    "full_name": "imię i nazwisko",
    "role": "rola",
    "active": "aktywny",
    "password_hash": "hasło",
    "must_change_password": "zmiana hasła wymagana",
    "unlocked_at": "odblokowano",
    "title": "tytuł",
    "body": "treść",
    "name": "nazwa",
    "note": "notatka",
    "starts_at": "początek",
    "ends_at": "koniec",
    "visible_from": "widoczne od",
    "visible_to": "widoczne do",
    "level": "poziom",
    "status": "stan",
    "participant_ids": "uczestnicy",
    "company_name": "firma",
    "hours": "godziny",
    "state": "stan",
}


# coded values shown in words, per column
VALUE_NAMES = {
    "level": {"view": "podgląd", "manage": "zarządzanie"},
    "status": {"pending": "oczekuje", "approved": "zatwierdzona", "rejected": "odrzucona"},
    "state": {"open": "otwarta", "closed": "zamknięta"},
    "role": {
        "administrator": "administrator",
        "kierownik": "kierownik",
        "handlowiec": "handlowiec",
        "serwisant": "serwisant",
        "programista": "programista",
    },
}


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


def table_label(table: str) -> str:
    return tr(TABLE_NAMES[table]) if table in TABLE_NAMES else table


def field_label(name: str) -> str:
    return tr(FIELD_NAMES[name]) if name in FIELD_NAMES else name


def value_text(value: Any, column: str = "") -> str:
    """A change-log value of ``column`` as one short line."""
    named = VALUE_NAMES.get(column, {})
    if isinstance(value, str) and value in named:
        return tr(named[value])
    if value is None:
        return "—"
    if isinstance(value, bool):
        return tr("tak") if value else tr("nie")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_TEXT else text[: MAX_VALUE_TEXT - 1] + "…"


def change_summary(row: AuditRow) -> str:
    """What changed, e.g. "rola: serwisant → kierownik; aktywny: tak → nie"."""
    if row.operation == "U":
        return "; ".join(
            f"{field_label(f)}: {value_text(row.old_values.get(f), f)} → "
            f"{value_text(row.new_values.get(f), f)}"
            for f in row.changed_fields
        )
    values = row.new_values if row.operation == "I" else row.old_values
    for key in ("title", "full_name", "name", "company_name", "email", "level"):
        if key in values:
            return f"{field_label(key)}: {value_text(values[key], key)}"
    return ""


def who(row: AuditRow) -> str:
    if row.user_name:
        return row.user_name
    # no signed-in user: a migration or the command line on a maintenance login
    return tr("(konto techniczne: {login})").format(login=row.db_user)


def period_filter(
    user_id: int | None,
    table: str | None,
    start: date | None,
    end: date | None,
    record: str = "",
) -> AuditFilter:
    """The filter for whole local days ``start``..``end`` (both inclusive) and, when
    ``record`` holds a number, that record id."""
    since = datetime.combine(start, time()).astimezone() if start else None
    until = datetime.combine(end + timedelta(days=1), time()).astimezone() if end else None
    record_id = int(record) if record.strip().isdigit() else None
    return AuditFilter(
        user_id=user_id, table_name=table or None, record_id=record_id, since=since, until=until
    )


def audit_columns() -> list[Column[AuditRow]]:
    return [
        Column(tr("Kiedy"), lambda r: feedback.local_time(r.changed_at)),
        Column(tr("Kto"), who),
        Column(tr("Rodzaj rekordu"), lambda r: table_label(r.table_name)),
        Column(tr("Nr"), lambda r: str(r.record_id), align_center=True),
        Column(tr("Operacja"), lambda r: tr(OPERATION_NAMES.get(r.operation, r.operation))),
        Column(tr("Zmiany"), change_summary, tooltip=change_summary),
    ]


def history_columns() -> list[Column[AuditRow]]:
    return [
        Column(tr("Kiedy"), lambda r: feedback.local_time(r.changed_at)),
        Column(tr("Kto"), who),
        Column(tr("Operacja"), lambda r: tr(OPERATION_NAMES.get(r.operation, r.operation))),
        Column(tr("Zmiany"), change_summary, tooltip=change_summary),
    ]


class RecordHistoryDialog(QDialog):
    """Every change of one record, oldest first."""

    def __init__(
        self, ctx: AppContext, table: str, record_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            self.tr("Historia: {kind} nr {id}").format(kind=table_label(table), id=record_id)
        )
        self.model: RowTableModel[AuditRow] = RowTableModel(history_columns(), self)
        self.table = make_table(self.model)
        self.loaded = False
        buttons = dialog_buttons(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(820, 420)

        def done(rows: list[AuditRow]) -> None:
            self.model.set_rows(rows)
            self.loaded = True

        ctx.runner.query(
            lambda s: audit.record_history(s, table, record_id),
            on_success=done,
            on_failure=lambda exc: feedback.show_error(self, exc),
            owner=self,
        )


class AuditView(QWidget):
    """The "Historia zmian" page."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditView")
        self.model: RowTableModel[AuditRow] = RowTableModel(audit_columns(), self)
        # cursors of the pages shown so far: [None (newest), before_id of page 2, …]
        self.cursors: list[int | None] = [None]
        self.page: AuditPage | None = None
        self.page_number = 0
        self.filter = AuditFilter()
        self.dialog: QDialog | None = None
        self.loaded = False
        self._build()
        self.load_choices()
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.show_page(0)

    def _build(self) -> None:
        self.user = QComboBox()
        self.user.setObjectName("userFilter")
        self.user.addItem(self.tr("wszyscy użytkownicy"), None)
        self.kind = QComboBox()
        self.kind.setObjectName("kindFilter")
        self.kind.addItem(self.tr("wszystkie rodzaje"), None)
        self.record = QLineEdit()
        self.record.setObjectName("recordFilter")
        self.record.setPlaceholderText(self.tr("nr"))
        self.record.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.record.setMaximumWidth(90)
        self.record.returnPressed.connect(self.on_search_clicked)
        today = QDate.currentDate()
        self.use_period = QCheckBox(self.tr("Okres:"))
        self.since = QDateEdit(today.addDays(-30))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setEnabled(False)
        self.use_period.toggled.connect(self.since.setEnabled)
        self.use_period.toggled.connect(self.until.setEnabled)
        self.search_button = QPushButton(self.tr("Pokaż"))
        self.search_button.clicked.connect(self.on_search_clicked)

        self.table = make_table(self.model)
        self.table.setObjectName("auditTable")
        self.table.doubleClicked.connect(self.on_row_activated)
        self.newer_button = QPushButton(self.tr("‹ Nowsze"))
        self.older_button = QPushButton(self.tr("Starsze ›"))
        self.history_button = QPushButton(self.tr("Historia rekordu…"))
        self.newer_button.clicked.connect(self.on_newer_clicked)
        self.older_button.clicked.connect(self.on_older_clicked)
        self.history_button.clicked.connect(self.on_history_clicked)
        self.page_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Kto:")))
        filters.addWidget(self.user, 1)
        filters.addWidget(QLabel(self.tr("Rodzaj:")))
        filters.addWidget(self.kind, 1)
        filters.addWidget(self.record)
        filters.addWidget(self.use_period)
        filters.addWidget(self.since)
        filters.addWidget(QLabel("–"))
        filters.addWidget(self.until)
        filters.addWidget(self.search_button)
        paging = QHBoxLayout()
        paging.addWidget(self.history_button)
        paging.addStretch(1)
        paging.addWidget(self.page_label)
        paging.addWidget(self.newer_button)
        paging.addWidget(self.older_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(paging)

    def load_choices(self) -> None:
        def work(session: Session) -> tuple[list[UserSummary], list[str]]:
            return list_users(session), audit.logged_tables(session)

        def done(result: tuple[list[UserSummary], list[str]]) -> None:
            people, tables = result
            for person in people:
                self.user.addItem(person.full_name, person.id)
            for table in sorted(tables, key=table_label):
                self.kind.addItem(table_label(table), table)

        self.ctx.runner.query(work, on_success=done, on_failure=self.on_failed, owner=self)

    # --- paging -----------------------------------------------------------------

    def show_page(self, number: int) -> None:
        before = self.cursors[number]
        flt = self.filter

        def done(page: AuditPage) -> None:
            self.page = page
            del self.cursors[number + 1 :]
            if page.next_before_id is not None:
                self.cursors.append(page.next_before_id)
            self.page_number = number
            self.model.set_rows(page.rows)
            self.newer_button.setEnabled(number > 0)
            self.older_button.setEnabled(page.has_more)
            self.page_label.setText(self.tr("Strona {n}").format(n=number + 1))
            self.history_button.setEnabled(bool(page.rows))
            self.loaded = True

        self.ctx.runner.query(
            lambda s: audit.browse(s, flt, before_id=before, limit=PAGE_SIZE),
            on_success=done,
            on_failure=self.on_failed,
            owner=self,
        )

    @Slot()
    def on_search_clicked(self) -> None:
        start = self.since.date().toPython() if self.use_period.isChecked() else None
        end = self.until.date().toPython() if self.use_period.isChecked() else None
        self.filter = period_filter(
            self.user.currentData(), self.kind.currentData(), start, end, self.record.text()
        )
        self.cursors = [None]
        self.show_page(0)

    @Slot()
    def on_older_clicked(self) -> None:
        if self.page is not None and self.page.has_more:
            self.show_page(self.page_number + 1)

    @Slot()
    def on_newer_clicked(self) -> None:
        if self.page_number > 0:
            self.show_page(self.page_number - 1)

    def on_failed(self, exc: BaseException) -> None:
        feedback.show_error(self, exc)

    # --- record history -----------------------------------------------------------

    def open_history(self, row: AuditRow) -> None:
        self.dialog = RecordHistoryDialog(self.ctx, row.table_name, row.record_id, self)
        self.dialog.open()

    @Slot(QModelIndex)
    def on_row_activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_history(row)

    @Slot()
    def on_history_clicked(self) -> None:
        row = selected_row(self.table, self.model)
        if row is not None:
            self.open_history(row)

    @Slot(object)
    def on_changes_happened(self, kinds: Iterable[str]) -> None:
        """Every change adds to the log: the first page refreshes, deeper pages stay put."""
        if kinds and self.page_number == 0:
            self.show_page(0)
