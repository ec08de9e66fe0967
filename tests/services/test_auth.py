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


def test_login_function_returns_token_only_for_the_right_password(database):
    user_id = database.add_user()
    email = database.email_of(user_id)
    db = database.client()
    with db.session() as session:
        good = session.execute(text("SELECT auth.login(:e, 'Haslo1234')"), {"e": email}).scalar()
        bad = session.execute(text("SELECT auth.login(:e, 'zle-haslo1')"), {"e": email}).scalar()
    assert isinstance(good, str) and len(good) == 64
    assert bad is None


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
