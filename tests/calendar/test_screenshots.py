"""Renders each Terminarz view with realistic data and checks the pictures are not empty.

With ``ESZOK_SCREENSHOT_DIR`` set, the PNGs are written there (the README's pictures are
made with ``ESZOK_SCREENSHOT_DIR=docs/img``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from eszok_desktop.services.calendar.geocoding import GeocodeResult, GeocodeStatus
from eszok_desktop.services.calendar.periods import ViewMode
from eszok_desktop.ui.calendar.calendar_page import CalendarPage
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.task_runner import TaskRunner
from tests.calendar.conftest import WARSAW, at

NOW = at(2026, 11, 10, 10, 40)


@pytest.fixture
def filled_page(qtbot, world):
    anna = world.person("handlowiec", full_name="Anna Nowak")
    bartek = world.person("serwisant", full_name="Bartek Kowal")
    celina = world.person("kierownik", full_name="Celina Wiśniewska")
    world.grant(bartek, anna, "manage")
    world.grant(celina, anna, "view")
    c = world.create
    c(
        anna,
        [anna],
        at(2026, 11, 9, 9),
        at(2026, 11, 9, 10, 30),
        title="Spotkanie z ACME",
        company_name="ACME sp. z o.o.",
        company_nip="8567346215",
    )
    c(
        anna,
        [anna, bartek],
        at(2026, 11, 9, 10),
        at(2026, 11, 9, 12),
        title="Prezentacja systemu",
        kind="Prezentacja",
        company_name="Biuro Rachunkowe Lis",
    )
    c(
        anna,
        [anna],
        at(2026, 11, 9, 11),
        at(2026, 11, 9, 11, 45),
        title="Telefon do klienta",
        kind="Inny",
    )
    c(
        bartek,
        [bartek],
        at(2026, 11, 10, 8),
        at(2026, 11, 10, 12),
        title="Serwis drukarek",
        calendar="serwis",
        kind="Serwis",
        company_name="Drukarnia Sowa",
    )
    c(anna, [anna], at(2026, 11, 10, 13), at(2026, 11, 10, 14), title="Oferta dla Pol-Mot")
    c(celina, [celina], at(2026, 11, 10, 9), at(2026, 11, 10, 10), title="Narada kierowników")
    c(
        anna,
        [anna],
        at(2026, 11, 12, 8),
        at(2026, 11, 14),
        title="Urlop",
        calendar="nieobecnosci",
        kind="Urlop",
        all_day=True,
    )
    c(
        bartek,
        [bartek],
        at(2026, 11, 13, 9),
        at(2026, 11, 13, 15),
        title="Szkolenie BHP",
        calendar="serwis",
        kind="Szkolenie",
    )
    c(anna, [anna], at(2026, 11, 16, 9, 30), at(2026, 11, 16, 10, 30), title="Spotkanie handlowe")
    c(
        bartek,
        [bartek],
        at(2026, 11, 18, 12),
        at(2026, 11, 18, 16),
        title="Wydruk katalogów",
        calendar="serwis",
        kind="Wydruk",
    )
    for i in range(7):
        c(anna, [anna], at(2026, 11, 24, 8 + i), at(2026, 11, 24, 9 + i), title=f"Wizyta {i + 1}")
    c(
        anna,
        [anna],
        at(2026, 11, 2),
        at(2026, 11, 3),
        title="Inwentaryzacja",
        kind="Inny",
        all_day=True,
    )
    runner = TaskRunner(anna.db)
    page = CalendarPage(AppContext(anna.db, runner, anna.me()), tz=WARSAW, now_provider=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1400, 860)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.fetch_count > 0 and runner._running == 0, timeout=10000)
    page.side_panel.set_user_checked(bartek.id, True)
    page.side_panel.set_user_checked(celina.id, True)
    qtbot.waitUntil(lambda: runner._running == 0 and len(page.rows) >= 5, timeout=10000)
    yield page, anna
    runner.wait()


def save(widget, name: str) -> None:
    image = widget.grab().toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 23)
        for y in range(0, image.height(), 23)
    }
    assert len(colours) > 8, name  # painted something, not a blank widget
    target = os.environ.get("ESZOK_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(target) / name))


def test_render_views(qtbot, filled_page):
    page, _anna = filled_page
    page.week_view.scroll_to_hour(7)
    qtbot.wait(50)
    save(page, "calendar_week.png")
    page.set_mode(ViewMode.MONTH)
    qtbot.waitUntil(lambda: page.context.runner._running == 0, timeout=10000)
    qtbot.waitUntil(
        lambda: page.month_view.more_rect(page.month_view.days()[29]) is not None or True
    )
    save(page, "calendar_month.png")
    page.set_mode(ViewMode.DAY)
    page.day_view.scroll_to_hour(7)
    qtbot.waitUntil(lambda: page.context.runner._running == 0, timeout=10000)
    save(page, "calendar_day.png")
    # the now-line is red on today's column
    grid = page.day_view
    point = grid.point_at(NOW.date(), 10 * 60 + 40)
    assert grid.grab().toImage().pixelColor(point.x() - 40, point.y()) == QColor("#d32f2f")


def test_render_event_dialog(qtbot, filled_page):
    page, _anna = filled_page
    event_id = next(r.id for r in page.rows.values() if r.title == "Prezentacja systemu")
    dialog = page.open_event(event_id)
    qtbot.waitUntil(lambda: dialog.details_data is not None, timeout=10000)
    dialog.details.address_edit.setText("ul. Piotrkowska 104, Łódź")
    dialog.details.note_edit.setPlainText("Pokaz modułu Terminarz i Serwis.")
    found = GeocodeResult(
        GeocodeStatus.FOUND,
        "Piotrkowska 104, Śródmieście, Łódź, województwo łódzkie, 90-926, Polska",
        51.7648,
        19.4572,
    )
    dialog.details.on_geocode_done("ul. Piotrkowska 104, Łódź", found)
    dialog.resize(660, 660)
    qtbot.wait(50)
    save(dialog, "event_dialog.png")
