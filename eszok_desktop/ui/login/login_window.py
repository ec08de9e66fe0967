"""The sign-in window (F-LOGIN).

``LoginWindow(db, runner, settings=None)``: ``db`` is the client ``Database`` to sign in
on, ``runner`` the app's ``TaskRunner`` over that database, ``settings`` the QSettings
store for the remembered e-mail (None: the application's default ``QSettings()``).

After a successful sign-in the window sets the token on ``db``, loads the signed-in user
and emits exactly one of:

* ``sig_signed_in(CurrentUser)`` — open the main window;
* ``sig_password_change_required(CurrentUser)`` — the account must change its password
  first (an administrator set it); the caller shows the change-password dialog
  (``ui.admin.change_password_dialog.ChangePasswordDialog(runner, user, forced=True)``)
  and then opens the main window. The user is signed in either way.

``sig_connection_settings_requested`` asks for the connection dialog (the "Połączenie z
bazą…" link).

Closing the window (Esc or the close button) rejects it as a QDialog does. ``reset()``
prepares it for the next sign-in after signing out.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.db.engine import Database
from eszok_desktop.services import auth
from eszok_desktop.services.auth import CurrentUser, SignInResult, SignInStatus
from eszok_desktop.services.errors import NotSignedIn, ValidationError
from eszok_desktop.ui import messages
from eszok_desktop.ui.login import credentials
from eszok_desktop.ui.task_runner import TaskRunner


class LoginWindow(QDialog):
    """E-mail, password, "Zaloguj"; remembered e-mail and (optionally) password."""

    sig_signed_in = Signal(object)  # CurrentUser
    sig_password_change_required = Signal(object)  # CurrentUser
    sig_connection_settings_requested = Signal()

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.remembered = credentials.LoginSettings(
            settings if settings is not None else QSettings()
        )
        self.keyring_ok = credentials.keyring_available()
        self.busy = False
        self.setWindowTitle(self.tr("eSZOK — logowanie"))
        self.setObjectName("loginWindow")
        self._build()
        self._restore()

    # --- construction -----------------------------------------------------------

    def _build(self) -> None:
        title = QLabel(self.tr("eSZOK"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(self.tr("Elektroniczny System Zarządzania Obsługą Klienta"))
        subtitle.setStyleSheet("color: #6b6f76;")
        subtitle.setWordWrap(True)

        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText(self.tr("np. jan.kowalski@firma.pl"))
        self.email_edit.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.email_edit.setMaxLength(254)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Hasło"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("&E-mail:"), self.email_edit)
        form.addRow(self.tr("&Hasło:"), self.password_edit)

        self.remember_email_box = QCheckBox(self.tr("Zapamiętaj e-mail"))
        self.remember_password_box = QCheckBox(self.tr("Zapamiętaj hasło"))
        self.keyring_note = QLabel(
            self.tr(
                "Zapamiętywanie hasła jest niedostępne: na tym komputerze nie ma "
                "systemowego magazynu haseł (keyring)."
            )
        )
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet("color: #6b6f76;")
        note_font = QFont(self.keyring_note.font())
        note_font.setPointSizeF(note_font.pointSizeF() * 0.9)
        self.keyring_note.setFont(note_font)
        if self.keyring_ok:
            self.remember_password_box.setToolTip(
                self.tr("Hasło zostanie zapisane w systemowym magazynie haseł.")
            )
            self.keyring_note.hide()
        else:
            self.remember_password_box.setEnabled(False)
            self.remember_password_box.setToolTip(self.keyring_note.text())
        self.remember_email_box.toggled.connect(self.on_remember_email_toggled)
        self.remember_password_box.toggled.connect(self.on_remember_password_toggled)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()

        self.sign_in_button = QPushButton(self.tr("Zaloguj"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.setMinimumWidth(120)
        self.sign_in_button.clicked.connect(self.on_sign_in_clicked)
        # the start-up code answers this with its connection dialog
        self.connection_button = QPushButton(self.tr("Połączenie z bazą…"))
        self.connection_button.setObjectName("connectionButton")
        self.connection_button.setFlat(True)
        self.connection_button.setAutoDefault(False)
        self.connection_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.connection_button.setStyleSheet(
            "#connectionButton { color: #2f6fb7; border: none; padding: 4px 0; }"
            "#connectionButton:hover { text-decoration: underline; }"
            "#connectionButton:disabled { color: #9aa0a6; }"
        )
        self.connection_button.clicked.connect(self.sig_connection_settings_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.connection_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 22)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(14)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addWidget(self.remember_email_box)
        layout.addWidget(self.remember_password_box)
        layout.addWidget(self.keyring_note)
        layout.addSpacing(6)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(400)

    def _restore(self) -> None:
        email = self.remembered.email
        self.email_edit.setText(email)
        self.remember_email_box.setChecked(self.remembered.remember_email)
        password = None
        if self.keyring_ok and self.remembered.remember_password and email:
            password = credentials.load_password(email)
        self.password_edit.setText(password or "")
        # ticked only when a password really is kept (it may have been removed meanwhile)
        self.remember_password_box.setChecked(bool(password))
        (self.password_edit if email else self.email_edit).setFocus()

    def reset(self) -> None:
        """Back to a fresh sign-in (after signing out): remembered data only."""
        self.password_edit.clear()
        self._show_error("")
        self._set_busy(False)
        self._restore()

    # --- slots ------------------------------------------------------------------

    @Slot(bool)
    def on_remember_email_toggled(self, checked: bool) -> None:
        # a password is kept under its e-mail: remembering it needs the e-mail too
        if not checked:
            self.remember_password_box.setChecked(False)

    @Slot(bool)
    def on_remember_password_toggled(self, checked: bool) -> None:
        if checked:
            self.remember_email_box.setChecked(True)

    @Slot()
    def on_sign_in_clicked(self) -> None:
        if self.busy:
            return
        email = self.email_edit.text().strip()
        password = self.password_edit.text()
        if not email and not password:
            self._show_error(self.tr("Podaj e-mail i hasło."))
            self.email_edit.setFocus()
            return
        if not email:
            self._show_error(self.tr("Podaj e-mail."))
            self.email_edit.setFocus()
            return
        if not password:
            self._show_error(self.tr("Podaj hasło."))
            self.password_edit.setFocus()
            return
        try:
            auth.check_password_length(password)
        except ValidationError as exc:
            self._show_error(messages.describe_error(exc))
            self.password_edit.setFocus()
            return
        self._show_error("")
        self._set_busy(True)
        self.runner.query(
            lambda session: auth.sign_in(session, email, password),
            on_success=lambda result: self.on_sign_in_answered(result, email, password),
            on_failure=self.on_sign_in_failed,
            owner=self,
        )

    def on_sign_in_answered(self, result: SignInResult, email: str, password: str) -> None:
        if result.status == SignInStatus.OK and result.token:
            self.db.set_token(result.token)
            self.runner.query(
                auth.current_user,
                on_success=lambda user: self.on_user_loaded(user, email, password),
                on_failure=self.on_sign_in_failed,
                owner=self,
            )
            return
        self._set_busy(False)
        self._show_error(self.describe_refusal(result))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def on_user_loaded(self, user: CurrentUser | None, email: str, password: str) -> None:
        self._set_busy(False)
        if user is None:  # the session vanished between the two calls (e.g. deactivated)
            self.db.set_token(None)
            self._show_error(messages.describe_error(NotSignedIn()))
            return
        self._remember(email, password)
        self.password_edit.clear()
        if user.must_change_password:
            self.sig_password_change_required.emit(user)
        else:
            self.sig_signed_in.emit(user)

    def on_sign_in_failed(self, exc: BaseException) -> None:
        self.db.set_token(None)
        self._set_busy(False)
        self._show_error(messages.describe_error(exc))

    # --- helpers ----------------------------------------------------------------

    def describe_refusal(self, result: SignInResult) -> str:
        """The Polish message for a refused sign-in."""
        if result.status == SignInStatus.LOCKED:
            return self.tr(
                "Konto jest zablokowane do {time} po kilku nieudanych próbach logowania. "
                "Spróbuj ponownie później."
            ).format(time=_clock_text(result.locked_until))
        if result.status == SignInStatus.INACTIVE:
            return self.tr("To konto zostało dezaktywowane. Skontaktuj się z administratorem.")
        # one message for an unknown e-mail and a wrong password: do not reveal which
        return self.tr("Nieprawidłowy e-mail lub hasło.")

    def _remember(self, email: str, password: str) -> None:
        remember_email = self.remember_email_box.isChecked()
        remember_password = self.keyring_ok and self.remember_password_box.isChecked()
        previous = self.remembered.email
        if remember_password:
            remember_password = credentials.save_password(email, password)
        else:
            credentials.forget_password(email)
        if previous and previous.lower() != email.lower():
            credentials.forget_password(previous)
        self.remembered.store(
            email, remember_email=remember_email, remember_password=remember_password
        )

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (
            self.email_edit,
            self.password_edit,
            self.remember_email_box,
            self.sign_in_button,
            self.connection_button,
        ):
            widget.setEnabled(not busy)
        self.remember_password_box.setEnabled(not busy and self.keyring_ok)
        self.sign_in_button.setText(self.tr("Logowanie…") if busy else self.tr("Zaloguj"))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()


def _clock_text(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M")
