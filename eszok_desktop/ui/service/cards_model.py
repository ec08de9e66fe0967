"""The card list's model: ids plus a row cache, pages fetched from the database as the
user scrolls (``canFetchMore``/``fetchMore``), filtering and sorting done in SQL."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service.card_filter import CardFilter, CardSort, CardState, SortKey
from eszok_desktop.services.service.hours import format_hours
from eszok_desktop.ui.task_runner import TaskRunner

ModelIndex = QModelIndex | QPersistentModelIndex
CARD_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    NUMBER = 0
    WORK_DATE = 1
    COMPANY = 2
    NIP = 3
    KIND = 4
    HOURS = 5
    TECHNICIAN = 6
    STATE = 7
    SENT = 8


HEADERS = {
    Column.NUMBER: "Numer",
    Column.WORK_DATE: "Data",
    Column.COMPANY: "Firma",
    Column.NIP: "NIP",
    Column.KIND: "Rodzaj pracy",
    Column.HOURS: "Godziny",
    Column.TECHNICIAN: "Serwisant",
    Column.STATE: "Stan",
    Column.SENT: "Wysłano",
}
SORT_KEYS = {
    Column.NUMBER: SortKey.NUMBER,
    Column.WORK_DATE: SortKey.WORK_DATE,
    Column.COMPANY: SortKey.COMPANY,
    Column.NIP: SortKey.NIP,
    Column.KIND: SortKey.KIND,
    Column.HOURS: SortKey.HOURS,
    Column.TECHNICIAN: SortKey.TECHNICIAN,
    Column.STATE: SortKey.STATE,
}
STATE_TEXT = {CardState.OPEN: "Otwarta", CardState.CLOSED: "Zamknięta"}


def tr(text: str) -> str:
    return QCoreApplication.translate("CardsModel", text)


def cell_text(row: svc.CardRow, column: Column) -> str:
    if column is Column.NUMBER:
        return row.number
    if column is Column.WORK_DATE:
        return row.work_date.strftime("%d.%m.%Y")
    if column is Column.COMPANY:
        return row.company_name
    if column is Column.NIP:
        return row.company_nip or ""
    if column is Column.KIND:
        return row.work_kind
    if column is Column.HOURS:
        return format_hours(row.hours)
    if column is Column.TECHNICIAN:
        return row.technician
    if column is Column.STATE:
        return tr(STATE_TEXT[row.state])
    return row.sent_at.astimezone().strftime("%d.%m.%Y %H:%M") if row.sent_at else ""


class CardsModel(QAbstractTableModel):
    """Rows arrive a page at a time; ``flags`` and ``data`` never query."""

    sig_page_loaded = Signal(int)  # rows now cached
    sig_load_failed = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.card_filter = CardFilter()
        self.card_sort = CardSort()
        self.page_size = svc.PAGE_SIZE
        self._rows: list[svc.CardRow] = []
        self._cursor: tuple[Any, ...] | None = None
        self._exhausted = True
        self._loading = False
        self._generation = 0

    # --- what the view asks -------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column)
        if role == CARD_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.HOURS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row.state is CardState.CLOSED:
            return QBrush(QColor("#666666"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(Column)
        ):
            return tr(HEADERS[Column(section)])
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        card_filter, sort, cursor, limit = (
            self.card_filter,
            self.card_sort,
            self._cursor,
            self.page_size,
        )
        self.runner.query(
            lambda s: svc.list_cards(s, card_filter, sort, after=cursor, limit=limit),
            on_success=lambda page: self._on_page_loaded(generation, page),
            on_failure=lambda exc: self._on_page_failed(generation, exc),
            owner=self,
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        self.card_sort = CardSort(key, order == Qt.SortOrder.DescendingOrder)
        self.reload()

    # --- what the screen asks ----------------------------------------------------------
    def set_filter(self, card_filter: CardFilter) -> None:
        self.card_filter = card_filter
        self.reload()

    def reload(self) -> None:
        """Drop the cache and fetch the first page again (results of older requests are
        ignored by generation)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._cursor = None
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self.fetchMore()

    def card_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def card_row(self, row: int) -> svc.CardRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    # --- results -------------------------------------------------------------------------
    def _on_page_loaded(self, generation: int, page: svc.CardPage) -> None:
        if generation != self._generation:
            return
        # State first: views and testers may call fetchMore from inside endInsertRows.
        self._loading = False
        self._cursor = page.cursor
        self._exhausted = page.cursor is None
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self.sig_page_loaded.emit(len(self._rows))

    def _on_page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.sig_load_failed.emit(exc)
