""" "Wygeneruj kartę zadaniową" for a Serwis event (the Terminarz event dialog's Akcja tab
calls ``open_card_for_event``): asks first when the event already has a card, then opens
the card form pre-filled from the event."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service.card_rules import CardDraft
from eszok_desktop.ui import messages
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.service.card_form import CardForm


def tr(text: str) -> str:
    return QCoreApplication.translate("GenerateCard", text)


@dataclass(frozen=True)
class EventPrefill:
    draft: CardDraft
    existing: list[str]


def may_generate(ctx: AppContext) -> bool:
    return ctx.user.can("cards.own") or ctx.user.can("cards.all")


def open_card_for_event(
    ctx: AppContext, event_id: int, parent: QWidget | None = None, on_opened=None
) -> None:
    """Load the event's pre-filled draft off the GUI thread, confirm a second card if one
    exists, and show the card form. ``on_opened(form)`` is called with the open form."""
    me, may_assign = ctx.user.id, ctx.user.can("cards.all")

    def work(session) -> EventPrefill:
        return EventPrefill(
            svc.draft_from_event(session, event_id, me, may_assign=may_assign),
            svc.cards_for_event(session, event_id),
        )

    def show(prefill: EventPrefill) -> None:
        if prefill.existing and not messages.ask(
            parent,
            tr("Dla tego zdarzenia wygenerowano już kartę: {numbers}. Wygenerować kolejną?").format(
                numbers=", ".join(prefill.existing)
            ),
        ):
            return
        form = CardForm(ctx, draft=prefill.draft, parent=parent)
        form.setWindowTitle(tr("Nowa karta zadaniowa ze zdarzenia"))
        form.show()
        if on_opened is not None:
            on_opened(form)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and exc.code == "not_service":
            messages.inform(
                parent, tr("Kartę zadaniową można wygenerować tylko ze zdarzenia Serwis.")
            )
        else:
            messages.show_error(parent, exc)

    ctx.runner.query(work, on_success=show, on_failure=failed, owner=parent)
