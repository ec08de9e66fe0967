"""Event services against PostgreSQL as eszok_client: grants enforced by the database,
the period query, validation, optimistic locking, conflicts, history, share requests."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.services.calendar import events, history, sharing
from eszok_desktop.services.errors import ConflictError, PermissionDenied, ValidationError
from tests.calendar.conftest import at


def period(who, start, end, owners, calendars=None):
    with who.db.session() as s:
        cal_ids = calendars or [1, 2, 3]
        return events.fetch_period(s, start, end, [o.id for o in owners], cal_ids)


def raw_update(who, event_id, **values):
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with who.db.session() as s:
        return s.execute(
            text(f"UPDATE eszok.events SET {sets} WHERE id = :id RETURNING id"),
            {**values, "id": event_id},
        ).first()


# --- grants -----------------------------------------------------------------------


def test_without_grant_other_users_events_cannot_be_read_or_written(world):
    anna, bartek = world.person(), world.person()
    eid = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    # not readable: the period query and a direct read return nothing
    assert period(bartek, at(2026, 5, 1), at(2026, 6, 1), [anna]) == []
    with bartek.db.session() as s, pytest.raises(events.EventNotFound):
        events.get_event(s, eid)
    # not writable: an update touches no row, a delete neither
    assert raw_update(bartek, eid, title="Przejęte") is None
    with bartek.db.session() as s, pytest.raises(events.EventNotFound):
        events.move_event(s, eid, 1, at(2026, 5, 4, 11), at(2026, 5, 4, 12))
    with bartek.db.session() as s:
        assert (
            s.execute(
                text("DELETE FROM eszok.events WHERE id = :i RETURNING id"), {"i": eid}
            ).first()
            is None
        )
    # not creatable in anna's calendar
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        events.create_event(s, world.draft([anna], at(2026, 5, 5, 9), at(2026, 5, 5, 10)))
    # and putting an own event into anna's calendar is refused too
    own = world.create(bartek, [bartek], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        details = events.get_event(s, own)
        draft = replace(details.draft, participant_ids=(bartek.id, anna.id))
        events.update_event(s, own, details.version, draft)
    with anna.db.session() as s:
        assert events.get_event(s, eid).draft.title == "Spotkanie"


def test_view_grant_reads_but_cannot_write(world):
    anna, bartek = world.person(), world.person()
    world.grant(anna, bartek, "view")
    eid = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10), title="Wizyta")
    rows = period(bartek, at(2026, 5, 1), at(2026, 6, 1), [anna])
    assert [r.id for r in rows] == [eid]
    with bartek.db.session() as s:
        details = events.get_event(s, eid)
    assert details.draft.title == "Wizyta"
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        events.move_event(s, eid, details.version, at(2026, 5, 4, 11), at(2026, 5, 4, 12))
    assert raw_update(bartek, eid, title="Zmienione") is None
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        events.delete_event(s, eid, details.version)
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        events.create_event(s, world.draft([anna], at(2026, 5, 5, 9), at(2026, 5, 5, 10)))
    # the view grant shows up as such in the side panel's list
    owners = bartek.dictionaries().owners
    assert [(o.user_id, o.level) for o in owners] == [(bartek.id, "own"), (anna.id, "view")]


def test_manage_grant_also_creates_and_edits(world):
    anna, bartek = world.person(), world.person()
    world.grant(anna, bartek, "manage")
    eid = world.create(bartek, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    with bartek.db.session() as s:
        details = events.get_event(s, eid)
        new_version = events.move_event(
            s, eid, details.version, at(2026, 5, 4, 11), at(2026, 5, 4, 12)
        )
    assert new_version == details.version + 1
    with anna.db.session() as s:
        assert events.get_event(s, eid).draft.starts_at == at(2026, 5, 4, 11)
    with bartek.db.session() as s:
        events.delete_event(s, eid, new_version)
    with anna.db.session() as s, pytest.raises(events.EventNotFound):
        events.get_event(s, eid)


def test_removing_another_users_participation_needs_manage(world):
    anna, bartek, cezary = world.person(), world.person(), world.person()
    world.grant(anna, bartek, "manage")
    world.grant(cezary, bartek, "manage")
    eid = world.create(bartek, [anna, cezary], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    # anna may edit the event (she is a participant) but not drop cezary from it
    with anna.db.session() as s, pytest.raises(PermissionDenied, match="remove"):
        details = events.get_event(s, eid)
        draft = replace(details.draft, participant_ids=(anna.id,))
        events.update_event(s, eid, details.version, draft)
    with anna.db.session() as s:
        details = events.get_event(s, eid)
        events.update_event(s, eid, details.version, replace(details.draft, title="Nowy"))
    # bartek manages both calendars and may
    with bartek.db.session() as s:
        details = events.get_event(s, eid)
        draft = replace(details.draft, participant_ids=(anna.id,))
        events.update_event(s, eid, details.version, draft)
    with cezary.db.session() as s, pytest.raises(events.EventNotFound):
        events.get_event(s, eid)


def test_a_shared_event_is_deleted_only_with_every_calendar_and_left_otherwise(world):
    anna, bartek = world.person(), world.person()
    world.grant(bartek, anna, "manage")  # anna may put events into bartek's calendar
    eid = world.create(anna, [anna, bartek], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    # bartek is a participant but may not take it out of anna's calendar
    with bartek.db.session() as s, pytest.raises(PermissionDenied):
        events.delete_event(s, eid, events.get_event(s, eid).version)
    with bartek.db.session() as s:
        assert (
            s.execute(
                text("DELETE FROM eszok.events WHERE id = :i RETURNING id"), {"i": eid}
            ).first()
            is None
        )
    assert not events.can_delete(bartek.me(), (anna.id, bartek.id), frozenset({bartek.id}))
    # he may leave it: gone from his calendar, still in anna's, logged as his change
    with bartek.db.session() as s:
        version = events.get_event(s, eid).version
        assert events.leave_event(s, eid, version) == version + 1
    assert period(bartek, at(2026, 5, 4), at(2026, 5, 5), [bartek]) == []
    with anna.db.session() as s:
        assert events.get_event(s, eid).draft.participant_ids == (anna.id,)
        entries = history.event_history(s, eid)
    assert entries[-1].user_name == bartek.me().full_name
    assert [c.field for c in entries[-1].changes] == ["participant_ids"]
    # anna manages both calendars: she may delete a shared event
    other = world.create(anna, [anna, bartek], at(2026, 5, 5, 9), at(2026, 5, 5, 10))
    with anna.db.session() as s:
        events.delete_event(s, other, events.get_event(s, other).version)


def test_leaving_is_refused_when_stale_alone_or_not_a_participant(world):
    anna, bartek = world.person(), world.person()
    world.grant(bartek, anna, "manage")
    world.grant(anna, bartek, "manage")
    shared = world.create(anna, [anna, bartek], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    alone = world.create(anna, [anna], at(2026, 5, 4, 11), at(2026, 5, 4, 12))
    mine = world.create(bartek, [bartek], at(2026, 5, 4, 13), at(2026, 5, 4, 14))
    with anna.db.session() as s:
        version = events.get_event(s, shared).version
        events.update_event(
            s, shared, version, replace(events.get_event(s, shared).draft, title="Nowy")
        )
    with bartek.db.session() as s, pytest.raises(ConflictError):
        events.leave_event(s, shared, version)  # anna changed it meanwhile
    with anna.db.session() as s, pytest.raises(PermissionDenied):
        events.leave_event(s, alone, events.get_event(s, alone).version)  # delete it instead
    with anna.db.session() as s, pytest.raises(PermissionDenied):
        events.leave_event(s, mine, events.get_event(s, mine).version)  # not hers to leave


def test_a_client_cannot_fake_leaving(world):
    anna, bartek = world.person(), world.person()
    world.grant(bartek, anna, "manage")
    eid = world.create(anna, [anna, bartek], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    with bartek.db.session() as s, pytest.raises(DBAPIError, match="permission denied"):
        s.execute(text("INSERT INTO eszok_private.leaving VALUES (pg_current_xact_id())"))
    # taking oneself out by a plain UPDATE leaves no calendar of one's own: refused
    with bartek.db.session() as s, pytest.raises(DBAPIError, match="row-level security"):
        s.execute(
            text("UPDATE eszok.events SET participant_ids = :p WHERE id = :i"),
            {"p": [anna.id], "i": eid},
        )


def test_administrator_manages_everyone(world):
    anna, admin = world.person(), world.person("administrator")
    eid = world.create(admin, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    assert [r.id for r in period(admin, at(2026, 5, 4), at(2026, 5, 5), [anna])] == [eid]
    owner_ids = {o.user_id for o in admin.dictionaries().owners}
    assert anna.id in owner_ids


# --- period query -----------------------------------------------------------------


def test_period_query_returns_only_overlapping_events_of_chosen_calendars(world):
    anna, bartek = world.person(), world.person()
    world.grant(bartek, anna, "view")
    world.grant(anna, bartek, "manage")
    inside = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    spanning = world.create(anna, [anna], at(2026, 4, 30, 9), at(2026, 5, 2, 10))
    before = world.create(anna, [anna], at(2026, 4, 29, 9), at(2026, 4, 29, 10))
    ends_at_start = world.create(anna, [anna], at(2026, 4, 30, 23), at(2026, 5, 1, 0))
    instant_at_start = world.create(anna, [anna], at(2026, 5, 1), at(2026, 5, 1))
    after = world.create(anna, [anna], at(2026, 6, 1), at(2026, 6, 1, 1))
    serwis = world.create(
        anna, [anna], at(2026, 5, 5, 9), at(2026, 5, 5, 10), calendar="serwis", kind="Serwis"
    )
    of_bartek = world.create(bartek, [bartek], at(2026, 5, 6, 9), at(2026, 5, 6, 10))
    shared = world.create(bartek, [anna, bartek], at(2026, 5, 7, 9), at(2026, 5, 7, 10))
    may = (at(2026, 5, 1), at(2026, 6, 1))
    ids = {r.id for r in period(anna, *may, [anna])}
    assert ids == {inside, spanning, instant_at_start, serwis, shared}
    assert before not in ids and ends_at_start not in ids and after not in ids
    handlowy = world.calendars["handlowy"]
    ids = {r.id for r in period(anna, *may, [anna], [handlowy])}
    assert serwis not in ids and inside in ids
    ids = {r.id for r in period(anna, *may, [bartek])}
    assert ids == {of_bartek, shared}
    rows = period(anna, *may, [anna, bartek])
    assert len(rows) == len({r.id for r in rows})  # an event of both is listed once
    assert [r.starts_at for r in rows] == sorted(r.starts_at for r in rows)


def test_period_query_uses_an_index_under_row_level_security(world, database):
    """As the client, with RLS on: the time bounds must be index conditions (a non-leakproof
    operator such as ``&&`` would force a sequential scan of every event)."""
    anna = world.person()
    with database.admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids, created_by) SELECT 1, :k, 'x', t, t + interval '1 hour', "
                "ARRAY[CAST(:a AS bigint)], :a FROM generate_series(timestamptz '2026-01-01', "
                "timestamptz '2026-12-31', interval '2 hours') AS t"
            ),
            {"k": world.kinds[("handlowy", "Spotkanie")], "a": anna.id},
        )
        conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids, created_by) VALUES (1, :k, 'Długie', '2025-12-01', "
                "'2026-07-01', ARRAY[CAST(:a AS bigint)], :a)"
            ),
            {"k": world.kinds[("handlowy", "Spotkanie")], "a": anna.id},
        )
        conn.execute(text("ANALYZE eszok.events"))
    params = events.period_params(at(2026, 5, 1), at(2026, 6, 1), [anna.id], [1, 2, 3])
    with anna.db.session() as s:
        plan = "\n".join(
            r[0] for r in s.execute(text("EXPLAIN " + str(events.PERIOD_SQL.compile())), params)
        )
        rows = events.fetch_period(s, at(2026, 5, 1), at(2026, 6, 1), [anna.id], [1, 2, 3])
    assert "Seq Scan" not in plan, plan
    assert "events_period_idx" in plan and "events_long_idx" in plan, plan
    # the long event that started months before is found through its own index
    assert "Długie" in {r.title for r in rows}
    assert len(rows) == 31 * 12 + 1


# --- validation and saving --------------------------------------------------------


def test_validation_codes(world):
    anna, bartek = world.person(), world.person()
    d = anna.dictionaries()
    good = world.draft([anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10), company_nip="856-734-62-15")
    assert events.validate_draft(good, d).company_nip == "8567346215"

    def code(**changes):
        with pytest.raises(ValidationError) as info:
            events.validate_draft(replace(good, **changes), d)
        return info.value.field, info.value.code

    assert code(title="  ") == ("title", "required")
    assert code(title="x" * 201) == ("title", "too_long")
    assert code(ends_at=at(2026, 5, 4, 8)) == ("ends_at", "end_before_start")
    assert code(kind_id=world.kinds[("serwis", "Serwis")]) == ("kind_id", "kind_not_of_calendar")
    assert code(participant_ids=(bartek.id,)) == ("participant_ids", "participant_not_allowed")
    assert code(participant_ids=()) == ("participant_ids", "required")
    assert code(company_nip="8567346216") == ("company_nip", "nip_checksum")
    assert code(company_nip="12345") == ("company_nip", "nip_format")
    assert code(note="x" * 10001) == ("note", "too_long")
    # a participant already on the event may stay
    events.validate_draft(
        replace(good, participant_ids=(anna.id, bartek.id)), d, previous_participants=[bartek.id]
    )


def test_database_refuses_a_bad_nip_from_raw_sql(world):
    anna = world.person()
    eid = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    with pytest.raises(Exception, match="nip_checksum"):
        raw_update(anna, eid, company_nip="8567346216")
    assert raw_update(anna, eid, company_nip="8567346215") is not None


def test_stale_save_names_who_changed_it(world):
    anna, bartek = world.person(full_name="Anna Nowak"), world.person(full_name="Bartek Kowal")
    world.grant(anna, bartek, "manage")
    eid = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    with anna.db.session() as s:
        mine = events.get_event(s, eid)
    with bartek.db.session() as s:
        events.move_event(s, eid, mine.version, at(2026, 5, 4, 12), at(2026, 5, 4, 13))
    with anna.db.session() as s, pytest.raises(ConflictError) as info:
        events.update_event(s, eid, mine.version, replace(mine.draft, title="Moja zmiana"))
    assert info.value.changed_by == "Bartek Kowal"
    with anna.db.session() as s:
        fresh = events.get_event(s, eid)
    assert fresh.draft.title == "Spotkanie" and fresh.draft.starts_at == at(2026, 5, 4, 12)


def test_conflicts_warn_about_absences_and_overlaps(world):
    anna, bartek = world.person(full_name="Anna A"), world.person(full_name="Bartek B")
    world.grant(bartek, anna, "manage")
    world.create(
        bartek,
        [bartek],
        at(2026, 5, 4),
        at(2026, 5, 6),
        calendar="nieobecnosci",
        kind="Urlop",
        all_day=True,
        title="Urlop",
    )
    other = world.create(anna, [anna], at(2026, 5, 4, 9, 30), at(2026, 5, 4, 11), title="Inne")
    with anna.db.session() as s:
        found = events.find_conflicts(
            s, [anna.id, bartek.id], at(2026, 5, 4, 10), at(2026, 5, 4, 12)
        )
    assert [(c.participant_name, c.absence) for c in found] == [
        ("Bartek B", True),
        ("Anna A", False),
    ]
    with anna.db.session() as s:
        assert (
            events.find_conflicts(
                s, [anna.id], at(2026, 5, 4, 10), at(2026, 5, 4, 12), exclude_event_id=other
            )
            == []
        )
        assert events.find_conflicts(s, [anna.id], at(2026, 5, 4, 11), at(2026, 5, 4, 12)) == []


# --- history ----------------------------------------------------------------------


def test_history_oldest_first_with_names(world):
    anna, bartek = world.person(full_name="Anna Nowak"), world.person(full_name="Bartek Kowal")
    world.grant(anna, bartek, "manage")
    world.grant(bartek, anna, "manage")
    eid = world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10), title="Pierwszy")
    with bartek.db.session() as s:
        d = events.get_event(s, eid)
        events.update_event(
            s, eid, d.version, replace(d.draft, title="Drugi", participant_ids=(anna.id, bartek.id))
        )
    with anna.db.session() as s:
        d = events.get_event(s, eid)
        events.move_event(s, eid, d.version, at(2026, 5, 4, 11), at(2026, 5, 4, 12))
    with anna.db.session() as s:
        entries = history.event_history(s, eid)
    assert [(e.operation, e.user_name) for e in entries] == [
        ("I", "Anna Nowak"),
        ("U", "Bartek Kowal"),
        ("U", "Anna Nowak"),
    ]
    created = {c.field: c.new for c in entries[0].changes}
    assert created["title"] == "Pierwszy" and created["participant_ids"] == ("Anna Nowak",)
    edit = {c.field: (c.old, c.new) for c in entries[1].changes}
    assert edit == {
        "title": ("Pierwszy", "Drugi"),
        "participant_ids": (("Anna Nowak",), ("Anna Nowak", "Bartek Kowal")),
    }
    move = {c.field: (c.old, c.new) for c in entries[2].changes}
    assert move["starts_at"] == (at(2026, 5, 4, 9), at(2026, 5, 4, 11))
    # deleting keeps the history (visible to the one who deleted it)
    with anna.db.session() as s:
        events.delete_event(s, eid, events.get_event(s, eid).version)
    with anna.db.session() as s:
        entries = history.event_history(s, eid)
    assert entries[-1].operation == "D" and entries[-1].user_name == "Anna Nowak"


# --- share requests ---------------------------------------------------------------


def test_share_requests_wait_for_the_administrator(world):
    anna, bartek, cezary = world.person(), world.person(), world.person()
    with anna.db.session() as s:
        outgoing = sharing.request_share(
            s, anna.id, owner_id=anna.id, grantee_id=bartek.id, level="view"
        )
        incoming = sharing.request_share(
            s, anna.id, owner_id=cezary.id, grantee_id=anna.id, level="manage"
        )
    with anna.db.session() as s:
        pending = sharing.pending_requests(s, anna.id)
    assert [(r.id, r.outgoing(anna.id), r.level) for r in pending] == [
        (outgoing, True, "view"),
        (incoming, False, "manage"),
    ]
    with anna.db.session() as s, pytest.raises(ValidationError) as info:
        sharing.request_share(s, anna.id, owner_id=anna.id, grantee_id=bartek.id, level="manage")
    assert info.value.code == "request_pending"
    # a request is not a grant: bartek still sees nothing of anna's
    world.create(anna, [anna], at(2026, 5, 4, 9), at(2026, 5, 4, 10))
    assert period(bartek, at(2026, 5, 1), at(2026, 6, 1), [anna]) == []
    # someone else cannot file a request in anna's name (the policy checks requested_by)
    with cezary.db.session() as s, pytest.raises(ValidationError):
        sharing.request_share(s, cezary.id, owner_id=anna.id, grantee_id=bartek.id, level="view")
    with cezary.db.session() as s, pytest.raises(DBAPIError, match="row-level security"):
        s.execute(
            text(
                "INSERT INTO eszok.share_requests (owner_id, grantee_id, level, requested_by) "
                "VALUES (:a, :b, 'view', :a)"
            ),
            {"a": anna.id, "b": bartek.id + 1000},
        )
    with anna.db.session() as s:
        assert sharing.withdraw_request(s, outgoing)
    with anna.db.session() as s:
        assert [r.id for r in sharing.pending_requests(s, anna.id)] == [incoming]
