"""The Terminarz screen: toolbar (previous / today / next, the period's title, month /
week / day), the painted views, and the side panel.

Only the displayed period is fetched (``services.calendar.events.fetch_period``), once
per change of period, calendars or overlaid users, and again when events change
(``sig_changes_happened``). Views paint what they are given. Drag-moves and resizes are
saved at once and pushed on an undo stack (Ctrl+Z while the screen is open).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar import events, sharing
from eszok_desktop.services.calendar.events import Dictionaries, EventDraft, EventRow
from eszok_desktop.services.calendar.layout import display_zone
from eszok_desktop.services.calendar.periods import (
    ViewMode,
    fetch_bounds,
    iso_week,
    step,
    visible_days,
)
from eszok_desktop.services.errors import ConflictError, ValidationError
from eszok_desktop.ui import messages
from eszok_desktop.ui.calendar.day_view import DayView
from eszok_desktop.ui.calendar.event_dialog.dialog import EventDialog, conflicts_text
from eszok_desktop.ui.calendar.month_view import MonthView
from eszok_desktop.ui.calendar.share_dialog import ShareDialog
from eszok_desktop.ui.calendar.side_panel import SidePanel
from eszok_desktop.ui.calendar.week_view import WeekView
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.notes import NotesDockHost

POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)
REFRESH_EVENTS = frozenset({"events", "*"})
REFRESH_SHARING = frozenset({"calendar_grants", "share_requests", "users", "*"})


def tr(text: str) -> str:
    return QCoreApplication.translate("CalendarPage", text)


def period_title(mode: ViewMode, anchor: date) -> str:
    """The toolbar title: "grudzień 2026", "30 listopada – 6 grudnia 2026 (tydz. 49)",
    "czwartek, 3 grudnia 2026"."""
    if mode == ViewMode.MONTH:
        return f"{POLISH.standaloneMonthName(anchor.month)} {anchor.year}"
    if mode == ViewMode.DAY:
        weekday = POLISH.dayName(anchor.isoweekday())
        return f"{weekday}, {anchor.day} {POLISH.monthName(anchor.month)} {anchor.year}"
    days = visible_days(ViewMode.WEEK, anchor)
    first, last = days[0], days[-1]
    left = f"{first.day} {POLISH.monthName(first.month)}"
    if first.year != last.year:
        left += f" {first.year}"
    week = tr("tydz. {n}").format(n=iso_week(anchor))
    return f"{left} – {last.day} {POLISH.monthName(last.month)} {last.year} ({week})"


@dataclass(frozen=True)
class _RowStyle:
    """What colouring and permissions depend on, worked out once per batch of rows."""

    me: int
    labels: dict[tuple[int, int], tuple[str, str, str]]  # (calendar, kind) → names, colour
    overlaid: frozenset[int]
    by_user: bool  # colour by user (several calendars overlaid) instead of by calendar
    manageable: frozenset[int]
    manage_all: bool
    user_colors: dict[int, str]
    user_color: Callable[[int], str]  # of a user not overlaid
    describe: Callable[[EventRow, str, str, bool], str]  # the tooltip

    def label(self, row: EventRow) -> tuple[str, str, str]:
        """Calendar name, calendar colour, kind name."""
        return self.labels.get((row.calendar_id, row.kind_id), ("", "#607080", ""))

    def owner(self, row: EventRow) -> int:
        """Whose colour an overlaid event takes: mine when it is in my shown calendar,
        else its first participant's whose calendar is shown."""
        participants = row.participant_ids
        if self.me in participants and self.me in self.overlaid:
            return self.me
        return next((p for p in participants if p in self.overlaid), self.me)

    def editable(self, row: EventRow) -> bool:
        return self.manage_all or not self.manageable.isdisjoint(row.participant_ids)


class RowEvent:
    """An event row as the views see it: the fields of ``GridEvent``. The times come
    straight from the row; colours, subtitle, permission and tooltip are worked out when
    asked for, which painting does for the boxes on screen: an overlaid month has some
    6,000 rows and shows a few hundred."""

    __slots__ = ("row", "style")

    def __init__(self, row: EventRow, style: _RowStyle) -> None:
        self.row = row
        self.style = style

    # read for every row by the layout: C-level getters
    key = property(attrgetter("row.id"))
    start = property(attrgetter("row.starts_at"))
    end = property(attrgetter("row.ends_at"))
    all_day = property(attrgetter("row.all_day"))
    title = property(attrgetter("row.title"))

    @property
    def color(self) -> str:
        if not self.style.by_user:
            return self.style.label(self.row)[1]
        owner = self.style.owner(self.row)
        return self.style.user_colors.get(owner) or self.style.user_color(owner)

    @property
    def accent(self) -> str | None:
        """The calendar's colour as a stripe when the box takes its user's colour."""
        return self.style.label(self.row)[1] if self.style.by_user else None

    @property
    def subtitle(self) -> str:
        kind_name = self.style.label(self.row)[2]
        company = self.row.company_name
        return f"{kind_name} · {company}" if company else kind_name

    @property
    def editable(self) -> bool:
        return self.style.editable(self.row)

    @property
    def tooltip(self) -> str:
        calendar_name, _color, kind_name = self.style.label(self.row)
        return self.style.describe(self.row, calendar_name, kind_name, self.editable)


class MoveCommand(QUndoCommand):
    """A drag-move/resize; redo saves the new times, undo the old ones."""

    def __init__(
        self,
        page: CalendarPage,
        event_id: int,
        old: tuple[datetime, datetime],
        new: tuple[datetime, datetime],
    ) -> None:
        super().__init__(tr("Przesunięcie zadania"))
        self.page, self.event_id, self.old, self.new = page, event_id, old, new

    def redo(self) -> None:
        self.page.save_move(self.event_id, *self.new, warn=True)

    def undo(self) -> None:
        self.page.save_move(self.event_id, *self.old)


class CalendarPage(QWidget):
    sig_period_loaded = Signal()  # the displayed events were (re)fetched
    sig_dialog_opened = Signal(object)  # EventDialog (tests, the main window)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        now_provider: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.tz = tz or display_zone()
        self.now_provider = now_provider or (lambda: datetime.now(UTC))
        self.mode = ViewMode.WEEK
        self.anchor = self.now_provider().astimezone(self.tz).date()
        self.dictionaries: Dictionaries | None = None
        self.rows: dict[int, EventRow] = {}
        self.fetch_count = 0
        self.open_dialog: EventDialog | None = None
        self.share_dialog: ShareDialog | None = None
        self._fetch_key: object = None
        self._generation = 0
        self.undo_stack = QUndoStack(self)

        self.month_view = MonthView(self)
        self.week_view = WeekView(self)
        self.day_view = DayView(self)
        self.views = {
            ViewMode.MONTH: self.month_view,
            ViewMode.WEEK: self.week_view,
            ViewMode.DAY: self.day_view,
        }
        self.stack = QStackedWidget(self)
        for view in self.views.values():
            view.set_timezone(self.tz)
            view.set_now_provider(self.now_provider)
            view.sig_range_selected.connect(self.on_view_range_selected)
            view.sig_event_activated.connect(self.on_view_event_activated)
            view.sig_event_changed.connect(self.on_view_event_changed)
            view.sig_day_activated.connect(self.on_view_day_activated)
            self.stack.addWidget(view)
        self.week_view.scroll_to_hour(7)
        self.day_view.scroll_to_hour(7)

        self.side_panel = SidePanel(self)
        self.side_panel.sig_date_chosen.connect(self.on_side_date_chosen)
        self.side_panel.sig_calendars_changed.connect(lambda _ids: self.refresh())
        self.side_panel.sig_users_changed.connect(lambda _ids: self.refresh())
        self.side_panel.sig_share_clicked.connect(lambda: self.open_share_dialog(ShareDialog.SHARE))
        self.side_panel.sig_request_access_clicked.connect(
            lambda: self.open_share_dialog(ShareDialog.REQUEST)
        )
        self.side_panel.sig_withdraw_requested.connect(self.on_withdraw_requested)

        self._build_layout()
        self._build_shortcuts()
        context.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.set_mode(ViewMode.WEEK)
        self.load_dictionaries()

    # --- building -----------------------------------------------------------------

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        self.prev_button = QToolButton(self)
        self.prev_button.setText("◀")
        self.prev_button.setToolTip(tr("Poprzedni okres (PgUp)"))
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.today_button = QPushButton(tr("Dziś"), self)
        self.today_button.setToolTip(tr("Dzisiaj (T)"))
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QToolButton(self)
        self.next_button.setText("▶")
        self.next_button.setToolTip(tr("Następny okres (PgDn)"))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.title_label = QLabel(self)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.today_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.title_label, 1)
        self.mode_buttons: dict[ViewMode, QPushButton] = {}
        group = QButtonGroup(self)
        for mode, label, key in (
            (ViewMode.MONTH, tr("Miesiąc"), "M"),
            (ViewMode.WEEK, tr("Tydzień"), "W"),
            (ViewMode.DAY, tr("Dzień"), "D"),
        ):
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.setToolTip(f"{label} ({key})")
            button.clicked.connect(lambda _c=False, m=mode: self.set_mode(m))
            group.addButton(button)
            bar.addWidget(button)
            self.mode_buttons[mode] = button
        self.new_button = QPushButton(tr("Nowe zadanie"), self)
        self.new_button.clicked.connect(self.on_new_clicked)
        bar.addSpacing(12)
        bar.addWidget(self.new_button)

        main = QVBoxLayout()
        main.addLayout(bar)
        main.addWidget(self.stack, 1)
        # Notatki (F-NOTES) as a dockable panel on the right, closed until asked for
        content = QWidget(self)
        content.setLayout(main)
        self.notes_host = NotesDockHost(self.context, content, self, clock=self.now_provider)
        self.notes_button = QToolButton(self)
        self.notes_button.setDefaultAction(self.notes_host.notes_action)
        bar.addWidget(self.notes_button)
        layout = QHBoxLayout(self)
        layout.addWidget(self.side_panel)
        layout.addWidget(self.notes_host, 1)

    def _build_shortcuts(self) -> None:
        view_keys: list[tuple[object, Callable[[], None]]] = [
            (Qt.Key.Key_Left, lambda: self.move_anchor(-1)),
            (Qt.Key.Key_Right, lambda: self.move_anchor(1)),
            (Qt.Key.Key_Up, lambda: self.move_anchor(-7)),
            (Qt.Key.Key_Down, lambda: self.move_anchor(7)),
            (Qt.Key.Key_PageUp, lambda: self.go(-1)),
            (Qt.Key.Key_PageDown, lambda: self.go(1)),
            (Qt.Key.Key_T, self.go_today),
            (Qt.Key.Key_M, lambda: self.set_mode(ViewMode.MONTH)),
            (Qt.Key.Key_W, lambda: self.set_mode(ViewMode.WEEK)),
            (Qt.Key.Key_D, lambda: self.set_mode(ViewMode.DAY)),
        ]
        # on the views only, so the arrows still work inside the side panel's widgets
        self._shortcuts = []
        for key, slot in view_keys:
            shortcut = QShortcut(QKeySequence(key), self.stack)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)
        for sequence, slot in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

    # --- navigation ---------------------------------------------------------------

    def current_view(self) -> MonthView | WeekView | DayView:
        return self.views[self.mode]

    def set_mode(self, mode: ViewMode) -> None:
        self.mode = mode
        self.mode_buttons[mode].setChecked(True)
        self.stack.setCurrentWidget(self.views[mode])
        self.refresh()

    def set_anchor(self, anchor: date) -> None:
        self.anchor = anchor
        self.refresh()

    def go(self, count: int) -> None:
        self.set_anchor(step(self.mode, self.anchor, count))

    def move_anchor(self, days: int) -> None:
        self.set_anchor(self.anchor + timedelta(days=days))

    def go_today(self) -> None:
        self.set_anchor(self.now_provider().astimezone(self.tz).date())

    def visible_days(self) -> list[date]:
        return visible_days(self.mode, self.anchor)

    # --- loading ------------------------------------------------------------------

    def load_dictionaries(self) -> None:
        me = self.context.user

        def load(session):
            return (
                events.load_dictionaries(session, me),
                sharing.pending_requests(session, me.id),
            )

        self.context.runner.query(load, on_success=self.on_dictionaries_loaded, owner=self)

    def on_dictionaries_loaded(self, result: tuple[Dictionaries, list]) -> None:
        dictionaries, pending = result
        self.dictionaries = dictionaries
        self.side_panel.set_dictionaries(dictionaries, self.context.user.id)
        self.side_panel.set_pending(pending, self.context.user.id)
        self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> None:
        """Show the current period; fetch it unless it is already the one on screen."""
        days = self.visible_days()
        self.current_view().set_anchor(self.anchor)
        self.title_label.setText(period_title(self.mode, self.anchor))
        self.side_panel.set_date(self.anchor)
        if self.dictionaries is None:
            return
        start, end = fetch_bounds(days, self.tz)
        owners = self.side_panel.selected_users()
        calendars = self.side_panel.selected_calendars()
        key = (start, end, owners, calendars)
        if key == self._fetch_key and not force:
            self._show_rows()
            return
        self._fetch_key = key
        self._generation += 1
        generation = self._generation
        self.fetch_count += 1
        self.context.runner.query(
            lambda session: events.fetch_period(session, start, end, owners, calendars),
            on_success=lambda rows: self.on_period_loaded(generation, rows),
            owner=self,
        )

    def on_period_loaded(self, generation: int, rows: list[EventRow]) -> None:
        if generation != self._generation:
            return  # a newer period was asked for meanwhile
        self.rows = {row.id: row for row in rows}
        self._show_rows()
        self.sig_period_loaded.emit()

    def _show_rows(self) -> None:
        self.current_view().set_events(self.grid_events(self.rows.values()))

    def grid_events(self, rows: Iterable[EventRow]) -> list[RowEvent]:
        """The rows as the views paint them (colours, permissions, tooltips)."""
        style = self._row_style()
        return [RowEvent(row, style) for row in rows]

    def _row_style(self) -> _RowStyle:
        overlaid = self.side_panel.selected_users()
        assert self.dictionaries is not None
        d = self.dictionaries
        labels = {
            (kind.calendar_id, kind.id): (cal.name, cal.color, kind.name)
            for kind in d.kinds
            if (cal := d.calendar(kind.calendar_id)) is not None
        }
        return _RowStyle(
            me=self.context.user.id,
            labels=labels,
            overlaid=overlaid,
            by_user=len(overlaid) > 1 or self.context.user.id not in overlaid,
            manageable=self.dictionaries.manageable_ids(),
            manage_all=self.context.user.can("calendars.all"),
            user_colors={uid: self.side_panel.user_color(uid) for uid in overlaid},
            user_color=self.side_panel.user_color,
            describe=self.tooltip_text,
        )

    def grid_event(self, row: EventRow) -> RowEvent:
        return RowEvent(row, self._row_style())

    def tooltip_text(
        self, row: EventRow, calendar_name: str, kind_name: str, editable: bool
    ) -> str:
        d = self.dictionaries
        assert d is not None
        people = ", ".join(d.person_name(p) for p in row.participant_ids)
        start, end = row.starts_at.astimezone(self.tz), row.ends_at.astimezone(self.tz)
        when = tr("cały dzień") if row.all_day else f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"
        return "\n".join(
            x
            for x in (
                row.title,
                when,
                f"{calendar_name}: {kind_name}",
                row.company_name or "",
                tr("Uczestnicy: {names}").format(names=people),
                "" if editable else tr("(tylko podgląd)"),
            )
            if x
        )

    def on_changes_happened(self, kinds: frozenset[str]) -> None:
        if kinds & REFRESH_SHARING:
            self.load_dictionaries()
        elif kinds & REFRESH_EVENTS:
            self.refresh(force=True)

    # --- views' signals -----------------------------------------------------------

    def on_side_date_chosen(self, day: date) -> None:
        self.set_anchor(day)

    def on_view_day_activated(self, day: date) -> None:
        self.anchor = day
        self.set_mode(ViewMode.DAY)

    def on_view_range_selected(self, start: datetime, end: datetime, all_day: bool) -> None:
        self.open_new_event(start, end, all_day)

    def on_view_event_activated(self, key: object) -> None:
        self.open_event(int(key))

    def on_view_event_changed(self, key: object, start: datetime, end: datetime) -> None:
        row = self.rows.get(int(key))
        if row is None:
            return
        self.undo_stack.push(MoveCommand(self, row.id, (row.starts_at, row.ends_at), (start, end)))

    def on_new_clicked(self) -> None:
        now = self.now_provider().astimezone(self.tz)
        if self.anchor == now.date():
            start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        else:
            start = datetime.combine(self.anchor, time(9), self.tz)
        self.open_new_event(start, start + timedelta(hours=1), False)

    # --- dialogs ------------------------------------------------------------------

    def open_new_event(self, start: datetime, end: datetime, all_day: bool) -> EventDialog | None:
        d = self.dictionaries
        if d is None:
            return None
        selected = self.side_panel.selected_calendars()
        calendar = next((c for c in d.calendars if c.id in selected), d.calendars[0])
        kinds = d.kinds_of(calendar.id)
        draft = EventDraft(
            calendar_id=calendar.id,
            kind_id=kinds[0].id if kinds else 0,
            title="",
            starts_at=start,
            ends_at=end,
            all_day=all_day,
            participant_ids=(self.context.user.id,),
        )
        dialog = EventDialog(self.context, d, initial=draft, tz=self.tz, parent=self)
        return self._show_dialog(dialog)

    def open_event(self, event_id: int) -> EventDialog | None:
        if self.dictionaries is None:
            return None
        dialog = EventDialog(
            self.context, self.dictionaries, event_id=event_id, tz=self.tz, parent=self
        )
        return self._show_dialog(dialog)

    def _show_dialog(self, dialog: EventDialog) -> EventDialog:
        self.open_dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        self.sig_dialog_opened.emit(dialog)
        return dialog

    def _dialog_closed(self, dialog: EventDialog) -> None:
        for view in (self.week_view, self.day_view):
            view.clear_selection()
        if self.open_dialog is dialog:
            self.open_dialog = None
        dialog.deleteLater()

    def open_share_dialog(self, mode: str) -> ShareDialog | None:
        if self.dictionaries is None:
            return None
        dialog = ShareDialog(mode, self.dictionaries.people, self.context.user.id, self)
        dialog.accepted.connect(lambda: self.on_share_accepted(dialog))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()
        self.share_dialog = dialog
        return dialog

    def on_share_accepted(self, dialog: ShareDialog) -> None:
        other, level, me = dialog.person_id(), dialog.level(), self.context.user.id
        if other is None:
            return
        owner, grantee = (me, other) if dialog.mode == ShareDialog.SHARE else (other, me)
        self.context.runner.mutate(
            lambda session: sharing.request_share(
                session, me, owner_id=owner, grantee_id=grantee, level=level
            ),
            changes={"share_requests"},
            on_success=lambda _id: messages.inform(
                self, tr("Prośba została wysłana do administratora.")
            ),
            on_failure=self.on_share_failed,
            owner=self,
        )

    def on_share_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and exc.code == "request_pending":
            messages.inform(self, tr("Taka prośba już czeka na decyzję administratora."))
            return
        messages.show_error(self, exc)

    def on_withdraw_requested(self, request_id: int) -> None:
        self.context.runner.mutate(
            lambda session: sharing.withdraw_request(session, request_id),
            changes={"share_requests"},
            owner=self,
        )

    # --- saving drags -------------------------------------------------------------

    def save_move(
        self, event_id: int, start: datetime, end: datetime, *, warn: bool = False
    ) -> None:
        """Save a dragged event's new times at once; with ``warn``, tell then whether a
        participant already has an absence or another event there, offering to undo."""
        row = self.rows.get(event_id)
        # an undo after paging away: the event is not on screen, read its version there
        version = row.version if row is not None else None
        participants = row.participant_ids if row is not None else None

        def save(session) -> tuple[int, list[events.Conflict]]:
            if version is None or participants is None:
                details = events.get_event(session, event_id)
                known, who = details.version, details.draft.participant_ids
            else:
                known, who = version, participants
            new_version = events.move_event(session, event_id, known, start, end)
            conflicts = (
                events.find_conflicts(session, who, start, end, exclude_event_id=event_id)
                if warn
                else []
            )
            return new_version, conflicts

        def saved(result: tuple[int, list[events.Conflict]]) -> None:
            new_version, conflicts = result
            current = self.rows.get(event_id)
            if current is not None:
                self.rows[event_id] = current._replace(
                    starts_at=start, ends_at=end, version=new_version
                )
            if conflicts:
                question = (
                    conflicts_text(conflicts, self.tz)
                    + "\n\n"
                    + tr("Zostawić zadanie w nowym miejscu? (Nie: cofnij przesunięcie)")
                )
                if not messages.ask(self, question, tr("Uwaga")):
                    self.undo_stack.undo()

        self.context.runner.mutate(
            save, changes={"events"}, on_success=saved, on_failure=self.on_move_failed, owner=self
        )

    def on_move_failed(self, exc: BaseException) -> None:
        # the view already showed the new place: put it back from the database
        self.undo_stack.clear()
        self.refresh(force=True)
        if isinstance(exc, ConflictError):
            messages.show_error(self, exc)
        elif isinstance(exc, ValidationError):
            messages.inform(self, tr("Koniec zadania nie może być wcześniej niż jego początek."))
        else:
            messages.show_error(self, exc)
