"""The change-log browser: filters, keyset paging, a record's history, names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from eszok_desktop.services.admin import accounts, announcements, audit


def test_filters_paging_and_history(database, make_signed_in):
    admin_id, admin_db = make_signed_in("administrator")
    boss_id, boss_db = make_signed_in("kierownik", full_name="Barbara Szefowa")
    with boss_db.session() as session:
        ids = [announcements.publish(session, title=f"Ogłoszenie {n}", body="") for n in range(7)]
    with admin_db.session() as session:
        accounts.set_role(session, boss_id, "programista")
        announcements.expire(session, ids[0])

    with admin_db.session() as session:
        by_boss = audit.browse(session, audit.AuditFilter(user_id=boss_id))
        assert {r.table_name for r in by_boss.rows} == {"announcements"}
        assert len(by_boss.rows) == 7 and not by_boss.has_more
        assert {r.user_name for r in by_boss.rows} == {"Barbara Szefowa"}

        # keyset paging, newest first, no row twice, none lost
        seen: list[int] = []
        before = None
        while True:
            page = audit.browse(
                session, audit.AuditFilter(table_name="announcements"), before_id=before, limit=3
            )
            seen.extend(r.id for r in page.rows)
            if not page.has_more:
                break
            before = page.next_before_id
        assert len(seen) == 8 and seen == sorted(seen, reverse=True)

        users_rows = audit.browse(session, audit.AuditFilter(table_name="users")).rows
        role_change = next(r for r in users_rows if r.record_id == boss_id and r.operation == "U")
        assert role_change.user_id == admin_id
        assert role_change.changed_fields == ("role",)

        history = audit.record_history(session, "announcements", ids[0])
        assert [r.operation for r in history] == ["I", "U"]
        assert [r.user_id for r in history] == [boss_id, admin_id]

        future = datetime.now(UTC) + timedelta(days=1)
        assert audit.browse(session, audit.AuditFilter(since=future)).rows == []
        assert audit.browse(session, audit.AuditFilter(until=future)).rows
        past = datetime.now(UTC) - timedelta(days=1)
        assert audit.browse(session, audit.AuditFilter(until=past)).rows == []

        tables = audit.logged_tables(session)
        assert {"users", "events", "announcements", "calendar_grants"} <= set(tables)


def test_non_admin_sees_only_what_concerns_them(database, make_signed_in):
    _, admin_db = make_signed_in("administrator")
    user_id, user_db = make_signed_in("serwisant")
    other = database.add_user("handlowiec")
    with admin_db.session() as session:
        accounts.set_role(session, other, "programista")
    with user_db.session() as session:
        rows = audit.browse(session).rows
    assert all(r.user_id == user_id or r.table_name == "announcements" for r in rows)
    with database.admin.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM audit.change_log")).scalar()
    assert len(rows) < total


def test_build_conditions_is_bound_not_formatted():
    since = datetime(2026, 1, 1, tzinfo=UTC)
    where, params = audit.build_conditions(
        audit.AuditFilter(user_id=3, table_name="x'; DROP", since=since), before_id=10
    )
    assert where == (
        "c.user_id = :user_id AND c.table_name = :table_name AND "
        "c.changed_at >= :since AND c.id < :before_id"
    )
    assert params == {"user_id": 3, "table_name": "x'; DROP", "since": since, "before_id": 10}
    assert audit.build_conditions(audit.AuditFilter()) == ("TRUE", {})
