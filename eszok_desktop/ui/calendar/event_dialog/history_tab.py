"""The "Historia" tab: the event's change log, oldest first, one row per changed field
(marked with a pencil), plus rows for its creation and deletion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar.history import HistoryEntry


def tr(text: str) -> str:
    return QCoreApplication.translate("HistoryTab", text)


FIELD_LABELS = {
    "title": "Tytuł",
    "calendar_id": "Kalendarz",
    "kind_id": "Rodzaj",
    "starts_at": "Początek",
    "ends_at": "Koniec",
    "all_day": "Cały dzień",
    "participant_ids": "Uczestnicy",
    "responsible_id": "Odpowiedzialny",
    "company_name": "Firma",
    "company_nip": "NIP",
    "company_address": "Adres",
    "address_lat": "Szerokość geograficzna",
    "address_lon": "Długość geograficzna",
    "note": "Notatka",
}
COLUMNS = ("", "Kiedy", "Kto", "Pole", "Było", "Jest")


def pencil_icon(size: int = 16) -> QIcon:
    """A small pencil, painted (no icon theme is guaranteed on every desktop)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 16
    body = QPolygonF(
        [
            QPointF(3 * s, 11 * s),
            QPointF(11 * s, 3 * s),
            QPointF(13 * s, 5 * s),
            QPointF(5 * s, 13 * s),
        ]
    )
    p.setPen(QPen(QColor("#5a4a00"), 0.8 * s))
    p.setBrush(QColor("#f2b705"))
    p.drawPolygon(body)
    tip = QPolygonF([QPointF(3 * s, 11 * s), QPointF(5 * s, 13 * s), QPointF(2 * s, 14 * s)])
    p.setBrush(QColor("#3a3a3a"))
    p.drawPolygon(tip)
    p.end()
    return QIcon(pixmap)


def format_value(field: str, value: Any, tz: tzinfo) -> str:
    """A history value as text: times in the local zone, lists of names, yes/no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, bool):
        return tr("tak") if value else tr("nie")
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:.5f}"
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "…"


class HistoryTab(QWidget):
    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.status = QLabel(tr("Wczytywanie historii…"), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self._pencil = pencil_icon()

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.table.setRowCount(0)
        rows: list[tuple[bool, str, str, str, str, str]] = []
        for entry in entries:
            when = entry.changed_at.astimezone(self.tz).strftime("%d.%m.%Y %H:%M:%S")
            who = entry.user_name or tr("(poza programem: {login})").format(login=entry.db_user)
            if entry.operation == "I":
                title = next((c.new for c in entry.changes if c.field == "title"), "")
                rows.append((False, when, who, tr("Utworzenie zadania"), "", str(title)))
            elif entry.operation == "D":
                title = next((c.old for c in entry.changes if c.field == "title"), "")
                rows.append((False, when, who, tr("Usunięcie zadania"), str(title), ""))
            else:
                for change in entry.changes:
                    label = tr(FIELD_LABELS.get(change.field, change.field))
                    rows.append(
                        (
                            True,
                            when,
                            who,
                            label,
                            format_value(change.field, change.old, self.tz),
                            format_value(change.field, change.new, self.tz),
                        )
                    )
        self.table.setRowCount(len(rows))
        for r, (changed, *texts) in enumerate(rows):
            icon_item = QTableWidgetItem()
            if changed:
                icon_item.setIcon(self._pencil)
                icon_item.setToolTip(tr("Zmiana"))
            self.table.setItem(r, 0, icon_item)
            for c, text in enumerate(texts, start=1):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status.setText(
            tr("Brak zapisanych zmian.") if not rows else tr("Zmiany od najstarszej:")
        )

    def set_failed(self, message: str) -> None:
        self.status.setText(message)

    def row_texts(self) -> list[list[str]]:
        """The table's text, row by row (tests, printing)."""
        return [
            [self.table.item(r, c).text() for c in range(1, self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]

    def row_has_pencil(self, row: int) -> bool:
        return not self.table.item(row, 0).icon().isNull()
