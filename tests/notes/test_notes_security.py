"""Notes are private to their author, enforced by the database for eszok_client."""

from __future__ import annotations

import pytest
from psycopg import errors as pg_errors
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.services import notes


@pytest.fixture
def owned_note(make_signed_in):
    owner_id, owner_db = make_signed_in("handlowiec")
    with owner_db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("prywatne", "tajna treść"))
    return owner_id, owner_db, note


def admin_row(database, note_id):
    with database.admin.connect() as conn:
        return conn.execute(
            text("SELECT title, body, owner_id, version FROM eszok.notes WHERE id = :i"),
            {"i": note_id},
        ).one()


@pytest.mark.parametrize("role", ["serwisant", "administrator", "kierownik"])
def test_another_user_cannot_read_a_note(owned_note, make_signed_in, role):
    _owner, _db, note = owned_note
    _other, other_db = make_signed_in(role)
    with other_db.session() as s:
        assert notes.list_notes(s) == notes.NoteLists((), ())
        assert s.execute(text("SELECT count(*) FROM eszok.notes")).scalar_one() == 0
        with pytest.raises(notes.NoteNotFound):
            notes.get_note(s, note.id)
        # nor its history; only the administrator browses the whole change log (F-AUDIT)
        logged = s.execute(
            text("SELECT count(*) FROM audit.change_log WHERE table_name = 'notes'")
        ).scalar_one()
        assert logged == (1 if role == "administrator" else 0)


def test_another_user_cannot_update_or_delete_a_note(owned_note, make_signed_in, database):
    _owner, _db, note = owned_note
    before = admin_row(database, note.id)
    _other, other_db = make_signed_in("administrator")
    with other_db.session() as s:
        updated = s.execute(
            text("UPDATE eszok.notes SET title = 'przejęte' WHERE id = :i"), {"i": note.id}
        )
        assert updated.rowcount == 0
        deleted = s.execute(text("DELETE FROM eszok.notes WHERE id = :i"), {"i": note.id})
        assert deleted.rowcount == 0
    for action in (notes.mark_done, notes.delete_note):
        with pytest.raises(notes.NoteNotFound), other_db.session() as s:
            action(s, note.id, note.version)
    with pytest.raises(notes.NoteNotFound), other_db.session() as s:
        notes.update_note(s, note.id, note.version, notes.NoteDraft("przejęte"))
    assert admin_row(database, note.id) == before


def test_a_note_cannot_be_written_in_someone_elses_name(owned_note, make_signed_in):
    owner_id, owner_db, note = owned_note
    other_id, other_db = make_signed_in()
    # owner_id is not a column the client may write: it comes from auth.uid()
    with pytest.raises(DBAPIError) as caught, other_db.session() as s:
        s.execute(
            text("INSERT INTO eszok.notes (owner_id, title) VALUES (:o, 'podrzucone')"),
            {"o": owner_id},
        )
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)
    with pytest.raises(DBAPIError) as caught, owner_db.session() as s:
        s.execute(
            text("UPDATE eszok.notes SET owner_id = :o WHERE id = :i"),
            {"o": other_id, "i": note.id},
        )
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)
    with pytest.raises(DBAPIError) as caught, owner_db.session() as s:
        s.execute(
            text("UPDATE eszok.notes SET created_at = now() - interval '1 year' WHERE id = :i"),
            {"i": note.id},
        )
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)


def test_without_a_session_nothing_is_visible_or_writable(owned_note, database):
    anonymous = database.client()
    with anonymous.session() as s:
        assert s.execute(text("SELECT count(*) FROM eszok.notes")).scalar_one() == 0
    with pytest.raises(DBAPIError) as caught, anonymous.session() as s:
        s.execute(text("INSERT INTO eszok.notes (title) VALUES ('anonim')"))
    # owner_id defaults to auth.uid() = NULL: refused before anything is stored
    assert isinstance(
        caught.value.orig, pg_errors.NotNullViolation | pg_errors.InsufficientPrivilege
    )


def test_the_owner_can_do_everything(owned_note):
    _owner, owner_db, note = owned_note
    with owner_db.session() as s:
        rows = s.execute(text("UPDATE eszok.notes SET body = 'nowa' WHERE id = :i"), {"i": note.id})
        assert rows.rowcount == 1
    with owner_db.session() as s:
        assert notes.get_note(s, note.id).version == 2  # the trigger bumped it
        assert (
            s.execute(text("DELETE FROM eszok.notes WHERE id = :i"), {"i": note.id}).rowcount == 1
        )


def test_notes_table_has_forced_rls_and_the_audit_trigger(database):
    with database.admin.connect() as conn:
        forced = conn.execute(
            text(
                "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class"
                " WHERE oid = 'eszok.notes'::regclass"
            )
        ).scalar_one()
        triggers = set(
            conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger"
                    " WHERE tgrelid = 'eszok.notes'::regclass AND NOT tgisinternal"
                )
            ).scalars()
        )
    assert forced is True
    assert {"audit", "bump_version", "check_event_insert", "check_event_update"} <= triggers
