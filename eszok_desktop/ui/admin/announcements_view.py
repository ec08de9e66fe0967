"""Ogłoszenia (F-PANEL): administrators and managers publish, edit and expire the
announcements Panel Główny shows. Visibility runs from "od" to "do" (open-ended when
"bez terminu końca" is ticked); "Wygaś teraz" ends it at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDateTime, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from eszok_desktop.services.admin import announcements
from eszok_desktop.services.admin.announcements import AnnouncementRow
from eszok_desktop.services.admin.errors import NotFound
from eszok_desktop.services.errors import ConflictError, ValidationError
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.table_model import Column, RowTableModel, make_table, selected_row
from eszok_desktop.ui.admin.user_dialogs import error_label
from eszok_desktop.ui.context import AppContext

DATE_FORMAT = "dd.MM.yyyy HH:mm"
STATE_NAMES = {"current": "widoczne", "scheduled": "zaplanowane", "expired": "wygasłe"}


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


def announcement_columns(now: Callable[[], datetime]) -> list[Column[AnnouncementRow]]:
    def muted(a: AnnouncementRow) -> bool:
        return a.state(now()) == "expired"

    return [
        Column(tr("Tytuł"), lambda a: a.title, tooltip=lambda a: a.body or None, muted=muted),
        Column(tr("Widoczne od"), lambda a: feedback.local_time(a.visible_from), muted=muted),
        Column(
            tr("Widoczne do"),
            lambda a: feedback.local_time(a.visible_to) or tr("bez terminu"),
            muted=muted,
        ),
        Column(tr("Stan"), lambda a: tr(STATE_NAMES[a.state(now())]), muted=muted),
        Column(tr("Autor"), lambda a: a.author_name, muted=muted),
    ]


def to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    """The edit's local wall-clock time as an aware datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()


class AnnouncementsView(QWidget):
    """The announcements list with an editor beside it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("announcementsView")
        self.model: RowTableModel[AnnouncementRow] = RowTableModel(
            announcement_columns(lambda: datetime.now().astimezone()), self
        )
        self.editing: AnnouncementRow | None = None
        self.select_after_refresh: int | None = None
        self.loaded = False
        self._build()
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        self.on_new_clicked()
        self.refresh()

    def _build(self) -> None:
        self.table = make_table(self.model)
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)

        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.body = QPlainTextEdit()
        self.body.setObjectName("body")
        self.visible_from = QDateTimeEdit()
        self.visible_from.setDisplayFormat(DATE_FORMAT)
        self.visible_from.setCalendarPopup(True)
        self.visible_to = QDateTimeEdit()
        self.visible_to.setDisplayFormat(DATE_FORMAT)
        self.visible_to.setCalendarPopup(True)
        self.open_ended = QCheckBox(self.tr("bez terminu końca"))
        self.open_ended.toggled.connect(self.on_open_ended_toggled)
        self.error = error_label()
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")

        self.new_button = QPushButton(self.tr("Nowe ogłoszenie"))
        self.save_button = QPushButton(self.tr("Opublikuj"))
        self.expire_button = QPushButton(self.tr("Wygaś teraz"))
        self.delete_button = QPushButton(self.tr("Usuń"))
        self.new_button.clicked.connect(self.on_new_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.expire_button.clicked.connect(self.on_expire_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)

        to_row = QHBoxLayout()
        to_row.addWidget(self.visible_to, 1)
        to_row.addWidget(self.open_ended)
        form = QFormLayout()
        form.addRow(self.tr("Tytuł:"), self.title)
        form.addRow(self.tr("Treść:"), self.body)
        form.addRow(self.tr("Widoczne od:"), self.visible_from)
        form.addRow(self.tr("Widoczne do:"), to_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.expire_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addWidget(self.heading)
        editor_layout.addLayout(form, 1)
        editor_layout.addWidget(self.error)
        editor_layout.addLayout(buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.new_button)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- data -------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        keep = self.select_after_refresh or (self.editing.id if self.editing else None)
        self.select_after_refresh = None

        def done(rows: list[AnnouncementRow]) -> None:
            self.model.set_rows(rows)
            self.loaded = True
            if keep is not None:
                for row, ann in enumerate(rows):
                    if ann.id == keep:
                        self.table.selectRow(row)
                        break
                else:
                    self.on_new_clicked()

        self.ctx.runner.query(
            announcements.list_announcements,
            on_success=done,
            on_failure=self.on_failed,
            owner=self,
        )

    @Slot(object)
    def on_changes_happened(self, kinds: Iterable[str]) -> None:
        if "announcements" in kinds or "*" in kinds:
            self.refresh()

    def on_failed(self, exc: BaseException) -> None:
        feedback.show_error(self, exc)
        if isinstance(exc, ConflictError | NotFound):
            self.refresh()

    # --- editor -----------------------------------------------------------------

    @Slot()
    def on_new_clicked(self) -> None:
        self.table.clearSelection()
        self.editing = None
        self.heading.setText(self.tr("Nowe ogłoszenie"))
        self.title.clear()
        self.body.clear()
        now = datetime.now().astimezone().replace(second=0, microsecond=0)
        self.visible_from.setDateTime(to_qdatetime(now))
        self.visible_to.setDateTime(to_qdatetime(now + timedelta(days=7)))
        self.open_ended.setChecked(True)
        self.error.hide()
        self.save_button.setText(self.tr("Opublikuj"))
        self.expire_button.setEnabled(False)
        self.delete_button.setEnabled(False)

    def load(self, row: AnnouncementRow) -> None:
        self.editing = row
        self.heading.setText(self.tr("Edycja ogłoszenia"))
        self.title.setText(row.title)
        self.body.setPlainText(row.body)
        self.visible_from.setDateTime(to_qdatetime(row.visible_from))
        self.open_ended.setChecked(row.visible_to is None)
        if row.visible_to is not None:
            self.visible_to.setDateTime(to_qdatetime(row.visible_to))
        self.error.hide()
        self.save_button.setText(self.tr("Zapisz zmiany"))
        self.expire_button.setEnabled(row.state(datetime.now().astimezone()) != "expired")
        self.delete_button.setEnabled(True)

    @Slot()
    def on_selection_changed(self, *_args: object) -> None:
        row = selected_row(self.table, self.model)
        if row is not None:
            self.load(row)

    @Slot(bool)
    def on_open_ended_toggled(self, open_ended: bool) -> None:
        self.visible_to.setEnabled(not open_ended)

    def form_values(self) -> tuple[str, str, datetime, datetime | None]:
        start = from_qdatetime(self.visible_from.dateTime())
        end = None if self.open_ended.isChecked() else from_qdatetime(self.visible_to.dateTime())
        title, body = announcements.validate(self.title.text(), self.body.toPlainText(), start, end)
        return title, body, start, end

    def show_problem(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.error.setText(feedback.describe(exc))
            self.error.show()
        else:
            self.on_failed(exc)

    def run(self, fn: Callable[[Session], object], after: Callable[[object], None]) -> None:
        self.ctx.runner.mutate(
            fn,
            changes={"announcements"},
            on_success=after,
            on_failure=self.show_problem,
            owner=self,
        )

    @Slot()
    def on_save_clicked(self) -> None:
        try:
            title, body, start, end = self.form_values()
        except ValidationError as exc:
            self.show_problem(exc)
            return
        self.error.hide()
        editing = self.editing
        if editing is None:

            def publish(session: Session) -> int:
                return announcements.publish(
                    session, title=title, body=body, visible_from=start, visible_to=end
                )

            def published(new_id: object) -> None:
                self.select_after_refresh = int(new_id)  # type: ignore[call-overload]

            self.run(publish, published)
            return

        def save(session: Session) -> None:
            announcements.edit(
                session,
                editing.id,
                editing.version,
                title=title,
                body=body,
                visible_from=start,
                visible_to=end,
            )

        self.run(save, lambda _r: None)

    @Slot()
    def on_expire_clicked(self) -> None:
        editing = self.editing
        if editing is not None:
            self.run(lambda s: announcements.expire(s, editing.id), lambda _r: None)

    @Slot()
    def on_delete_clicked(self) -> None:
        editing = self.editing
        if editing is None:
            return
        if feedback.ask(self, self.tr("Usunąć ogłoszenie „{t}”?").format(t=editing.title)):
            self.editing = None
            self.run(lambda s: announcements.delete(s, editing.id), lambda _r: None)
