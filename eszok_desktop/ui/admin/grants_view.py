"""Uprawnienia (F-SHARE, F-ROLES): pending share requests to approve or reject, the
calendar grants with a direct grant and revoke, and the role→capability matrix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from eszok_desktop.services.admin import grants
from eszok_desktop.services.admin.grants import CapabilityMatrix, Grant, ShareRequest
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.users import UserSummary, list_users
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.table_model import Column, RowTableModel, make_table, selected_row
from eszok_desktop.ui.admin.user_dialogs import ROLE_NAMES, dialog_buttons, error_label
from eszok_desktop.ui.context import AppContext

SHARING_CHANGES = frozenset({"calendar_grants", "share_requests"})


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


LEVEL_NAMES = {"view": "podgląd", "manage": "zarządzanie"}
STATUS_NAMES = {"pending": "oczekuje", "approved": "zatwierdzona", "rejected": "odrzucona"}
CAPABILITY_NAMES = {
    "calendars.all": "Kalendarze wszystkich użytkowników",
    "cards.own": "Własne karty zadaniowe",
    "cards.all": "Karty zadaniowe wszystkich",
    "hours.all": "Zestawienie godzin: wszystkich",
    "hours.own": "Zestawienie godzin: własne",
    "announcements.publish": "Publikowanie ogłoszeń",
    "admin.users": "Użytkownicy, uprawnienia, zatwierdzanie",
}


def level_text(level: str) -> str:
    return tr(LEVEL_NAMES.get(level, level))


def request_columns() -> list[Column[ShareRequest]]:
    return [
        Column(tr("Kalendarz (właściciel)"), lambda r: r.owner_name),
        Column(tr("Dla kogo"), lambda r: r.grantee_name),
        Column(tr("Poziom"), lambda r: level_text(r.level)),
        Column(tr("Prosi"), lambda r: r.requested_by_name),
        Column(tr("Złożona"), lambda r: feedback.local_time(r.created_at)),
        Column(tr("Stan"), lambda r: tr(STATUS_NAMES.get(r.status, r.status))),
    ]


def grant_columns() -> list[Column[Grant]]:
    return [
        Column(tr("Kalendarz (właściciel)"), lambda g: g.owner_name),
        Column(tr("Uprawniony"), lambda g: g.grantee_name),
        Column(tr("Poziom"), lambda g: level_text(g.level)),
        Column(tr("Przyznał"), lambda g: g.granted_by_name or ""),
        Column(tr("Od"), lambda g: feedback.local_time(g.created_at)),
    ]


def matrix_model(matrix: CapabilityMatrix, parent: Any = None) -> QStandardItemModel:
    """Capabilities as rows, roles as columns, a tick where the role has it."""
    model = QStandardItemModel(len(matrix.capabilities), len(matrix.roles), parent)
    model.setHorizontalHeaderLabels([tr(ROLE_NAMES.get(code, name)) for code, name in matrix.roles])
    model.setVerticalHeaderLabels(
        [tr(CAPABILITY_NAMES.get(cap, cap)) for cap in matrix.capabilities]
    )
    for r, cap in enumerate(matrix.capabilities):
        for c, (code, _) in enumerate(matrix.roles):
            item = QStandardItem("✔" if matrix.has(code, cap) else "—")
            item.setEditable(False)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(cap)
            model.setItem(r, c, item)
    return model


class GrantDialog(QDialog):
    """Owner, grantee and level of a direct grant."""

    def __init__(self, people: list[UserSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Przyznaj uprawnienie"))
        self.owner = QComboBox()
        self.grantee = QComboBox()
        for person in people:
            label = person.full_name if person.active else f"{person.full_name} (nieaktywny)"
            self.owner.addItem(label, person.id)
            self.grantee.addItem(label, person.id)
        self.owner.setCurrentIndex(-1)
        self.grantee.setCurrentIndex(-1)
        self.level = QComboBox()
        for level in grants.LEVELS:
            self.level.addItem(level_text(level), level)
        self.error = error_label()
        buttons = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.on_ok_clicked)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Kalendarz użytkownika:"), self.owner)
        form.addRow(self.tr("Dla:"), self.grantee)
        form.addRow(self.tr("Poziom:"), self.level)
        form.addRow(
            QLabel(
                self.tr(
                    "Podgląd: nakładanie kalendarza na własny. Zarządzanie: także "
                    "dodawanie i edycja wydarzeń."
                )
            )
        )
        form.addRow(self.error)
        form.addRow(buttons)

    def choice(self) -> tuple[int, int, str]:
        """(owner, grantee, level); raises ValidationError when incomplete."""
        owner, grantee = self.owner.currentData(), self.grantee.currentData()
        if owner is None:
            raise ValidationError("owner", "required")
        if grantee is None:
            raise ValidationError("grantee", "required")
        if owner == grantee:
            raise ValidationError("grantee", "same_as_owner")
        return int(owner), int(grantee), str(self.level.currentData())

    @Slot()
    def on_ok_clicked(self) -> None:
        try:
            self.choice()
        except ValidationError as exc:
            self.error.setText(feedback.describe(exc))
            self.error.show()
            return
        self.accept()


class GrantsView(QWidget):
    """The "Uprawnienia" page: Prośby, Przyznane uprawnienia, Role."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("grantsView")
        self.requests: RowTableModel[ShareRequest] = RowTableModel(request_columns(), self)
        self.grants: RowTableModel[Grant] = RowTableModel(grant_columns(), self)
        self.matrix: QStandardItemModel = QStandardItemModel(self)
        self.people: list[UserSummary] = []
        self.loaded = False
        self.tabs = QTabWidget()
        self.tabs.addTab(self._requests_tab(), self.tr("Prośby o udostępnienie"))
        self.tabs.addTab(self._grants_tab(), self.tr("Przyznane uprawnienia"))
        self.tabs.addTab(self._matrix_tab(), self.tr("Role i możliwości"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.refresh()

    def _requests_tab(self) -> QWidget:
        self.requests_table = make_table(self.requests)
        self.requests_table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.approve_button = QPushButton(self.tr("Zatwierdź"))
        self.reject_button = QPushButton(self.tr("Odrzuć"))
        self.approve_button.clicked.connect(self.on_approve_clicked)
        self.reject_button.clicked.connect(self.on_reject_clicked)
        self.requests_hint = QLabel()
        self.requests_hint.setStyleSheet("color: palette(mid);")
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.requests_hint)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.requests_table, 1)
        layout.addLayout(buttons)
        return page

    def _grants_tab(self) -> QWidget:
        self.grants_table = make_table(self.grants)
        self.grants_table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.grant_button = QPushButton(self.tr("Przyznaj…"))
        self.revoke_button = QPushButton(self.tr("Odbierz"))
        self.grant_button.clicked.connect(self.on_grant_clicked)
        self.revoke_button.clicked.connect(self.on_revoke_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.grant_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.grants_table, 1)
        layout.addLayout(buttons)
        return page

    def _matrix_tab(self) -> QWidget:
        self.matrix_table = QTableView()
        self.matrix_table.setModel(self.matrix)
        self.matrix_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        note = QLabel(
            self.tr(
                "Własne kalendarze i notatki ma każda rola. Macierz jest zapisana w bazie "
                "danych i to baza pilnuje uprawnień."
            )
        )
        note.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.matrix_table, 1)
        layout.addWidget(note)
        return page

    # --- data -------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        def work(session: Session):
            return (
                grants.list_share_requests(session),
                grants.list_grants(session),
                grants.capability_matrix(session),
                list_users(session),
            )

        def done(result) -> None:
            requests, grant_rows, matrix, people = result
            self.requests.set_rows(requests)
            self.grants.set_rows(grant_rows)
            self.people = people
            self.matrix = matrix_model(matrix, self)
            self.matrix_table.setModel(self.matrix)
            self.requests_hint.setText(self.tr("Oczekujących: {n}").format(n=len(requests)))
            self.loaded = True
            self.update_buttons()

        self.ctx.runner.query(work, on_success=done, on_failure=self.on_failed, owner=self)

    @Slot(object)
    def on_changes_happened(self, kinds: Iterable[str]) -> None:
        if SHARING_CHANGES & set(kinds) or "users" in kinds or "*" in kinds:
            self.refresh()

    @Slot()
    def update_buttons(self, *_args: object) -> None:
        request = selected_row(self.requests_table, self.requests)
        self.approve_button.setEnabled(request is not None)
        self.reject_button.setEnabled(request is not None)
        self.revoke_button.setEnabled(selected_row(self.grants_table, self.grants) is not None)

    def on_failed(self, exc: BaseException) -> None:
        feedback.show_error(self, exc)
        self.refresh()

    def run(self, fn: Callable[[Session], object]) -> None:
        self.ctx.runner.mutate(fn, changes=SHARING_CHANGES, on_failure=self.on_failed, owner=self)

    # --- actions ----------------------------------------------------------------

    @Slot()
    def on_approve_clicked(self) -> None:
        request = selected_row(self.requests_table, self.requests)
        if request is not None:
            self.run(lambda s: grants.decide_share_request(s, request.id, approve=True))

    @Slot()
    def on_reject_clicked(self) -> None:
        request = selected_row(self.requests_table, self.requests)
        if request is not None:
            self.run(lambda s: grants.decide_share_request(s, request.id, approve=False))

    def choose_grant(self) -> tuple[int, int, str] | None:
        """Ask for owner, grantee and level (a seam tests replace)."""
        dialog = GrantDialog(self.people, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    @Slot()
    def on_grant_clicked(self) -> None:
        choice = self.choose_grant()
        if choice is not None:
            owner, grantee, level = choice
            self.run(lambda s: grants.grant(s, owner, grantee, level))

    @Slot()
    def on_revoke_clicked(self) -> None:
        grant = selected_row(self.grants_table, self.grants)
        if grant is None:
            return
        question = self.tr("Odebrać {who} dostęp do kalendarza {owner}?").format(
            who=grant.grantee_name, owner=grant.owner_name
        )
        if feedback.ask(self, question):
            self.run(lambda s: grants.revoke(s, grant.id))
