"""The "Akcja" tab: "Usuń zadanie" and actions other modules add.

Extension point (used by Serwis for "Wygeneruj kartę zadaniową", F-CARD-FROM-EVENT):
a module registers a provider once, e.g. in its ``ui/<module>/__init__.py``::

    from eszok_desktop.ui.calendar.event_dialog.action_tab import (
        EventAction, register_event_action_provider)

    def card_actions(context, event, calendar):
        if calendar.code != "serwis" or not context.user.can("cards.own"):
            return []
        return [EventAction(
            "Wygeneruj kartę zadaniową",
            lambda parent: open_card_form_from_event(context, event.id, parent))]

    register_event_action_provider(card_actions)

A provider gets the ``AppContext``, the event (``services.calendar.events.EventDetails``)
and its calendar (``CalendarInfo``) and returns ``EventAction``s; each becomes a button
that calls ``run(parent_widget)``. The tab also emits ``sig_action_triggered(label,
event_id)`` for every action, so a screen can react without a provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from eszok_desktop.services.calendar.events import CalendarInfo, EventDetails
from eszok_desktop.ui.context import AppContext


@dataclass(frozen=True)
class EventAction:
    label: str
    run: Callable[[QWidget], None]
    tooltip: str = ""


EventActionProvider = Callable[[AppContext, EventDetails, CalendarInfo], Iterable[EventAction]]
_providers: list[EventActionProvider] = []


def register_event_action_provider(provider: EventActionProvider) -> None:
    """Add actions to every event's Akcja tab (idempotent for the same provider)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_event_action_provider(provider: EventActionProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


class ActionTab(QWidget):
    sig_delete_clicked = Signal()
    sig_leave_clicked = Signal()
    sig_action_triggered = Signal(str, int)  # label, event id

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._layout = QVBoxLayout(self)
        self.delete_button = QPushButton(self.tr("Usuń zadanie"), self)
        self.delete_button.clicked.connect(self.sig_delete_clicked)
        self._layout.addWidget(self.delete_button)
        self.leave_button = QPushButton(self.tr("Wypisz mnie z zadania"), self)
        self.leave_button.setToolTip(
            self.tr("Zadanie zniknie z Twojego kalendarza, u pozostałych uczestników zostanie.")
        )
        self.leave_button.clicked.connect(self.sig_leave_clicked)
        self._layout.addWidget(self.leave_button)
        self.extra_buttons: list[QPushButton] = []
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self._layout.addWidget(self.hint)
        self._layout.addStretch(1)

    def set_event(
        self,
        event: EventDetails,
        calendar: CalendarInfo | None,
        editable: bool,
        *,
        deletable: bool,
        others: Iterable[str] = (),
    ) -> None:
        """``deletable``: every participant's calendar is manageable; ``others``: the
        names of participants whose calendars are not."""
        for button in self.extra_buttons:
            button.deleteLater()
        self.extra_buttons = []
        participants = event.draft.participant_ids
        self.delete_button.setEnabled(editable and deletable)
        self.leave_button.setVisible(self.context.user.id in participants and len(participants) > 1)
        if not editable:
            hint = self.tr("Masz tylko podgląd tego kalendarza: nie możesz usunąć zadania.")
        elif not deletable:
            hint = self.tr(
                "Zadanie jest też w kalendarzu: {names}. Usunąć je może ktoś, kto zarządza "
                "wszystkimi tymi kalendarzami; Ty możesz się z niego wypisać."
            ).format(names=", ".join(others))
        else:
            hint = ""
        self.hint.setText(hint)
        if calendar is None:
            return
        for provider in list(_providers):
            for action in provider(self.context, event, calendar):
                button = QPushButton(action.label, self)
                button.setToolTip(action.tooltip)
                button.clicked.connect(
                    lambda _checked=False, a=action, eid=event.id: self._run(a, eid)
                )
                self._layout.insertWidget(1 + len(self.extra_buttons), button)
                self.extra_buttons.append(button)

    def _run(self, action: EventAction, event_id: int) -> None:
        self.sig_action_triggered.emit(action.label, event_id)
        action.run(self.window())
