"""Two clients, one record: the second save is refused with who changed it, a reload then
saves, and saving over the newer version is possible only consciously (by saving with the
version just reloaded). Events, cards and notes; each client is its own ``Database`` with
its own signed-in session, as two office PCs would be."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services import notes
from eszok_desktop.services.calendar import events
from eszok_desktop.services.errors import ConflictError
from eszok_desktop.services.service import cards
from eszok_desktop.services.service.card_rules import CardDraft
from eszok_desktop.ui.messages import describe_error

WARSAW = ZoneInfo("Europe/Warsaw")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=WARSAW)


def last_log(database, table: str, record_id: int) -> tuple[int, str, dict, dict]:
    """The newest change-log entry of a record: user id, operation, old and new values."""
    with database.admin.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT user_id, operation, old_values, new_values FROM audit.change_log"
                    " WHERE table_name = :t AND record_id = :i ORDER BY id DESC LIMIT 1"
                ),
                {"t": table, "i": record_id},
            ).one()
        )


# --- events -----------------------------------------------------------------------


@pytest.fixture
def shared_event(database, make_signed_in):
    """Anna's event, and Bartek who manages Anna's calendar (a manage grant)."""
    anna_id, anna = make_signed_in("handlowiec", full_name="Anna Handlowa")
    bartek_id, bartek = make_signed_in("handlowiec", full_name="Bartek Zastępca")
    with Session(database.admin) as s, s.begin():
        s.execute(
            text(
                "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by)"
                " VALUES (:o, :g, 'manage', :o)"
            ),
            {"o": anna_id, "g": bartek_id},
        )
        calendar_id, kind_id = s.execute(
            text(
                "SELECT c.id, k.id FROM eszok.calendars c JOIN eszok.event_kinds k"
                " ON k.calendar_id = c.id WHERE c.code = 'handlowy' AND k.name = 'Spotkanie'"
            )
        ).one()
    draft = events.EventDraft(
        calendar_id=calendar_id,
        kind_id=kind_id,
        title="Prezentacja u klienta",
        starts_at=at(10),
        ends_at=at(11),
        participant_ids=(anna_id,),
    )
    with anna.session() as s:
        event_id = events.create_event(s, draft)
    return event_id, (anna_id, anna), (bartek_id, bartek)


def open_event(db, event_id: int) -> events.EventDetails:
    with db.session() as s:
        return events.get_event(s, event_id)


def test_second_event_save_is_told_who_changed_it_then_reload_saves(database, shared_event):
    event_id, (_anna_id, anna), (bartek_id, bartek) = shared_event
    seen_by_anna = open_event(anna, event_id)
    seen_by_bartek = open_event(bartek, event_id)  # both dialogs open on version 1

    with anna.session() as s:
        events.update_event(
            s, event_id, seen_by_anna.version, replace(seen_by_anna.draft, note="Sala 2")
        )
    with pytest.raises(ConflictError) as caught, bartek.session() as s:
        events.update_event(
            s, event_id, seen_by_bartek.version, replace(seen_by_bartek.draft, note="Sala 5")
        )
    assert caught.value.changed_by == "Anna Handlowa"
    assert caught.value.changed_at is not None
    assert "Anna Handlowa" in describe_error(caught.value)
    assert open_event(anna, event_id).draft.note == "Sala 2"  # nothing of Bartek's applied

    # reload: Bartek sees Anna's note and saves on top of it
    fresh = open_event(bartek, event_id)
    assert fresh.draft.note == "Sala 2"
    with bartek.session() as s:
        events.update_event(s, event_id, fresh.version, replace(fresh.draft, title="Prezentacja"))
    after = open_event(anna, event_id)
    assert (after.draft.title, after.draft.note, after.version) == ("Prezentacja", "Sala 2", 3)
    assert last_log(database, "events", event_id)[:2] == (bartek_id, "U")

    # and now Anna's old dialog is the stale one, told it was Bartek
    with pytest.raises(ConflictError) as caught, anna.session() as s:
        events.move_event(s, event_id, seen_by_anna.version + 1, at(12), at(13))
    assert caught.value.changed_by == "Bartek Zastępca"


def test_event_overwrite_consciously_saves_own_text_over_the_newer_version(database, shared_event):
    event_id, (_anna_id, anna), (bartek_id, bartek) = shared_event
    mine = replace(open_event(bartek, event_id).draft, note="Wersja Bartka")
    theirs = open_event(anna, event_id)
    with anna.session() as s:
        events.update_event(s, event_id, theirs.version, replace(theirs.draft, note="Wersja Anny"))
    with pytest.raises(ConflictError), bartek.session() as s:
        events.update_event(s, event_id, 1, mine)
    # "Zapisz mimo to": Bartek keeps what he typed and saves it on the version he now knows
    newer = open_event(bartek, event_id).version
    with bartek.session() as s:
        events.update_event(s, event_id, newer, mine)
    assert open_event(anna, event_id).draft.note == "Wersja Bartka"
    user, op, old, new = last_log(database, "events", event_id)
    # the overwrite is accountable: Bartek's, and it shows what it replaced
    assert (user, op, old["note"], new["note"]) == (
        bartek_id,
        "U",
        "Wersja Anny",
        "Wersja Bartka",
    )


def test_concurrent_event_saves_one_wins_the_other_is_refused(shared_event):
    """Both UPDATEs in flight at once: the second waits for the first's row lock and,
    once it commits, finds the version gone (no lost update under READ COMMITTED)."""
    event_id, (_anna_id, anna), (_bartek_id, bartek) = shared_event
    base = open_event(anna, event_id)
    anna_locked, bartek_done = threading.Event(), threading.Event()
    outcome: list[BaseException | int] = []

    def bartek_saves() -> None:
        anna_locked.wait(5)
        try:
            with bartek.session() as s:
                outcome.append(
                    events.update_event(
                        s, event_id, base.version, replace(base.draft, note="Bartek")
                    )
                )
        except BaseException as exc:
            outcome.append(exc)
        bartek_done.set()

    thread = threading.Thread(target=bartek_saves)
    thread.start()
    with anna.session() as s:
        events.update_event(s, event_id, base.version, replace(base.draft, note="Anna"))
        anna_locked.set()
        # Bartek's UPDATE is now blocked on Anna's uncommitted row
        assert not bartek_done.wait(0.5)
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome
    assert outcome[0].changed_by == "Anna Handlowa"
    assert open_event(bartek, event_id).draft.note == "Anna"


# --- cards ------------------------------------------------------------------------


@pytest.fixture
def shared_card(make_signed_in):
    """Sławek's card and Kasia, a manager who may edit every card (cards.all)."""
    slawek_id, slawek = make_signed_in("serwisant", full_name="Sławek Serwisant")
    kasia_id, kasia = make_signed_in("kierownik", full_name="Kasia Kierownik")
    draft = CardDraft(
        work_date=date(2026, 11, 24),
        company_name="Żółw Serwis",
        work_kind_id=1,
        hours=Decimal("1.50"),
        technician_id=slawek_id,
        description="Wymiana zasilacza",
    )
    with slawek.session() as s:
        card = cards.create_card(s, draft)
    return card.id, (slawek_id, slawek), (kasia_id, kasia)


def open_card(db, card_id: int) -> cards.CardDetails:
    with db.session() as s:
        return cards.get_card(s, card_id)


def test_second_card_save_is_told_who_changed_it_then_reload_saves(database, shared_card):
    card_id, (slawek_id, slawek), (_kasia_id, kasia) = shared_card
    seen_by_slawek = open_card(slawek, card_id)
    seen_by_kasia = open_card(kasia, card_id)

    with kasia.session() as s:
        cards.update_card(
            s, card_id, seen_by_kasia.version, replace(seen_by_kasia.draft, hours=Decimal("2"))
        )
    typed = replace(seen_by_slawek.draft, description="Wymiana zasilacza i wentylatora")
    with pytest.raises(ConflictError) as caught, slawek.session() as s:
        cards.update_card(s, card_id, seen_by_slawek.version, typed)
    assert caught.value.changed_by == "Kasia Kierownik"
    assert "Kasia Kierownik" in describe_error(caught.value)
    current = open_card(kasia, card_id)
    assert (current.draft.hours, current.draft.description) == (
        Decimal("2.00"),
        "Wymiana zasilacza",
    )

    # reload and redo the edit on top of Kasia's hours
    fresh = open_card(slawek, card_id)
    assert fresh.draft.hours == Decimal("2.00")
    with slawek.session() as s:
        saved = cards.update_card(
            s, card_id, fresh.version, replace(fresh.draft, description=typed.description)
        )
    assert (saved.draft.hours, saved.draft.description) == (Decimal("2.00"), typed.description)
    assert last_log(database, "cards", card_id)[:2] == (slawek_id, "U")

    # Kasia's old form is stale now and names Sławek
    with pytest.raises(ConflictError) as caught, kasia.session() as s:
        cards.update_card(s, card_id, current.version, replace(current.draft, hours=Decimal("3")))
    assert caught.value.changed_by == "Sławek Serwisant"


def test_card_overwrite_consciously_replaces_the_newer_values(database, shared_card):
    card_id, (slawek_id, slawek), (_kasia_id, kasia) = shared_card
    mine = replace(open_card(slawek, card_id).draft, hours=Decimal("4"))
    theirs = open_card(kasia, card_id)
    with kasia.session() as s:
        cards.update_card(s, card_id, theirs.version, replace(theirs.draft, hours=Decimal("2")))
    with pytest.raises(ConflictError), slawek.session() as s:
        cards.update_card(s, card_id, theirs.version, mine)
    newer = open_card(slawek, card_id).version
    with slawek.session() as s:
        cards.update_card(s, card_id, newer, mine)
    assert open_card(kasia, card_id).draft.hours == Decimal("4.00")
    user, op, old, new = last_log(database, "cards", card_id)
    assert (user, op) == (slawek_id, "U")
    assert (Decimal(str(old["hours"])), Decimal(str(new["hours"]))) == (
        Decimal("2.00"),
        Decimal("4.00"),
    )


def test_concurrent_card_saves_one_wins_the_other_is_refused(shared_card):
    card_id, (_slawek_id, slawek), (_kasia_id, kasia) = shared_card
    base = open_card(kasia, card_id)
    kasia_locked, slawek_done = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slawek_saves() -> None:
        kasia_locked.wait(5)
        try:
            with slawek.session() as s:
                outcome.append(
                    cards.update_card(
                        s, card_id, base.version, replace(base.draft, description="Sławek")
                    )
                )
        except BaseException as exc:
            outcome.append(exc)
        slawek_done.set()

    thread = threading.Thread(target=slawek_saves)
    thread.start()
    with kasia.session() as s:
        cards.update_card(s, card_id, base.version, replace(base.draft, description="Kasia"))
        kasia_locked.set()
        assert not slawek_done.wait(0.5)
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome
    assert outcome[0].changed_by == "Kasia Kierownik"
    assert open_card(slawek, card_id).draft.description == "Kasia"


# --- notes (one user, two PCs) ---------------------------------------------------


@pytest.fixture
def note_on_two_pcs(database, make_signed_in):
    user_id, office = make_signed_in("serwisant", full_name="Ewa Nowak")
    laptop = database.signed_in(database.email_of(user_id))
    with office.session() as s:
        note = notes.create_note(s, notes.NoteDraft(title="Oddzwonić do klienta"))
    return note, user_id, office, laptop


def open_note(db, note_id: int) -> notes.NoteData:
    with db.session() as s:
        return notes.get_note(s, note_id)


def test_note_saved_on_one_pc_is_a_conflict_on_the_other_then_reload_saves(
    database, note_on_two_pcs
):
    note, _user_id, office, laptop = note_on_two_pcs
    on_office, on_laptop = open_note(office, note.id), open_note(laptop, note.id)
    with office.session() as s:
        notes.update_note(
            s, note.id, on_office.version, replace(on_office.draft(), body="Numer 600 100 200")
        )
    with pytest.raises(ConflictError) as caught, laptop.session() as s:
        notes.update_note(
            s, note.id, on_laptop.version, replace(on_laptop.draft(), title="Oddzwonić jutro")
        )
    assert caught.value.changed_by == "Ewa Nowak"  # herself, on the other PC
    assert caught.value.changed_at is not None
    assert open_note(office, note.id).title == "Oddzwonić do klienta"

    fresh = open_note(laptop, note.id)
    with laptop.session() as s:
        saved = notes.update_note(
            s, note.id, fresh.version, replace(fresh.draft(), title="Oddzwonić jutro")
        )
    assert (saved.title, saved.body) == ("Oddzwonić jutro", "Numer 600 100 200")
    with pytest.raises(ConflictError), office.session() as s:
        notes.mark_done(s, note.id, on_office.version + 1)  # office's view is stale now


def test_note_overwrite_consciously_and_a_note_deleted_on_the_other_pc(database, note_on_two_pcs):
    note, user_id, office, laptop = note_on_two_pcs
    mine = replace(open_note(laptop, note.id).draft(), body="Wersja z laptopa")
    with office.session() as s:
        notes.update_note(s, note.id, note.version, replace(note.draft(), body="Wersja z biura"))
    with pytest.raises(ConflictError), laptop.session() as s:
        notes.update_note(s, note.id, note.version, mine)
    newer = open_note(laptop, note.id).version
    with laptop.session() as s:
        notes.update_note(s, note.id, newer, mine)
    assert open_note(office, note.id).body == "Wersja z laptopa"
    user, op, old, new = last_log(database, "notes", note.id)
    assert (user, op, old["body"], new["body"]) == (
        user_id,
        "U",
        "Wersja z biura",
        "Wersja z laptopa",
    )

    # deleted on the office PC: the laptop's save is told so, by whom
    current = open_note(office, note.id)
    with office.session() as s:
        notes.delete_note(s, note.id, current.version)
    with pytest.raises(notes.NoteDeleted) as caught, laptop.session() as s:
        notes.update_note(s, note.id, current.version, mine)
    assert caught.value.changed_by == "Ewa Nowak"
