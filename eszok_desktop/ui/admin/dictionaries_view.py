"""Słowniki (F-CALS, F-CARDS): event kinds of each calendar and kinds of work for task
cards. A kind in use can be retired ("Wycofaj": not offered for new records) but not
deleted; the database enforces it and the page explains a refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from eszok_desktop.services.admin import dictionaries as dicts
from eszok_desktop.services.admin.dictionaries import Calendar, Dictionary, Kind
from eszok_desktop.services.errors import ValidationError
from eszok_desktop.ui.admin import feedback
from eszok_desktop.ui.admin.table_model import Column, RowTableModel, make_table, selected_row
from eszok_desktop.ui.context import AppContext

DICTIONARY_CHANGES = frozenset({"event_kinds", "work_kinds"})


def tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


@dataclass(frozen=True)
class DictionaryChoice:
    dictionary: Dictionary
    calendar_id: int | None
    title: str


def dictionary_choices(calendars: list[Calendar]) -> list[DictionaryChoice]:
    """One entry per calendar's event kinds, then the kinds of work."""
    choices = [
        DictionaryChoice(
            Dictionary.EVENT_KINDS, c.id, tr("Rodzaje wydarzeń — {name}").format(name=c.name)
        )
        for c in calendars
    ]
    choices.append(DictionaryChoice(Dictionary.WORK_KINDS, None, tr("Rodzaje prac (karty)")))
    return choices


def kind_columns() -> list[Column[Kind]]:
    def retired(k: Kind) -> bool:
        return not k.active

    return [
        Column(tr("Nazwa"), lambda k: k.name, muted=retired),
        Column(tr("Stan"), lambda k: tr("aktywny") if k.active else tr("wycofany"), muted=retired),
        Column(
            tr("Używany"),
            lambda k: tr("tak") if k.in_use else tr("nie"),
            tooltip=lambda k: (
                tr("Używany rodzaj można wycofać, ale nie usunąć.") if k.in_use else None
            ),
            muted=retired,
            align_center=True,
        ),
    ]


class DictionariesView(QWidget):
    """The "Słowniki" page."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dictionariesView")
        self.choices: list[DictionaryChoice] = []
        self.model: RowTableModel[Kind] = RowTableModel(kind_columns(), self)
        self.loaded = False
        self._build()
        ctx.runner.sig_changes_happened.connect(self.on_changes_happened)
        ctx.runner.query(
            dicts.list_calendars,
            on_success=self.on_calendars_loaded,
            on_failure=self.on_failed,
            owner=self,
        )

    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setObjectName("dictionaryList")
        self.list.currentRowChanged.connect(self.on_dictionary_changed)
        self.table = make_table(self.model)
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.add_button = QPushButton(self.tr("Dodaj…"))
        self.rename_button = QPushButton(self.tr("Zmień nazwę…"))
        self.retire_button = QPushButton(self.tr("Wycofaj"))
        self.delete_button = QPushButton(self.tr("Usuń"))
        self.add_button.clicked.connect(self.on_add_clicked)
        self.rename_button.clicked.connect(self.on_rename_clicked)
        self.retire_button.clicked.connect(self.on_retire_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        hint = QLabel(
            self.tr(
                "Wycofany rodzaj nie jest proponowany przy nowych wpisach; dotychczasowe "
                "wpisy go zachowują."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.retire_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table, 1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(hint)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.update_buttons()

    # --- data -------------------------------------------------------------------

    def on_calendars_loaded(self, calendars: list[Calendar]) -> None:
        self.choices = dictionary_choices(calendars)
        for choice in self.choices:
            self.list.addItem(QListWidgetItem(choice.title))
        self.list.setCurrentRow(0)

    def current(self) -> DictionaryChoice | None:
        row = self.list.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) else None

    @Slot(int)
    def on_dictionary_changed(self, _row: int) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        choice = self.current()
        if choice is None:
            return

        def done(kinds: list[Kind]) -> None:
            if self.current() is choice:
                self.model.set_rows(kinds)
                self.loaded = True
                self.update_buttons()

        self.ctx.runner.query(
            lambda s: dicts.list_kinds(s, choice.dictionary, choice.calendar_id),
            on_success=done,
            on_failure=self.on_failed,
            owner=self,
        )

    @Slot(object)
    def on_changes_happened(self, kinds: Iterable[str]) -> None:
        if DICTIONARY_CHANGES & set(kinds) or "*" in kinds:
            self.refresh()

    @Slot()
    def update_buttons(self, *_args: object) -> None:
        kind = selected_row(self.table, self.model)
        self.rename_button.setEnabled(kind is not None)
        self.retire_button.setEnabled(kind is not None)
        self.delete_button.setEnabled(kind is not None and not kind.in_use)
        self.retire_button.setText(
            self.tr("Przywróć") if kind is not None and not kind.active else self.tr("Wycofaj")
        )

    def on_failed(self, exc: BaseException) -> None:
        feedback.show_error(self, exc)
        self.refresh()

    def run(self, fn: Callable[[Session], object]) -> None:
        choice = self.current()
        kinds = {str(choice.dictionary)} if choice else DICTIONARY_CHANGES
        self.ctx.runner.mutate(fn, changes=kinds, on_failure=self.on_failed, owner=self)

    # --- actions ----------------------------------------------------------------

    def ask_name(self, title: str, current: str = "") -> str | None:
        """Ask for a kind's name (a seam tests replace); None when cancelled."""
        text, ok = QInputDialog.getText(
            self, title, self.tr("Nazwa:"), QLineEdit.EchoMode.Normal, current
        )
        return text if ok else None

    def checked_name(self, title: str, current: str = "") -> str | None:
        name = self.ask_name(title, current)
        if name is None:
            return None
        try:
            return dicts.validate_name(name)
        except ValidationError as exc:
            feedback.show_error(self, exc)
            return None

    @Slot()
    def on_add_clicked(self) -> None:
        choice = self.current()
        if choice is None:
            return
        name = self.checked_name(self.tr("Nowy rodzaj"))
        if name is not None:
            self.run(lambda s: dicts.add_kind(s, choice.dictionary, name, choice.calendar_id))

    @Slot()
    def on_rename_clicked(self) -> None:
        choice, kind = self.current(), selected_row(self.table, self.model)
        if choice is None or kind is None:
            return
        name = self.checked_name(self.tr("Zmień nazwę"), kind.name)
        if name is not None and name != kind.name:
            self.run(
                lambda s: dicts.update_kind(
                    s, choice.dictionary, kind.id, kind.version, name=name, active=kind.active
                )
            )

    @Slot()
    def on_retire_clicked(self) -> None:
        choice, kind = self.current(), selected_row(self.table, self.model)
        if choice is None or kind is None:
            return
        self.run(
            lambda s: dicts.update_kind(
                s,
                choice.dictionary,
                kind.id,
                kind.version,
                name=kind.name,
                active=not kind.active,
            )
        )

    @Slot()
    def on_delete_clicked(self) -> None:
        choice, kind = self.current(), selected_row(self.table, self.model)
        if choice is None or kind is None:
            return
        if feedback.ask(self, self.tr("Usunąć rodzaj „{name}”?").format(name=kind.name)):
            self.run(lambda s: dicts.delete_kind(s, choice.dictionary, kind.id))
