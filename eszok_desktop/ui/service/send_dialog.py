""" "Wyślij": e-mail a card's PDF to the client. SMTP settings are per user (QSettings);
the password is kept only in the OS keyring."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service import mailer
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext

FAILURE_MESSAGES = {
    mailer.MailFailure.UNREACHABLE: "Nie można połączyć się z serwerem poczty. Sprawdź adres "
    "i port serwera SMTP oraz połączenie sieciowe.",
    mailer.MailFailure.AUTH: "Serwer poczty odrzucił nazwę użytkownika lub hasło.",
    mailer.MailFailure.TLS: "Nie udało się nawiązać szyfrowanego połączenia z serwerem poczty.",
    mailer.MailFailure.RECIPIENT_REFUSED: "Serwer poczty odrzucił adres odbiorcy: {detail}.",
    mailer.MailFailure.SENDER_REFUSED: "Serwer poczty odrzucił adres nadawcy.",
    mailer.MailFailure.REJECTED: "Serwer poczty nie przyjął wiadomości.",
    mailer.MailFailure.NOT_CONFIGURED: "Najpierw ustaw serwer poczty (Ustawienia SMTP).",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("SendDialog", text)


def describe_mail_error(exc: BaseException) -> str:
    if isinstance(exc, mailer.MailError):
        return (
            tr(FAILURE_MESSAGES[exc.failure]).format(detail=exc.detail)
            + " "
            + tr("Karta nie została oznaczona jako wysłana.")
        )
    if isinstance(exc, ValidationError) and exc.field == "recipients":
        return tr("Podaj prawidłowe adresy e-mail odbiorców (oddzielone przecinkami).")
    return messages.describe_error(exc)


def load_settings() -> mailer.SmtpSettings:
    qs = QSettings()
    qs.beginGroup("smtp")
    try:
        security = str(qs.value("security", mailer.Security.STARTTLS))
        return mailer.SmtpSettings(
            host=str(qs.value("host", "")),
            port=int(qs.value("port", 587)),
            user=str(qs.value("user", "")),
            sender=str(qs.value("sender", "")),
            sender_name=str(qs.value("sender_name", "")),
            security=mailer.Security(security)
            if security in set(mailer.Security)
            else mailer.Security.STARTTLS,
        )
    finally:
        qs.endGroup()


def save_settings(settings: mailer.SmtpSettings) -> None:
    qs = QSettings()
    qs.beginGroup("smtp")
    for key in ("host", "port", "user", "sender", "sender_name"):
        qs.setValue(key, getattr(settings, key))
    qs.setValue("security", str(settings.security))
    qs.endGroup()
    qs.sync()


class SmtpSettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Ustawienia SMTP"))
        current = load_settings()
        self.host = QLineEdit(current.host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(current.port)
        self.security = QComboBox()
        for value, label in (
            (mailer.Security.STARTTLS, tr("STARTTLS")),
            (mailer.Security.SSL, tr("SSL/TLS")),
            (mailer.Security.NONE, tr("bez szyfrowania")),
        ):
            self.security.addItem(label, value)
        self.security.setCurrentIndex(self.security.findData(current.security))
        self.user = QLineEdit(current.user)
        self.password = QLineEdit(mailer.load_password(current.user) or "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sender = QLineEdit(current.sender)
        self.sender_name = QLineEdit(current.sender_name)
        self.note = QLabel(tr("Hasło jest przechowywane w systemowym magazynie haseł."))
        self.note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(tr("Serwer"), self.host)
        form.addRow(tr("Port"), self.port)
        form.addRow(tr("Szyfrowanie"), self.security)
        form.addRow(tr("Użytkownik"), self.user)
        form.addRow(tr("Hasło"), self.password)
        form.addRow(tr("Adres nadawcy"), self.sender)
        form.addRow(tr("Nazwa nadawcy"), self.sender_name)
        form.addRow(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.on_save_clicked)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self) -> mailer.SmtpSettings:
        return mailer.SmtpSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            user=self.user.text().strip(),
            sender=self.sender.text().strip(),
            sender_name=self.sender_name.text().strip(),
            security=mailer.Security(self.security.currentData()),
        )

    @Slot()
    def on_save_clicked(self) -> None:
        settings = self.settings()
        if settings.user and self.password.text():
            try:
                mailer.store_password(settings.user, self.password.text())
            except Exception:
                messages.inform(
                    self,
                    tr(
                        "Brak systemowego magazynu haseł: hasła SMTP nie można zapamiętać. "
                        "Pozostałe ustawienia zapisano."
                    ),
                )
        save_settings(settings)
        self.accept()


class SendCardDialog(QDialog):
    """Recipients (the card's contact e-mail by default) and "Wyślij"; the work (PDF,
    SMTP, recording) runs on a worker thread."""

    sig_card_sent = Signal(object)  # CardDetails

    def __init__(self, ctx: AppContext, card: svc.CardDetails, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.card = card
        self.setWindowTitle(tr("Wyślij kartę {n}").format(n=card.number))
        self.recipients = QLineEdit(card.draft.contact_email)
        self.recipients.setPlaceholderText(tr("adres@firma.pl, drugi@firma.pl"))
        self.subject = QLabel(mailer.card_subject(card))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.settings_button = QPushButton(tr("Ustawienia SMTP…"))
        self.send_button = QPushButton(tr("Wyślij"))
        self.send_button.setDefault(True)
        cancel = QPushButton(tr("Anuluj"))
        form = QFormLayout()
        form.addRow(tr("Do"), self.recipients)
        form.addRow(tr("Temat"), self.subject)
        if card.sent_at:
            form.addRow(
                tr("Wysłano już"),
                QLabel(f"{card.sent_at.astimezone():%d.%m.%Y %H:%M} — {card.sent_to}"),
            )
        buttons = QHBoxLayout()
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.settings_button.clicked.connect(self.on_settings_clicked)
        self.send_button.clicked.connect(self.on_send_clicked)
        cancel.clicked.connect(self.reject)

    @Slot()
    def on_settings_clicked(self) -> None:
        SmtpSettingsDialog(self).exec()

    @Slot()
    def on_send_clicked(self) -> None:
        settings = load_settings()
        if not settings.configured:
            self.show_failure(mailer.MailError(mailer.MailFailure.NOT_CONFIGURED))
            return
        password = mailer.load_password(settings.user)
        recipients = self.recipients.text()
        card_id = self.card.id
        self.send_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(tr("Wysyłanie…"))
        self.ctx.runner.mutate(
            lambda s: mailer.send_card(s, card_id, recipients, settings, password),
            changes={"cards"},
            retry=False,  # never send the e-mail twice
            on_success=self.on_sent,
            on_failure=self.show_failure,
            owner=self,
        )

    def on_sent(self, card: svc.CardDetails) -> None:
        self.card = card
        self.sig_card_sent.emit(card)
        self.accept()

    def show_failure(self, exc: BaseException) -> None:
        self.send_button.setEnabled(True)
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(describe_mail_error(exc))
