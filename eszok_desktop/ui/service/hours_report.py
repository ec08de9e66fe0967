""" "Zestawienie godzinowe": period presets, technician and company filters, the table of
card hours with subtotals per company and a grand total, a bar chart of hours per company
(painted: QtCharts is not in PySide6-Essentials), exports and printing."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service import hours_report as hr
from eszok_desktop.services.service.hours import format_hours
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.service import pdf_preview
from eszok_desktop.ui.service.filter_bar import qdate_to_date

ModelIndex = QModelIndex | QPersistentModelIndex
CHART_BARS = 12


def tr(text: str) -> str:
    return QCoreApplication.translate("HoursReport", text)


class RowKind(enum.Enum):
    LINE = 1
    SUBTOTAL = 2
    TOTAL = 3


def flatten(report: hr.HoursReport) -> list[tuple[RowKind, tuple[str, ...]]]:
    """Table rows: each card, then its company's subtotal; the grand total last."""
    rows: list[tuple[RowKind, tuple[str, ...]]] = []
    for company in report.companies:
        for line in company.lines:
            rows.append(
                (
                    RowKind.LINE,
                    (
                        line.company_name,
                        line.number,
                        line.work_date.strftime("%d.%m.%Y"),
                        line.work_kind,
                        line.technician,
                        format_hours(line.hours),
                    ),
                )
            )
        rows.append(
            (
                RowKind.SUBTOTAL,
                (
                    company.company_name,
                    tr("Razem firma"),
                    "",
                    "",
                    "",
                    format_hours(company.subtotal),
                ),
            )
        )
    rows.append((RowKind.TOTAL, (tr("RAZEM"), "", "", "", "", format_hours(report.total))))
    return rows


class HoursModel(QAbstractTableModel):
    HEADERS = ("Firma", "Numer karty", "Data", "Rodzaj pracy", "Serwisant", "Godziny")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[RowKind, tuple[str, ...]]] = []

    def set_report(self, report: hr.HoursReport | None) -> None:
        self.beginResetModel()
        self._rows = flatten(report) if report is not None else []
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        kind, cells = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[index.column()]
        if role == Qt.ItemDataRole.FontRole and kind is not RowKind.LINE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and kind is not RowKind.LINE:
            return QBrush(QColor("#e6f2ea" if kind is RowKind.SUBTOTAL else "#cfe6d7"))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return tr(self.HEADERS[section])
        return None


def chart_bars(report: hr.HoursReport | None, limit: int = CHART_BARS) -> list[tuple[str, Decimal]]:
    """The companies with the most hours, largest first; the rest summed as "Pozostałe"."""
    if report is None:
        return []
    ranked = sorted(report.companies, key=lambda c: (-c.subtotal, c.company_name))
    bars = [(c.company_name, c.subtotal) for c in ranked[:limit]]
    rest = sum((c.subtotal for c in ranked[limit:]), Decimal(0))
    if rest:
        bars.append((tr("Pozostałe"), rest))
    return bars


class HoursChart(QWidget):
    """Horizontal bars of hours per company."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, Decimal]] = []
        self.setMinimumWidth(280)

    def set_report(self, report: hr.HoursReport | None) -> None:
        self.bars = chart_bars(report)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.drawText(QRectF(8, 4, self.width() - 16, 20), tr("Godziny wg firm"))
        painter.setFont(self.font())
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("Brak danych"))
            painter.end()
            return
        top, left = 30.0, min(150.0, self.width() * 0.4)
        row_h = min(28.0, (self.height() - top - 8) / len(self.bars))
        most = max(float(h) for _, h in self.bars) or 1.0
        width = self.width() - left - 60
        metrics = painter.fontMetrics()
        for i, (name, hours) in enumerate(self.bars):
            y = top + i * row_h
            label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(left - 12))
            painter.setPen(QColor("#222222"))
            painter.drawText(
                QRectF(4, y, left - 8, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            bar = QRectF(left, y + row_h * 0.15, max(2.0, width * float(hours) / most), row_h * 0.7)
            painter.fillRect(bar, QColor("#2e8b57"))
            painter.drawText(
                QRectF(bar.right() + 4, y, 56, row_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                format_hours(hours),
            )
        painter.end()


PRESETS = (
    (hr.PeriodPreset.THIS_MONTH, "Ten miesiąc"),
    (hr.PeriodPreset.LAST_MONTH, "Poprzedni miesiąc"),
    (hr.PeriodPreset.THIS_YEAR, "Ten rok"),
    (hr.PeriodPreset.CUSTOM, "Zakres"),
)


class HoursReportView(QWidget):
    sig_report_loaded = Signal(object)  # HoursReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: hr.HoursReport | None = None
        self.detail_limit = hr.DETAIL_LIMIT
        self._generation = 0  # answers to older requests are dropped
        title = QLabel(self.tr("Zestawienie godzinowe"))
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.preset = QComboBox()
        for value, label in PRESETS:
            self.preset.addItem(self.tr(label), value)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        self.technician = QComboBox()
        self.technician.addItem(self.tr("Wszyscy serwisanci"), None)
        self.technician.setVisible(ctx.user.can("hours.all"))
        self.company = QLineEdit()
        self.company.setPlaceholderText(self.tr("Firma (fragment nazwy)"))
        self.company.setClearButtonEnabled(True)
        self.show_button = QPushButton(self.tr("Pokaż"))
        self.csv_button = QPushButton(self.tr("CSV…"))
        self.xlsx_button = QPushButton(self.tr("XLSX…"))
        self.pdf_button = QPushButton(self.tr("PDF…"))
        self.print_button = QPushButton(self.tr("Drukuj…"))
        self.summary = QLabel()
        self.status = QLabel()
        self.status.setStyleSheet("color: #b00020;")
        self.status.setWordWrap(True)
        self.model = HoursModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chart = HoursChart()
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        filters = QHBoxLayout()
        for widget in (
            QLabel(self.tr("Okres")),
            self.preset,
            self.date_from,
            QLabel(self.tr("do")),
            self.date_to,
            self.technician,
        ):
            filters.addWidget(widget)
        filters.addWidget(self.company, 1)
        filters.addWidget(self.show_button)
        exports = QHBoxLayout()
        exports.addWidget(self.summary)
        exports.addWidget(self.status, 1)
        for button in (self.csv_button, self.xlsx_button, self.pdf_button, self.print_button):
            exports.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(exports)

        self.preset.currentIndexChanged.connect(self.on_preset_changed)
        self.show_button.clicked.connect(self.load)
        self.company.returnPressed.connect(self.load)
        self.technician.currentIndexChanged.connect(self.load)
        self.csv_button.clicked.connect(self.on_csv_clicked)
        self.xlsx_button.clicked.connect(self.on_xlsx_clicked)
        self.pdf_button.clicked.connect(self.on_pdf_clicked)
        self.print_button.clicked.connect(self.on_print_clicked)
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.set_exports_enabled(False)
        if ctx.user.can("hours.all"):
            ctx.runner.query(
                svc.list_technicians, on_success=self.on_technicians_loaded, owner=self
            )
        self.on_preset_changed()

    def on_technicians_loaded(self, technicians: list[svc.Technician]) -> None:
        self.technician.blockSignals(True)
        for tech in technicians:
            self.technician.addItem(tech.full_name, tech.id)
        self.technician.blockSignals(False)

    def period(self) -> tuple[date, date]:
        return qdate_to_date(self.date_from.date()), qdate_to_date(self.date_to.date())

    @Slot()
    def on_preset_changed(self, *_args) -> None:
        preset = hr.PeriodPreset(self.preset.currentData())
        custom = preset is hr.PeriodPreset.CUSTOM
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            start, end = hr.period_for(preset, date.today())
            self.date_from.setDate(QDate(start.year, start.month, start.day))
            self.date_to.setDate(QDate(end.year, end.month, end.day))
            self.load()

    @Slot()
    def load(self) -> None:
        start, end = self.period()
        technician = self.technician.currentData()
        company = self.company.text()
        limit = self.detail_limit
        self.status.clear()
        self._generation += 1
        generation = self._generation
        self.ctx.runner.query(
            lambda s: hr.hours_summary(
                s, start, end, technician_id=technician, company=company, detail_limit=limit
            ),
            on_success=lambda r: self._if_current(generation, self.on_report_loaded, r),
            on_failure=lambda e: self._if_current(generation, self.on_report_failed, e),
            owner=self,
        )

    def _if_current(self, generation: int, then, value) -> None:
        if generation == self._generation:
            then(value)

    def on_report_loaded(self, report: hr.HoursReport) -> None:
        self.report = report
        self.model.set_report(report)
        self.chart.set_report(report)
        summary = self.tr("Kart: {n}   Firm: {c}   Razem godzin: {h}").format(
            n=f"{report.card_count:,}".replace(",", "\u00a0"),
            c=f"{len(report.companies):,}".replace(",", "\u00a0"),
            h=format_hours(report.total),
        )
        if not report.details_complete:
            summary += "   " + self.tr(
                "(pokazano sumy firm; karty pojedynczo: zawęź okres lub firmę — "
                "eksport zawiera wszystkie karty)"
            )
        self.summary.setText(summary)
        self.set_exports_enabled(True)
        self.sig_report_loaded.emit(report)

    def on_report_failed(self, exc: BaseException) -> None:
        self.report = None
        self.model.set_report(None)
        self.chart.set_report(None)
        self.set_exports_enabled(False)
        self.status.setText(messages.describe_error(exc))

    def set_exports_enabled(self, enabled: bool) -> None:
        for button in (self.csv_button, self.xlsx_button, self.pdf_button, self.print_button):
            button.setEnabled(enabled)

    @Slot(object)
    def on_changes_happened(self, kinds: frozenset[str]) -> None:
        if "cards" in kinds or "*" in kinds:
            self.load()

    def file_stem(self) -> str:
        start, end = self.period()
        return f"zestawienie-{start:%Y%m%d}-{end:%Y%m%d}"

    def export(self, data: bytes, extension: str, filters: str) -> None:
        path = pdf_preview.choose_save_path(
            self, self.tr("Eksport zestawienia"), f"{self.file_stem()}.{extension}", filters
        )
        if not path:
            return
        try:
            with open(path, "wb") as out:
                out.write(data)
        except OSError as exc:
            self.status.setText(self.tr("Nie udało się zapisać pliku: {e}").format(e=exc.strerror))

    def with_complete_report(self, then) -> None:
        """Call ``then(report)`` with every card's line (fetched on a worker if the shown
        report has only the totals)."""
        report = self.report
        if report is None:
            return
        if report.details_complete:
            then(report)
            return
        technician, company = self.technician.currentData(), self.company.text()
        self.ctx.runner.query(
            lambda s: hr.hours_summary(
                s,
                report.date_from,
                report.date_to,
                technician_id=technician,
                company=company,
                detail_limit=None,
            ),
            on_success=then,
            on_failure=self.on_report_failed,
            owner=self,
        )

    @Slot()
    def on_csv_clicked(self) -> None:
        self.with_complete_report(
            lambda r: self.export(hr.to_csv(r), "csv", self.tr("CSV (*.csv)"))
        )

    @Slot()
    def on_xlsx_clicked(self) -> None:
        self.with_complete_report(
            lambda r: self.export(hr.to_xlsx(r), "xlsx", self.tr("Excel (*.xlsx)"))
        )

    @Slot()
    def on_pdf_clicked(self) -> None:
        self.with_complete_report(
            lambda r: self.export(hr.to_pdf(r), "pdf", self.tr("PDF (*.pdf)"))
        )

    @Slot()
    def on_print_clicked(self) -> None:
        printer = pdf_preview.choose_printer(self)
        if printer is not None:
            self.with_complete_report(lambda r: pdf_preview.print_pdf(hr.to_pdf(r), printer))
