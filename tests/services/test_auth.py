"""Sign-in through auth.sign_in / auth.login on a real server, as eszok_client."""

from sqlalchemy import text

from eszok_desktop.services import auth


def test_sign_in_returns_token_and_whoami_knows_the_user(database):
    user_id = database.add_user("kierownik", full_name="Anna Kowalska")
    db = database.signed_in(database.email_of(user_id))
    with db.session() as session:
        me = auth.current_user(session)
    assert me is not None
    assert (me.id, me.full_name, me.role) == (user_id, "Anna Kowalska", "kierownik")
    assert me.can("cards.all") and not me.can("admin.users")


def uid_with(db, token):
    with db.session() as session:
        session.execute(text("SELECT set_config('eszok.token', :t, true)"), {"t": token})
        return session.execute(text("SELECT auth.uid()")).scalar()


def test_login_returns_a_token_that_opens_a_session_only_for_the_right_password(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    db = database.client()
    with db.session() as session:
        good = session.execute(text("SELECT auth.login(:e, 'Haslo1234')"), {"e": email}).scalar()
    with db.session() as session:
        bad = session.execute(text("SELECT auth.login(:e, 'zle-haslo1')"), {"e": email}).scalar()
    assert all(isinstance(t, str) and len(t) == 64 for t in (good, bad))
    assert uid_with(db, good) == user_id
    assert uid_with(db, bad) is None


def test_inside_the_signing_in_transaction_right_and_wrong_passwords_look_alike(database):
    """A client that rolls back its attempts must learn nothing (else it escapes lockout)."""
    user_id = database.add_user()
    email = database.email_of(user_id)
    db = database.client()
    probes = (
        "SELECT auth.uid()",
        "SELECT status FROM auth.sign_in_outcome(current_setting('eszok.token'))",
        "SELECT user_id FROM auth.whoami()",
    )
    seen = {}
    for password in ("Haslo1234", "zle-haslo1"):
        with db.engine.connect() as conn:
            token = conn.execute(
                text("SELECT auth.login(:e, :p)"), {"e": email, "p": password}
            ).scalar()
            conn.execute(text("SELECT set_config('eszok.token', :t, true)"), {"t": token})
            seen[password] = [conn.execute(text(q)).scalar() for q in probes]
            conn.rollback()
        assert uid_with(db, token) is None
    assert seen["Haslo1234"] == seen["zle-haslo1"] == [None, "invalid", None]


def test_committed_failures_lock_the_account(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    db = database.client()
    with db.session() as session:
        results = [auth.sign_in(session, email, "zle-haslo1").status for _ in range(5)]
        after = auth.sign_in(session, email, "Haslo1234")
    assert results == ["invalid"] * 4 + ["locked"]
    assert after.status == auth.SignInStatus.LOCKED and after.token is None
    assert after.locked_until is not None


def test_previous_sign_in_is_recorded(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    database.signed_in(email)
    db = database.signed_in(email)
    with db.session() as session:
        me = auth.current_user(session)
    assert me is not None and me.previous_login_at is not None


def test_logout_revokes_the_token(database):
    user_id = database.add_user()
    db = database.signed_in(database.email_of(user_id))
    with db.session() as session:
        auth.sign_out(session)
    with db.session() as session:
        assert auth.current_user(session) is None
