"""Asks for the password again when the session ended while the user was working.

Open windows and dialogs keep what was typed: only the token is replaced, and the
refused save can then simply be repeated. "Wyloguj" ends the work instead.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import auth
from eszok_desktop.services.auth import SignInResult, SignInStatus
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.ui import messages
from eszok_desktop.ui.task_runner import TaskRunner


class ReauthDialog(QDialog):
    sig_signed_in_again = Signal()
    sig_sign_out_requested = Signal()

    def __init__(self, runner: TaskRunner, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.email = email
        self.setWindowTitle(self.tr("Sesja wygasła"))
        intro = QLabel(
            self.tr(
                "Twoja sesja wygasła. Podaj hasło, aby kontynuować pracę — otwarte okna "
                "zachowały wprowadzone dane; po zalogowaniu zapisz je ponownie."
            )
        )
        intro.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b02a37;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("E-mail:"), QLabel(email))
        form.addRow(self.tr("Hasło:"), self.password_edit)
        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("Zaloguj"))
        self.sign_in_button.setDefault(True)
        self.sign_out_button = QPushButton(self.tr("Wyloguj"))
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.sign_out_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.on_sign_in_clicked)
        self.sign_out_button.clicked.connect(self.on_sign_out_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    @Slot()
    def on_sign_in_clicked(self) -> None:
        password = self.password_edit.text()
        if not password:
            self._show_error(self.tr("Podaj hasło."))
            return
        try:
            auth.check_password_length(password)
        except ValidationError as exc:
            self._show_error(messages.describe_error(exc))
            return
        self.sign_in_button.setEnabled(False)
        self.runner.query(
            lambda session: auth.sign_in(session, self.email, password),
            on_success=self.on_sign_in_answered,
            on_failure=self.on_sign_in_failed,
            owner=self,
        )

    def on_sign_in_answered(self, result: SignInResult) -> None:
        self.sign_in_button.setEnabled(True)
        if result.status is SignInStatus.OK:
            self.runner.db.set_token(result.token)
            self.sig_signed_in_again.emit()
            self.accept()
            return
        self.password_edit.selectAll()
        if result.status is SignInStatus.LOCKED:
            self._show_error(self.tr("Konto jest zablokowane po zbyt wielu nieudanych próbach."))
        elif result.status is SignInStatus.INACTIVE:
            self._show_error(self.tr("Konto zostało dezaktywowane."))
        else:
            self._show_error(self.tr("Nieprawidłowe hasło."))

    def on_sign_in_failed(self, exc: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self._show_error(messages.describe_error(exc))

    @Slot()
    def on_sign_out_clicked(self) -> None:
        self.sig_sign_out_requested.emit()
        self.reject()
