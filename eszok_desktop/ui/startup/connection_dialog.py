"""Choosing the database: a central server (host, port, database, SSL) or the local one."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.db import schema
from eszok_desktop.db import settings as conn_settings
from eszok_desktop.db.engine import Database
from eszok_desktop.db.settings import ConnectionSettings
from eszok_desktop.db.startup import check_database
from eszok_desktop.ui import messages
from eszok_desktop.ui.startup.background import BackgroundCall, run_in_background


def probe_connection(settings: ConnectionSettings, password: str | None) -> str:
    """Run the start-up check against ``settings``; returns the schema revision."""
    db = Database(conn_settings.central_url(settings, password), pool_size=1)
    try:
        check_database(db)
    finally:
        db.dispose()
    return schema.client_schema_head()


class ConnectionDialog(QDialog):
    """Edits the connection settings; "Zapisz" stores them (password → OS keyring)."""

    sig_settings_saved = Signal(object)  # ConnectionSettings
    sig_test_finished = Signal(bool, str)  # ok, message shown

    def __init__(self, settings: ConnectionSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("eSZOK — połączenie z bazą danych"))
        self.setMinimumWidth(500)
        self.settings = dataclasses.replace(settings)
        # the password to use in this run even when the keyring could not keep it
        self.password: str | None = None
        self._test: BackgroundCall | None = None

        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Podaj dane serwera centralnego PostgreSQL, na którym administrator "
                "zainstalował bazę eSZOK („eszok db upgrade”)."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.host = QLineEdit(settings.host)
        self.host.setPlaceholderText("serwer.firma.local")
        self.port = QSpinBox(minimum=1, maximum=65535, value=settings.port)
        self.database = QLineEdit(settings.database)
        self.sslmode = QComboBox()
        ssl_texts = {
            "disable": self.tr("wyłączone (disable)"),
            "prefer": self.tr("jeśli dostępne (prefer)"),
            "require": self.tr("wymagane (require)"),
            "verify-full": self.tr("wymagane, z weryfikacją certyfikatu (verify-full)"),
        }
        for mode in conn_settings.SSL_MODES:
            self.sslmode.addItem(ssl_texts[mode], mode)
        self.sslmode.setCurrentIndex(conn_settings.SSL_MODES.index(settings.sslmode))
        self.user = QLineEdit(settings.user)
        self.password_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        if settings.is_central and conn_settings.load_client_password(settings):
            self.password_edit.setPlaceholderText(self.tr("zapisane w pęku kluczy systemu"))
        form.addRow(self.tr("Serwer:"), self.host)
        form.addRow(self.tr("Port:"), self.port)
        form.addRow(self.tr("Baza danych:"), self.database)
        form.addRow(self.tr("Szyfrowanie SSL:"), self.sslmode)
        form.addRow(self.tr("Użytkownik połączenia:"), self.user)
        form.addRow(self.tr("Hasło połączenia:"), self.password_edit)
        layout.addLayout(form)
        if not conn_settings.keyring_available():
            note = QLabel(
                self.tr(
                    "Brak systemowego pęku kluczy: hasło połączenia nie zostanie zapamiętane "
                    "i trzeba będzie podać je przy każdym uruchomieniu."
                )
            )
            note.setWordWrap(True)
            layout.addWidget(note)

        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.test_button = QPushButton(self.tr("Testuj połączenie"))
        self.test_button.clicked.connect(self.on_test_clicked)
        self.local_button = QPushButton(self.tr("Użyj lokalnej bazy"))
        self.local_button.clicked.connect(self.on_local_clicked)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Zapisz"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Anuluj"))
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.local_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def edited_settings(self) -> ConnectionSettings:
        return ConnectionSettings(
            mode="central",
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            sslmode=self.sslmode.currentData(),
            user=self.user.text().strip(),
        )

    def _password_for(self, settings: ConnectionSettings) -> str | None:
        typed = self.password_edit.text()
        return typed or conn_settings.load_client_password(settings)

    def _missing_field(self, settings: ConnectionSettings) -> str | None:
        if not settings.host:
            return self.tr("Podaj adres serwera.")
        if not settings.database:
            return self.tr("Podaj nazwę bazy danych.")
        if not settings.user:
            return self.tr("Podaj użytkownika połączenia.")
        return None

    def _show_status(self, ok: bool, text: str) -> None:
        self.status.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.status.setText(text)

    def on_test_clicked(self) -> None:
        settings = self.edited_settings()
        if problem := self._missing_field(settings):
            self._show_status(False, problem)
            self.sig_test_finished.emit(False, problem)
            return
        password = self._password_for(settings)
        self.test_button.setEnabled(False)
        self._show_status(True, self.tr("Sprawdzanie połączenia…"))
        self._test = run_in_background(
            lambda _progress: probe_connection(settings, password),
            on_success=self._on_test_succeeded,
            on_failure=self._on_test_failed,
            parent=self,
        )

    def _on_test_succeeded(self, revision: object) -> None:
        self.test_button.setEnabled(True)
        text = self.tr("Połączenie działa. Schemat bazy w wersji {revision}.").format(
            revision=revision
        )
        self._show_status(True, text)
        self.sig_test_finished.emit(True, text)

    def _on_test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        text = messages.describe_error(exc)
        self._show_status(False, text)
        self.sig_test_finished.emit(False, text)

    def on_save_clicked(self) -> None:
        settings = self.edited_settings()
        if problem := self._missing_field(settings):
            self._show_status(False, problem)
            return
        typed = self.password_edit.text()
        if typed:
            try:
                conn_settings.store_client_password(settings, typed)
            except conn_settings.KeyringUnavailable:
                messages.inform(
                    self,
                    self.tr(
                        "Hasło połączenia nie zostało zapamiętane (brak systemowego pęku "
                        "kluczy). Zostanie użyte tylko w tej sesji."
                    ),
                )
        self.password = self._password_for(settings)
        conn_settings.save_settings(settings)
        self.settings = settings
        self.sig_settings_saved.emit(settings)
        self.accept()

    def on_local_clicked(self) -> None:
        """Back to the embedded server; the central fields are kept for next time."""
        settings = dataclasses.replace(self.edited_settings(), mode="embedded")
        conn_settings.save_settings(settings)
        self.settings = settings
        self.password = None
        self.sig_settings_saved.emit(settings)
        self.accept()
