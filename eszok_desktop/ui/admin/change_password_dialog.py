"""Changing one's own password (every user), also the forced change at sign-in.

``ChangePasswordDialog(runner, user, forced=False)``: the old password, the new one
twice, the policy stated. On success it emits ``sig_password_changed`` and accepts;
the database clears "change at next sign-in" and ends the user's other sessions.
With ``forced=True`` (the login window's ``sig_password_change_required``) it explains
why it appears; the caller should sign out when it is rejected.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.admin import passwords
from eszok_desktop.services.auth import CurrentUser, check_password_policy
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.user_dialogs import dialog_buttons, error_label, password_policy_text
from eszok_desktop.ui.task_runner import TaskRunner


class ChangePasswordDialog(QDialog):
    sig_password_changed = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        user: CurrentUser,
        *,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.user = user
        self.forced = forced
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(self.tr("Zmiana hasła"))
        intro = QLabel(
            self.tr(
                "Administrator ustawił Ci hasło tymczasowe. Zanim zaczniesz pracę, ustaw "
                "własne hasło."
            )
            if forced
            else self.tr("Zmiana hasła dla: {email}").format(email=user.email)
        )
        intro.setWordWrap(True)
        self.old = self._password_field("oldPassword")
        self.new = self._password_field("newPassword")
        self.repeat = self._password_field("repeatPassword")
        policy = QLabel(password_policy_text())
        policy.setWordWrap(True)
        policy.setStyleSheet("color: palette(mid);")
        self.policy_label = policy
        self.error = error_label()
        self.buttons = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Zmień hasło"))
        if forced:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Wyloguj"))
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Obecne hasło:"), self.old)
        form.addRow(self.tr("Nowe hasło:"), self.new)
        form.addRow(self.tr("Powtórz nowe hasło:"), self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(policy)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def _password_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def show_problem(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(feedback.describe(exc))
        self.error.show()
        if isinstance(exc, ValidationError) and exc.field == "old_password":
            self.old.selectAll()
            self.old.setFocus()

    @Slot()
    def on_ok_clicked(self) -> None:
        old, new = self.old.text(), self.new.text()
        try:
            if not old:
                raise ValidationError("old_password", "required")
            check_password_policy(new)
            if new != self.repeat.text():
                raise ValidationError("new_password", "mismatch")
            if new == old:
                raise ValidationError("new_password", "same_as_old")
        except ValidationError as exc:
            self.show_problem(exc)
            return
        self.error.hide()
        self.buttons.setEnabled(False)
        self.runner.mutate(
            lambda s: passwords.change_own_password(s, old, new),
            changes={"users"},
            on_success=self.on_changed,
            on_failure=self.show_problem,
            owner=self,
        )

    def on_changed(self, _result: object) -> None:
        self.sig_password_changed.emit()
        self.accept()
