"""First run: create the administrator account of an empty installation."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import auth
from eszok_desktop.services.errors import PermissionDenied, ValidationError
from eszok_desktop.ui import messages
from eszok_desktop.ui.task_runner import TaskRunner

FIELDS = ("email", "full_name", "password", "password_repeat")


def validate_first_admin(
    email: str, full_name: str, password: str, password_repeat: str
) -> dict[str, str]:
    """Polish message per field that is wrong (empty when the form may be sent)."""
    problems: dict[str, str] = {}
    try:
        auth.check_email(email.strip())
    except ValidationError as exc:
        problems["email"] = messages.describe_validation(exc)
    if not full_name.strip():
        problems["full_name"] = messages.describe_validation(
            ValidationError("full_name", "required")
        )
    try:
        auth.check_password_policy(password)
    except ValidationError as exc:
        problems["password"] = messages.describe_validation(exc)
    if password != password_repeat:
        problems["password_repeat"] = QCoreApplication.translate(
            "FirstAdminDialog", "Hasła nie są takie same."
        )
    return problems


class FirstAdminDialog(QDialog):
    """E-mail, full name, password twice; the policy shown; errors under each field."""

    sig_admin_created = Signal(str)  # e-mail of the new administrator

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(self.tr("eSZOK — pierwsze uruchomienie"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "To nowa instalacja eSZOK. Utwórz konto administratora — będzie nim można "
                "dodawać kolejnych użytkowników."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.email = QLineEdit()
        self.email.setPlaceholderText("admin@firma.pl")
        self.full_name = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_repeat = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.error_labels: dict[str, QLabel] = {}
        rows = (
            ("email", self.tr("E-mail:"), self.email),
            ("full_name", self.tr("Imię i nazwisko:"), self.full_name),
            ("password", self.tr("Hasło:"), self.password),
            ("password_repeat", self.tr("Powtórz hasło:"), self.password_repeat),
        )
        for key, caption, edit in rows:
            form.addRow(caption, edit)
            error = QLabel()
            error.setStyleSheet("color: #b00020;")
            error.setWordWrap(True)
            error.hide()
            self.error_labels[key] = error
            form.addRow("", error)
            edit.textEdited.connect(lambda _text, k=key: self._clear_error(k))
        layout.addLayout(form)

        self.policy = QLabel(
            self.tr(
                "Hasło musi mieć co najmniej {min} znaków, zawierać literę i cyfrę "
                "i mieć najwyżej {max} bajtów (polskie litery liczą się podwójnie)."
            ).format(min=auth.MIN_PASSWORD_LENGTH, max=auth.MAX_PASSWORD_BYTES)
        )
        self.policy.setWordWrap(True)
        self.policy.setStyleSheet("color: #555555;")
        layout.addWidget(self.policy)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText(self.tr("Utwórz administratora"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Anuluj"))
        self.buttons.accepted.connect(self.on_create_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def errors_shown(self) -> dict[str, str]:
        return {
            k: label.text() for k, label in self.error_labels.items() if label.isVisibleTo(self)
        }

    def _clear_error(self, key: str) -> None:
        self.error_labels[key].hide()

    def _show_errors(self, problems: dict[str, str]) -> None:
        for key, label in self.error_labels.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def on_create_clicked(self) -> None:
        email = self.email.text().strip()
        full_name = self.full_name.text().strip()
        password = self.password.text()
        problems = validate_first_admin(email, full_name, password, self.password_repeat.text())
        self._show_errors(problems)
        if problems:
            return
        self.create_button.setEnabled(False)
        self.runner.mutate(
            lambda session: auth.create_first_admin(session, email, full_name, password),
            changes={"users"},
            on_success=lambda _id: self._on_created(email),
            on_failure=self._on_create_failed,
            owner=self,
        )

    def _on_created(self, email: str) -> None:
        self.sig_admin_created.emit(email)
        self.accept()

    def _on_create_failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        if isinstance(exc, ValidationError) and exc.field in self.error_labels:
            self._show_errors({exc.field: messages.describe_validation(exc)})
        elif isinstance(exc, PermissionDenied):
            # someone else created the first administrator meanwhile
            messages.inform(
                self,
                self.tr("Administrator tej instalacji już istnieje. Zaloguj się jego kontem."),
            )
            self.accept()
        else:
            messages.show_error(self, exc)
