"""The database security model, attacked over a real ``eszok_client`` connection.

Each refusal asserts the precise psycopg error class, and each "cannot see / cannot
change" test first shows that the row exists and that someone allowed does see it, so a
test cannot pass because the statement was wrong rather than refused. Every refused
statement runs in its own unit of work (``db.session()``), so no test depends on how a
failed transaction is cleaned up.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg import errors as pg
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.db.engine import Database
from eszok_desktop.services import auth
from eszok_desktop.services.auth import SignInStatus

PASSWORD = "Haslo1234"
WRONG = "Zle-haslo99"


# --- helpers ---------------------------------------------------------------------------


def refused(db: Database, sql: str, params: dict[str, Any] | None = None, error=None) -> str:
    """Run ``sql`` in its own unit of work; assert the server refused it with ``error``."""
    error = error or pg.InsufficientPrivilege
    with pytest.raises(DBAPIError) as caught, db.session() as session:
        session.execute(text(sql), params or {})
    assert isinstance(caught.value.orig, error), repr(caught.value.orig)
    return str(caught.value.orig)


def fetch(db: Database, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    with db.session() as session:
        return list(session.execute(text(sql), params or {}).all())


def changed_rows(db: Database, sql: str, params: dict[str, Any] | None = None) -> int:
    with db.session() as session:
        return session.execute(text(sql), params or {}).rowcount


def admin_fetch(database, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    with database.admin.begin() as conn:
        return list(conn.execute(text(sql), params or {}).all())


def admin_run(database, sql: str, params: dict[str, Any] | None = None) -> None:
    with database.admin.begin() as conn:
        conn.execute(text(sql), params or {})


def serwis_kind(database) -> tuple[int, int]:
    """(calendar_id, kind_id) of a Serwis kind, looked up on the maintenance login so that
    a client that can read nothing still gets real ids."""
    row = admin_fetch(
        database,
        "SELECT k.calendar_id, k.id FROM eszok.event_kinds k "
        "JOIN eszok.calendars c ON c.id = k.calendar_id "
        "WHERE c.code = 'serwis' ORDER BY k.sort_order LIMIT 1",
    )[0]
    return row[0], row[1]


INSERT_EVENT = (
    "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
    "participant_ids, created_by) VALUES (:cal, :kind, :title, now(), now() + interval '1 hour', "
    "CAST(:p AS bigint[]), :by) RETURNING id"
)


def event_params(database, participants: list[int], by: int, title: str = "Serwis") -> dict:
    cal, kind = serwis_kind(database)
    return {"cal": cal, "kind": kind, "title": title, "p": participants, "by": by}


def add_event(database, participants: list[int], title: str = "Przegląd drukarki") -> int:
    """An event created on the maintenance login (as if by its first participant)."""
    with database.admin.begin() as conn:
        params = event_params(database, participants, participants[0], title)
        return conn.execute(text(INSERT_EVENT), params).scalar_one()


def insert_event(db: Database, database, participants: list[int], by: int) -> int:
    with db.session() as session:
        params = event_params(database, participants, by)
        return session.execute(text(INSERT_EVENT), params).scalar_one()


def event_row(database, event_id: int) -> Any:
    rows = admin_fetch(database, "SELECT * FROM eszok.events WHERE id = :i", {"i": event_id})
    return rows[0] if rows else None


def log_of(database, table: str, record_id: int) -> list[Any]:
    return admin_fetch(
        database,
        "SELECT operation, user_id, db_user, old_values, new_values FROM audit.change_log "
        "WHERE table_name = :t AND record_id = :r ORDER BY id",
        {"t": table, "r": record_id},
    )


def sign_in(db: Database, email: str, password: str) -> auth.SignInResult:
    with db.session() as session:
        return auth.sign_in(session, email, password)


def raw_login_opens(client: Database, email: str, password: str) -> int | None:
    """Whom a committed ``auth.login`` token opens a session for (None: nobody)."""
    token = fetch(client, "SELECT auth.login(:e, :p)", {"e": email, "p": password})[0][0]
    assert isinstance(token, str) and len(token) == 64  # every attempt gets a token
    with client.session() as session:
        session.execute(text("SELECT set_config('eszok.token', :t, true)"), {"t": token})
        return session.execute(text("SELECT auth.uid()")).scalar()


def login_state(database, user_id: int) -> Any:
    return admin_fetch(
        database,
        "SELECT failed_logins, locked_until, active FROM auth.users WHERE id = :i",
        {"i": user_id},
    )[0]


# --- password hashes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT password_hash FROM auth.users",
        "SELECT * FROM auth.users",
        "SELECT u FROM auth.users u",
        "SELECT row_to_json(u) FROM auth.users u",
        "SELECT count(*) FROM auth.users WHERE password_hash LIKE '$2a$12$%'",
        "SELECT u.password_hash FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id",
        "SELECT * FROM auth.sessions",
        "SELECT token_hash FROM auth.sessions",
        "SELECT count(*) FROM auth.sessions",
    ],
)
def test_password_and_token_hashes_cannot_be_read(make_signed_in, sql):
    user_id, db = make_signed_in("administrator")
    # the granted columns are readable: the refusal below is about the hash, not the table
    assert (user_id,) in fetch(db, "SELECT id FROM auth.users")
    refused(db, sql)


def test_no_function_hands_out_a_hash(make_signed_in):
    _user_id, db = make_signed_in("administrator")
    (whoami,) = fetch(db, "SELECT * FROM auth.whoami()")
    assert not any(isinstance(v, str) and v.startswith("$2a$") for v in whoami)
    assert "$2a$" not in str(fetch(db, "SELECT old_values, new_values FROM audit.change_log"))


# --- sign-in refusals --------------------------------------------------------------------


def test_wrong_password_and_unknown_email_give_no_token(database):
    email = database.email_of(database.add_user())
    client = database.client()
    result = sign_in(client, email, WRONG)
    assert (result.status, result.token) == (SignInStatus.INVALID, None)
    assert sign_in(client, "nikt@example.pl", PASSWORD).status == SignInStatus.INVALID
    assert raw_login_opens(client, email, WRONG) is None
    # control: the right password does work
    assert sign_in(client, email, PASSWORD).status == SignInStatus.OK


def test_deactivated_account_cannot_sign_in(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    client = database.client()
    assert sign_in(client, email, PASSWORD).status == SignInStatus.OK
    admin_run(database, "UPDATE auth.users SET active = false WHERE id = :i", {"i": user_id})
    result = sign_in(client, email, PASSWORD)
    assert (result.status, result.token) == (SignInStatus.INACTIVE, None)
    assert raw_login_opens(client, email, PASSWORD) is None


def test_five_failures_lock_the_account_until_the_lock_expires(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    client = database.client()
    for n in range(1, 5):
        assert sign_in(client, email, WRONG).status == SignInStatus.INVALID
        assert login_state(database, user_id).failed_logins == n
        assert login_state(database, user_id).locked_until is None
    fifth = sign_in(client, email, WRONG)
    assert fifth.status == SignInStatus.LOCKED and fifth.token is None
    locked_until = login_state(database, user_id).locked_until
    assert locked_until > datetime.now(UTC) + timedelta(minutes=14)
    assert fifth.locked_until == locked_until

    # the correct password during the lock is refused as well, and does not lift it
    during = sign_in(client, email, PASSWORD)
    assert (during.status, during.token) == (SignInStatus.LOCKED, None)
    assert raw_login_opens(client, email, PASSWORD) is None
    assert login_state(database, user_id).locked_until == locked_until

    admin_run(
        database,
        "UPDATE auth.users SET locked_until = now() - interval '1 second' WHERE id = :i",
        {"i": user_id},
    )
    after = sign_in(client, email, PASSWORD)
    assert after.status == SignInStatus.OK and after.token
    state = login_state(database, user_id)
    assert (state.failed_logins, state.locked_until) == (0, None)


def test_failures_are_counted_afresh_after_success_and_after_an_expired_lock(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    client = database.client()
    for _ in range(4):
        sign_in(client, email, WRONG)
    assert sign_in(client, email, PASSWORD).status == SignInStatus.OK
    assert login_state(database, user_id).failed_logins == 0
    for _ in range(4):
        assert sign_in(client, email, WRONG).status == SignInStatus.INVALID
    assert login_state(database, user_id).failed_logins == 4

    assert sign_in(client, email, WRONG).status == SignInStatus.LOCKED
    admin_run(
        database,
        "UPDATE auth.users SET locked_until = now() - interval '1 second' WHERE id = :i",
        {"i": user_id},
    )
    # one failure after an expired lock starts a new count; it does not re-lock at once
    assert sign_in(client, email, WRONG).status == SignInStatus.INVALID
    assert login_state(database, user_id).failed_logins == 1


def test_rolling_back_attempts_escapes_the_count_only_by_throwing_the_answer_away(database):
    """auth.login tells right from wrong only to a later transaction, so rolling back an
    attempt (to dodge the failure count) leaves the client knowing nothing."""
    user_id = database.add_user()
    email = database.email_of(user_id)
    client = database.client()
    tokens = []
    for password in (WRONG, WRONG, PASSWORD):
        with client.engine.connect() as conn:
            token = conn.execute(
                text("SELECT auth.login(:e, :p)"), {"e": email, "p": password}
            ).scalar()
            conn.execute(text("SELECT set_config('eszok.token', :t, true)"), {"t": token})
            assert conn.execute(text("SELECT auth.uid()")).scalar() is None
            outcome = conn.execute(
                text("SELECT status FROM auth.sign_in_outcome(:t)"), {"t": token}
            ).scalar()
            assert outcome == "invalid"
            conn.rollback()
        tokens.append(token)
    for token in tokens:
        with client.session() as session:
            session.execute(text("SELECT set_config('eszok.token', :t, true)"), {"t": token})
            assert session.execute(text("SELECT auth.uid()")).scalar() is None


def test_sign_in_bookkeeping_is_not_readable_by_clients(make_signed_in):
    _, db = make_signed_in("kierownik")
    for column in ("failed_logins", "locked_until", "last_login_at", "previous_login_at"):
        with pytest.raises(DBAPIError) as info, db.session() as session:
            session.execute(text(f"SELECT {column} FROM auth.users"))
        assert isinstance(info.value.orig, pg.InsufficientPrivilege)
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM auth.account_states()")).scalar() == 0


# --- made-up and revoked tokens ------------------------------------------------------------


def assert_token_is_nobody(database, db: Database, owner_id: int, event_id: int) -> None:
    """``db`` presents a token that must open nothing: reads, writes and whoami."""
    assert fetch(db, "SELECT auth.uid()") == [(None,)]
    assert fetch(db, "SELECT user_id FROM auth.whoami()") == [(None,)]
    assert fetch(db, "SELECT id FROM eszok.events") == []
    assert fetch(db, "SELECT id FROM auth.users") == []
    assert fetch(db, "SELECT id FROM eszok.event_kinds") == []
    refused(db, INSERT_EVENT, event_params(database, [owner_id], owner_id))
    before = event_row(database, event_id)
    assert (
        changed_rows(db, "UPDATE eszok.events SET title = 'X' WHERE id = :i", {"i": event_id}) == 0
    )
    assert changed_rows(db, "DELETE FROM eszok.events WHERE id = :i", {"i": event_id}) == 0
    assert event_row(database, event_id) == before
    refused(db, "INSERT INTO eszok.notes (owner_id, title) VALUES (:o, 'x')", {"o": owner_id})


@pytest.mark.parametrize("kind", ["random", "one_char_off", "empty", "hash_of_real"])
def test_made_up_token_opens_nothing(database, make_signed_in, kind):
    owner_id, owner_db = make_signed_in("administrator")
    event_id = add_event(database, [owner_id])
    assert fetch(owner_db, "SELECT id FROM eszok.events") == [(event_id,)]  # control
    real = owner_db.token
    assert real is not None
    token = {
        "random": secrets.token_hex(32),
        "one_char_off": real[:-1] + ("0" if real[-1] != "0" else "1"),
        "empty": "",
        "hash_of_real": admin_fetch(
            database, "SELECT encode(token_hash, 'hex') FROM auth.sessions LIMIT 1"
        )[0][0],
    }[kind]
    intruder = database.client()
    intruder.set_token(token)
    assert_token_is_nobody(database, intruder, owner_id, event_id)


def test_token_revoked_by_logout_opens_nothing(database, make_signed_in):
    owner_id, db = make_signed_in("administrator")
    event_id = add_event(database, [owner_id])
    assert fetch(db, "SELECT id FROM eszok.events") == [(event_id,)]
    token = db.token
    with db.session() as session:
        auth.sign_out(session)
    # the same connections still present the token, and so does a fresh client
    assert db.token == token
    assert_token_is_nobody(database, db, owner_id, event_id)
    again = database.client()
    again.set_token(token)
    assert_token_is_nobody(database, again, owner_id, event_id)


def test_logout_revokes_only_its_own_session(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    first, second = database.signed_in(email), database.signed_in(email)
    with first.session() as session:
        auth.sign_out(session)
    assert fetch(first, "SELECT auth.uid()") == [(None,)]
    assert fetch(second, "SELECT auth.uid()") == [(user_id,)]


def test_token_of_a_deactivated_user_opens_nothing(database, make_signed_in):
    owner_id, db = make_signed_in("administrator")
    event_id = add_event(database, [owner_id])
    assert fetch(db, "SELECT id FROM eszok.events") == [(event_id,)]
    admin_run(database, "UPDATE auth.users SET active = false WHERE id = :i", {"i": owner_id})
    assert_token_is_nobody(database, db, owner_id, event_id)


def test_expired_session_opens_nothing(database, make_signed_in):
    owner_id, db = make_signed_in("administrator")
    event_id = add_event(database, [owner_id])
    assert fetch(db, "SELECT auth.uid()") == [(owner_id,)]
    admin_run(database, "UPDATE auth.sessions SET expires_at = now() - interval '1 second'")
    assert_token_is_nobody(database, db, owner_id, event_id)


# --- other users' calendars ---------------------------------------------------------------


def test_other_users_events_cannot_be_read_or_written_without_a_grant(database, make_signed_in):
    owner_id, owner_db = make_signed_in("serwisant")
    me, db = make_signed_in("serwisant")
    event_id = add_event(database, [owner_id])
    assert fetch(owner_db, "SELECT id FROM eszok.events") == [(event_id,)]  # control
    before = event_row(database, event_id)

    assert fetch(db, "SELECT id FROM eszok.events") == []
    assert fetch(db, "SELECT id FROM eszok.events WHERE id = :i", {"i": event_id}) == []
    assert fetch(db, "SELECT 1 FROM audit.change_log WHERE record_id = :i", {"i": event_id}) == []
    assert (
        changed_rows(db, "UPDATE eszok.events SET title = 'X' WHERE id = :i", {"i": event_id}) == 0
    )
    assert changed_rows(db, "DELETE FROM eszok.events WHERE id = :i", {"i": event_id}) == 0
    assert event_row(database, event_id) == before

    refused(db, INSERT_EVENT, event_params(database, [owner_id], me))
    refused(db, INSERT_EVENT, event_params(database, [me, owner_id], me))
    # an event of one's own may not be moved or widened into the other calendar
    mine = insert_event(db, database, [me], me)
    refused(
        db,
        "UPDATE eszok.events SET participant_ids = CAST(:p AS bigint[]) WHERE id = :i",
        {"p": [owner_id], "i": mine},
    )
    refused(
        db,
        "UPDATE eszok.events SET participant_ids = CAST(:p AS bigint[]) WHERE id = :i",
        {"p": [me, owner_id], "i": mine},
    )
    assert event_row(database, mine).participant_ids == [me]
    assert fetch(owner_db, "SELECT id FROM eszok.events") == [(event_id,)]


def test_a_view_grant_reads_and_a_manage_grant_writes(database, make_signed_in):
    owner_id, _owner_db = make_signed_in("serwisant")
    me, db = make_signed_in("serwisant")
    event_id = add_event(database, [owner_id])
    admin_run(
        database,
        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by) "
        "VALUES (:o, :g, 'view', :o)",
        {"o": owner_id, "g": me},
    )
    assert fetch(db, "SELECT id FROM eszok.events") == [(event_id,)]
    assert (
        changed_rows(db, "UPDATE eszok.events SET title = 'X' WHERE id = :i", {"i": event_id}) == 0
    )
    refused(db, INSERT_EVENT, event_params(database, [owner_id], me))

    admin_run(database, "UPDATE eszok.calendar_grants SET level = 'manage'")
    assert (
        changed_rows(db, "UPDATE eszok.events SET title = 'X' WHERE id = :i", {"i": event_id}) == 1
    )
    insert_event(db, database, [owner_id], me)
    mine = insert_event(db, database, [me], me)
    assert (
        changed_rows(
            db,
            "UPDATE eszok.events SET participant_ids = CAST(:p AS bigint[]) WHERE id = :i",
            {"p": [me, owner_id], "i": mine},
        )
        == 1
    )


def test_one_cannot_grant_oneself_access(database, make_signed_in):
    owner_id, _ = make_signed_in("serwisant")
    me, db = make_signed_in("kierownik")
    params = {"o": owner_id, "g": me}
    refused(
        db,
        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level) VALUES (:o, :g, 'manage')",
        params,
    )
    refused(
        db,
        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by) "
        "VALUES (:o, :g, 'manage', :o)",
        params,
    )
    refused(
        db,
        "INSERT INTO eszok.share_requests (owner_id, grantee_id, level, status) "
        "VALUES (:o, :g, 'manage', 'approved')",
        params,
    )
    # asking is allowed; approving one's own request is not
    with db.session() as session:
        request_id = session.execute(
            text(
                "INSERT INTO eszok.share_requests (owner_id, grantee_id, level) "
                "VALUES (:o, :g, 'manage') RETURNING id"
            ),
            params,
        ).scalar_one()
    assert (
        changed_rows(
            db,
            "UPDATE eszok.share_requests SET status = 'approved', decided_by = :g WHERE id = :i",
            {"g": me, "i": request_id},
        )
        == 0
    )
    # a view grant given by the administrator cannot be raised to manage by the grantee
    admin_run(
        database,
        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by) "
        "VALUES (:o, :g, 'view', :o)",
        params,
    )
    assert fetch(db, "SELECT level FROM eszok.calendar_grants") == [("view",)]
    assert changed_rows(db, "UPDATE eszok.calendar_grants SET level = 'manage'") == 0
    assert admin_fetch(database, "SELECT level FROM eszok.calendar_grants") == [("view",)]
    assert fetch(db, "SELECT count(*) FROM eszok.share_requests WHERE status = 'pending'") == [(1,)]


def test_an_administrator_may_grant(database, make_signed_in):
    """Control for the test above: the same insert works for ``admin.users``."""
    owner_id, _ = make_signed_in("serwisant")
    grantee_id, _ = make_signed_in("serwisant")
    admin_id, db = make_signed_in("administrator")
    with db.session() as session:
        session.execute(
            text(
                "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level) "
                "VALUES (:o, :g, 'manage')"
            ),
            {"o": owner_id, "g": grantee_id},
        )
    assert admin_fetch(database, "SELECT granted_by FROM eszok.calendar_grants") == [(admin_id,)]


# --- roles and capabilities ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE auth.users SET role = 'administrator' WHERE id = :me",
        "UPDATE auth.users SET active = true, failed_logins = 0 WHERE id = :me",
        "INSERT INTO auth.users (email, full_name, role, password_hash) "
        "VALUES ('x@example.pl', 'X', 'administrator', 'x')",
        "DELETE FROM auth.users WHERE id = :me",
        "INSERT INTO eszok.role_capabilities (role, capability) "
        "VALUES ('serwisant', 'admin.users')",
        "UPDATE eszok.role_capabilities SET role = 'serwisant' WHERE capability = 'admin.users'",
        "UPDATE eszok.roles SET code = 'administrator2' WHERE code = 'administrator'",
        "INSERT INTO auth.sessions (user_id, token_hash, expires_at) "
        "VALUES (:me, '\\x00', now() + interval '1 day')",
        "UPDATE auth.sessions SET expires_at = now() + interval '10 years'",
    ],
)
def test_one_cannot_change_ones_own_role_or_capabilities(database, make_signed_in, sql):
    me, db = make_signed_in("serwisant")
    refused(db, sql, {"me": me})
    assert fetch(db, "SELECT role FROM auth.users WHERE id = :me", {"me": me}) == [("serwisant",)]
    assert fetch(db, "SELECT auth.has_capability('admin.users')") == [(False,)]


# --- the change log and triggers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO audit.change_log (schema_name, table_name, record_id, operation, db_user, "
        "changed_at, txid) VALUES ('eszok', 'events', 1, 'I', 'x', now(), 1)",
        "UPDATE audit.change_log SET user_id = NULL",
        "DELETE FROM audit.change_log",
        "TRUNCATE audit.change_log",
    ],
)
def test_change_log_cannot_be_written(database, make_signed_in, sql):
    me, db = make_signed_in("administrator")
    insert_event(db, database, [me], me)
    count = fetch(db, "SELECT count(*) FROM audit.change_log")[0][0]
    assert count > 0  # the administrator reads the whole log
    refused(db, sql)
    assert fetch(db, "SELECT count(*) FROM audit.change_log") == [(count,)]


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE eszok.events DISABLE TRIGGER audit",
        "ALTER TABLE eszok.events DISABLE TRIGGER ALL",
        "ALTER TABLE eszok.events DISABLE TRIGGER USER",
        "ALTER TABLE eszok.events DISABLE TRIGGER bump_version",
        "ALTER TABLE auth.users DISABLE TRIGGER audit",
        "DROP TRIGGER audit ON eszok.events",
        "ALTER TABLE eszok.events NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE eszok.events DISABLE ROW LEVEL SECURITY",
        "DROP POLICY events_read ON eszok.events",
        "ALTER TABLE eszok.events OWNER TO eszok_client",
        "ALTER TABLE audit.change_log DISABLE ROW LEVEL SECURITY",
        "SET session_replication_role = replica",
        "SET LOCAL session_replication_role = replica",
        "SELECT set_config('session_replication_role', 'replica', false)",
        "CREATE OR REPLACE FUNCTION audit.log_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$",
        "SELECT eszok.secure_table('events')",
    ],
)
def test_triggers_and_row_security_cannot_be_switched_off(database, make_signed_in, sql):
    me, db = make_signed_in("administrator")
    refused(db, sql)
    # and writes are still audited afterwards
    event_id = insert_event(db, database, [me], me)
    assert [row.operation for row in log_of(database, "events", event_id)] == ["I"]


def test_row_security_off_only_makes_queries_fail(make_signed_in):
    _me, db = make_signed_in("administrator")
    with db.session() as session:
        session.execute(text("SET row_security = off"))
        with pytest.raises(DBAPIError) as caught:
            session.execute(text("SELECT id FROM eszok.events"))
    assert isinstance(caught.value.orig, pg.InsufficientPrivilege)


@pytest.mark.parametrize(
    "sql",
    [
        "SET ROLE eszok_owner",
        "SET LOCAL ROLE eszok_owner",
        "SET SESSION AUTHORIZATION eszok_owner",
        "SET ROLE eszok_admin",
        "SET SESSION AUTHORIZATION eszok_admin",
        "SELECT set_config('role', 'eszok_owner', false)",
    ],
)
def test_one_cannot_become_the_owner_or_a_superuser(make_signed_in, sql):
    _me, db = make_signed_in("administrator")
    refused(db, sql)
    assert fetch(db, "SELECT current_user, session_user") == [("eszok_client", "eszok_client")]


SCHEMAS = ["public", "auth", "eszok", "audit", "extensions"]


@pytest.mark.parametrize("schema_name", SCHEMAS)
@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE {s}.probe (id int)",
        "CREATE FUNCTION {s}.probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE VIEW {s}.probe AS SELECT 1 AS one",
        "CREATE SEQUENCE {s}.probe",
    ],
)
def test_no_objects_can_be_created_in_any_schema(make_signed_in, schema_name, ddl):
    _me, db = make_signed_in("administrator")
    refused(db, ddl.format(s=schema_name))


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TEMP TABLE probe (id int)",
        "CREATE TABLE pg_temp.probe (id int)",
        "CREATE FUNCTION pg_temp.probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TABLE probe (id int)",
        "CREATE SCHEMA probe",
        "CREATE EXTENSION IF NOT EXISTS dblink",
        "CREATE ROLE probe",
        "COPY (SELECT 1) TO PROGRAM 'true'",
        "SELECT pg_read_file('PG_VERSION')",
    ],
)
def test_no_temporary_objects_schemas_or_server_access(make_signed_in, ddl):
    _me, db = make_signed_in("administrator")
    refused(db, ddl)


# --- first administrator ----------------------------------------------------------------------


def test_first_admin_only_on_an_empty_installation(database):
    client = database.client()
    hashed = auth.hash_password(PASSWORD)
    params = {"e": "szef@example.pl", "n": "Szef", "h": hashed}
    assert fetch(client, "SELECT auth.needs_first_admin()") == [(True,)]
    # control: on an empty installation anybody may create the first administrator
    first = fetch(client, "SELECT auth.create_first_admin(:e, :n, :h)", params)[0][0]
    assert fetch(client, "SELECT auth.needs_first_admin()") == [(False,)]

    again = {"e": "drugi@example.pl", "n": "Drugi", "h": hashed}
    refused(client, "SELECT auth.create_first_admin(:e, :n, :h)", again)
    signed_in = database.signed_in("szef@example.pl")
    refused(signed_in, "SELECT auth.create_first_admin(:e, :n, :h)", again)
    assert admin_fetch(database, "SELECT id, role FROM auth.users") == [(first, "administrator")]


# --- pg_stat_activity --------------------------------------------------------------------------


def other_queries(observer: Database) -> list[str]:
    return [
        row[0]
        for row in fetch(
            observer,
            "SELECT query FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
    ]


def test_token_and_password_never_appear_in_pg_stat_activity(database, monkeypatch):
    user_id = database.add_user()
    email = database.email_of(user_id)
    observer = database.client()
    seen: list[str] = []
    original = Database._present_token

    class CommitSpy:
        """Looks at pg_stat_activity just before the token-setting transaction commits,
        while the set_config statement is still the connection's last query."""

        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def cursor(self, *args: Any, **kwargs: Any) -> Any:
            return self._conn.cursor(*args, **kwargs)

        def commit(self) -> None:
            seen.extend(other_queries(observer))
            self._conn.commit()

    def spying(self: Database, dbapi_conn: Any, record: Any, proxy: Any) -> None:
        original(self, CommitSpy(dbapi_conn), record, proxy)

    monkeypatch.setattr(Database, "_present_token", spying)

    client = database.client()
    with client.session() as session:
        result = auth.sign_in(session, email, PASSWORD)
        during_sign_in = other_queries(observer)
    assert result.status == SignInStatus.OK and result.token
    assert any("auth.sign_in" in q for q in during_sign_in), during_sign_in  # control
    assert not any(PASSWORD in q or result.token in q for q in during_sign_in)

    client.set_token(result.token)
    assert fetch(client, "SELECT auth.uid()") == [(user_id,)]
    assert any("set_config('eszok.token'" in q for q in seen), seen  # control
    assert not any(result.token in q for q in seen), seen


# --- what must hold: the audit trail --------------------------------------------------------------


def test_raw_sql_changes_are_logged_with_user_and_login(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    event_id = insert_event(db, database, [me], me)
    assert changed_rows(db, "UPDATE eszok.events SET title = 'Nowy' WHERE id = :i", {"i": event_id})
    assert changed_rows(db, "DELETE FROM eszok.events WHERE id = :i", {"i": event_id}) == 1
    log = log_of(database, "events", event_id)
    assert [row.operation for row in log] == ["I", "U", "D"]
    assert {(row.user_id, row.db_user) for row in log} == {(me, "eszok_client")}
    assert log[0].new_values["title"] == "Serwis"
    assert log[0].new_values["participant_ids"] == [me]
    assert log[0].old_values is None
    assert "version" not in log[0].new_values


def test_a_no_op_update_writes_nothing(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    event_id = insert_event(db, database, [me], me)
    assert (
        changed_rows(db, "UPDATE eszok.events SET title = title WHERE id = :i", {"i": event_id})
        == 1
    )
    assert (
        changed_rows(
            db,
            "UPDATE eszok.events SET title = 'Serwis', note = NULL, starts_at = starts_at "
            "WHERE id = :i",
            {"i": event_id},
        )
        == 1
    )
    assert [row.operation for row in log_of(database, "events", event_id)] == ["I"]
    assert event_row(database, event_id).version == 1


def test_an_update_logs_only_the_changed_keys(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    event_id = insert_event(db, database, [me], me)
    changed_rows(
        db,
        "UPDATE eszok.events SET title = 'Prezentacja', note = 'Zabrać projektor', "
        "starts_at = starts_at, all_day = false WHERE id = :i",
        {"i": event_id},
    )
    update = log_of(database, "events", event_id)[-1]
    assert update.operation == "U"
    assert update.old_values == {"title": "Serwis", "note": None}
    assert update.new_values == {"title": "Prezentacja", "note": "Zabrać projektor"}


def test_a_delete_is_logged_with_the_old_values(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    event_id = insert_event(db, database, [me], me)
    changed_rows(db, "DELETE FROM eszok.events WHERE id = :i", {"i": event_id})
    delete = log_of(database, "events", event_id)[-1]
    assert (delete.operation, delete.user_id, delete.new_values) == ("D", me, None)
    assert delete.old_values["id"] == event_id
    assert delete.old_values["title"] == "Serwis"
    assert delete.old_values["participant_ids"] == [me]
    assert delete.old_values["created_by"] == me


def test_raw_sql_updates_bump_the_version(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    event_id = insert_event(db, database, [me], me)
    changed_rows(db, "UPDATE eszok.events SET title = 'Raz' WHERE id = :i", {"i": event_id})
    assert event_row(database, event_id).version == 2
    # a client that bumps the version itself (SQLAlchemy's version_id_col) is not bumped twice
    changed_rows(
        db,
        "UPDATE eszok.events SET title = 'Dwa', version = version + 1 WHERE id = :i",
        {"i": event_id},
    )
    assert event_row(database, event_id).version == 3


def test_user_audit_hides_password_hashes_and_skips_sign_in_bookkeeping(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    (insert,) = log_of(database, "users", user_id)
    assert insert.new_values["password_hash"] == "***"
    assert insert.new_values["email"] == email

    client = database.client()
    version = admin_fetch(database, "SELECT version FROM auth.users WHERE id = :i", {"i": user_id})
    for password in (WRONG, WRONG, PASSWORD):
        sign_in(client, email, password)
    for _ in range(5):
        sign_in(client, email, WRONG)
    assert login_state(database, user_id).locked_until is not None
    assert len(log_of(database, "users", user_id)) == 1
    # sign-in bookkeeping is not an edit: it must not make an administrator's form stale
    assert (
        admin_fetch(database, "SELECT version FROM auth.users WHERE id = :i", {"i": user_id})
        == version
    )

    new_hash = auth.hash_password("Nowehaslo1")
    admin_run(
        database,
        "UPDATE auth.users SET password_hash = :h, full_name = 'Nowe Nazwisko' WHERE id = :i",
        {"h": new_hash, "i": user_id},
    )
    update = log_of(database, "users", user_id)[-1]
    assert update.operation == "U"
    assert update.old_values["password_hash"] == "***"
    assert update.new_values == {"password_hash": "***", "full_name": "Nowe Nazwisko"}
    everything = str(admin_fetch(database, "SELECT old_values, new_values FROM audit.change_log"))
    assert new_hash not in everything and "$2a$" not in everything


# --- what must hold: every table is secured ---------------------------------------------------

SECURED_CHECK = """
SELECT c.relname AS table_name,
       c.relrowsecurity AS rls,
       c.relforcerowsecurity AS forced,
       EXISTS (SELECT 1 FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled = 'O'
                  AND t.tgfoid = 'audit.log_change()'::regprocedure
                  AND t.tgtype & (1 | 2 | 64) = 1          -- FOR EACH ROW, AFTER
                  AND t.tgtype & (4 | 8 | 16) = 4 | 8 | 16 -- INSERT, DELETE, UPDATE
                  AND t.tgattr = ''::int2vector AND t.tgqual IS NULL) AS audited,
       EXISTS (SELECT 1 FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled = 'O'
                  AND t.tgfoid = 'eszok.bump_version()'::regprocedure
                  AND t.tgtype & (1 | 2 | 64) = 1 | 2     -- FOR EACH ROW, BEFORE
                  AND t.tgtype & 16 = 16                  -- UPDATE
                  AND t.tgattr = ''::int2vector AND t.tgqual IS NULL) AS versioned,
       EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'version' AND NOT a.attisdropped)
           AS has_version
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'eszok' AND c.relkind IN ('r', 'p')
 ORDER BY c.relname
"""


def unsecured_tables(conn: Connection) -> dict[str, list[str]]:
    """Every eszok table missing forced RLS, the audit trigger or the version bump."""
    problems: dict[str, list[str]] = {}
    for row in conn.execute(text(SECURED_CHECK)):
        missing = [
            what
            for what, ok in (
                ("row level security", row.rls),
                ("FORCE row level security", row.forced),
                ("audit trigger", row.audited),
                ("bump_version trigger", row.versioned),
                ("version column", row.has_version),
            )
            if not ok
        ]
        if missing:
            problems[row.table_name] = missing
    return problems


def test_every_eszok_table_is_secured(database):
    with database.admin.connect() as conn:
        tables = conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'eszok'")
        ).scalar_one()
        problems = unsecured_tables(conn)
    assert tables >= 9
    assert not problems, f"eszok tables not secured: {problems}"


def test_the_table_check_names_an_unsecured_table(database):
    """The check above can fail: a bare table is named, and secure_table() fixes it."""
    with database.admin.begin() as conn:
        conn.execute(text("SET ROLE eszok_owner"))
        conn.execute(text("CREATE TABLE eszok.probe (id bigint PRIMARY KEY, version int)"))
        assert unsecured_tables(conn) == {
            "probe": [
                "row level security",
                "FORCE row level security",
                "audit trigger",
                "bump_version trigger",
            ]
        }
        conn.execute(text("ALTER TABLE eszok.probe ENABLE ROW LEVEL SECURITY"))
        assert list(unsecured_tables(conn)) == ["probe"]
        conn.execute(text("DROP TABLE eszok.probe"))
        conn.execute(text("CREATE TABLE eszok.probe (id bigint PRIMARY KEY, version int)"))
        conn.execute(text("SELECT eszok.secure_table('probe')"))
        assert unsecured_tables(conn) == {}
        conn.execute(text("ALTER TABLE eszok.probe DISABLE TRIGGER audit"))
        assert unsecured_tables(conn) == {"probe": ["audit trigger"]}
        conn.rollback()


def test_auth_users_is_audited_and_has_row_security(database):
    with database.admin.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.relrowsecurity, EXISTS (SELECT 1 FROM pg_trigger t "
                "WHERE t.tgrelid = c.oid AND t.tgenabled = 'O' "
                "AND t.tgfoid = 'audit.log_change()'::regprocedure) "
                "FROM pg_class c WHERE c.oid = 'auth.users'::regclass"
            )
        ).one()
    assert tuple(row) == (True, True)


def test_functions_are_not_public_and_definers_pin_their_search_path(database):
    """No function in our schemas runs for PUBLIC; every SECURITY DEFINER one fixes its
    search_path (otherwise a caller's objects could be run with the owner's rights)."""
    with database.admin.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT n.nspname || '.' || p.proname AS name, p.prosecdef, p.proconfig, "
                "p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a "
                "  WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS public_exec "
                "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname IN ('auth', 'eszok', 'audit')"
            )
        ).all()
    assert len(rows) > 10
    public = sorted(row.name for row in rows if row.public_exec)
    unpinned = sorted(
        row.name
        for row in rows
        if row.prosecdef and not any(c.startswith("search_path=") for c in row.proconfig or [])
    )
    assert public == [], f"executable by PUBLIC: {public}"
    assert unpinned == [], f"SECURITY DEFINER without a fixed search_path: {unpinned}"
