"""The day view: the painted hour grid with one column (Panel Główny's plan uses
``TimeGrid`` the same way)."""

from __future__ import annotations

from datetime import date

from eszok_desktop.ui.calendar.time_grid import TimeGrid


class DayView(TimeGrid):
    def set_anchor(self, anchor: date) -> None:
        self.set_days([anchor])
