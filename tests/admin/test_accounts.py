"""Account management as eszok_client: every rule is enforced by the database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.services.admin import accounts, passwords
from eszok_desktop.services.admin.errors import LastAdministrator
from eszok_desktop.services.errors import PermissionDenied, ValidationError


@pytest.fixture
def admin(make_signed_in):
    return make_signed_in("administrator")


def sign_in(database, email, password="Haslo1234"):
    with database.client().session() as session:
        return auth.sign_in(session, email, password)


def whoami(db):
    with db.session() as session:
        return auth.current_user(session)


def last_change(database, user_id):
    with database.admin.connect() as conn:
        return conn.execute(
            text(
                "SELECT user_id, old_values, new_values FROM audit.change_log "
                "WHERE table_name = 'users' AND record_id = :i ORDER BY id DESC LIMIT 1"
            ),
            {"i": user_id},
        ).one()


@pytest.mark.parametrize("role", ["kierownik", "serwisant"])
def test_non_admin_is_refused_every_account_function(database, make_signed_in, role):
    victim = database.add_user("handlowiec")
    _, db = make_signed_in(role)
    calls = [
        lambda s: accounts.add_account(
            s,
            email="nowy@example.pl",
            full_name="Nowy",
            role="administrator",
            password="Haslo1234",
        ),
        lambda s: accounts.set_role(s, victim, "administrator"),
        lambda s: accounts.set_active(s, victim, False),
        lambda s: accounts.reset_password(s, victim, "Nowehaslo99"),
        lambda s: accounts.unlock(s, victim),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), db.session() as session:
            call(session)
    with database.admin.connect() as conn:
        row = conn.execute(
            text("SELECT role, active FROM auth.users WHERE id = :i"), {"i": victim}
        ).one()
        assert tuple(row) == ("handlowiec", True)
        assert (
            conn.execute(
                text("SELECT count(*) FROM auth.users WHERE email = 'nowy@example.pl'")
            ).scalar()
            == 0
        )


def test_raw_sql_cannot_touch_users_even_as_admin(database, admin):
    _, db = admin
    victim = database.add_user()
    with pytest.raises(Exception, match="permission denied"), db.session() as session:
        session.execute(
            text("UPDATE auth.users SET role = 'administrator' WHERE id = :i"), {"i": victim}
        )


def test_admin_adds_user_who_signs_in_and_must_change_password(database, admin):
    admin_id, db = admin
    with db.session() as session:
        new_id = accounts.add_account(
            session,
            email="  Jan.Nowak@Example.pl ",
            full_name="Jan  Nowak",
            role="serwisant",
            password="Poczatek123",
            must_change_password=True,
        )
    result = sign_in(database, "jan.nowak@example.pl", "Poczatek123")
    assert result.status == auth.SignInStatus.OK and result.must_change_password
    change = last_change(database, new_id)
    assert change.user_id == admin_id
    assert change.new_values["password_hash"] == "***"
    assert change.new_values["full_name"] == "Jan Nowak"


def test_email_is_unique_case_insensitively(database, admin):
    _, db = admin
    database.add_user(email="ala@example.pl")
    with pytest.raises(ValidationError) as err, db.session() as session:
        accounts.add_account(
            session,
            email="ALA@example.PL",
            full_name="Ala",
            role="serwisant",
            password="Haslo1234",
        )
    assert (err.value.field, err.value.code) == ("email", "taken")


@pytest.mark.parametrize(
    ("email", "name", "password", "field"),
    [
        ("bez-malpy.pl", "A", "Haslo1234", "email"),
        ("a@b.pl", "  ", "Haslo1234", "full_name"),
        ("a@b.pl", "A", "krotkie1", None),
        ("a@b.pl", "A", "bezcyfry", "password"),
    ],
)
def test_bad_input_is_refused_before_the_database(admin, email, name, password, field):
    _, db = admin
    if field is None:  # 8 chars with a digit is fine: the boundary of the policy
        with db.session() as session:
            accounts.add_account(
                session, email=email, full_name=name, role="serwisant", password=password
            )
        return
    with pytest.raises(ValidationError) as err, db.session() as session:
        accounts.add_account(
            session, email=email, full_name=name, role="serwisant", password=password
        )
    assert err.value.field == field


def test_last_admin_cannot_be_demoted_or_deactivated(database, admin):
    admin_id, db = admin
    with pytest.raises(LastAdministrator), db.session() as session:
        accounts.set_role(session, admin_id, "kierownik")
    with pytest.raises(LastAdministrator), db.session() as session:
        accounts.set_active(session, admin_id, False)
    assert whoami(db).role == "administrator"


def test_with_a_second_admin_one_may_be_demoted_but_not_both(database, admin):
    admin_id, db = admin
    other = database.add_user("administrator")
    with db.session() as session:
        accounts.set_role(session, other, "kierownik")
    with pytest.raises(LastAdministrator), db.session() as session:
        accounts.set_role(session, admin_id, "programista")


def test_concurrent_demotions_leave_one_admin(database, admin):
    """Two administrators demote each other at the same moment: one must fail."""
    first_id, first = admin
    second_id = database.add_user("administrator")
    second = database.signed_in(database.email_of(second_id))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(db, target):
        try:
            with db.session() as session:
                session.execute(text("SELECT 1"))
                barrier.wait(5)
                accounts.set_role(session, target, "kierownik")
            outcomes.append("ok")
        except LastAdministrator:
            outcomes.append("refused")  # it waited for the other's lock: the last admin
        except PermissionDenied:
            outcomes.append("refused")  # the other committed first: no longer an admin

    threads = [
        threading.Thread(target=demote, args=(first, second_id)),
        threading.Thread(target=demote, args=(second, first_id)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes) == ["ok", "refused"]
    with database.admin.connect() as conn:
        admins = conn.execute(
            text("SELECT count(*) FROM auth.users WHERE role = 'administrator' AND active")
        ).scalar()
    assert admins == 1


def test_deactivation_revokes_sessions_at_once_and_reactivation_needs_new_sign_in(
    database, admin, make_signed_in
):
    _, db = admin
    user_id, user_db = make_signed_in("serwisant")
    with user_db.session() as session:  # an event of their own, readable while signed in
        session.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids) SELECT k.calendar_id, k.id, 'Wizyta', now(), now(), "
                "ARRAY[auth.uid()] FROM eszok.event_kinds k ORDER BY k.id LIMIT 1"
            )
        )
    with db.session() as session:
        accounts.set_active(session, user_id, False)
    assert whoami(user_db) is None
    with user_db.session() as session:
        assert session.execute(text("SELECT count(*) FROM eszok.events")).scalar() == 0
    email = database.email_of(user_id)
    assert sign_in(database, email).status == auth.SignInStatus.INACTIVE
    with database.admin.connect() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM auth.sessions WHERE user_id = :i AND revoked_at IS NULL"
                ),
                {"i": user_id},
            ).scalar()
            == 0
        )
    with db.session() as session:
        accounts.set_active(session, user_id, True)
    assert whoami(user_db) is None  # the old token stays dead
    assert sign_in(database, email).status == auth.SignInStatus.OK
    # the deactivated user's name still shows to others (histories, pickers)
    with db.session() as session:
        names = {a.id: a.full_name for a in accounts.list_accounts(session)}
    assert user_id in names


def test_reset_password_forces_change_and_ends_sessions(database, admin, make_signed_in):
    _, db = admin
    user_id, user_db = make_signed_in("handlowiec")
    with db.session() as session:
        accounts.reset_password(session, user_id, "Tymczasowe77", must_change_password=True)
    assert whoami(user_db) is None
    email = database.email_of(user_id)
    assert sign_in(database, email).status == auth.SignInStatus.INVALID
    result = sign_in(database, email, "Tymczasowe77")
    assert result.status == auth.SignInStatus.OK and result.must_change_password
    forced = database.client()
    forced.set_token(result.token)
    assert whoami(forced).must_change_password
    with forced.session() as session:
        passwords.change_own_password(session, "Tymczasowe77", "Moje0wlasne")
    assert not whoami(forced).must_change_password
    assert sign_in(database, email, "Moje0wlasne").status == auth.SignInStatus.OK


def test_change_own_password_needs_the_old_one(database, make_signed_in):
    user_id, db = make_signed_in("programista")
    with pytest.raises(ValidationError) as err, db.session() as session:
        passwords.change_own_password(session, "Zlehaslo99", "Nowehaslo99")
    assert (err.value.field, err.value.code) == ("old_password", "wrong")
    with database.admin.connect() as conn:  # the failed attempt was counted, not rolled back
        assert (
            conn.execute(
                text("SELECT failed_logins FROM auth.users WHERE id = :i"), {"i": user_id}
            ).scalar()
            == 1
        )
    email = database.email_of(user_id)
    assert sign_in(database, email, "Nowehaslo99").status == auth.SignInStatus.INVALID
    with db.session() as session:
        passwords.change_own_password(session, "Haslo1234", "Nowehaslo99")
    assert sign_in(database, email, "Nowehaslo99").status == auth.SignInStatus.OK
    assert whoami(db) is not None  # the session that changed it stays signed in


def test_change_own_password_other_sessions_end(database, make_signed_in):
    user_id, db = make_signed_in("programista")
    other = database.signed_in(database.email_of(user_id))
    with db.session() as session:
        passwords.change_own_password(session, "Haslo1234", "Nowehaslo99")
    assert whoami(other) is None and whoami(db) is not None


def test_change_own_password_needs_a_session(database):
    db = database.client()
    with pytest.raises(PermissionDenied), db.session() as session:
        passwords.change_own_password(session, "Haslo1234", "Nowehaslo99")


def test_new_password_must_meet_policy_and_differ(make_signed_in):
    _, db = make_signed_in()
    for new, field in (("krotki1", "password"), ("Haslo1234", "new_password")):
        with pytest.raises(ValidationError) as err, db.session() as session:
            passwords.change_own_password(session, "Haslo1234", new)
        assert err.value.field == field


def test_unlock_clears_the_lock_and_is_in_the_history(database, admin):
    admin_id, db = admin
    user_id = database.add_user()
    email = database.email_of(user_id)
    for _ in range(5):
        sign_in(database, email, "Zlehaslo99")
    assert sign_in(database, email).status == auth.SignInStatus.LOCKED
    with db.session() as session:
        locked = accounts.get_account(session, user_id)
        assert locked.is_locked(accounts.server_now(session))
        accounts.unlock(session, user_id)
    assert sign_in(database, email).status == auth.SignInStatus.OK
    change = last_change(database, user_id)
    assert change.user_id == admin_id and "unlocked_at" in change.new_values


def test_role_change_and_list_search(database, admin):
    admin_id, db = admin
    user_id = database.add_user("serwisant", full_name="Zenon Żółtowski")
    with db.session() as session:
        accounts.set_role(session, user_id, "kierownik")
        found = accounts.list_accounts(session, "żółt")
        assert [a.id for a in found] == [user_id]
        assert found[0].role == "kierownik" and found[0].role_name == "Kierownik"
        assert accounts.list_accounts(session, "%") == []
    change = last_change(database, user_id)
    assert change.user_id == admin_id
    assert change.old_values == {"role": "serwisant"} and change.new_values == {"role": "kierownik"}


def test_generated_passwords_meet_the_policy_and_differ():
    generated = {passwords.generate_password() for _ in range(50)}
    assert len(generated) == 50
    for password in generated:
        auth.check_password_policy(password)
        assert len(password) == passwords.GENERATED_LENGTH
        assert not set(password) & set("0O1lI")


def test_internal_helpers_are_not_callable_by_the_client(database):
    with database.admin.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.proname, has_function_privilege('eszok_client', p.oid, 'EXECUTE') "
                "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'auth' AND p.proname IN ('require_admin', 'guard_last_admin', "
                "'add_user', 'set_role', 'set_active', 'reset_password', 'unlock', "
                "'change_own_password')"
            )
        ).all()
        definer = conn.execute(
            text(
                "SELECT bool_and(p.prosecdef) AND bool_and(p.proconfig @> "
                "ARRAY['search_path=pg_catalog']) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'auth' AND p.proname IN ('add_user', 'set_role', "
                "'set_active', 'reset_password', 'unlock', 'change_own_password')"
            )
        ).scalar()
    assert dict(rows) == {
        "require_admin": False,
        "guard_last_admin": False,
        "add_user": True,
        "set_role": True,
        "set_active": True,
        "reset_password": True,
        "unlock": True,
        "change_own_password": True,
    }
    assert definer


def test_a_signed_out_connection_gets_nothing(database, admin):
    victim = database.add_user()
    anonymous = database.client()
    with pytest.raises(PermissionDenied), anonymous.session() as session:
        accounts.set_active(session, victim, False)
    with anonymous.session() as session:
        assert accounts.list_accounts(session) == []


def test_the_old_password_verdict_is_told_only_after_commit(database, make_signed_in):
    """A client that rolls back each guess learns nothing: the answer needs a commit,
    and a committed wrong guess counts towards the lockout."""
    user_id, db = make_signed_in("programista")
    with db.session() as session:
        attempt = session.execute(
            text("SELECT auth.change_own_password('Haslo1234', :h)"),
            {"h": auth.hash_password("Nowehaslo99")},
        ).scalar_one()
        inside = session.execute(
            text("SELECT auth.password_change_outcome(:a)"), {"a": attempt}
        ).scalar()
        me = session.execute(
            text("SELECT must_change_password FROM auth.users WHERE id = auth.uid()")
        ).scalar()
        session.rollback()
    assert inside is None and me is False
    with database.admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auth.password_changes")).scalar() == 0
    other_id, other = make_signed_in("serwisant")
    with db.session() as session:
        wrong = session.execute(
            text("SELECT auth.change_own_password('Zlehaslo99', :h)"),
            {"h": auth.hash_password("Nowehaslo99")},
        ).scalar_one()
    with db.session() as session:
        assert (
            session.execute(text("SELECT auth.password_change_outcome(:a)"), {"a": wrong}).scalar()
            == "wrong"
        )
    with other.session() as session:  # nobody else learns another user's outcome
        assert (
            session.execute(text("SELECT auth.password_change_outcome(:a)"), {"a": wrong}).scalar()
            is None
        )
    assert user_id != other_id


def test_repeated_wrong_old_passwords_lock_the_account(database, make_signed_in):
    user_id, db = make_signed_in("programista")
    codes = []
    for _ in range(6):
        with pytest.raises(ValidationError) as err, db.session() as session:
            passwords.change_own_password(session, "Zlehaslo99", "Nowehaslo99")
        codes.append(err.value.code)
    assert codes == ["wrong"] * 5 + ["locked"]
    with pytest.raises(ValidationError) as err, db.session() as session:
        passwords.change_own_password(session, "Haslo1234", "Nowehaslo99")
    assert err.value.code == "locked"  # even the right one, while locked
    assert sign_in(database, database.email_of(user_id)).status == auth.SignInStatus.LOCKED


def test_version_does_not_tell_a_right_old_password_from_a_wrong_one(database, make_signed_in):
    _, db = make_signed_in("programista")
    new_hash = auth.hash_password("Nowehaslo99")
    steps = {}
    for old in ("Zlehaslo99", "Haslo1234"):
        with db.session() as session:
            version = text("SELECT version FROM auth.users WHERE id = auth.uid()")
            before = session.execute(version).scalar_one()
            session.execute(
                text("SELECT auth.change_own_password(:o, :h)"), {"o": old, "h": new_hash}
            )
            steps[old] = session.execute(version).scalar_one() - before
            session.rollback()
    assert steps == {"Zlehaslo99": 1, "Haslo1234": 1}
