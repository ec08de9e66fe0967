"""A record's change history as a table (time, user, field, old → new), oldest first.

Generic: any record whose service returns entries with ``changed_at``, ``user``,
``operation``, ``field``, ``old`` and ``new`` can show it, given field labels and a value
formatter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

ModelIndex = QModelIndex | QPersistentModelIndex
OPERATIONS = {"I": "utworzono", "U": "zmieniono", "D": "usunięto"}


class HistoryEntryLike(Protocol):
    changed_at: Any
    user: str | None
    operation: str
    field: str
    old: Any
    new: Any


def plain_value(_field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "tak" if value else "nie"
    return str(value)


class HistoryModel(QAbstractTableModel):
    HEADERS = ("Czas", "Użytkownik", "Operacja", "Pole", "Było", "Jest")

    def __init__(
        self,
        labels: dict[str, str],
        format_value: Callable[[str, Any], str] = plain_value,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.labels = labels
        self.format_value = format_value
        self._entries: list[HistoryEntryLike] = []

    def set_entries(self, entries: Sequence[HistoryEntryLike]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        e = self._entries[index.row()]
        column = index.column()
        if column == 0:
            return e.changed_at.astimezone().strftime("%d.%m.%Y %H:%M:%S")
        if column == 1:
            return e.user or "—"
        if column == 2:
            return OPERATIONS.get(e.operation, e.operation)
        if column == 3:
            return self.labels.get(e.field, e.field)
        if column == 4:
            return "" if e.operation == "I" else self.format_value(e.field, e.old)
        return "" if e.operation == "D" else self.format_value(e.field, e.new)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


class HistoryTab(QWidget):
    def __init__(
        self,
        labels: dict[str, str],
        format_value: Callable[[str, Any], str] = plain_value,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = HistoryModel(labels, format_value, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def set_entries(self, entries: Sequence[HistoryEntryLike]) -> None:
        self.model.set_entries(entries)
