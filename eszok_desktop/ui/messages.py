"""Polish messages for every failure a user can cause, and the small modal seams
(``ask``, ``show_error``, ``inform``) that tests patch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from eszok_desktop.db import errors as db_errors
from eszok_desktop.services import errors


def tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


VALIDATION_MESSAGES = {
    "required": "To pole jest wymagane.",
    "too_long": "Tekst jest za długi (najwyżej {limit} znaków).",
    "too_short": "Za krótkie (co najmniej {limit} znaków).",
    "invalid": "Nieprawidłowa wartość.",
    "taken": "Ta wartość jest już zajęta.",
    "unknown": "Nieznana wartość.",
    "needs_letter_and_digit": "Hasło musi zawierać literę i cyfrę.",
}

FIELD_MESSAGES = {
    ("password", "too_long"): "Hasło jest za długie (najwyżej {limit} bajtów, "
    "polskie litery liczą się podwójnie).",
    ("password", "too_short"): "Hasło musi mieć co najmniej {limit} znaków.",
    ("email", "invalid"): "Podaj prawidłowy adres e-mail.",
    ("email", "taken"): "Użytkownik z tym adresem e-mail już istnieje.",
}


def describe_validation(exc: errors.ValidationError) -> str:
    template = FIELD_MESSAGES.get((exc.field, exc.code)) or VALIDATION_MESSAGES.get(
        exc.code, "Nieprawidłowa wartość."
    )
    return tr(template).format(limit=exc.limit)


# Failures whose message needs nothing from the exception, by type (subclasses included).
PLAIN_MESSAGES: dict[type[BaseException], str] = {
    errors.PermissionDenied: "Brak uprawnień do wykonania tej operacji.",
    errors.NotSignedIn: "Sesja wygasła. Zaloguj się ponownie.",
    errors.Contention: "Ten zapis zderzył się z zapisem innego użytkownika i został "
    "wycofany. Wprowadzone dane pozostały w oknie — zapisz ponownie.",
    errors.AlreadyApplied: "Te zmiany zostały zapisane już wcześniej, tuż przed utratą "
    "połączenia — nie zapisano ich drugi raz. Widok został odświeżony.",
    errors.KindRetired: "Wybrany rodzaj został wycofany przez administratora. Wybierz inny.",
    errors.ServerReadOnly: "Serwer bazy danych przyjmuje teraz tylko odczyt, więc nie "
    "zapisano zmian. Wprowadzone dane pozostały w oknie — spróbuj zapisać później.",
    errors.ServerStorageFull: "Serwerowi bazy danych zabrakło miejsca lub zasobów, więc nie "
    "zapisano zmian. Wprowadzone dane pozostały w oknie — powiadom administratora.",
    errors.ConnectionLost: "Utracono połączenie z serwerem. Spróbuj ponownie za chwilę.",
    db_errors.ServerBinariesNotFound: "Nie znaleziono programów serwera PostgreSQL na tym "
    "komputerze. Zainstaluj PostgreSQL albo połącz się z serwerem centralnym.",
    db_errors.ServerStartFailed: "Nie udało się uruchomić lokalnego serwera bazy danych.",
    db_errors.ServerUnreachable: "Nie można połączyć się z serwerem bazy danych. Sprawdź "
    "adres, port i połączenie sieciowe.",
    db_errors.AuthenticationFailed: "Serwer odrzucił hasło połączenia z bazą danych.",
    db_errors.DatabaseMissing: "Na serwerze nie ma bazy danych o tej nazwie.",
    db_errors.PgcryptoMissing: "Serwer bazy danych nie ma rozszerzenia pgcrypto, którego "
    "wymaga logowanie. Poproś administratora serwera o jego instalację.",
    db_errors.SchemaNotInstalled: "Baza danych nie zawiera jeszcze schematu eSZOK. "
    "Administrator musi uruchomić „eszok db upgrade”.",
}


def describe_error(exc: BaseException) -> str:
    """One clear Polish sentence (or two) for ``exc``; never a traceback."""
    if isinstance(exc, errors.ValidationError):
        return describe_validation(exc)
    if isinstance(exc, errors.ConflictError):
        who = exc.changed_by or tr("inny użytkownik")
        when = exc.changed_at.astimezone().strftime("%d.%m.%Y %H:%M") if exc.changed_at else ""
        return (
            tr("Ten rekord został w międzyczasie zmieniony przez: {who} {when}.")
            .format(who=who, when=when)
            .strip()
        )
    for kind in type(exc).__mro__:
        if kind in PLAIN_MESSAGES:
            return tr(PLAIN_MESSAGES[kind])
    if isinstance(exc, db_errors.SchemaVersionMismatch):
        if exc.database_is_newer:
            return tr(
                "Baza danych ma nowszą wersję schematu niż ten program. "
                "Zaktualizuj eSZOK na tym komputerze."
            )
        return tr(
            "Baza danych ma starszą wersję schematu niż ten program. "
            "Administrator musi uruchomić „eszok db upgrade”."
        )
    return tr("Wystąpił nieoczekiwany błąd: {error}").format(error=str(exc)[:300])


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    QMessageBox.warning(parent, title or tr("eSZOK"), describe_error(exc))


def inform(parent: QWidget | None, text: str, title: str | None = None) -> None:
    QMessageBox.information(parent, title or tr("eSZOK"), text)


def ask(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    """Yes/no question; tests patch this seam."""
    answer = QMessageBox.question(
        parent,
        title or tr("eSZOK"),
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
