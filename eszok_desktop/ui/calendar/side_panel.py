"""The Terminarz side panel (F-SIDEPANEL, F-SHARE): a date navigator, which of the three
calendars are shown, whose calendars are overlaid (own first, a colour each), the share
buttons and the user's pending share requests. It only reports choices by signal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar.events import CalendarOwner, Dictionaries
from eszok_desktop.services.calendar.sharing import PendingRequest

POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)
# Distinct colours for overlaid users (the own calendar takes the first).
USER_COLORS = (
    "#1f6fb2",
    "#e07b00",
    "#2a9d48",
    "#c62828",
    "#7b4fb0",
    "#8d5a3b",
    "#d1478f",
    "#5f6b73",
    "#9a9a00",
    "#0f9fae",
)
ROLE_ITEM_USER = Qt.ItemDataRole.UserRole
ROLE_ITEM_REQUEST = Qt.ItemDataRole.UserRole + 1


def swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class SidePanel(QWidget):
    sig_date_chosen = Signal(object)  # date
    sig_calendars_changed = Signal(object)  # frozenset[int] of calendar ids
    sig_users_changed = Signal(object)  # frozenset[int] of user ids
    sig_share_clicked = Signal()
    sig_request_access_clicked = Signal()
    sig_withdraw_requested = Signal(int)  # share request id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(230)
        self.setMaximumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.navigator = QCalendarWidget(self)
        self.navigator.setLocale(POLISH)
        self.navigator.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.navigator.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.ISOWeekNumbers)
        self.navigator.setHorizontalHeaderFormat(
            QCalendarWidget.HorizontalHeaderFormat.ShortDayNames
        )
        self.navigator.clicked.connect(self.on_navigator_clicked)
        layout.addWidget(self.navigator)

        calendars_box = QGroupBox(self.tr("Kalendarze"), self)
        self._calendars_layout = QVBoxLayout(calendars_box)
        self.calendar_boxes: dict[int, QCheckBox] = {}
        layout.addWidget(calendars_box)

        users_box = QGroupBox(self.tr("Użytkownicy"), self)
        users_layout = QVBoxLayout(users_box)
        self.users = QListWidget(users_box)
        self.users.setToolTip(self.tr("Zaznacz, czyje kalendarze nałożyć na widok."))
        self.users.itemChanged.connect(self.on_user_item_changed)
        users_layout.addWidget(self.users)
        layout.addWidget(users_box, 1)

        share_box = QGroupBox(self.tr("Udostępnianie"), self)
        share_layout = QVBoxLayout(share_box)
        self.share_button = QPushButton(self.tr("Udostępnij mój kalendarz…"), share_box)
        self.share_button.clicked.connect(self.sig_share_clicked)
        self.request_button = QPushButton(self.tr("Poproś o dostęp…"), share_box)
        self.request_button.clicked.connect(self.sig_request_access_clicked)
        share_layout.addWidget(self.share_button)
        share_layout.addWidget(self.request_button)
        share_layout.addWidget(QLabel(self.tr("Oczekujące prośby:"), share_box))
        self.pending = QListWidget(share_box)
        self.pending.setMaximumHeight(90)
        share_layout.addWidget(self.pending)
        row = QHBoxLayout()
        self.withdraw_button = QPushButton(self.tr("Wycofaj prośbę"), share_box)
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self.on_withdraw_clicked)
        self.pending.currentItemChanged.connect(
            lambda current, _previous: self.withdraw_button.setEnabled(
                current is not None and bool(current.data(ROLE_ITEM_REQUEST + 1))
            )
        )
        row.addStretch(1)
        row.addWidget(self.withdraw_button)
        share_layout.addLayout(row)
        layout.addWidget(share_box)

        self._colors: dict[int, str] = {}
        self._updating = False

    # --- filling ------------------------------------------------------------------

    def set_dictionaries(self, dictionaries: Dictionaries, me: int) -> None:
        """Fill the calendar checkboxes and the user list; keeps earlier choices."""
        previous_cals = self.selected_calendars() if self.calendar_boxes else None
        previous_users = self.selected_users() if self.users.count() else frozenset({me})
        for box in self.calendar_boxes.values():
            box.deleteLater()
        self.calendar_boxes = {}
        for cal in dictionaries.calendars:
            box = QCheckBox(cal.name, self)
            box.setIcon(swatch(cal.color))
            box.setChecked(previous_cals is None or cal.id in previous_cals)
            box.toggled.connect(self.on_calendar_toggled)
            self._calendars_layout.addWidget(box)
            self.calendar_boxes[cal.id] = box
        self.set_owners(dictionaries.owners, me, previous_users)

    def set_owners(self, owners: Sequence[CalendarOwner], me: int, checked: frozenset[int]) -> None:
        self._updating = True
        try:
            self.users.clear()
            self._colors = {}
            for index, owner in enumerate(owners):
                color = USER_COLORS[index % len(USER_COLORS)]
                self._colors[owner.user_id] = color
                suffix = {
                    "own": self.tr(" (mój)"),
                    "view": self.tr(" (podgląd)"),
                    "manage": self.tr(" (zarządzanie)"),
                }.get(owner.level, "")
                item = QListWidgetItem(swatch(color), owner.full_name + suffix)
                item.setData(ROLE_ITEM_USER, owner.user_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                state = owner.user_id in checked or (owner.user_id == me and not checked)
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
                self.users.addItem(item)
        finally:
            self._updating = False

    def set_pending(self, requests: Sequence[PendingRequest], me: int) -> None:
        self.pending.clear()
        level_names = {"view": self.tr("podgląd"), "manage": self.tr("zarządzanie")}
        for request in requests:
            level = level_names.get(request.level, request.level)
            if request.outgoing(me):
                text = self.tr("Udostępniam: {name} ({level})").format(
                    name=request.grantee_name, level=level
                )
            else:
                text = self.tr("Dostęp do: {name} ({level})").format(
                    name=request.owner_name, level=level
                )
            item = QListWidgetItem(text)
            item.setToolTip(self.tr("Czeka na decyzję administratora."))
            item.setData(ROLE_ITEM_REQUEST, request.id)
            item.setData(ROLE_ITEM_REQUEST + 1, request.requested_by == me)
            self.pending.addItem(item)
        if not requests:
            item = QListWidgetItem(self.tr("brak"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.pending.addItem(item)

    def set_date(self, day: date) -> None:
        self.navigator.setSelectedDate(QDate(day.year, day.month, day.day))

    # --- state --------------------------------------------------------------------

    def selected_calendars(self) -> frozenset[int]:
        return frozenset(cid for cid, box in self.calendar_boxes.items() if box.isChecked())

    def selected_users(self) -> frozenset[int]:
        return frozenset(
            int(self.users.item(i).data(ROLE_ITEM_USER))
            for i in range(self.users.count())
            if self.users.item(i).checkState() == Qt.CheckState.Checked
        )

    def user_color(self, user_id: int) -> str:
        return self._colors.get(user_id, USER_COLORS[0])

    def set_calendar_checked(self, calendar_id: int, checked: bool) -> None:
        self.calendar_boxes[calendar_id].setChecked(checked)

    def set_user_checked(self, user_id: int, checked: bool) -> None:
        for i in range(self.users.count()):
            item = self.users.item(i)
            if item.data(ROLE_ITEM_USER) == user_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # --- slots --------------------------------------------------------------------

    def on_navigator_clicked(self, qdate: QDate) -> None:
        self.sig_date_chosen.emit(date(qdate.year(), qdate.month(), qdate.day()))

    def on_calendar_toggled(self, _checked: bool) -> None:
        self.sig_calendars_changed.emit(self.selected_calendars())

    def on_user_item_changed(self, _item: QListWidgetItem) -> None:
        if not self._updating:
            self.sig_users_changed.emit(self.selected_users())

    def on_withdraw_clicked(self) -> None:
        item = self.pending.currentItem()
        if item is not None and item.data(ROLE_ITEM_REQUEST) is not None:
            self.sig_withdraw_requested.emit(int(item.data(ROLE_ITEM_REQUEST)))
