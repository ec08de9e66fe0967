"""Serwis: task cards ("Karty zadaniowe") and the hours summary ("Zestawienie godzinowe").

Importing this package also adds "Wygeneruj kartę zadaniową" to the Akcja tab of Serwis
events (the Terminarz event dialog's action-provider extension point).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTabWidget, QWidget

from eszok_desktop.ui.context import AppContext, ModuleSpec

log = logging.getLogger(__name__)


def build_service_screen(ctx: AppContext) -> QWidget:
    """Tabs for what the user may use: cards (cards.own/all), hours (hours.own/all)."""
    from eszok_desktop.ui.service.cards_view import CardsView
    from eszok_desktop.ui.service.hours_report import HoursReportView

    tabs = QTabWidget()
    tabs.setObjectName("service_screen")
    if ctx.user.can("cards.own") or ctx.user.can("cards.all"):
        tabs.addTab(CardsView(ctx), tabs.tr("Karty zadaniowe"))
    if ctx.user.can("hours.all") or ctx.user.can("hours.own"):
        tabs.addTab(HoursReportView(ctx), tabs.tr("Zestawienie godzinowe"))
    return tabs


def card_actions(ctx: AppContext, event, calendar) -> list:
    """The Akcja-tab action of a Serwis event, for users who may write task cards."""
    from eszok_desktop.ui.calendar.event_dialog.action_tab import EventAction
    from eszok_desktop.ui.service.generate_from_event import may_generate, open_card_for_event

    if calendar.code != "serwis" or not may_generate(ctx):
        return []
    event_id = event.id
    return [
        EventAction(
            QCoreApplication.translate("ServiceModule", "Wygeneruj kartę zadaniową"),
            lambda parent: open_card_for_event(ctx, event_id, parent),
            QCoreApplication.translate(
                "ServiceModule", "Otwiera nową kartę zadaniową wypełnioną danymi zdarzenia."
            ),
        )
    ]


def _register_event_action() -> None:
    try:
        from eszok_desktop.ui.calendar.event_dialog.action_tab import (
            register_event_action_provider,
        )
    except ImportError:  # Terminarz missing or broken: cards still work without it
        log.exception("event dialog extension point unavailable")
        return
    register_event_action_provider(card_actions)


_register_event_action()

MODULE = ModuleSpec(
    key="service",
    title="Serwis",
    order=30,
    visible_for=lambda u: u.can("cards.own") or u.can("hours.all") or u.can("hours.own"),
    factory=build_service_screen,
)
