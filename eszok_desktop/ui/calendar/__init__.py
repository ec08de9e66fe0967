"""Terminarz: month/week/day calendar views, the event dialog and the side panel.

``MODULE`` registers the screen with the main window. ``time_grid.TimeGrid`` is the
painted hour grid other modules reuse (Panel Główny's day plan).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from eszok_desktop.ui.context import AppContext, ModuleSpec


def _create(context: AppContext) -> QWidget:
    from eszok_desktop.ui.calendar.calendar_page import CalendarPage

    return CalendarPage(context)


MODULE = ModuleSpec(
    key="calendar", title="Terminarz", order=20, visible_for=lambda user: True, factory=_create
)
