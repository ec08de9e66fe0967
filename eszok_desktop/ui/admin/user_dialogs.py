"""Dialogs of the "Użytkownicy" page: a new account, a password reset, a role change.

The account dialogs do their own database work through the task runner and keep the
user's input on a refusal (shown inline). A generated password is shown once, after the
database accepted it, for the administrator to pass on.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import auth
from eszok_desktop.services.admin import accounts, passwords
from eszok_desktop.services.admin.accounts import Account
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.users import ROLE_CODES
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.context import AppContext

ROLE_NAMES = {
    "administrator": "Administrator",
    "kierownik": "Kierownik",
    "handlowiec": "Handlowiec",
    "serwisant": "Serwisant",
    "programista": "Programista",
}


def password_policy_text() -> str:
    """The password policy as the forms state it (kept in step with services.auth)."""
    return QCoreApplication.translate(
        "admin",
        "Hasło: co najmniej {min} znaków, w tym litera i cyfra; najwyżej {max} bajtów "
        "(polskie litery liczą się podwójnie).",
    ).format(min=auth.MIN_PASSWORD_LENGTH, max=auth.MAX_PASSWORD_BYTES)


def dialog_buttons(*buttons: QDialogButtonBox.StandardButton) -> QDialogButtonBox:
    """A button box with Polish texts even when Qt's own translations are missing."""
    box = QDialogButtonBox()
    texts = {
        QDialogButtonBox.StandardButton.Ok: "OK",
        QDialogButtonBox.StandardButton.Cancel: "Anuluj",
        QDialogButtonBox.StandardButton.Close: "Zamknij",
    }
    for button in buttons:
        box.addButton(button).setText(QCoreApplication.translate("admin", texts[button]))
    return box


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


class PasswordChoice(QWidget):
    """Either a password typed twice (checked against the policy) or a generated one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = QRadioButton(self.tr("Ustaw hasło"))
        self.generated = QRadioButton(self.tr("Wygeneruj hasło (pokażę je raz, po zapisaniu)"))
        self.typed.setChecked(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setObjectName("passwordRepeat")
        self.policy = QLabel(password_policy_text())
        self.policy.setWordWrap(True)
        self.policy.setStyleSheet("color: palette(mid);")
        form = QFormLayout()
        form.addRow(self.tr("Hasło:"), self.password)
        form.addRow(self.tr("Powtórz hasło:"), self.repeat)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.typed)
        layout.addLayout(form)
        layout.addWidget(self.policy)
        layout.addWidget(self.generated)
        self.generated.toggled.connect(self.on_generated_toggled)

    @Slot(bool)
    def on_generated_toggled(self, generated: bool) -> None:
        self.password.setEnabled(not generated)
        self.repeat.setEnabled(not generated)

    def is_generated(self) -> bool:
        return self.generated.isChecked()

    def take(self) -> str:
        """The password to save: typed (validated) or freshly generated."""
        if self.is_generated():
            return passwords.generate_password()
        password = self.password.text()
        auth.check_password_policy(password)
        if password != self.repeat.text():
            raise ValidationError("password", "mismatch")
        return password


class _AccountDialog(QDialog):
    """Common frame: a form, an inline error, and a "done" panel showing a password."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.error = error_label()
        self.buttons = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.shown_password = QLineEdit()
        self.shown_password.setReadOnly(True)
        self.shown_password.setObjectName("shownPassword")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(self.font().pointSizeF() * 1.3)
        self.shown_password.setFont(mono)
        self.copy_button = QPushButton(self.tr("Kopiuj"))
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.close_button = QPushButton(self.tr("Zamknij"))
        self.close_button.clicked.connect(self.accept)
        self.result_panel = QWidget()
        row = QHBoxLayout()
        row.addWidget(self.shown_password, 1)
        row.addWidget(self.copy_button)
        panel = QVBoxLayout(self.result_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.result_label)
        panel.addLayout(row)
        panel.addWidget(self.close_button)
        self.result_panel.hide()
        self.form_panel = QWidget()

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_panel)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        layout.addWidget(self.result_panel)

    def show_problem(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(feedback.describe(exc))
        self.error.show()

    def show_password_once(self, intro: str, password: str) -> None:
        """Replace the form with the generated password (it is never shown again)."""
        self.form_panel.hide()
        self.buttons.hide()
        self.error.hide()
        self.result_label.setText(intro)
        self.shown_password.setText(password)
        self.result_panel.show()
        self.shown_password.selectAll()

    @Slot()
    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.shown_password.text())

    def on_ok_clicked(self) -> None:
        raise NotImplementedError


class AddUserDialog(_AccountDialog):
    """E-mail, name, role, initial password, "change at next sign-in"."""

    sig_user_added = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Nowy użytkownik"))
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.email.setPlaceholderText("jan.kowalski@firma.pl")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        self.role = QComboBox()
        for code in ROLE_CODES:
            self.role.addItem(self.tr(ROLE_NAMES[code]), code)
        self.role.setCurrentIndex(ROLE_CODES.index("serwisant"))
        self.password = PasswordChoice()
        self.must_change = QCheckBox(self.tr("Zmień hasło przy następnym logowaniu"))
        self.must_change.setChecked(True)
        form = QFormLayout(self.form_panel)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("E-mail:"), self.email)
        form.addRow(self.tr("Imię i nazwisko:"), self.full_name)
        form.addRow(self.tr("Rola:"), self.role)
        form.addRow(self.password)
        form.addRow(self.must_change)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Dodaj"))
        self.finish_layout()
        self.setMinimumWidth(460)
        self.added_id: int | None = None

    @Slot()
    def on_ok_clicked(self) -> None:
        role = self.role.currentData()
        try:
            email, name = accounts.validate_new_account(
                self.email.text(), self.full_name.text(), role
            )
            password = self.password.take()
        except ValidationError as exc:
            self.show_problem(exc)
            return
        generated = self.password.is_generated()
        must_change = self.must_change.isChecked()
        self.buttons.setEnabled(False)

        def work(session):
            return accounts.add_account(
                session,
                email=email,
                full_name=name,
                role=role,
                password=password,
                must_change_password=must_change,
            )

        def done(user_id: int) -> None:
            self.added_id = user_id
            self.sig_user_added.emit(user_id)
            if generated:
                self.show_password_once(
                    self.tr(
                        "Konto {email} zostało utworzone. Hasło początkowe (pokazywane "
                        "tylko teraz — przekaż je użytkownikowi):"
                    ).format(email=email),
                    password,
                )
            else:
                self.accept()

        self.ctx.runner.mutate(
            work, changes={"users"}, on_success=done, on_failure=self.show_problem, owner=self
        )


class ResetPasswordDialog(_AccountDialog):
    """A new password for someone else's account; their sessions end."""

    sig_password_reset = Signal(int)

    def __init__(self, ctx: AppContext, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.account = account
        self.setWindowTitle(self.tr("Resetuj hasło"))
        who = QLabel(
            self.tr("Nowe hasło dla: {name} ({email})").format(
                name=account.full_name, email=account.email
            )
        )
        who.setWordWrap(True)
        self.password = PasswordChoice()
        self.password.generated.setChecked(True)
        self.must_change = QCheckBox(self.tr("Zmień hasło przy następnym logowaniu"))
        self.must_change.setChecked(True)
        note = QLabel(self.tr("Otwarte sesje tego użytkownika zostaną zakończone."))
        note.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self.form_panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(who)
        layout.addWidget(self.password)
        layout.addWidget(self.must_change)
        layout.addWidget(note)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Ustaw hasło"))
        self.finish_layout()
        self.setMinimumWidth(460)

    @Slot()
    def on_ok_clicked(self) -> None:
        try:
            password = self.password.take()
        except ValidationError as exc:
            self.show_problem(exc)
            return
        generated = self.password.is_generated()
        must_change = self.must_change.isChecked()
        user_id = self.account.id
        self.buttons.setEnabled(False)

        def done(_result: object) -> None:
            self.sig_password_reset.emit(user_id)
            if generated:
                self.show_password_once(
                    self.tr("Nowe hasło dla {email} (pokazywane tylko teraz):").format(
                        email=self.account.email
                    ),
                    password,
                )
            else:
                self.accept()

        self.ctx.runner.mutate(
            lambda s: accounts.reset_password(
                s, user_id, password, must_change_password=must_change
            ),
            changes={"users"},
            on_success=done,
            on_failure=self.show_problem,
            owner=self,
        )


class RoleDialog(QDialog):
    """Pick a new role for an account."""

    def __init__(self, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Zmień rolę"))
        self.role = QComboBox()
        for code in ROLE_CODES:
            self.role.addItem(self.tr(ROLE_NAMES[code]), code)
        self.role.setCurrentIndex(ROLE_CODES.index(account.role))
        buttons = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(QLabel(account.full_name))
        layout.addRow(self.tr("Rola:"), self.role)
        layout.addRow(buttons)

    def chosen(self) -> str:
        return str(self.role.currentData())
