"""The small dialog behind "Udostępnij mój kalendarz…" and "Poproś o dostęp…": pick a
person and a level (view / manage). The request itself is filed by the page."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar.events import Person


class ShareDialog(QDialog):
    SHARE = "share"  # the user shares their own calendar with someone
    REQUEST = "request"  # the user asks for access to someone's calendar

    def __init__(
        self, mode: str, people: Sequence[Person], me: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        share = mode == self.SHARE
        self.setWindowTitle(
            self.tr("Udostępnij mój kalendarz") if share else self.tr("Poproś o dostęp")
        )
        self.person_combo = QComboBox(self)
        for person in people:
            if person.active and person.id != me:
                self.person_combo.addItem(person.full_name, person.id)
        self.view_radio = QRadioButton(self.tr("podgląd (tylko oglądanie)"), self)
        self.manage_radio = QRadioButton(self.tr("zarządzanie (dodawanie i zmiany zadań)"), self)
        self.view_radio.setChecked(True)
        form = QFormLayout()
        form.addRow(self.tr("Komu:") if share else self.tr("Czyj kalendarz:"), self.person_combo)
        form.addRow(self.tr("Zakres:"), self.view_radio)
        form.addRow("", self.manage_radio)
        note = QLabel(
            self.tr("Prośba trafi do administratora; dostęp zacznie działać po jej zatwierdzeniu."),
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton(
            self.tr("Wyślij prośbę"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(self.tr("Anuluj"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button.setEnabled(self.person_combo.count() > 0)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def person_id(self) -> int | None:
        data = self.person_combo.currentData()
        return None if data is None else int(data)

    def set_person(self, user_id: int) -> None:
        self.person_combo.setCurrentIndex(self.person_combo.findData(user_id))

    def level(self) -> str:
        return "manage" if self.manage_radio.isChecked() else "view"
