"""Card PDF (Polish letters survive: text extracted with pypdf), e-mail through a real SMTP
server on loopback (aiosmtpd), and the hours summary with its exports."""

from __future__ import annotations

import email
import io
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from eszok_desktop.services.errors import PermissionDenied, ValidationError
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service import hours_report as hr
from eszok_desktop.services.service import mailer
from eszok_desktop.services.service.card_pdf import Issuer, card_pdf
from eszok_desktop.services.service.pdf_fonts import FontNotFound, find_font_files
from tests.service.conftest import Recorder, draft, free_port


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_card_pdf_keeps_polish_letters(make_signed_in):
    me, db = make_signed_in("serwisant", full_name="Łucja Śliwińska")
    with db.session() as s:
        card = svc.create_card(
            s,
            draft(
                me,
                company_name="Żółw Serwis Sp. z o.o.",
                description="Zażółć gęślą jaźń",
                contact_person="Józef Ćwik",
                hours=Decimal("2.75"),
            ),
        )
    pdf = card_pdf(card, Issuer("Serwis „Bajt” s.c.", ("ul. Źródlana 1",)))
    text = pdf_text(pdf)
    for expected in (
        "Karta zadaniowa " + card.number,
        "Żółw Serwis Sp. z o.o.",
        "Zażółć gęślą jaźń",
        "Józef Ćwik",
        "Łucja Śliwińska",
        "2,75",
        "8567346215",
        "Podpis serwisanta",
        "Podpis i pieczęć klienta",
        "Serwis „Bajt” s.c.",
        "ul. Źródlana 1",
    ):
        assert expected in text
    # it renders (pdfium) to a page with ink on it
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=0.5).to_pil().convert("L")
        assert len(doc) == 1
        assert image.getextrema()[0] < 50
    finally:
        doc.close()


def test_font_lookup_fails_clearly(tmp_path, monkeypatch):
    assert find_font_files().regular.name.endswith(".ttf")
    monkeypatch.setattr("eszok_desktop.services.service.pdf_fonts.FOLDERS", (str(tmp_path),))
    monkeypatch.setattr("eszok_desktop.services.service.pdf_fonts._fontconfig_dirs", lambda: [])
    monkeypatch.delenv("ESZOK_PDF_FONT_DIR", raising=False)
    with pytest.raises(FontNotFound, match="DejaVu Sans"):
        find_font_files()


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


def settings_for(controller) -> mailer.SmtpSettings:
    return mailer.SmtpSettings(
        host="127.0.0.1",
        port=controller.port,
        sender="serwis@bajt.pl",
        sender_name="Serwis Bajt",
        security=mailer.Security.NONE,
    )


def test_send_card_over_real_smtp(make_signed_in, smtp_server):
    controller, recorder = smtp_server
    me, db = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
    with db.session() as s:
        sent = mailer.send_card(
            s, card.id, "klient@zolw.pl; biuro@zolw.pl", settings_for(controller), None
        )
    assert sent.sent_to == "klient@zolw.pl, biuro@zolw.pl"
    assert sent.sent_at is not None
    [(rcpts, raw)] = recorder.messages
    assert rcpts == ["klient@zolw.pl", "biuro@zolw.pl"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == f"Karta zadaniowa {card.number} — Żółw Serwis Sp. z o.o."
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "karta-" + card.number.replace("/", "-") + ".pdf"
    assert "Wymiana zasilacza" in pdf_text(attachment.get_content())
    # the sending is in the card's history
    with db.session() as s:
        assert any(h.field == "sent_to" for h in svc.card_history(s, card.id))


def test_failed_sending_marks_nothing(make_signed_in, smtp_server):
    controller, recorder = smtp_server
    me, db = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
    with pytest.raises(mailer.MailError) as info, db.session() as s:
        mailer.send_card(s, card.id, "nikt@zolw.pl", settings_for(controller), None)
    assert info.value.failure is mailer.MailFailure.RECIPIENT_REFUSED
    dead = mailer.SmtpSettings(host="127.0.0.1", port=free_port(), sender="serwis@bajt.pl")
    with pytest.raises(mailer.MailError) as info, db.session() as s:
        mailer.send_card(s, card.id, "klient@zolw.pl", dead, None)
    assert info.value.failure is mailer.MailFailure.UNREACHABLE
    with pytest.raises(ValidationError), db.session() as s:
        mailer.send_card(s, card.id, "zly adres@", settings_for(controller), None)
    with db.session() as s:
        again = svc.get_card(s, card.id)
    assert again.sent_at is None and again.sent_to is None
    assert recorder.messages == []


def test_smtp_password_lives_in_keyring(memory_keyring):
    mailer.store_password("serwis@bajt.pl", "tajne")
    assert memory_keyring.secrets[(mailer.KEYRING_SERVICE, "serwis@bajt.pl")] == "tajne"
    assert mailer.load_password("serwis@bajt.pl") == "tajne"
    assert mailer.load_password("") is None


def test_periods():
    today = date(2026, 3, 15)
    assert hr.period_for(hr.PeriodPreset.THIS_MONTH, today) == (date(2026, 3, 1), date(2026, 3, 31))
    assert hr.period_for(hr.PeriodPreset.LAST_MONTH, today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert hr.period_for(hr.PeriodPreset.THIS_YEAR, today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert hr.period_for(hr.PeriodPreset.LAST_MONTH, date(2026, 1, 5))[0] == date(2025, 12, 1)


def test_hours_summary_totals_roles_and_exports(make_signed_in, add_card):
    tech, dbt = make_signed_in("serwisant", full_name="Jan Serwisant")
    other, _dbo = make_signed_in("programista")
    _boss, dbk = make_signed_in("kierownik")
    _sales, dbh = make_signed_in("handlowiec")
    add_card(tech, company_name="Żółw", hours=Decimal("1.25"), work_date=date(2026, 5, 2))
    add_card(tech, company_name="Żółw", hours=Decimal("2.50"), work_date=date(2026, 5, 3))
    add_card(other, company_name="Żółw", hours=Decimal("0.75"), work_date=date(2026, 5, 4))
    add_card(other, company_name="Alfa", hours=Decimal("4.00"), work_date=date(2026, 5, 5))
    add_card(tech, company_name="Alfa", hours=Decimal("8.00"), work_date=date(2026, 6, 1))
    deleted = add_card(tech, company_name="Alfa", hours=Decimal("3.00"), work_date=date(2026, 5, 6))
    with dbk.session() as s:
        s.execute(text("UPDATE eszok.cards SET deleted_at = now() WHERE id = :i"), {"i": deleted})
    may = (date(2026, 5, 1), date(2026, 5, 31))
    with dbk.session() as s:
        report = hr.hours_summary(s, *may)
        only_tech = hr.hours_summary(s, *may, technician_id=tech)
        zolw = hr.hours_summary(s, *may, company="zolw")
    assert [c.company_name for c in report.companies] == ["Alfa", "Żółw"]
    assert [c.subtotal for c in report.companies] == [Decimal("4.00"), Decimal("4.50")]
    assert report.total == Decimal("8.50")
    assert [len(c.lines) for c in report.companies] == [1, 3]
    assert only_tech.total == Decimal("3.75")
    assert zolw.total == Decimal("4.50") and len(zolw.companies) == 1
    # hours.own: only one's own, whatever is asked for
    with dbt.session() as s:
        own = hr.hours_summary(s, *may, technician_id=other)
    assert own.total == Decimal("3.75")
    assert {line.technician for c in own.companies for line in c.lines} == {"Jan Serwisant"}
    with pytest.raises(PermissionDenied), dbh.session() as s:
        hr.hours_summary(s, *may)
    # past the detail limit only the totals come (a year can hold 100,000 cards)
    with dbk.session() as s:
        brief = hr.hours_summary(s, *may, detail_limit=3)
    assert not brief.details_complete and brief.card_count == 4
    assert [(c.company_name, c.cards, c.subtotal, c.lines) for c in brief.companies] == [
        ("Alfa", 1, Decimal("4.00"), ()),
        ("Żółw", 3, Decimal("4.50"), ()),
    ]
    assert brief.total == report.total and report.details_complete
    assert "Żółw;Razem firma (kart: 3);;;;4,50" in hr.to_csv(brief).decode("utf-8-sig")
    with pytest.raises(ValidationError), dbk.session() as s:
        hr.hours_summary(s, may[1], may[0])

    csv_text = hr.to_csv(report).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Firma;Numer karty;Data;Rodzaj pracy;Serwisant;Godziny"
    assert "Żółw;Razem firma;;;;4,50" in csv_text
    assert csv_text.splitlines()[-1] == "RAZEM;;;;;8,50"
    wb = load_workbook(io.BytesIO(hr.to_xlsx(report)))
    values = [row for row in wb.active.iter_rows(values_only=True)]
    assert values[1] == hr.HEADERS
    assert values[-1] == ("RAZEM", None, None, None, None, 8.5)
    assert ("Żółw", "Razem firma", None, None, None, 4.5) in values
    pdf = pdf_text(hr.to_pdf(report))
    assert "Zestawienie godzinowe 01.05.2026 – 31.05.2026" in pdf
    assert "Żółw" in pdf and "8,50" in pdf


def test_hours_summary_orders_companies_the_polish_way(make_signed_in, add_card):
    boss, db = make_signed_in("kierownik")
    for name in ("Żółw", "Zeta", "Łoś", "Lis", "Alfa"):
        add_card(boss, company_name=name, work_date=date(2026, 5, 2))
    with db.session() as s:
        report = hr.hours_summary(s, date(2026, 5, 1), date(2026, 5, 31))
    assert [c.company_name for c in report.companies] == ["Alfa", "Lis", "Łoś", "Zeta", "Żółw"]
