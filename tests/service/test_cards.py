"""Task cards against PostgreSQL as eszok_client: numbering, RLS per role, closed cards,
optimistic locking, search without diacritics, paging, deletion, history."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.services.errors import ConflictError, PermissionDenied, ValidationError
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service.card_filter import (
    CardFilter,
    CardSort,
    CardState,
    SortKey,
)
from tests.service.conftest import draft, serwis_event

YEAR = datetime.now().year


def test_numbers_are_readable_and_sequential(make_signed_in):
    me, db = make_signed_in("serwisant")
    with db.session() as s:
        first = svc.create_card(s, draft(me))
        second = svc.create_card(s, draft(me, company_name="Druga"))
    assert first.number == f"KZ/{YEAR}/0001"
    assert second.number == f"KZ/{YEAR}/0002"
    assert first.state is CardState.OPEN
    assert first.created_by == first.technician


def test_numbering_under_concurrent_saves_has_no_gaps_or_duplicates(database, make_signed_in):
    users = [make_signed_in("serwisant") for _ in range(6)]
    per_thread = 8
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(users))

    def work(me: int, db) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with db.session() as s:
                    svc.create_card(s, draft(me, company_name=f"Firma {me}-{i}"))
                # a failed save in between must not burn a number
                with pytest.raises(ValidationError), db.session() as s:
                    svc.create_card(s, draft(me, work_kind_id=999999))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=u) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.admin.connect() as conn:
        seqs = conn.execute(text("SELECT number_seq FROM eszok.cards ORDER BY 1")).scalars().all()
        numbers = conn.execute(text("SELECT number FROM eszok.cards")).scalars().all()
    assert seqs == list(range(1, len(users) * per_thread + 1))
    assert len(set(numbers)) == len(numbers)


def test_numbers_grow_past_four_digits(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    with database.admin.begin() as conn:
        conn.execute(text("INSERT INTO eszok_private.card_counters VALUES (:y, 9999)"), {"y": YEAR})
    with db.session() as s:
        assert svc.create_card(s, draft(me)).number == f"KZ/{YEAR}/10000"


def test_rolled_back_save_leaves_no_gap(make_signed_in):
    me, db = make_signed_in("serwisant")
    with pytest.raises(RuntimeError), db.session() as s:
        svc.create_card(s, draft(me))
        raise RuntimeError("user cancelled")
    with db.session() as s:
        assert svc.create_card(s, draft(me)).number == f"KZ/{YEAR}/0001"


def test_rls_per_role(database, make_signed_in, add_card):
    tech1, db1 = make_signed_in("serwisant")
    tech2, db2 = make_signed_in("programista")
    boss, dbk = make_signed_in("kierownik")
    _sales, dbh = make_signed_in("handlowiec")
    own1 = add_card(tech1)
    own2 = add_card(tech2)
    by_boss_for_1 = add_card(tech1, created_by=boss)

    def visible(db) -> set[int]:
        with db.session() as s:
            return {r.id for r in svc.list_cards(s, CardFilter()).rows}

    assert visible(db1) == {own1, by_boss_for_1}
    assert visible(db2) == {own2}
    assert visible(dbk) == {own1, own2, by_boss_for_1}
    assert visible(dbh) == set()
    with dbk.session() as s:
        mine = {r.id for r in svc.list_cards(s, CardFilter(owner_id=tech1)).rows}
    assert mine == {own1, by_boss_for_1}
    # raw SQL as eszok_client shows the same
    with db1.session() as s:
        assert s.execute(text("SELECT count(*) FROM eszok.cards")).scalar() == 2

    with pytest.raises(PermissionDenied), dbh.session() as s:
        svc.create_card(s, draft(tech1))
    # cards.own writes only its own work
    with pytest.raises(PermissionDenied), db1.session() as s:
        svc.create_card(s, draft(tech2))
    with db1.session() as s:
        assert svc.create_card(s, draft(tech1)).draft.technician_id == tech1
    # a manager may file a card for anyone and edit everyone's
    with dbk.session() as s:
        card = svc.create_card(s, draft(tech2))
        svc.update_card(s, own1, 1, draft(tech1, hours=Decimal("3")))
    assert card.draft.technician_id == tech2
    # another technician's card is invisible, so editing it finds nothing
    with pytest.raises(svc.CardNotFound), db2.session() as s:
        svc.update_card(s, own1, 2, draft(tech2))
    with db2.session() as s:
        changed = s.execute(
            text("UPDATE eszok.cards SET hours = 5 WHERE id = :i"), {"i": own1}
        ).rowcount
    assert changed == 0
    # nobody deletes rows for real, and the counter is out of reach
    for db in (db1, dbk):
        with pytest.raises(DBAPIError, match="permission denied"), db.session() as s:
            s.execute(text("DELETE FROM eszok.cards WHERE id = :i"), {"i": own1})
        with pytest.raises(DBAPIError, match="permission denied"), db.session() as s:
            s.execute(text("UPDATE eszok_private.card_counters SET last_number = 1"))
    with pytest.raises(DBAPIError, match="permission denied"), db1.session() as s:
        s.execute(text("UPDATE eszok.cards SET number = 'KZ/1/1' WHERE id = :i"), {"i": own1})


def test_closed_card_is_read_only_until_reopened(make_signed_in):
    me, db = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
        closed = svc.set_state(s, card.id, card.version, CardState.CLOSED)
    assert closed.closed
    with pytest.raises(svc.CardClosed), db.session() as s:
        svc.update_card(s, card.id, closed.version, draft(me, hours=Decimal(2)))
    with pytest.raises(svc.CardClosed), db.session() as s:
        svc.delete_card(s, card.id, closed.version)
    # the database itself refuses, not only the service
    with pytest.raises(DBAPIError, match="closed"), db.session() as s:
        s.execute(text("UPDATE eszok.cards SET hours = 2 WHERE id = :i"), {"i": card.id})
    with pytest.raises(DBAPIError, match="closed"), db.session() as s:
        s.execute(
            text("UPDATE eszok.cards SET state = 'open', hours = 2 WHERE id = :i"), {"i": card.id}
        )
    with db.session() as s:
        svc.record_sent(s, card.id, "klient@example.pl")
        sent = svc.get_card(s, card.id)
    assert sent.sent_to == "klient@example.pl"
    with db.session() as s:
        reopened = svc.set_state(s, card.id, sent.version, CardState.OPEN)
        edited = svc.update_card(s, card.id, reopened.version, draft(me, hours=Decimal(2)))
    assert edited.draft.hours == Decimal("2.00")


def test_stale_save_names_who_changed_it(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    _boss, dbk = make_signed_in("kierownik", full_name="Anna Kierownik")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
    with dbk.session() as s:
        svc.update_card(s, card.id, card.version, draft(me, description="Poprawione"))
    with pytest.raises(ConflictError) as info, db.session() as s:
        svc.update_card(s, card.id, card.version, draft(me, description="Moje"))
    assert info.value.changed_by == "Anna Kierownik"
    with db.session() as s:
        assert svc.get_card(s, card.id).draft.description == "Poprawione"


def test_company_search_ignores_case_and_polish_letters(make_signed_in, add_card):
    me, db = make_signed_in("kierownik")
    zolw = add_card(me, company_name="Żółw Serwis")
    add_card(me, company_name="Łoś i Syn")
    pct = add_card(me, company_name="Rabat 50% S.A.")
    add_card(me, company_name="Rabat 500 S.A.")

    def found(company: str) -> set[int]:
        with db.session() as s:
            return {r.id for r in svc.list_cards(s, CardFilter(company=company)).rows}

    assert found("zolw") == {zolw}
    with db.session() as s:  # the date-range path (LIKE alone) finds the same
        dated = svc.list_cards(
            s, CardFilter(company="zolw", date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        )
    assert {r.id for r in dated.rows} == {zolw}
    assert found("ŻÓŁW") == {zolw}
    assert found("ółw ser") == {zolw}
    assert found("50%") == {pct}
    assert len(found("s")) == 4
    with db.session() as s:
        names = [c.company_name for c in svc.company_suggestions(s, "los")]
    assert names == ["Łoś i Syn"]


def test_filters_count_total_and_paging(make_signed_in, add_card):
    me, db = make_signed_in("kierownik")
    kinds = {}
    with db.session() as s:
        kinds = {k.name: k.id for k in svc.list_work_kinds(s)}
    for day in range(1, 31):
        add_card(
            me,
            work_date=date(2026, 11, day),
            hours=Decimal(day % 4 + 1) / 2,
            work_kind_id=kinds["Instalacja"] if day % 3 == 0 else kinds["Serwis"],
            state="closed" if day % 5 == 0 else "open",
            company_nip="8567346215" if day % 2 else None,
        )
    f = CardFilter(date_from=date(2026, 11, 10), date_to=date(2026, 11, 19))
    with db.session() as s:
        rows = svc.list_cards(s, f).rows
        totals = svc.count_cards(s, f)
        closed = svc.count_cards(s, CardFilter(state=CardState.CLOSED))
        inst = svc.count_cards(s, CardFilter(work_kind_id=kinds["Instalacja"]))
        big = svc.count_cards(s, CardFilter(hours_min=Decimal("1.5"), hours_max=Decimal(2)))
        nip = svc.count_cards(s, CardFilter(nip="856-734-62-15"))
    assert [r.work_date.day for r in rows] == list(range(19, 9, -1))
    assert totals.count == 10
    assert totals.hours == sum(Decimal(d % 4 + 1) / 2 for d in range(10, 20))
    assert closed.count == 6
    assert inst.count == 10
    assert big.count == sum(1 for d in range(1, 31) if d % 4 + 1 in (3, 4))
    assert nip.count == 15
    for key in SortKey:
        for descending in (False, True):
            seen: list[int] = []
            cursor = None
            with db.session() as s:
                while True:
                    page = svc.list_cards(
                        s, CardFilter(), CardSort(key, descending), after=cursor, limit=7
                    )
                    seen += [r.id for r in page.rows]
                    cursor = page.cursor
                    if cursor is None:
                        break
            assert len(seen) == 30 and len(set(seen)) == 30, (key, descending)


def test_delete_hides_card_but_keeps_history(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
        changed = svc.update_card(s, card.id, card.version, draft(me, hours=Decimal("2.75")))
        svc.delete_card(s, card.id, changed.version)
    with db.session() as s:
        assert svc.list_cards(s, CardFilter()).rows == []
        assert svc.count_cards(s, CardFilter()).count == 0
        with pytest.raises(svc.CardNotFound):
            svc.get_card(s, card.id)
        history = svc.card_history(s, card.id)
    ops = [h.operation for h in history]
    assert "I" in ops and ops.count("U") >= 2
    hours = [h for h in history if h.field == "hours" and h.operation == "U"]
    assert (hours[0].old, hours[0].new) == (1.5, 2.75)
    assert any(h.field == "deleted_at" and h.new for h in history)
    assert {h.user for h in history} == {card.technician}


def test_history_visible_to_whoever_sees_the_card(make_signed_in):
    me, db = make_signed_in("serwisant")
    _boss, dbk = make_signed_in("kierownik")
    _other, dbo = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me))
    with dbk.session() as s:
        assert svc.card_history(s, card.id)
    with dbo.session() as s:
        assert svc.card_history(s, card.id) == []


def test_draft_from_serwis_event_and_link(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    boss, dbk = make_signed_in("kierownik")
    event = serwis_event(database, me, participant_ids=[boss, me])
    with db.session() as s:
        prefill = svc.draft_from_event(s, event, me, may_assign=False)
        card = svc.create_card(s, prefill)
        assert svc.cards_for_event(s, event) == [card.number]
    assert prefill.company_name == "Żółw Serwis"
    assert prefill.company_address == "ul. Długa 5"
    assert prefill.work_date == date(2026, 11, 20)
    assert prefill.hours == Decimal("1.75")
    assert prefill.description == "Drukarka nie drukuje"
    assert prefill.technician_id == me
    assert card.draft.event_id == event
    # a manager generating it gets the responsible person as technician
    with dbk.session() as s:
        assert svc.draft_from_event(s, event, boss, may_assign=True).technician_id == me
    other = serwis_event(database, boss, calendar="handlowy")
    with pytest.raises(ValidationError) as info, dbk.session() as s:
        svc.draft_from_event(s, other, boss, may_assign=True)
    assert info.value.code == "not_service"
    # linking to an event one cannot see is refused by the database
    with pytest.raises(ValidationError), db.session() as s:
        svc.create_card(s, draft(me, event_id=serwis_event(database, boss)))
    # deleting the event keeps the card, unlinked
    with database.admin.begin() as conn:
        conn.execute(text("DELETE FROM eszok.events WHERE id = :e"), {"e": event})
    with db.session() as s:
        assert svc.get_card(s, card.id).draft.event_id is None


def test_company_search_index_follows_changes_and_visibility(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    _other, dbo = make_signed_in("serwisant")
    with db.session() as s:
        card = svc.create_card(s, draft(me, company_name="Stara Nazwa"))
        renamed = svc.update_card(s, card.id, card.version, draft(me, company_name="Nowy Żuraw"))

    def ids(db_, text_: str) -> list[int]:
        with db_.session() as s:
            return s.execute(text("SELECT eszok.cards_with_company(:p)"), {"p": text_}).scalar()

    assert ids(db, "zuraw") == [card.id]
    assert ids(db, "stara") == []
    assert ids(dbo, "zuraw") == []  # the same visibility rule as the table's policy
    with pytest.raises(DBAPIError, match="permission denied"), db.session() as s:
        s.execute(text("SELECT * FROM eszok_private.card_search"))
    with db.session() as s:
        svc.delete_card(s, card.id, renamed.version)
    assert ids(db, "zuraw") == []
