"""Panel Główny: the first page after sign-in (previous sign-in, announcements, plan)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from eszok_desktop.ui.context import AppContext, ModuleSpec


def _create(context: AppContext) -> QWidget:
    from eszok_desktop.ui.panel.panel_page import PanelPage

    return PanelPage(context)


MODULE = ModuleSpec(
    key="panel", title="Panel Główny", order=10, visible_for=lambda user: True, factory=_create
)
