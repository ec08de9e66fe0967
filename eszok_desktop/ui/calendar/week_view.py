"""The week view: the painted hour grid over Monday…Sunday of the anchor's week."""

from __future__ import annotations

from datetime import date

from eszok_desktop.services.calendar.periods import ViewMode, visible_days
from eszok_desktop.ui.calendar.time_grid import TimeGrid


class WeekView(TimeGrid):
    def set_anchor(self, anchor: date) -> None:
        self.set_days(visible_days(ViewMode.WEEK, anchor))
