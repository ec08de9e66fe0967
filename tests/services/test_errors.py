"""Database refusals become typed ServiceErrors app-wide (services.errors)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.services.errors import KindRetired, PermissionDenied, translate_db_error
from eszok_desktop.ui.messages import describe_error


def insert_event(db, user_id, kind_name):
    with db.session() as session:
        session.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids) SELECT k.calendar_id, k.id, 'Wizyta', now(), now(), "
                "ARRAY[:u]::bigint[] FROM eszok.event_kinds k WHERE k.name = :k LIMIT 1"
            ),
            {"u": user_id, "k": kind_name},
        )


def test_a_retired_kind_is_explained_wherever_it_is_chosen(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    with database.admin.begin() as conn:
        conn.execute(text("UPDATE eszok.event_kinds SET active = false WHERE name = 'Wydruk'"))
    with pytest.raises(DBAPIError) as info:
        insert_event(db, me, "Wydruk")
    error = translate_db_error(info.value)
    assert isinstance(error, KindRetired)
    assert "wycofany" in describe_error(error)
    insert_event(db, me, "Serwis")  # an active kind still works


def test_a_policy_refusal_is_permission_denied(database, make_signed_in):
    _me, db = make_signed_in("serwisant")
    other = database.add_user("serwisant")
    with pytest.raises(DBAPIError) as info:
        insert_event(db, other, "Serwis")
    assert isinstance(translate_db_error(info.value), PermissionDenied)


def test_a_lock_collision_is_contention_not_a_lost_connection(database, make_signed_in):
    from eszok_desktop.services.errors import Contention

    me, db = make_signed_in("serwisant")
    insert_event(db, me, "Serwis")
    with db.engine.connect() as holder:
        holder.execute(text("SELECT id FROM eszok.events FOR UPDATE"))
        with pytest.raises(DBAPIError) as info, db.session() as session:
            session.execute(text("SELECT id FROM eszok.events FOR UPDATE NOWAIT"))
        holder.rollback()
    error = translate_db_error(info.value)
    assert isinstance(error, Contention)
    assert "zapisz ponownie" in describe_error(error)
