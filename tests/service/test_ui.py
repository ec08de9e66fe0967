"""Serwis screens with qtbot against the real database: list filters, paging and sorting,
form validation, generation from an event, the Akcja actions, and the hours report."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.services.service import mailer
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.service import MODULE, build_service_screen, pdf_preview, send_dialog
from eszok_desktop.ui.service.card_form import CardForm
from eszok_desktop.ui.service.cards_model import Column
from eszok_desktop.ui.service.cards_view import CardsView
from eszok_desktop.ui.service.generate_from_event import open_card_for_event
from eszok_desktop.ui.service.hours_report import HoursReportView
from eszok_desktop.ui.service.pdf_preview import PdfPreviewDialog
from eszok_desktop.ui.service.send_dialog import SendCardDialog
from eszok_desktop.ui.task_runner import TaskRunner
from tests.service.conftest import Recorder, free_port, serwis_event


@pytest.fixture
def make_ctx(make_signed_in):
    runners: list[TaskRunner] = []

    def make(role: str = "serwisant", **kw) -> AppContext:
        _user_id, db = make_signed_in(role, **kw)
        with db.session() as s:
            user = auth.current_user(s)
        runner = TaskRunner(db)
        runners.append(runner)
        return AppContext(db, runner, user)

    yield make
    for runner in runners:
        runner.wait()


def card_count(database) -> int:
    with database.admin.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM eszok.cards WHERE deleted_at IS NULL")
        ).scalar()


def wait_rows(qtbot, view: CardsView, count: int) -> None:
    qtbot.waitUntil(
        lambda: not view.model.loading and view.model.rowCount() == count, timeout=10000
    )


def wait_at_least(qtbot, view: CardsView, count: int) -> None:
    """Once the model tester is attached it fetches further pages itself."""
    qtbot.waitUntil(
        lambda: not view.model.loading and view.model.rowCount() >= count, timeout=10000
    )


def test_module_spec_and_tabs_per_role(qtbot, make_ctx):
    boss = make_ctx("kierownik")
    sales = make_ctx("handlowiec")
    assert MODULE.key == "service" and MODULE.order == 30
    assert MODULE.visible_for(boss.user) and not MODULE.visible_for(sales.user)
    screen = build_service_screen(boss)
    qtbot.addWidget(screen)
    assert [screen.tabText(i) for i in range(screen.count())] == [
        "Karty zadaniowe",
        "Zestawienie godzinowe",
    ]
    boss.runner.wait()


def test_list_filters_paging_sorting(qtbot, qtmodeltester, make_ctx, add_card):
    ctx = make_ctx("kierownik")
    for i in range(45):
        add_card(
            ctx.user.id,
            company_name="Żółw Serwis" if i % 3 == 0 else f"Alfa {i}",
            hours=Decimal(i % 8 + 1) / 4,
            work_date=date(2026, 10, 1 + i % 30),
            state="closed" if i % 5 == 0 else "open",
        )
    view = CardsView(ctx)
    qtbot.addWidget(view)
    view.model.page_size = 20
    view.refresh()
    wait_rows(qtbot, view, 20)
    assert view.model.canFetchMore()
    view.model.fetchMore()
    wait_rows(qtbot, view, 40)
    view.model.fetchMore()
    wait_rows(qtbot, view, 45)
    assert not view.model.canFetchMore()
    qtmodeltester.check(view.model)
    qtbot.waitUntil(lambda: "Kart: 45" in view.totals_label.text())

    view.filter_bar.company.setText("zolw")
    view.filter_bar.emit_now()
    wait_rows(qtbot, view, 15)
    assert {view.model.index(r, Column.COMPANY).data() for r in range(15)} == {"Żółw Serwis"}
    qtbot.waitUntil(lambda: "Kart: 15" in view.totals_label.text())
    view.filter_bar.state.setCurrentIndex(2)  # Zamknięte
    wait_rows(qtbot, view, 3)
    qtbot.waitUntil(lambda: "Kart: 3 " in view.totals_label.text(), timeout=10000)
    view.filter_bar.hours_min.setText("0,5")
    view.filter_bar.emit_now()
    qtbot.waitUntil(lambda: not view.model.loading)
    assert all(
        Decimal(view.model.index(r, Column.HOURS).data().replace(",", ".")) >= Decimal("0.5")
        for r in range(view.model.rowCount())
    )
    view.filter_bar.on_clear_clicked()
    wait_at_least(qtbot, view, 20)
    # sorting by a header runs in SQL over all cards, not only the loaded page
    view.table.horizontalHeader().setSortIndicator(Column.HOURS, Qt.SortOrder.AscendingOrder)
    wait_at_least(qtbot, view, 20)
    assert view.model.index(0, Column.HOURS).data() == "0,25"
    view.table.horizontalHeader().setSortIndicator(Column.HOURS, Qt.SortOrder.DescendingOrder)
    wait_at_least(qtbot, view, 20)
    assert view.model.index(0, Column.HOURS).data() == "2,00"
    view.table.horizontalHeader().setSortIndicator(Column.SENT, Qt.SortOrder.AscendingOrder)
    assert view.table.horizontalHeader().sortIndicatorSection() == Column.HOURS
    qtmodeltester.check(view.model)


def test_form_validation_and_save(qtbot, make_ctx, database):
    ctx = make_ctx("serwisant")
    form = CardForm(ctx)
    qtbot.addWidget(form)
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    assert form.technician.currentData() == ctx.user.id
    assert not form.technician.isEnabled()  # cards.own: always one's own card
    form.company_nip.setText("856-734-62-16")
    form.hours.setText("1,3")
    form.contact_email.setText("zly@adres")
    form.save_button.click()
    assert form.error_text("company_name") == "Podaj nazwę firmy."
    assert "suma kontrolna" in form.error_text("company_nip")
    assert "kwadransach" in form.error_text("hours")
    assert form.error_text("contact_email") == "Podaj prawidłowy adres e-mail."
    form.hours.setText("25")
    form.save_button.click()
    assert form.error_text("hours") == "Na jednej karcie najwyżej 24 godzin."
    form.hours.setText("abc")
    form.save_button.click()
    assert form.error_text("hours") == "Liczba godzin to liczba, np. 1,5."
    assert card_count(database) == 0

    form.company_name.setText("Łoś i Syn")
    form.company_nip.setText("856-734-62-15")
    form.contact_email.setText("biuro@los.pl")
    form.hours.setText("1,75")
    form.description.setPlainText("Konfiguracja sieci")
    with qtbot.waitSignal(form.sig_card_saved, timeout=10000) as saved:
        form.save_button.click()
    card = saved.args[0]
    assert card.number.startswith("KZ/") and card.draft.hours == Decimal("1.75")
    assert card.draft.company_nip == "8567346215"
    assert form.error_text("hours") == ""

    # editing shows the history; closing makes it read-only
    edit = CardForm(ctx, card_id=card.id)
    qtbot.addWidget(edit)
    qtbot.waitUntil(edit.isEnabled, timeout=10000)
    assert edit.tabs.isTabVisible(1)
    assert edit.history_tab.model.rowCount() > 0
    assert edit.company_name.text() == "Łoś i Syn"
    edit.ctx.runner.wait()
    messages_asked = []
    original_ask = messages.ask
    messages.ask = lambda parent, q, title=None: messages_asked.append(q) or True
    try:
        with qtbot.waitSignal(edit.sig_card_saved, timeout=10000):
            edit.state_button.click()
    finally:
        messages.ask = original_ask
    qtbot.waitUntil(lambda: edit.state_button.text() == "Otwórz ponownie", timeout=10000)
    assert edit.company_name.isReadOnly() and not edit.save_button.isEnabled()
    assert "Zamknąć kartę" in messages_asked[0]


def test_company_completion_fills_details(qtbot, make_ctx, add_card):
    ctx = make_ctx("kierownik")
    add_card(
        ctx.user.id,
        company_name="Żółw Serwis",
        company_nip="8567346215",
        company_address="ul. Długa 5",
    )
    form = CardForm(ctx)
    qtbot.addWidget(form)
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    form.company_name.setText("zolw")
    form.on_complete_timer_timeout()
    qtbot.waitUntil(lambda: form.completions.stringList() == ["Żółw Serwis"], timeout=10000)
    form.on_company_chosen("Żółw Serwis")
    assert form.company_nip.text() == "8567346215"
    assert form.company_address.text() == "ul. Długa 5"


def test_generate_card_from_event(qtbot, make_ctx, database, monkeypatch):
    ctx = make_ctx("serwisant")
    event = serwis_event(database, ctx.user.id)
    opened: list[CardForm] = []
    open_card_for_event(ctx, event, None, on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    form = opened[0]
    qtbot.addWidget(form)
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    assert form.company_name.text() == "Żółw Serwis"
    assert form.hours.text() == "1,75"
    assert form.description.toPlainText() == "Drukarka nie drukuje"
    assert form.work_date.date().toString("dd.MM.yyyy") == "20.11.2026"
    assert form.event_label.text().startswith("Przegląd drukarki, 20.11.2026")
    with qtbot.waitSignal(form.sig_card_saved, timeout=10000) as saved:
        form.save_button.click()
    assert saved.args[0].draft.event_id == event

    questions: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda p, q, title=None: questions.append(q) or False)
    open_card_for_event(ctx, event, None, on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(questions), timeout=10000)
    ctx.runner.wait()
    assert saved.args[0].number in questions[0]
    assert len(opened) == 1  # declined: no second form


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


def test_akcja_print_send_delete(qtbot, make_ctx, database, monkeypatch, tmp_path, smtp):
    ctx = make_ctx("kierownik")
    from eszok_desktop.services.service import cards as svc
    from tests.service.conftest import draft

    with ctx.db.session() as s:
        card = svc.create_card(s, draft(ctx.user.id, contact_email="klient@zolw.pl"))
    view = CardsView(ctx)
    qtbot.addWidget(view)
    wait_rows(qtbot, view, 1)
    view.select_row(0)
    assert view.action_button.isEnabled()

    # Drukuj / Podgląd PDF → preview → print to a PDF file through QPrinter
    with qtbot.waitSignal(view.sig_dialog_opened, timeout=10000) as opened:
        view.print_action.trigger()
    preview = opened.args[0]
    assert isinstance(preview, PdfPreviewDialog) and len(preview.page_labels) == 1
    out = tmp_path / "wydruk.pdf"

    def fake_printer(_parent):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    monkeypatch.setattr(pdf_preview, "choose_printer", fake_printer)
    with qtbot.waitSignal(preview.sig_printed) as printed:
        preview.print_button.click()
    assert printed.args == [1]
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 1
    preview.close()

    # Wyślij → real SMTP on loopback; the list shows it sent
    controller, recorder = smtp
    monkeypatch.setattr(
        send_dialog,
        "load_settings",
        lambda: mailer.SmtpSettings(
            host="127.0.0.1",
            port=controller.port,
            sender="serwis@bajt.pl",
            security=mailer.Security.NONE,
        ),
    )
    with qtbot.waitSignal(view.sig_dialog_opened, timeout=10000) as opened:
        view.send_action.trigger()
    sender = opened.args[0]
    assert isinstance(sender, SendCardDialog)
    assert sender.recipients.text() == "klient@zolw.pl"
    sender.recipients.setText("nikt@zolw.pl")
    sender.send_button.click()
    qtbot.waitUntil(lambda: "odrzucił adres odbiorcy" in sender.status.text(), timeout=10000)
    assert "nie została oznaczona jako wysłana" in sender.status.text()
    sender.recipients.setText("klient@zolw.pl")
    with qtbot.waitSignal(sender.sig_card_sent, timeout=10000):
        sender.send_button.click()
    assert recorder.messages[0][0] == ["klient@zolw.pl"]
    qtbot.waitUntil(lambda: view.model.index(0, Column.SENT).data() != "", timeout=10000)

    # Usuń: asks; "no" keeps the card, "yes" removes it from the list
    answers = iter([False, True])
    shown: list = []
    monkeypatch.setattr(messages, "ask", lambda p, q, title=None: shown.append(q) or next(answers))
    monkeypatch.setattr(messages, "show_error", lambda p, exc, title=None: shown.append(exc))
    monkeypatch.setattr(messages, "inform", lambda p, t, title=None: shown.append(t))
    wait_rows(qtbot, view, 1)
    view.select_row(0)
    view.delete_action.trigger()
    ctx.runner.wait()
    assert card_count(database) == 1
    view.select_row(0)
    view.delete_action.trigger()
    wait_rows(qtbot, view, 0)
    assert len(shown) == 2 and card.number in shown[0]
    assert card_count(database) == 0
    with database.admin.connect() as conn:
        logged = conn.execute(
            text("SELECT count(*) FROM audit.change_log WHERE table_name='cards' AND record_id=:i"),
            {"i": card.id},
        ).scalar()
    assert logged >= 3


def test_hours_report_screen(qtbot, qtmodeltester, make_ctx, add_card, monkeypatch, tmp_path):
    ctx = make_ctx("kierownik")
    today = date.today()
    add_card(ctx.user.id, company_name="Żółw", hours=Decimal("1.25"), work_date=today)
    add_card(ctx.user.id, company_name="Żółw", hours=Decimal("2.00"), work_date=today)
    add_card(ctx.user.id, company_name="Alfa", hours=Decimal("4.00"), work_date=today)
    view = HoursReportView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.report is not None, timeout=10000)
    qtmodeltester.check(view.model)
    assert view.report.total == Decimal("7.25")
    cells = [
        [view.model.index(r, c).data() for c in range(6)] for r in range(view.model.rowCount())
    ]
    assert cells[-1] == ["RAZEM", "", "", "", "", "7,25"]
    assert ["Żółw", "Razem firma", "", "", "", "3,25"] in cells
    assert view.chart.bars[0] == ("Alfa", Decimal("4.00"))
    target = tmp_path / "z.csv"
    monkeypatch.setattr(pdf_preview, "choose_save_path", lambda *a: str(target))
    view.csv_button.click()
    assert "RAZEM;;;;;7,25" in target.read_text(encoding="utf-8-sig")
    target.write_text("")
    # more cards than the detail limit: totals on screen, every card in the export
    view.detail_limit = 2
    view.load()
    qtbot.waitUntil(lambda: not view.report.details_complete, timeout=10000)
    assert "pokazano sumy firm" in view.summary.text()
    assert view.model.rowCount() == 3
    view.csv_button.click()
    qtbot.waitUntil(lambda: "KZ/" in target.read_text(encoding="utf-8-sig"), timeout=10000)
    view.detail_limit = 5000
    view.preset.setCurrentIndex(1)  # poprzedni miesiąc

    qtbot.waitUntil(lambda: view.report is not None and view.report.total == 0, timeout=10000)

    sales = make_ctx("handlowiec")
    refused = HoursReportView(sales)
    qtbot.addWidget(refused)
    qtbot.waitUntil(lambda: "Brak uprawnień" in refused.status.text(), timeout=10000)
    assert not refused.csv_button.isEnabled()


def test_event_dialog_akcja_offers_card_generation(qtbot, make_ctx, database):
    from PySide6.QtWidgets import QApplication

    from eszok_desktop.services.calendar.events import CalendarInfo, get_event
    from eszok_desktop.ui.calendar.event_dialog.action_tab import ActionTab

    ctx = make_ctx("serwisant")
    sales = make_ctx("handlowiec")
    event_id = serwis_event(database, ctx.user.id)
    with ctx.db.session() as s:
        event = get_event(s, event_id)
    serwis = CalendarInfo(event.draft.calendar_id, "serwis", "Serwis", "#2e8b57")
    handlowy = CalendarInfo(1, "handlowy", "Handlowy", "#2f6fb7")

    def labels(context, calendar) -> list[str]:
        tab = ActionTab(context)
        qtbot.addWidget(tab)
        tab.set_event(event, calendar, True, deletable=True)
        return [b.text() for b in tab.extra_buttons]

    assert labels(ctx, handlowy) == []
    assert labels(sales, serwis) == []
    tab = ActionTab(ctx)
    qtbot.addWidget(tab)
    tab.set_event(event, serwis, True, deletable=True)
    [button] = tab.extra_buttons
    assert button.text() == "Wygeneruj kartę zadaniową"
    button.click()

    def opened() -> list[CardForm]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, CardForm)]

    qtbot.waitUntil(lambda: bool(opened()), timeout=10000)
    form = opened()[0]
    qtbot.addWidget(form)
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    assert form.company_name.text() == "Żółw Serwis"
    ctx.runner.wait()


def test_form_conflict_names_the_other_user_and_reloads(qtbot, make_ctx, monkeypatch):
    from eszok_desktop.services.service import cards as svc
    from tests.service.conftest import draft

    ctx = make_ctx("serwisant")
    boss = make_ctx("kierownik", full_name="Anna Kierownik")
    with ctx.db.session() as s:
        card = svc.create_card(s, draft(ctx.user.id))
    form = CardForm(ctx, card_id=card.id)
    qtbot.addWidget(form)
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    with boss.db.session() as s:
        svc.update_card(s, card.id, card.version, draft(ctx.user.id, description="Poprawione"))
    questions: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda p, q, title=None: questions.append(q) or True)
    form.description.setPlainText("Moja wersja")
    with qtbot.waitSignal(form.sig_loaded, timeout=10000):
        form.save_button.click()
    assert "Anna Kierownik" in questions[0]
    assert form.description.toPlainText() == "Poprawione"
