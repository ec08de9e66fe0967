"""Użytkownicy (F-USERS): the accounts table with search, and every account action.

The page only shows what the database allows and asks it to do the rest: each action
is an ``auth.*`` function that checks the administrator capability itself, so a
refusal (e.g. the last administrator) comes back as a clear message, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QItemSelection, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from eszok_desktop.services.admin import accounts
from eszok_desktop.services.admin.accounts import Account
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.table_model import Column, RowTableModel, make_table
from eszok_desktop.ui.admin.user_dialogs import (
    ROLE_NAMES,
    AddUserDialog,
    ResetPasswordDialog,
    RoleDialog,
)
from eszok_desktop.ui.context import AppContext

SEARCH_DELAY_MS = 250


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


def lock_text(account: Account, now: datetime) -> str:
    if account.is_locked(now):
        return tr("do {time}").format(time=feedback.local_time(account.locked_until))
    return ""


def user_columns(now: datetime) -> list[Column[Account]]:
    def muted(a: Account) -> bool:
        return not a.active

    return [
        Column(tr("Imię i nazwisko"), lambda a: a.full_name, muted=muted),
        Column(tr("E-mail"), lambda a: a.email, muted=muted),
        Column(tr("Rola"), lambda a: tr(ROLE_NAMES.get(a.role, a.role_name)), muted=muted),
        Column(
            tr("Aktywny"),
            lambda a: tr("tak") if a.active else tr("nie"),
            muted=muted,
            align_center=True,
        ),
        Column(
            tr("Zablokowany"),
            lambda a: lock_text(a, now),
            tooltip=lambda a: tr("Nieudane logowania: {n}").format(n=a.failed_logins),
            muted=muted,
        ),
        Column(
            tr("Ostatnie logowanie"),
            lambda a: feedback.local_time(a.last_login_at) or tr("nigdy"),
            tooltip=lambda a: (
                tr("Musi zmienić hasło przy następnym logowaniu")
                if a.must_change_password
                else None
            ),
            muted=muted,
        ),
    ]


class UsersWindow(QWidget):
    """The "Użytkownicy" page (also usable as a window of its own)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("usersWindow")
        self.setWindowTitle(self.tr("Użytkownicy"))
        self.now = datetime.now().astimezone()
        self.model: RowTableModel[Account] = RowTableModel(user_columns(self.now), self)
        self.dialog: QDialog | None = None
        self.select_after_refresh: int | None = None
        self.loaded = False
        self._build()
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.refresh()

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Szukaj: imię, nazwisko lub e-mail"))
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self.search_timer.start)

        self.add_button = QPushButton(self.tr("Dodaj użytkownika…"))
        self.role_button = QPushButton(self.tr("Zmień rolę…"))
        self.active_button = QPushButton(self.tr("Dezaktywuj"))
        self.reset_button = QPushButton(self.tr("Resetuj hasło…"))
        self.unlock_button = QPushButton(self.tr("Odblokuj"))
        self.history_button = QPushButton(self.tr("Historia konta…"))
        self.history_button.clicked.connect(self.on_history_clicked)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.role_button.clicked.connect(self.on_role_clicked)
        self.active_button.clicked.connect(self.on_active_clicked)
        self.reset_button.clicked.connect(self.on_reset_clicked)
        self.unlock_button.clicked.connect(self.on_unlock_clicked)

        self.table = make_table(self.model)
        self.table.setObjectName("usersTable")
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.table.doubleClicked.connect(self.on_history_clicked)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(mid);")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.add_button)
        actions = QHBoxLayout()
        for button in (
            self.role_button,
            self.active_button,
            self.reset_button,
            self.unlock_button,
            self.history_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.update_buttons()

    # --- data -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        # locks expire and others sign in meanwhile: a page shown again is re-read
        super().showEvent(event)
        if self.loaded:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        term = self.search.text()
        selected = self.selected()
        keep = self.select_after_refresh or (selected.id if selected else None)
        self.select_after_refresh = None

        def work(session):
            return accounts.list_accounts(session, term), accounts.server_now(session)

        def done(result: tuple[list[Account], datetime]) -> None:
            rows, now = result
            self.now = now
            self.model.columns = user_columns(now)
            self.model.set_rows(rows)
            self.count_label.setText(self.tr("Kont: {n}").format(n=len(rows)))
            if keep is not None:
                self.select_user(keep)
            self.loaded = True
            self.update_buttons()

        self.ctx.runner.query(work, on_success=done, on_failure=self.on_failed, owner=self)

    @Slot(object)
    def on_changes_happened(self, kinds: Iterable[str]) -> None:
        if "users" in kinds or "*" in kinds:
            self.refresh()

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_user(self, user_id: int) -> None:
        for row, account in enumerate(self.model.rows):
            if account.id == user_id:
                self.table.selectRow(row)
                return

    @Slot(QItemSelection, QItemSelection)
    def on_selection_changed(self, *_args: object) -> None:
        self.update_buttons()

    def update_buttons(self) -> None:
        account = self.selected()
        for button in (
            self.role_button,
            self.active_button,
            self.reset_button,
            self.history_button,
        ):
            button.setEnabled(account is not None)
        self.unlock_button.setEnabled(account is not None and account.is_locked(self.now))
        if account is not None and not account.active:
            self.active_button.setText(self.tr("Aktywuj"))
        else:
            self.active_button.setText(self.tr("Dezaktywuj"))

    # --- actions ----------------------------------------------------------------

    def run(self, fn: Callable[[Session], object]) -> None:
        """Run one account action; the list refreshes on the app-wide change signal."""
        self.ctx.runner.mutate(fn, changes={"users"}, on_failure=self.on_failed, owner=self)

    def on_failed(self, exc: BaseException) -> None:
        feedback.show_error(self, exc)
        self.refresh()

    @Slot()
    def on_add_clicked(self) -> None:
        dialog = AddUserDialog(self.ctx, self)
        dialog.sig_user_added.connect(self.on_user_added)
        self.dialog = dialog
        dialog.open()

    @Slot(int)
    def on_user_added(self, user_id: int) -> None:
        # the mutation's change signal refreshes the list next; show the new account there
        self.select_after_refresh = user_id
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def choose_role(self, account: Account) -> str | None:
        """Ask for the new role (a seam tests replace)."""
        dialog = RoleDialog(account, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()

    @Slot()
    def on_role_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        role = self.choose_role(account)
        if role is None or role == account.role:
            return
        if account.id == self.ctx.user.id and role != "administrator":
            question = self.tr(
                "Odebrać sobie rolę administratora? Stracisz dostęp do tego modułu od razu."
            )
            if not feedback.ask(self, question):
                return
        self.run(lambda s: accounts.set_role(s, account.id, role))

    @Slot()
    def on_active_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        if account.active:
            question = self.tr(
                "Dezaktywować konto {name}? Użytkownik zostanie od razu wylogowany i nie "
                "będzie mógł się zalogować. Jego nazwisko pozostanie w historii zmian."
            ).format(name=account.full_name)
            if account.id == self.ctx.user.id:
                question += " " + self.tr("To Twoje konto: zostaniesz wylogowany.")
            if not feedback.ask(self, question):
                return
        active = not account.active
        self.run(lambda s: accounts.set_active(s, account.id, active))

    @Slot()
    def on_reset_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        dialog = ResetPasswordDialog(self.ctx, account, self)
        self.dialog = dialog
        dialog.open()

    @Slot()
    def on_unlock_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        self.run(lambda s: accounts.unlock(s, account.id))

    @Slot()
    def on_history_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        from eszok_desktop.ui.admin.audit_view import RecordHistoryDialog

        self.dialog = RecordHistoryDialog(self.ctx, "users", account.id, self)
        self.dialog.open()
