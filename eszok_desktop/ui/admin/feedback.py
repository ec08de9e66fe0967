"""Polish messages for the administration rules, and the modal seams the pages use
(tests patch ``show_error``, ``ask`` and ``inform`` here)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from eszok_desktop.services.admin import errors as admin_errors
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.ui import messages


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


ADMIN_ERRORS = {
    admin_errors.LastAdministrator: "Nie można odebrać roli ani dezaktywować ostatniego "
    "aktywnego administratora. Najpierw nadaj rolę administratora innej osobie.",
    admin_errors.AlreadyDecided: "Ta prośba została już rozpatrzona przez innego "
    "administratora. Lista zostanie odświeżona.",
    admin_errors.KindInUse: "Ten rodzaj jest już używany, więc nie można go usunąć. "
    "Możesz go wycofać — nie będzie proponowany przy nowych wpisach.",
    admin_errors.KindRetired: "Ten rodzaj został wycofany i nie można go wybrać.",
    admin_errors.NotFound: "Ten rekord już nie istnieje. Lista zostanie odświeżona.",
}

FIELD_ERRORS = {
    ("old_password", "wrong"): "Obecne hasło jest nieprawidłowe.",
    ("old_password", "required"): "Podaj obecne hasło.",
    ("old_password", "locked"): "Po kilku nieudanych próbach konto jest czasowo zablokowane. "
    "Spróbuj za kwadrans albo poproś administratora o odblokowanie.",
    ("new_password", "same_as_old"): "Nowe hasło musi różnić się od obecnego.",
    ("new_password", "mismatch"): "Powtórzone hasło różni się od nowego.",
    ("password", "mismatch"): "Powtórzone hasło różni się od podanego.",
    ("full_name", "required"): "Podaj imię i nazwisko.",
    ("email", "required"): "Podaj adres e-mail.",
    ("name", "required"): "Podaj nazwę.",
    ("name", "taken"): "Taka nazwa już istnieje.",
    ("title", "required"): "Podaj tytuł ogłoszenia.",
    ("visible_to", "before_start"): "Koniec widoczności musi być później niż jej początek.",
    ("visible_to", "invalid"): "Koniec widoczności musi być później niż jej początek.",
    ("grantee", "same_as_owner"): "Właściciel kalendarza i osoba uprawniona muszą być różne.",
    ("grantee", "required"): "Wybierz osobę, która otrzyma uprawnienie.",
    ("owner", "required"): "Wybierz właściciela kalendarza.",
}


def describe(exc: BaseException) -> str:
    """One Polish sentence for ``exc`` (falls back to the app-wide messages)."""
    for kind, text in ADMIN_ERRORS.items():
        if isinstance(exc, kind):
            return tr(text)
    if isinstance(exc, ValidationError):
        text = FIELD_ERRORS.get((exc.field, exc.code))
        if text is not None:
            return tr(text)
    return messages.describe_error(exc)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    QMessageBox.warning(parent, tr("Administracja"), describe(exc))


def ask(parent: QWidget | None, question: str) -> bool:
    return messages.ask(parent, question, tr("Administracja"))


def inform(parent: QWidget | None, text: str) -> None:
    messages.inform(parent, text, tr("Administracja"))


def local_time(value: datetime | None, *, with_time: bool = True) -> str:
    """``dd.mm.yyyy hh:mm`` in the local zone, or an empty string."""
    if value is None:
        return ""
    return value.astimezone().strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")
