"""The "Szczegóły" tab of the event dialog: the form over an ``EventDraft``.

The address check runs on a worker thread (geopy blocks on the network); "Pokaż na
mapie" goes through ``open_url``, a seam tests replace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QObject,
    Qt,
    QThreadPool,
    QTime,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services.calendar import geocoding
from eszok_desktop.services.calendar.events import Dictionaries, EventDraft
from eszok_desktop.services.calendar.geocoding import GeocodeResult, GeocodeStatus
from eszok_desktop.services.calendar.layout import covered_dates

ROLE_ID = Qt.ItemDataRole.UserRole


def open_url(url: str) -> bool:
    """Open ``url`` in the user's browser (a seam: tests replace it)."""
    return QDesktopServices.openUrl(QUrl(url))


class _Relay(QObject):
    """Lives in the GUI thread; its queued signal carries a worker's result back."""

    sig_done = Signal(object, object)  # callback, result

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sig_done.connect(self.deliver)

    @Slot(object, object)
    def deliver(self, callback: Callable[[object], None], result: object) -> None:
        callback(result)


def run_in_background(
    fn: Callable[[], object], callback: Callable[[object], None], parent: QObject
) -> _Relay:
    """Run ``fn`` on the global thread pool and hand its result to ``callback`` on the
    GUI thread (network work that needs no database session)."""
    relay = _Relay(parent)

    def work() -> None:
        result = fn()
        # RuntimeError: the dialog was closed meanwhile and nobody waits for the answer
        with contextlib.suppress(RuntimeError):
            relay.sig_done.emit(callback, result)

    QThreadPool.globalInstance().start(work)
    return relay


class DetailsTab(QWidget):
    sig_geocode_finished = Signal(object)  # GeocodeResult

    def __init__(
        self, dictionaries: Dictionaries, me: int, tz: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.dictionaries = dictionaries
        self.me = me
        self.tz = tz
        self.geocoder_url: str | None = None  # None: geocoding.geocoder_base_url()
        self._lat: float | None = None
        self._lon: float | None = None
        self._geocoded_for: str | None = None
        self._relays: list[_Relay] = []

        form = QFormLayout()
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(self.tr("np. Spotkanie z klientem"))
        form.addRow(self.tr("Tytuł:"), self.title_edit)

        self.calendar_combo = QComboBox(self)
        for cal in dictionaries.calendars:
            self.calendar_combo.addItem(cal.name, cal.id)
        self.calendar_combo.currentIndexChanged.connect(self.on_calendar_changed)
        form.addRow(self.tr("Kalendarz:"), self.calendar_combo)

        self.kind_combo = QComboBox(self)
        form.addRow(self.tr("Rodzaj:"), self.kind_combo)

        self.all_day_box = QCheckBox(self.tr("Cały dzień"), self)
        self.all_day_box.toggled.connect(self.on_all_day_toggled)
        form.addRow("", self.all_day_box)
        self.start_edit = QDateTimeEdit(self)
        self.end_edit = QDateTimeEdit(self)
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy HH:mm")
            edit.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.start_edit.dateTimeChanged.connect(self.on_start_changed)
        form.addRow(self.tr("Początek:"), self.start_edit)
        form.addRow(self.tr("Koniec:"), self.end_edit)

        self.participants = QListWidget(self)
        self.participants.setMaximumHeight(110)
        form.addRow(self.tr("Uczestnicy:"), self.participants)

        self.responsible_combo = QComboBox(self)
        self.responsible_combo.addItem(self.tr("— brak —"), None)
        for person in dictionaries.people:
            if person.active:
                self.responsible_combo.addItem(person.full_name, person.id)
        form.addRow(self.tr("Odpowiedzialny:"), self.responsible_combo)

        self.company_edit = QLineEdit(self)
        form.addRow(self.tr("Firma:"), self.company_edit)
        self.nip_edit = QLineEdit(self)
        self.nip_edit.setPlaceholderText("123-456-32-18")
        form.addRow(self.tr("NIP:"), self.nip_edit)
        address_row = QHBoxLayout()
        self.address_edit = QLineEdit(self)
        self.address_edit.textEdited.connect(self.on_address_edited)
        self.check_address_button = QPushButton(self.tr("Sprawdź adres"), self)
        self.check_address_button.clicked.connect(self.on_check_address_clicked)
        self.map_button = QPushButton(self.tr("Pokaż na mapie"), self)
        self.map_button.clicked.connect(self.on_show_map_clicked)
        address_row.addWidget(self.address_edit, 1)
        address_row.addWidget(self.check_address_button)
        address_row.addWidget(self.map_button)
        form.addRow(self.tr("Adres:"), address_row)
        self.geocode_label = QLabel(self)
        self.geocode_label.setWordWrap(True)
        self.geocode_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.geocode_label.hide()
        self.use_address_button = QPushButton(self.tr("Wstaw znaleziony adres"), self)
        self.use_address_button.hide()
        self.use_address_button.clicked.connect(self.on_use_address_clicked)
        geocode_row = QHBoxLayout()
        geocode_row.addWidget(self.geocode_label, 1)
        geocode_row.addWidget(self.use_address_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("", geocode_row)
        self._found_address: str | None = None

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setMaximumHeight(90)
        form.addRow(self.tr("Notatka:"), self.note_edit)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.field_widgets: dict[str, QWidget] = {
            "title": self.title_edit,
            "calendar_id": self.calendar_combo,
            "kind_id": self.kind_combo,
            "starts_at": self.start_edit,
            "ends_at": self.end_edit,
            "participant_ids": self.participants,
            "responsible_id": self.responsible_combo,
            "company_name": self.company_edit,
            "company_nip": self.nip_edit,
            "company_address": self.address_edit,
            "note": self.note_edit,
        }
        self._fill_participants((me,), ())
        self.on_calendar_changed()

    # --- filling ------------------------------------------------------------------

    def set_draft(self, draft: EventDraft, previous_participants: Sequence[int] = ()) -> None:
        index = self.calendar_combo.findData(draft.calendar_id)
        self.calendar_combo.setCurrentIndex(max(0, index))
        self._fill_kinds(draft.calendar_id, include=draft.kind_id)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(draft.kind_id)))
        self.title_edit.setText(draft.title)
        self.all_day_box.setChecked(draft.all_day)
        self.set_times(draft.starts_at, draft.ends_at, draft.all_day)
        self._fill_participants(draft.participant_ids, previous_participants)
        index = self.responsible_combo.findData(draft.responsible_id)
        if index < 0 and draft.responsible_id is not None:
            name = self.dictionaries.person_name(draft.responsible_id)
            self.responsible_combo.addItem(name, draft.responsible_id)
            index = self.responsible_combo.count() - 1
        self.responsible_combo.setCurrentIndex(max(0, index))
        self.company_edit.setText(draft.company_name or "")
        self.nip_edit.setText(draft.company_nip or "")
        self.address_edit.setText(draft.company_address or "")
        self._lat, self._lon = draft.address_lat, draft.address_lon
        self._geocoded_for = draft.company_address if draft.address_lat is not None else None
        self.set_geocode_text(self._coordinates_text() if self._lat is not None else "")
        self.note_edit.setPlainText(draft.note or "")

    def set_times(self, start: datetime, end: datetime, all_day: bool) -> None:
        """Show ``[start, end)``; an all-day event shows its first and last day."""
        local_start = start.astimezone(self.tz)
        if all_day:
            first, last = covered_dates(start, end, self.tz)
            self.start_edit.setDateTime(QDateTime(_qdate(first), QTime(0, 0)))
            self.end_edit.setDateTime(QDateTime(_qdate(last), QTime(0, 0)))
            return
        local_end = end.astimezone(self.tz)
        self.start_edit.setDateTime(
            QDateTime(_qdate(local_start.date()), QTime(local_start.hour, local_start.minute))
        )
        self.end_edit.setDateTime(
            QDateTime(_qdate(local_end.date()), QTime(local_end.hour, local_end.minute))
        )

    def _fill_kinds(self, calendar_id: int, include: int | None = None) -> None:
        current = self.kind_combo.currentData()
        self.kind_combo.clear()
        kinds = self.dictionaries.kinds_of(calendar_id, include=include)
        extra = self.dictionaries.kind(include) if include is not None else None
        if extra is not None and extra not in kinds:
            kinds.append(extra)
        for kind in kinds:
            self.kind_combo.addItem(kind.name, kind.id)
        index = self.kind_combo.findData(current)
        self.kind_combo.setCurrentIndex(index if index >= 0 else 0)

    def _fill_participants(self, chosen: Sequence[int], previous: Sequence[int]) -> None:
        manageable = self.dictionaries.manageable_ids()
        self.participants.clear()
        people = [p for p in self.dictionaries.people if p.active or p.id in chosen]
        own_first = sorted(people, key=lambda p: (p.id != self.me, p.id not in manageable))
        for person in own_first:
            item = QListWidgetItem(person.full_name)
            item.setData(ROLE_ID, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = person.id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            if person.id not in manageable and person.id not in previous:
                item.setForeground(QBrush(QColor("#8a8a8a")))
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
                item.setToolTip(self.tr("Nie masz uprawnień do kalendarza tej osoby."))
            self.participants.addItem(item)

    # --- reading ------------------------------------------------------------------

    def draft(self) -> EventDraft:
        """The form's content as a draft (not yet validated)."""
        all_day = self.all_day_box.isChecked()
        start_date = self.start_edit.date().toPython()
        end_date = self.end_edit.date().toPython()
        if all_day:
            starts_at = datetime.combine(start_date, time(0), self.tz)
            ends_at = datetime.combine(end_date + timedelta(days=1), time(0), self.tz)
            if end_date < start_date:
                ends_at = datetime.combine(end_date, time(0), self.tz)
        else:
            starts_at = datetime.combine(start_date, self.start_edit.time().toPython(), self.tz)
            ends_at = datetime.combine(end_date, self.end_edit.time().toPython(), self.tz)
        address = self.address_edit.text()
        keep_coordinates = (
            self._geocoded_for is not None and address.strip() == (self._geocoded_for or "").strip()
        )
        return EventDraft(
            calendar_id=int(self.calendar_combo.currentData()),
            kind_id=int(self.kind_combo.currentData() or 0),
            title=self.title_edit.text(),
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=all_day,
            participant_ids=tuple(self.checked_participants()),
            responsible_id=self.responsible_combo.currentData(),
            company_name=self.company_edit.text(),
            company_nip=self.nip_edit.text(),
            company_address=address,
            address_lat=self._lat if keep_coordinates else None,
            address_lon=self._lon if keep_coordinates else None,
            note=self.note_edit.toPlainText(),
        )

    def checked_participants(self) -> list[int]:
        return [
            int(self.participants.item(i).data(ROLE_ID))
            for i in range(self.participants.count())
            if self.participants.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_participant_checked(self, user_id: int, checked: bool) -> None:
        for i in range(self.participants.count()):
            item = self.participants.item(i)
            if item.data(ROLE_ID) == user_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.field_widgets.values():
            widget.setEnabled(not read_only)
        self.all_day_box.setEnabled(not read_only)
        self.check_address_button.setEnabled(not read_only)

    # --- slots --------------------------------------------------------------------

    def on_calendar_changed(self, _index: int = 0) -> None:
        calendar_id = self.calendar_combo.currentData()
        if calendar_id is not None:
            self._fill_kinds(int(calendar_id))

    def on_all_day_toggled(self, all_day: bool) -> None:
        fmt = "dd.MM.yyyy" if all_day else "dd.MM.yyyy HH:mm"
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat(fmt)

    def on_start_changed(self, _value: QDateTime) -> None:
        # keep the end after the start when the start is moved past it
        if self.end_edit.dateTime() < self.start_edit.dateTime():
            self.end_edit.setDateTime(self.start_edit.dateTime().addSecs(3600))

    def on_address_edited(self, _text: str) -> None:
        if self._geocoded_for is not None:
            self.set_geocode_text("")
            self.use_address_button.hide()

    def on_use_address_clicked(self) -> None:
        """Take the geocoder's normalised address (the coordinates stay with it)."""
        if self._found_address:
            self.address_edit.setText(self._found_address[:300])
            self._geocoded_for = self.address_edit.text()
            self.use_address_button.hide()

    def on_check_address_clicked(self) -> None:
        address = self.address_edit.text().strip()
        if not address:
            self.set_geocode_text(self.tr("Wpisz adres do sprawdzenia."))
            return
        self.check_address_button.setEnabled(False)
        self.set_geocode_text(self.tr("Sprawdzanie adresu…"))
        url = self.geocoder_url

        def lookup() -> GeocodeResult:
            return geocoding.check_address(address, base_url=url)

        self._relays.append(
            run_in_background(lookup, lambda result: self.on_geocode_done(address, result), self)
        )

    def on_geocode_done(self, address: str, result: object) -> None:
        assert isinstance(result, GeocodeResult)
        self.check_address_button.setEnabled(True)
        messages = {
            GeocodeStatus.NOT_FOUND: self.tr("Nie znaleziono takiego adresu."),
            GeocodeStatus.TIMEOUT: self.tr(
                "Usługa map nie odpowiedziała na czas. Spróbuj ponownie za chwilę."
            ),
            GeocodeStatus.OFFLINE: self.tr(
                "Brak połączenia z usługą map (sprawdź połączenie z internetem)."
            ),
            GeocodeStatus.ERROR: self.tr("Usługa map zgłosiła błąd. Spróbuj ponownie później."),
        }
        self._found_address = result.address if result.status == GeocodeStatus.FOUND else None
        self.use_address_button.setVisible(self._found_address is not None)
        if result.status == GeocodeStatus.FOUND:
            self._lat, self._lon = result.latitude, result.longitude
            self._geocoded_for = address
            self.set_geocode_text(
                self.tr("Znaleziono: {address}").format(address=result.address)
                + "\n"
                + self._coordinates_text()
            )
        else:
            self.set_geocode_text(messages[result.status])
        self.sig_geocode_finished.emit(result)

    def set_geocode_text(self, text: str) -> None:
        self.geocode_label.setText(text)
        self.geocode_label.setVisible(bool(text))

    def _coordinates_text(self) -> str:
        if self._lat is None or self._lon is None:
            return ""
        return self.tr("Współrzędne: {lat:.5f}, {lon:.5f}").format(lat=self._lat, lon=self._lon)

    def on_show_map_clicked(self) -> None:
        address = self.address_edit.text().strip()
        if not address and self._lat is None:
            self.set_geocode_text(self.tr("Wpisz adres, aby pokazać go na mapie."))
            return
        open_url(geocoding.maps_url(address, self._lat, self._lon))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
