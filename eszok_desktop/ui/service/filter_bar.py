"""The card list's filter bar: date range, company, NIP, kind, hours from–to, state.
Typing waits a moment before filtering so each keystroke is not a query."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from eszok_desktop.services.service.card_filter import CardFilter, CardState
from eszok_desktop.services.service.cards import WorkKindItem
from eszok_desktop.services.service.hours import parse_hours

DEBOUNCE_MS = 300


def qdate_to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class FilterBar(QWidget):
    sig_filter_changed = Signal(object)  # CardFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        today = QDate.currentDate()

        self.use_dates = QCheckBox(self.tr("Data od"))
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setEnabled(False)
        self.company = QLineEdit()
        self.company.setPlaceholderText(self.tr("Firma"))
        self.company.setClearButtonEnabled(True)
        self.nip = QLineEdit()
        self.nip.setPlaceholderText(self.tr("NIP"))
        self.nip.setMaximumWidth(120)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Wszystkie rodzaje"), None)
        self.hours_min = QLineEdit()
        self.hours_min.setPlaceholderText(self.tr("godz. od"))
        self.hours_max = QLineEdit()
        self.hours_max.setPlaceholderText(self.tr("do"))
        for edit in (self.hours_min, self.hours_max):
            edit.setMaximumWidth(70)
        self.state = QComboBox()
        self.state.addItem(self.tr("Wszystkie"), None)
        self.state.addItem(self.tr("Otwarte"), CardState.OPEN)
        self.state.addItem(self.tr("Zamknięte"), CardState.CLOSED)
        self.clear_button = QPushButton(self.tr("Wyczyść"))

        layout.addWidget(self.use_dates)
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel(self.tr("do")))
        layout.addWidget(self.date_to)
        layout.addWidget(self.company, 2)
        layout.addWidget(self.nip)
        layout.addWidget(self.kind)
        layout.addWidget(self.hours_min)
        layout.addWidget(self.hours_max)
        layout.addWidget(self.state)
        layout.addWidget(self.clear_button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.emit_now)
        self.use_dates.toggled.connect(self.on_use_dates_toggled)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.on_anything_changed)
        for line in (self.company, self.nip, self.hours_min, self.hours_max):
            line.textChanged.connect(self.on_anything_changed)
        for combo in (self.kind, self.state):
            combo.currentIndexChanged.connect(self.emit_now)
        self.clear_button.clicked.connect(self.on_clear_clicked)

    def set_work_kinds(self, kinds: list[WorkKindItem]) -> None:
        current = self.kind.currentData()
        self.kind.blockSignals(True)
        while self.kind.count() > 1:
            self.kind.removeItem(1)
        for kind in kinds:
            self.kind.addItem(kind.name, kind.id)
        index = self.kind.findData(current)
        self.kind.setCurrentIndex(max(index, 0))
        self.kind.blockSignals(False)

    def current_filter(self) -> CardFilter:
        dates = self.use_dates.isChecked()
        hours_min = parse_hours(self.hours_min.text())
        hours_max = parse_hours(self.hours_max.text())
        self.hours_min.setStyleSheet(
            "" if hours_min is not None or not self.hours_min.text().strip() else "color: red"
        )
        self.hours_max.setStyleSheet(
            "" if hours_max is not None or not self.hours_max.text().strip() else "color: red"
        )
        return CardFilter(
            date_from=qdate_to_date(self.date_from.date()) if dates else None,
            date_to=qdate_to_date(self.date_to.date()) if dates else None,
            company=self.company.text(),
            nip=self.nip.text(),
            work_kind_id=self.kind.currentData(),
            hours_min=hours_min,
            hours_max=hours_max,
            state=CardState(state) if (state := self.state.currentData()) else None,
        )

    @Slot(bool)
    def on_use_dates_toggled(self, checked: bool) -> None:
        self.date_from.setEnabled(checked)
        self.date_to.setEnabled(checked)
        self.emit_now()

    @Slot()
    def on_anything_changed(self) -> None:
        self._timer.start()

    @Slot()
    def on_clear_clicked(self) -> None:
        for widget in (self, *self.findChildren(QWidget)):
            widget.blockSignals(True)
        self.use_dates.setChecked(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for line in (self.company, self.nip, self.hours_min, self.hours_max):
            line.clear()
        self.kind.setCurrentIndex(0)
        self.state.setCurrentIndex(0)
        for widget in (self, *self.findChildren(QWidget)):
            widget.blockSignals(False)
        self.emit_now()

    @Slot()
    def emit_now(self) -> None:
        self._timer.stop()
        self.sig_filter_changed.emit(self.current_filter())

    def keyPressEvent(self, event) -> None:  # Enter filters at once
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.emit_now()
        else:
            super().keyPressEvent(event)
