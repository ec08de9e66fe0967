"""Event kinds per calendar and kinds of work: administrators edit; used kinds retire."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from eszok_desktop.services.admin import dictionaries as dicts
from eszok_desktop.services.admin.errors import KindInUse, KindRetired, translated
from eszok_desktop.services.errors import ConflictError, PermissionDenied, ValidationError

EVENT = dicts.Dictionary.EVENT_KINDS
WORK = dicts.Dictionary.WORK_KINDS


def serwis_calendar(session):
    return next(c for c in dicts.list_calendars(session) if c.code == "serwis")


def add_event(db, kind_id, calendar_id):
    with db.session() as session:
        session.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids) VALUES (:c, :k, 'Zadanie', now(), now(), ARRAY[auth.uid()])"
            ),
            {"c": calendar_id, "k": kind_id},
        )


def test_event_kind_lifecycle(make_signed_in):
    _, admin = make_signed_in("administrator")
    _, user = make_signed_in("serwisant")
    with admin.session() as session:
        cal = serwis_calendar(session)
        names = [k.name for k in dicts.list_kinds(session, EVENT, cal.id)]
        assert names == ["Szkolenie", "Serwis", "Wydruk", "Inne"]
        used_id = dicts.add_kind(session, EVENT, " Montaż ", cal.id)
        spare_id = dicts.add_kind(session, EVENT, "Literówka", cal.id)
    add_event(user, used_id, cal.id)
    with admin.session() as session:
        kinds = {k.id: k for k in dicts.list_kinds(session, EVENT, cal.id)}
    assert kinds[used_id].name == "Montaż" and kinds[used_id].in_use
    assert not kinds[spare_id].in_use

    with pytest.raises(KindInUse), admin.session() as session:
        dicts.delete_kind(session, EVENT, used_id)
    with admin.session() as session:
        dicts.delete_kind(session, EVENT, spare_id)
        dicts.update_kind(
            session, EVENT, used_id, kinds[used_id].version, name="Montaż", active=False
        )
        (retired,) = [k for k in dicts.list_kinds(session, EVENT, cal.id) if k.id == used_id]
    assert not retired.active
    with admin.session() as session:
        assert spare_id not in {k.id for k in dicts.list_kinds(session, EVENT, cal.id)}
    # a retired kind is refused for new events, old ones keep it and stay editable
    with pytest.raises(KindRetired), user.session() as session, translated():
        session.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, "
                "ends_at, participant_ids) VALUES (:c, :k, 'Nowe', now(), now(), "
                "ARRAY[auth.uid()])"
            ),
            {"c": cal.id, "k": used_id},
        )
    with user.session() as session:
        assert session.execute(text("UPDATE eszok.events SET title = 'Stare' RETURNING id")).all()


def test_duplicate_and_stale_kind_edits(make_signed_in):
    _, admin = make_signed_in("administrator")
    with admin.session() as session:
        cal = serwis_calendar(session)
        kind = dicts.list_kinds(session, EVENT, cal.id)[0]
    with pytest.raises(ValidationError) as err, admin.session() as session:
        dicts.add_kind(session, EVENT, "Serwis", cal.id)
    assert (err.value.field, err.value.code) == ("name", "taken")
    with admin.session() as session:
        dicts.update_kind(session, EVENT, kind.id, kind.version, name="Szkolenia", active=True)
    with pytest.raises(ConflictError), admin.session() as session:
        dicts.update_kind(session, EVENT, kind.id, kind.version, name="Kursy", active=True)


def test_non_admin_cannot_edit_dictionaries(make_signed_in):
    _, admin = make_signed_in("administrator")
    _, boss = make_signed_in("kierownik")
    with admin.session() as session:
        cal = serwis_calendar(session)
        kind = dicts.list_kinds(session, EVENT, cal.id)[0]
        work = dicts.list_kinds(session, WORK)[0]
    for dictionary, k, cal_id in ((EVENT, kind, cal.id), (WORK, work, None)):
        with pytest.raises(PermissionDenied), boss.session() as session:
            dicts.add_kind(session, dictionary, "Nowy", cal_id)
        with pytest.raises(PermissionDenied), boss.session() as session:
            dicts.update_kind(session, dictionary, k.id, k.version, name="X", active=False)
        with pytest.raises(PermissionDenied), boss.session() as session:
            dicts.delete_kind(session, dictionary, k.id)


def test_work_kinds_retire_when_used(database, make_signed_in):
    admin_id, admin = make_signed_in("administrator")
    with admin.session() as session:
        work_id = dicts.add_kind(session, WORK, "Audyt")
        spare = dicts.add_kind(session, WORK, "Zbędny")
    with database.admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO eszok.cards (work_date, company_name, work_kind_id, hours, "
                "technician_id, created_by) VALUES (current_date, 'Firma', :k, 1, :u, :u)"
            ),
            {"k": work_id, "u": admin_id},
        )
    with pytest.raises(KindInUse), admin.session() as session:
        dicts.delete_kind(session, WORK, work_id)
    with admin.session() as session:
        dicts.delete_kind(session, WORK, spare)
        kind = next(k for k in dicts.list_kinds(session, WORK) if k.id == work_id)
        assert kind.in_use and kind.calendar_id is None
        dicts.update_kind(session, WORK, work_id, kind.version, name="Audyt", active=False)
    with pytest.raises(Exception, match="retired"), database.admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO eszok.cards (work_date, company_name, work_kind_id, hours, "
                "technician_id, created_by) VALUES (current_date, 'Firma', :k, 1, :u, :u)"
            ),
            {"k": work_id, "u": admin_id},
        )
