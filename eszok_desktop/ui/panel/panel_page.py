"""Panel Główny (F-PANEL): previous sign-in, announcements, and today's plan.

``PanelPage(context, now=None)``: ``now`` returns the current aware datetime (tests pass
a fixed clock); the page's timer re-reads it every 30 s, so the plan's now-line moves and
the plan switches to the next day after midnight. The page re-queries when the runner
announces changed events or announcements (local saves and, through live refresh, other
users' changes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from PySide6.QtCore import QCoreApplication, QLocale, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from eszok_desktop.services import panel
from eszok_desktop.services.calendar import layout
from eszok_desktop.ui import messages
from eszok_desktop.ui.calendar.time_grid import GridEvent, TimeGrid
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.notes import NotesPanel
from eszok_desktop.ui.panel.announcements_view import AnnouncementsView

POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)
# "*" comes after a reconnect; event kinds and calendars carry the plan's names/colours
REFRESH_KINDS = frozenset({"events", "announcements", "event_kinds", "calendars", "*"})
WORKDAY_START_HOUR = 7
WORKDAY_HOURS = 10  # 07:00–17:00 fits the plan's height
TICK_MS = 30_000


def previous_login_text(previous: datetime | None) -> str:
    """The "Ostatnie logowanie" line (Polish date, 24-hour clock, local time)."""
    if previous is None:
        return QCoreApplication.translate("PanelPage", "To jest Twoje pierwsze logowanie.")
    local = previous.astimezone(layout.display_zone())
    stamp = POLISH.toString(local.date(), "dddd, d MMMM yyyy") + local.strftime(", %H:%M")
    return QCoreApplication.translate("PanelPage", "Ostatnie logowanie: {stamp}").format(
        stamp=stamp
    )


def plan_event(item: panel.PlanEvent) -> GridEvent:
    subtitle = " · ".join(part for part in (item.kind_name, item.company_name) if part)
    return GridEvent(
        key=item.id,
        title=item.title,
        start=item.starts_at,
        end=item.ends_at,
        color=item.calendar_color,
        all_day=item.all_day,
        subtitle=subtitle,
    )


def _heading(text: str, scale: float) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class DayPlanGrid(TimeGrid):
    """The shared hour grid, read-only, sized so the working day fills its height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_read_only(True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_working_day()

    def fit_working_day(self) -> None:
        """Size the hour rows so 07:00–17:00 fills the plan, and scroll there."""
        top, bottom = self.visible_hours()
        body = (bottom - top) * self.hour_height()  # pixels below the header and strip
        self.set_hour_height(max(24, int(body / (WORKDAY_HOURS + 0.25))))
        self.scroll_to_hour(WORKDAY_START_HOUR)


class PanelPage(QWidget):
    """The first page after sign-in."""

    sig_loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.tz = layout.display_zone()
        self.now = now or (lambda: datetime.now(UTC))
        self.day: date = self._today()
        self._generation = 0
        self.loaded = False
        self._build()
        self.context.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.on_tick_timeout)
        self.tick_timer.start()
        self.reload()

    # --- construction -----------------------------------------------------------

    def _build(self) -> None:
        user = self.context.user
        title = _heading(self.tr("Panel Główny"), 1.6)
        self.greeting_label = QLabel(self.tr("Dzień dobry, {name}!").format(name=user.full_name))
        self.previous_login_label = QLabel(previous_login_text(user.previous_login_at))
        self.previous_login_label.setObjectName("previousLogin")
        self.previous_login_label.setStyleSheet("color: #4a4f57;")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()

        self.announcements = AnnouncementsView()
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(_heading(self.tr("Ogłoszenia"), 1.2))
        left.addWidget(self.announcements, 1)
        self.notes_panel = NotesPanel(self.context, clock=self.now)  # F-NOTES
        left.addWidget(_heading(self.tr("Notatki"), 1.2))
        left.addWidget(self.notes_panel, 1)

        # the grid's own header names the day
        self.plan_title = _heading(self.tr("Plan dnia"), 1.2)
        self.grid = DayPlanGrid()
        self.grid.setObjectName("dayPlan")
        self.grid.set_timezone(self.tz)
        self.grid.set_now_provider(self.now)
        self.grid.set_days([self.day])
        self.empty_plan_label = QLabel(self.tr("Na dziś nie masz zaplanowanych zadań."))
        self.empty_plan_label.setStyleSheet("color: #6b6f76;")
        self.empty_plan_label.hide()
        grid_frame = QFrame()
        grid_frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(grid_frame)
        frame_layout.setContentsMargins(1, 1, 1, 1)
        frame_layout.addWidget(self.grid)
        right = QVBoxLayout()
        right.setSpacing(8)
        plan_header = QHBoxLayout()
        plan_header.addWidget(self.plan_title)
        plan_header.addStretch(1)
        plan_header.addWidget(self.empty_plan_label)
        right.addLayout(plan_header)
        right.addWidget(grid_frame, 1)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)

        layout_ = QVBoxLayout(self)
        layout_.setContentsMargins(24, 18, 24, 18)
        layout_.setSpacing(6)
        layout_.addWidget(title)
        layout_.addWidget(self.greeting_label)
        layout_.addWidget(self.previous_login_label)
        layout_.addWidget(self.error_label)
        layout_.addSpacing(12)
        layout_.addLayout(columns, 1)

    # --- data -------------------------------------------------------------------

    def reload(self) -> None:
        """Re-query announcements and the plan; an older answer arriving late is dropped."""
        self._generation += 1
        generation = self._generation
        user_id, day, tz = self.context.user.id, self.day, self.tz
        self.context.runner.query(
            lambda session: panel.load_panel(session, user_id, day, tz),
            on_success=lambda data: self.on_panel_loaded(data, generation),
            on_failure=lambda exc: self.on_panel_failed(exc, generation),
            owner=self,
        )

    def on_panel_loaded(self, data: panel.PanelData, generation: int) -> None:
        if generation != self._generation:
            return
        self.error_label.hide()
        self.announcements.set_announcements(data.announcements)
        self.grid.set_events(plan_event(item) for item in data.plan)
        self.empty_plan_label.setVisible(not data.plan)
        self.loaded = True
        self.sig_loaded.emit()

    def on_panel_failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self.error_label.setText(
            self.tr("Nie udało się wczytać panelu. {reason}").format(
                reason=messages.describe_error(exc)
            )
        )
        self.error_label.show()

    # --- slots ------------------------------------------------------------------

    @Slot(object)
    def on_changes_happened(self, kinds: frozenset[str]) -> None:
        if kinds & REFRESH_KINDS:
            self.reload()

    @Slot()
    def on_tick_timeout(self) -> None:
        today = self._today()
        if today != self.day:
            self.day = today
            self.grid.set_days([today])
            self.reload()
        self.grid.update()

    # --- helpers ----------------------------------------------------------------

    def _today(self) -> date:
        return self.now().astimezone(self.tz).date()

    def now_marker_y(self) -> float | None:
        """Where the grid paints the now-line, or None when today is not shown (tests)."""
        now = self.now()
        local_day = now.astimezone(self.tz).date()
        if local_day not in self.grid.days():
            return None
        return self.grid.point_at(local_day, layout.wall_minutes(now, local_day, self.tz)).y()
