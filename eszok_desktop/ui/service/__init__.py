"""Serwis: task cards ("Karty zadaniowe") and the hours summary ("Zestawienie godzinowe")."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from eszok_desktop.ui.context import AppContext, ModuleSpec


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


MODULE = ModuleSpec(
    key="service",
    title="Serwis",
    order=30,
    visible_for=lambda u: u.can("cards.own") or u.can("hours.all") or u.can("hours.own"),
    factory=build_service_screen,
)
