"""Zestawienie godzinowe (F-HOURS): the hours of task cards in a period, per card with
subtotals per company and a grand total, computed in SQL by ``eszok.hours_summary``
(which also enforces hours.all / hours.own); exports to CSV and XLSX and a PDF."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eszok_desktop.services.errors import ValidationError, translate_db_error
from eszok_desktop.services.service.hours import format_hours


class PeriodPreset(enum.StrEnum):
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    CUSTOM = "custom"


def period_for(preset: PeriodPreset, today: date) -> tuple[date, date]:
    """First and last day of a preset period around ``today`` (CUSTOM: this month)."""
    first = today.replace(day=1)
    if preset is PeriodPreset.LAST_MONTH:
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    if preset is PeriodPreset.THIS_YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


@dataclass(frozen=True)
class HoursLine:
    card_id: int
    number: str
    work_date: date
    company_name: str
    work_kind: str
    technician: str
    hours: Decimal


@dataclass(frozen=True)
class CompanyHours:
    company_name: str
    lines: tuple[HoursLine, ...]
    subtotal: Decimal
    cards: int = 0


@dataclass(frozen=True)
class HoursReport:
    """``details_complete`` is False when only the totals were fetched (more cards than
    the screen's detail limit); exports always ask for every card."""

    date_from: date
    date_to: date
    companies: tuple[CompanyHours, ...]
    total: Decimal
    card_count: int = 0
    details_complete: bool = True


DETAIL_LIMIT = 5000


def _params(date_from, date_to, technician_id, company) -> dict:
    return {"f": date_from, "t": date_to, "tech": technician_id, "company": company.strip() or None}


def hours_summary(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    technician_id: int | None = None,
    company: str = "",
    detail_limit: int | None = DETAIL_LIMIT,
) -> HoursReport:
    """The report for the period: subtotals per company and the grand total, plus each
    card's line when there are at most ``detail_limit`` cards (None: always).

    PermissionDenied for users without hours.* (the database refuses them); hours.own
    users get only their own hours whatever they ask for.
    """
    if date_to < date_from:
        raise ValidationError("date_to", "before_start")
    params = _params(date_from, date_to, technician_id, company)
    try:
        totals = session.execute(
            text(
                "SELECT company_name, cards, hours FROM eszok.hours_totals(:f, :t, :tech, :company)"
            ),
            params,
        ).all()
        count = next((int(n) for name, n, _h in totals if name is None), 0)
        total = next((h for name, _n, h in totals if name is None and h is not None), None)
        if detail_limit is not None and count > detail_limit:
            companies = tuple(
                CompanyHours(name, (), hours, int(n)) for name, n, hours in totals if name
            )
            return HoursReport(
                date_from, date_to, companies, total or Decimal("0.00"), count, False
            )
        rows = session.execute(
            text(
                "SELECT company_name, card_id, number, work_date, work_kind, technician, hours"
                " FROM eszok.hours_summary(:f, :t, :tech, :company)"
            ),
            params,
        ).all()
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
    companies_list: list[CompanyHours] = []
    lines: list[HoursLine] = []
    total = Decimal("0.00")
    for company_name, card_id, number, work_date, kind, tech, hours in rows:
        if card_id is not None:
            lines.append(HoursLine(card_id, number, work_date, company_name, kind, tech, hours))
        elif company_name is not None:
            companies_list.append(CompanyHours(company_name, tuple(lines), hours, len(lines)))
            lines = []
        elif hours is not None:  # the grand total; its sum is NULL over no cards
            total = hours
    return HoursReport(
        date_from, date_to, tuple(companies_list), total, sum(c.cards for c in companies_list)
    )


HEADERS = ("Firma", "Numer karty", "Data", "Rodzaj pracy", "Serwisant", "Godziny")


def _table(report: HoursReport) -> list[tuple[str, str, str, str, str, Decimal]]:
    out: list[tuple[str, str, str, str, str, Decimal]] = []
    for company in report.companies:
        for line in company.lines:
            out.append(
                (
                    line.company_name,
                    line.number,
                    line.work_date.strftime("%d.%m.%Y"),
                    line.work_kind,
                    line.technician,
                    line.hours,
                )
            )
        label = "Razem firma" if company.lines else f"Razem firma (kart: {company.cards})"
        out.append((company.company_name, label, "", "", "", company.subtotal))
    out.append(("RAZEM", "", "", "", "", report.total))
    return out


def to_csv(report: HoursReport) -> bytes:
    """Semicolon-separated, comma decimals, UTF-8 with BOM: what Polish Excel opens."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for *cells, hours in _table(report):
        writer.writerow([*cells, format_hours(hours)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: HoursReport) -> bytes:
    """A workbook with real numbers (summable) and bold subtotal rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Zestawienie"
    ws.append([f"Zestawienie godzinowe {report.date_from:%d.%m.%Y} – {report.date_to:%d.%m.%Y}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for *cells, hours in _table(report):
        ws.append([*cells, float(hours)])
        row = ws.max_row
        ws.cell(row, 6).number_format = "0.00"
        if cells[1].startswith("Razem firma") or not cells[1]:
            for cell in ws[row]:
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (34, 16, 12, 16, 24, 10), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_pdf(report: HoursReport, issuer_name: str = "eSZOK — obsługa serwisowa") -> bytes:
    """The printable report: header, table with subtotals, and a bar chart per company."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    from eszok_desktop.services.service.card_pdf import Issuer, header_table, paragraph, pdf_styles

    styles = pdf_styles()
    regular, bold = styles["value"].fontName, styles["label"].fontName
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Zestawienie godzinowe",
    )
    period = f"{report.date_from:%d.%m.%Y} – {report.date_to:%d.%m.%Y}"
    data = [list(HEADERS)]
    bold_rows = [0]
    for *cells, hours in _table(report):
        data.append([*cells, format_hours(hours)])
        if cells[1].startswith("Razem firma") or not cells[1]:
            bold_rows.append(len(data) - 1)
    table = Table(
        data, repeatRows=1, colWidths=[52 * mm, 27 * mm, 20 * mm, 27 * mm, 40 * mm, 14 * mm]
    )
    style = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#aaaaaa")),
        ("ALIGN", (5, 0), (5, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef5f0")),
    ]
    for row in bold_rows:
        style.append(("FONTNAME", (0, row), (-1, row), bold))
    table.setStyle(TableStyle(style))
    story = [
        header_table(Issuer(issuer_name), styles, f"Okres: {period}"),
        Spacer(1, 6 * mm),
        paragraph(f"Zestawienie godzinowe {period}", styles["title"]),
    ]
    top = sorted(report.companies, key=lambda c: c.subtotal, reverse=True)[:15]
    if top:
        height = 14 * len(top) + 30
        drawing = Drawing(180 * mm, height)
        chart = HorizontalBarChart()
        chart.x, chart.y = 60 * mm, 15
        chart.width, chart.height = 110 * mm, height - 25
        chart.data = [[float(c.subtotal) for c in reversed(top)]]
        chart.categoryAxis.categoryNames = [c.company_name[:40] for c in reversed(top)]
        chart.categoryAxis.labels.fontName = regular
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = colors.HexColor("#2e8b57")
        drawing.add(chart)
        story += [drawing, Spacer(1, 4 * mm)]
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
