""" "Karty zadaniowe": the filterable card list, the count and total hours of the matching
cards, "Nowa karta zadaniowa", and the "Akcja" menu of a card (Edytuj, Wyślij,
Drukuj / Podgląd PDF, Usuń)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service.card_filter import CardFilter
from eszok_desktop.services.service.card_pdf import card_pdf
from eszok_desktop.services.service.hours import format_hours
from eszok_desktop.services.service.mailer import attachment_name
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.service.card_form import CardForm
from eszok_desktop.ui.service.cards_model import SORT_KEYS, CardsModel, Column
from eszok_desktop.ui.service.filter_bar import FilterBar
from eszok_desktop.ui.service.pdf_preview import PdfPreviewDialog
from eszok_desktop.ui.service.send_dialog import SendCardDialog


def tr(text: str) -> str:
    return QCoreApplication.translate("CardsView", text)


def totals_text(totals: svc.CardTotals) -> str:
    return tr("Kart: {count}   Suma godzin: {hours}").format(
        count=f"{totals.count:,}".replace(",", "\u00a0"), hours=format_hours(totals.hours)
    )


class CardsView(QWidget):
    sig_dialog_opened = Signal(object)  # the dialog, for tests and screenshots

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: QDialog | None = None
        self.may_create = ctx.user.can("cards.own") or ctx.user.can("cards.all")

        title = QLabel(self.tr("Karty zadaniowe"))
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.new_button = QPushButton(self.tr("Nowa karta zadaniowa"))
        self.new_button.setVisible(self.may_create)
        self.filter_bar = FilterBar()
        self.model = CardsModel(ctx.runner, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(0)  # measuring thousands of rows is slow
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.COMPANY, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (Column.NUMBER, 110),
            (Column.WORK_DATE, 90),
            (Column.NIP, 100),
            (Column.KIND, 110),
            (Column.HOURS, 70),
            (Column.TECHNICIAN, 150),
            (Column.STATE, 90),
            (Column.SENT, 120),
        ):
            header.resizeSection(column, width)
        header.setSortIndicator(Column.WORK_DATE, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self.on_sort_changed)
        self.totals_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #b00020;")
        self.action_button = QPushButton(self.tr("Akcja"))
        self.action_menu = self.build_action_menu()
        self.action_button.setMenu(self.action_menu)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.new_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.totals_label)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.action_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.new_button.clicked.connect(self.on_new_clicked)
        self.filter_bar.sig_filter_changed.connect(self.on_filter_changed)
        self.table.doubleClicked.connect(self.on_row_double_clicked)
        self.table.customContextMenuRequested.connect(self.on_context_menu_requested)
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.model.sig_load_failed.connect(self.on_load_failed)
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.on_selection_changed()
        self.ctx.runner.query(
            lambda s: svc.list_work_kinds(s, active_only=False),
            on_success=self.filter_bar.set_work_kinds,
            owner=self,
        )
        self.refresh()

    def build_action_menu(self) -> QMenu:
        menu = QMenu(self)
        self.edit_action = QAction(self.tr("Edytuj"), self)
        self.send_action = QAction(self.tr("Wyślij…"), self)
        self.print_action = QAction(self.tr("Drukuj / Podgląd PDF"), self)
        self.delete_action = QAction(self.tr("Usuń"), self)
        for action in (self.edit_action, self.send_action, self.print_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        self.edit_action.triggered.connect(self.on_edit_triggered)
        self.send_action.triggered.connect(self.on_send_triggered)
        self.print_action.triggered.connect(self.on_print_triggered)
        self.delete_action.triggered.connect(self.on_delete_triggered)
        return menu

    # --- data ------------------------------------------------------------------------
    def scoped(self, card_filter: CardFilter) -> CardFilter:
        """Users without cards.all see only their own cards; say so to the planner."""
        if self.ctx.user.can("cards.all"):
            return card_filter
        return replace(card_filter, owner_id=self.ctx.user.id)

    def refresh(self) -> None:
        self.status_label.clear()
        self.on_filter_changed(self.filter_bar.current_filter())

    def refresh_totals(self, card_filter: CardFilter) -> None:
        self.ctx.runner.query(
            lambda s: svc.count_cards(s, card_filter),
            on_success=lambda totals: self.on_totals_loaded(card_filter, totals),
            on_failure=self.on_load_failed,
            owner=self,
        )

    def on_totals_loaded(self, card_filter: CardFilter, totals: svc.CardTotals) -> None:
        if card_filter == self.model.card_filter:
            self.totals_label.setText(totals_text(totals))

    @Slot(object)
    def on_filter_changed(self, card_filter: CardFilter) -> None:
        card_filter = self.scoped(card_filter)
        self.model.set_filter(card_filter)
        self.refresh_totals(card_filter)

    @Slot(int, Qt.SortOrder)
    def on_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:  # e.g. Wysłano: put the indicator back where it was
            current = next(c for c, k in SORT_KEYS.items() if k is self.model.card_sort.key)
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                current,
                Qt.SortOrder.DescendingOrder
                if self.model.card_sort.descending
                else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)
            return
        self.model.sort(column, order)

    @Slot(object)
    def on_changes_happened(self, kinds: frozenset[str]) -> None:
        if "cards" in kinds or "*" in kinds:
            self.refresh()

    @Slot(object)
    def on_load_failed(self, exc: BaseException) -> None:
        self.status_label.setText(messages.describe_error(exc))

    # --- selection & actions --------------------------------------------------------
    def selected_card_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.card_id(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    @Slot()
    def on_selection_changed(self, *_args) -> None:
        has = self.selected_card_id() is not None
        self.action_button.setEnabled(has)
        for action in (self.edit_action, self.send_action, self.print_action):
            action.setEnabled(has)
        self.delete_action.setEnabled(has and self.may_create)

    @Slot(QPoint)
    def on_context_menu_requested(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.select_row(index.row())
            self.action_menu.popup(self.table.viewport().mapToGlobal(pos))

    @Slot(QModelIndex)
    def on_row_double_clicked(self, index: QModelIndex) -> None:
        self.select_row(index.row())
        self.on_edit_triggered()

    def show_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.sig_dialog_opened.emit(dialog)

    @Slot()
    def on_new_clicked(self) -> None:
        self.show_dialog(CardForm(self.ctx, parent=self))

    @Slot()
    def on_edit_triggered(self) -> None:
        card_id = self.selected_card_id()
        if card_id is not None:
            self.show_dialog(CardForm(self.ctx, card_id=card_id, parent=self))

    @Slot()
    def on_send_triggered(self) -> None:
        card_id = self.selected_card_id()
        if card_id is None:
            return
        self.ctx.runner.query(
            lambda s: svc.get_card(s, card_id),
            on_success=lambda card: self.show_dialog(SendCardDialog(self.ctx, card, self)),
            owner=self,
        )

    @Slot()
    def on_print_triggered(self) -> None:
        card_id = self.selected_card_id()
        if card_id is None:
            return

        def work(session):
            card = svc.get_card(session, card_id)
            return card, card_pdf(card)

        self.ctx.runner.query(work, on_success=self.on_pdf_ready, owner=self)

    def on_pdf_ready(self, result: tuple[svc.CardDetails, bytes]) -> None:
        card, pdf = result
        self.show_dialog(PdfPreviewDialog(pdf, attachment_name(card), self))

    @Slot()
    def on_delete_triggered(self) -> None:
        row = self.table.selectionModel().selectedRows()
        card_row = self.model.card_row(row[0].row()) if row else None
        if card_row is None:
            return
        question = tr("Usunąć kartę {n} ({company})? Zniknie z listy; zostanie w historii zmian.")
        if not messages.ask(
            self, question.format(n=card_row.number, company=card_row.company_name)
        ):
            return
        card_id = card_row.id

        def work(session):
            card = svc.get_card(session, card_id)
            svc.delete_card(session, card_id, card.version)

        self.ctx.runner.mutate(
            work, changes={"cards"}, on_failure=self.on_delete_failed, owner=self
        )

    def on_delete_failed(self, exc: BaseException) -> None:
        if isinstance(exc, svc.CardClosed):
            messages.inform(self, tr("Karta jest zamknięta. Otwórz ją ponownie, aby ją usunąć."))
        else:
            messages.show_error(self, exc)
