"""The printable card (reportlab): company header, card data, description, hours,
technician, and signature boxes for the technician and the client."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from eszok_desktop.services.service.cards import CardDetails
from eszok_desktop.services.service.hours import format_hours
from eszok_desktop.services.service.pdf_fonts import register_fonts

STATE_LABELS = {"open": "Otwarta", "closed": "Zamknięta"}


@dataclass(frozen=True)
class Issuer:
    """The service company whose header is printed on its documents."""

    name: str = "eSZOK — obsługa serwisowa"
    lines: tuple[str, ...] = ()


def pdf_styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    return {
        "header": ParagraphStyle("header", fontName=bold, fontSize=14, leading=17),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, spaceAfter=6),
        "label": ParagraphStyle("label", fontName=bold, fontSize=9.5, leading=12),
        "value": ParagraphStyle("value", fontName=regular, fontSize=10, leading=13),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=14),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def header_table(issuer: Issuer, styles: dict[str, ParagraphStyle], right: str) -> Table:
    left = [paragraph(issuer.name, styles["header"])] + [
        paragraph(line, styles["small"]) for line in issuer.lines
    ]
    table = Table([[left, paragraph(right, styles["small"])]], colWidths=[120 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.HexColor("#2e8b57")),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
            ]
        )
    )
    return table


def card_pdf(card: CardDetails, issuer: Issuer | None = None) -> bytes:
    """The card as a one-page A4 PDF."""
    issuer = issuer or Issuer()
    styles = pdf_styles()
    d = card.draft
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Karta zadaniowa {card.number}",
        author=issuer.name,
    )
    data = [
        ("Data wykonania", d.work_date.strftime("%d.%m.%Y") if d.work_date else ""),
        ("Firma", d.company_name),
        ("NIP", d.company_nip or "—"),
        ("Adres", d.company_address or "—"),
        (
            "Osoba kontaktowa",
            ", ".join(x for x in (d.contact_person, d.contact_phone, d.contact_email) if x) or "—",
        ),
        ("Rodzaj pracy", card.work_kind),
        ("Liczba godzin", format_hours(d.hours) if d.hours is not None else ""),
        ("Serwisant", card.technician),
        ("Stan", STATE_LABELS.get(str(card.state), str(card.state))),
    ]
    rows = [[paragraph(k, styles["label"]), paragraph(v, styles["value"])] for k, v in data]
    info = Table(rows, colWidths=[45 * mm, 125 * mm])
    info.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef5f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    description = Table(
        [[paragraph(d.description or "—", styles["body"])]],
        colWidths=[170 * mm],
        minRowHeights=[40 * mm],
    )
    description.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    signatures = Table(
        [
            ["", "", ""],
            [
                paragraph("Podpis serwisanta", styles["small"]),
                "",
                paragraph("Podpis i pieczęć klienta", styles["small"]),
            ],
        ],
        colWidths=[75 * mm, 20 * mm, 75 * mm],
        rowHeights=[28 * mm, None],
    )
    signatures.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 0), 0.75, colors.black),
                ("BOX", (2, 0), (2, 0), 0.75, colors.black),
                ("ALIGN", (0, 1), (-1, 1), "CENTER"),
            ]
        )
    )
    created = card.created_at.astimezone().strftime("%d.%m.%Y")
    story = [
        header_table(issuer, styles, f"Wystawiono: {created}\nWystawił: {card.created_by}"),
        Spacer(1, 8 * mm),
        paragraph(f"Karta zadaniowa {card.number}", styles["title"]),
        info,
        paragraph("Opis wykonanych prac", styles["heading"]),
        description,
        Spacer(1, 12 * mm),
        KeepTogether(signatures),
    ]
    doc.build(story)
    return buffer.getvalue()
