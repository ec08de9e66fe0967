"""The notes service on a real server, as eszok_client: saving, sorting, validation,
optimistic locking, event links and the change log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from psycopg import errors as pg_errors
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eszok_desktop.services import notes
from eszok_desktop.services.errors import (
    ConflictError,
    PermissionDenied,
    ValidationError,
    translate_db_error,
)

WAW = ZoneInfo("Europe/Warsaw")


def count_notes(database) -> int:
    with database.admin.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM eszok.notes")).scalar_one()


def test_create_and_list_a_note_with_a_date_only_deadline(make_signed_in):
    _uid, db = make_signed_in()
    draft = notes.NoteDraft("Oddzwonić do klienta", "tel. 600 100 200", date(2026, 12, 24))
    with db.session() as s:
        created = notes.create_note(s, draft)
    assert created.title == "Oddzwonić do klienta"
    assert created.body == "tel. 600 100 200"
    assert created.deadline == datetime(2026, 12, 24, tzinfo=WAW)  # local midnight, stored
    assert created.deadline_has_time is False
    assert created.due() == datetime(2026, 12, 25, tzinfo=WAW)
    assert created.done_at is None and created.version == 1
    with db.session() as s:
        lists = notes.list_notes(s)
    assert lists.active == (created,) and lists.done == ()
    assert created.draft() == draft


def test_title_is_trimmed_and_a_time_deadline_is_kept(make_signed_in):
    _uid, db = make_signed_in()
    draft = notes.NoteDraft(
        "  Raport  ", deadline_date=date(2026, 12, 4), deadline_time=time(9, 30)
    )
    with db.session() as s:
        note = notes.create_note(s, draft)
    assert note.title == "Raport"
    assert note.deadline == datetime(2026, 12, 4, 9, 30, tzinfo=WAW)
    assert note.deadline_has_time is True
    assert note.draft().deadline_time == time(9, 30)


def test_active_notes_sorted_by_when_due_without_deadline_last(make_signed_in):
    _uid, db = make_signed_in()
    with db.session() as s:
        none_1 = notes.create_note(s, notes.NoteDraft("bez terminu A"))
        day = notes.create_note(
            s, notes.NoteDraft("cały 4 grudnia", deadline_date=date(2026, 12, 4))
        )
        evening = notes.create_note(
            s,
            notes.NoteDraft(
                "4 grudnia 18:00", deadline_date=date(2026, 12, 4), deadline_time=time(18)
            ),
        )
        early = notes.create_note(s, notes.NoteDraft("1 grudnia", deadline_date=date(2026, 12, 1)))
        none_2 = notes.create_note(s, notes.NoteDraft("bez terminu B"))
    with db.session() as s:
        active = notes.list_notes(s).active
    # the date-only note falls due at the end of its day, after 18:00 that day
    assert [n.id for n in active] == [early.id, evening.id, day.id, none_1.id, none_2.id]


def test_done_moves_to_the_finished_list_with_the_server_time_and_restore_brings_it_back(
    make_signed_in, database
):
    _uid, db = make_signed_in()
    with db.session() as s:
        a = notes.create_note(s, notes.NoteDraft("A"))
        b = notes.create_note(s, notes.NoteDraft("B"))
    with db.session() as s:
        done_a = notes.mark_done(s, a.id, a.version)
    with db.session() as s:
        done_b = notes.mark_done(s, b.id, b.version)
        server_now = s.execute(text("SELECT now()")).scalar_one()
    assert done_a.done_at is not None and done_a.version == 2
    assert abs(server_now - done_b.done_at) < timedelta(seconds=5)
    with db.session() as s:
        lists = notes.list_notes(s)
    assert lists.active == ()
    assert [n.id for n in lists.done] == [b.id, a.id]  # most recently finished first
    with db.session() as s:
        restored = notes.restore_note(s, a.id, done_a.version)
    assert restored.done_at is None and restored.version == 3
    with db.session() as s:
        lists = notes.list_notes(s)
    assert [n.id for n in lists.active] == [a.id] and [n.id for n in lists.done] == [b.id]


def test_update_saves_every_field(make_signed_in):
    _uid, db = make_signed_in()
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("stary", deadline_date=date(2026, 12, 4)))
    edited = notes.NoteDraft("nowy", "treść", date(2026, 12, 6), time(8, 15))
    with db.session() as s:
        saved = notes.update_note(s, note.id, note.version, edited)
    assert saved.draft() == edited and saved.version == 2
    with db.session() as s:
        cleared = notes.update_note(s, note.id, saved.version, notes.NoteDraft("nowy"))
    assert cleared.deadline is None and cleared.deadline_has_time is False


@pytest.mark.parametrize(
    ("draft", "field", "code", "limit"),
    [
        (notes.NoteDraft(""), "title", "required", None),
        (notes.NoteDraft("   \n "), "title", "required", None),
        (notes.NoteDraft("x" * 201), "title", "too_long", 200),
        (notes.NoteDraft("ok", "y" * 10001), "body", "too_long", 10000),
        (notes.NoteDraft("ok", deadline_time=time(9)), "deadline", "required", None),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    make_signed_in, database, draft, field, code, limit
):
    _uid, db = make_signed_in()
    with pytest.raises(ValidationError) as caught, db.session() as s:
        notes.create_note(s, draft)
    assert (caught.value.field, caught.value.code, caught.value.limit) == (field, code, limit)
    assert count_notes(database) == 0


def test_bad_edit_leaves_the_note_as_it_was(make_signed_in):
    _uid, db = make_signed_in()
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("tytuł", "treść"))
    with pytest.raises(ValidationError), db.session() as s:
        notes.update_note(s, note.id, note.version, notes.NoteDraft("nowy", "z" * 10001))
    with db.session() as s:
        assert notes.get_note(s, note.id) == note


def test_the_limits_are_the_database_checks(make_signed_in, database):
    _uid, db = make_signed_in()
    with db.session() as s:
        notes.create_note(s, notes.NoteDraft("t" * 200, "b" * 10000))
    for title, body in (("t" * 201, ""), ("ok", "b" * 10001), ("   ", "")):
        with pytest.raises(DBAPIError) as caught, db.session() as s:
            s.execute(
                text("INSERT INTO eszok.notes (title, body) VALUES (:t, :b)"),
                {"t": title, "b": body},
            )
        assert isinstance(caught.value.orig, pg_errors.CheckViolation)
    assert count_notes(database) == 1


def test_a_time_without_a_deadline_is_refused_by_the_database(make_signed_in):
    _uid, db = make_signed_in()
    with pytest.raises(DBAPIError) as caught, db.session() as s:
        s.execute(text("INSERT INTO eszok.notes (title, deadline_has_time) VALUES ('x', true)"))
    assert isinstance(caught.value.orig, pg_errors.CheckViolation)


def test_deadline_in_the_past_is_detected_for_the_warning():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=WAW)
    assert notes.deadline_is_past(notes.NoteDraft("x", deadline_date=date(2026, 12, 2)), now)
    assert not notes.deadline_is_past(notes.NoteDraft("x", deadline_date=date(2026, 12, 3)), now)
    assert notes.deadline_is_past(
        notes.NoteDraft("x", deadline_date=date(2026, 12, 3), deadline_time=time(12)), now
    )
    assert not notes.deadline_is_past(
        notes.NoteDraft("x", deadline_date=date(2026, 12, 3), deadline_time=time(12, 1)), now
    )
    assert not notes.deadline_is_past(notes.NoteDraft("x"), now)


def test_a_past_deadline_can_still_be_saved(make_signed_in):
    _uid, db = make_signed_in()
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("zaległe", deadline_date=date(2020, 1, 1)))
    assert note.deadline == datetime(2020, 1, 1, tzinfo=WAW)


def _two_clients(database, make_signed_in):
    uid, first = make_signed_in(full_name="Ewa Nowak")
    second = database.signed_in(database.email_of(uid))
    return first, second


def test_editing_a_note_changed_in_another_client_is_a_conflict_naming_who(
    database, make_signed_in
):
    first, second = _two_clients(database, make_signed_in)
    with first.session() as s:
        seen = notes.create_note(s, notes.NoteDraft("wspólny"))
    with second.session() as s:
        notes.update_note(s, seen.id, seen.version, notes.NoteDraft("zmieniony w drugim"))
    with pytest.raises(ConflictError) as caught, first.session() as s:
        notes.update_note(s, seen.id, seen.version, notes.NoteDraft("mój"))
    assert caught.value.changed_by == "Ewa Nowak"
    assert caught.value.changed_at is not None
    assert datetime.now(UTC) - caught.value.changed_at < timedelta(minutes=1)
    with first.session() as s:
        assert notes.get_note(s, seen.id).title == "zmieniony w drugim"
    for action in (notes.mark_done, notes.delete_note):
        with pytest.raises(ConflictError), first.session() as s:
            action(s, seen.id, seen.version)
    with first.session() as s:
        current = notes.get_note(s, seen.id)
    assert current.done_at is None and current.version == 2


def test_a_note_deleted_in_another_client_is_a_conflict_too(database, make_signed_in):
    first, second = _two_clients(database, make_signed_in)
    with first.session() as s:
        seen = notes.create_note(s, notes.NoteDraft("do usunięcia"))
    with second.session() as s:
        notes.delete_note(s, seen.id, seen.version)
    with pytest.raises(notes.NoteDeleted) as caught, first.session() as s:
        notes.update_note(s, seen.id, seen.version, notes.NoteDraft("mój"))
    assert caught.value.changed_by == "Ewa Nowak" and caught.value.changed_at is not None
    assert isinstance(caught.value, ConflictError)
    with pytest.raises(notes.NoteNotFound), first.session() as s:
        notes.update_note(s, 999_999, 1, notes.NoteDraft("nic"))


def test_delete_removes_the_note(make_signed_in, database):
    _uid, db = make_signed_in()
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("x"))
    with db.session() as s:
        notes.delete_note(s, note.id, note.version)
    with db.session() as s:
        assert notes.list_notes(s) == notes.NoteLists((), ())
        with pytest.raises(notes.NoteNotFound):
            notes.get_note(s, note.id)
    assert count_notes(database) == 0


def test_every_change_is_in_the_change_log(make_signed_in, database):
    uid, db = make_signed_in()
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("pierwszy", deadline_date=date(2026, 12, 9)))
    with db.session() as s:
        note = notes.update_note(
            s, note.id, note.version, notes.NoteDraft("drugi", deadline_date=date(2026, 12, 9))
        )
    with db.session() as s:
        note = notes.mark_done(s, note.id, note.version)
    with db.session() as s:
        notes.delete_note(s, note.id, note.version)
    with database.admin.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT operation, user_id, db_user, old_values, new_values FROM audit.change_log"
                " WHERE table_name = 'notes' AND record_id = :i ORDER BY id"
            ),
            {"i": note.id},
        ).all()
    assert [r.operation for r in rows] == ["I", "U", "U", "D"]
    assert {r.user_id for r in rows} == {uid}
    assert {r.db_user for r in rows} == {"eszok_client"}
    insert, rename, done, delete = rows
    assert insert.new_values["title"] == "pierwszy" and insert.new_values["owner_id"] == uid
    assert rename.old_values == {"title": "pierwszy"} and rename.new_values == {"title": "drugi"}
    assert set(done.new_values) == {"done_at"} and done.old_values == {"done_at": None}
    assert delete.old_values["title"] == "drugi" and delete.new_values is None


def test_a_note_links_an_own_event_and_shows_its_title(make_signed_in, add_event):
    uid, db = make_signed_in()
    starts = datetime(2026, 12, 10, 10, 0, tzinfo=WAW)
    event_id = add_event("Spotkanie w Radomiu", starts, [uid])
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("przygotować ofertę", event_id=event_id))
    assert (note.event_id, note.event_title, note.event_starts_at) == (
        event_id,
        "Spotkanie w Radomiu",
        starts,
    )


def test_an_event_the_owner_cannot_see_cannot_be_linked(make_signed_in, add_event, database):
    _uid, db = make_signed_in()
    other, _other_db = make_signed_in()
    hidden = add_event("cudze", datetime(2026, 12, 10, 10, tzinfo=WAW), [other])
    with pytest.raises(ValidationError) as caught, db.session() as s:
        notes.create_note(s, notes.NoteDraft("x", event_id=hidden))
    assert (caught.value.field, caught.value.code) == ("event_id", "unknown")
    # the database refuses it as well, also on update, even without the service's check
    with pytest.raises(DBAPIError) as raw, db.session() as s:
        s.execute(text("INSERT INTO eszok.notes (title, event_id) VALUES ('x', :e)"), {"e": hidden})
    assert isinstance(translate_db_error(raw.value), PermissionDenied)
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("x"))
    with pytest.raises(DBAPIError) as raw, db.session() as s:
        s.execute(
            text("UPDATE eszok.notes SET event_id = :e WHERE id = :i"), {"e": hidden, "i": note.id}
        )
    assert isinstance(raw.value.orig, pg_errors.InsufficientPrivilege)
    assert count_notes(database) == 1


def test_deleting_the_event_unlinks_the_note(make_signed_in, add_event, database):
    uid, db = make_signed_in()
    event_id = add_event("spotkanie", datetime(2026, 12, 10, 10, tzinfo=WAW), [uid])
    with db.session() as s:
        note = notes.create_note(s, notes.NoteDraft("x", event_id=event_id))
    with database.admin.begin() as conn:
        conn.execute(text("DELETE FROM eszok.events WHERE id = :e"), {"e": event_id})
    with db.session() as s:
        after = notes.get_note(s, note.id)
    assert (after.event_id, after.event_title) == (None, None)


def test_event_choices_are_the_users_recent_and_upcoming_events(make_signed_in, add_event):
    uid, db = make_signed_in()
    other, _ = make_signed_in()
    now = datetime(2026, 12, 3, 12, 0, tzinfo=WAW)
    soon = add_event("jutro", now + timedelta(days=1), [uid])
    recent = add_event("wczoraj", now - timedelta(days=1), [uid, other])
    add_event("dawno", now - timedelta(days=60), [uid])
    add_event("za pół roku", now + timedelta(days=180), [uid])
    add_event("cudze", now + timedelta(days=2), [other])
    with db.session() as s:
        choices = notes.list_event_choices(s, now)
    assert [c.id for c in choices] == [recent, soon]
    assert choices[1].title == "jutro"


def test_sort_helpers_are_pure():
    def make(i, deadline=None, has_time=True, done_at=None):
        return notes.NoteData(
            i,
            f"n{i}",
            "",
            deadline,
            has_time,
            None,
            None,
            None,
            done_at,
            datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            1,
        )

    midnight = datetime(2026, 12, 5, tzinfo=WAW)
    a = make(1)
    b = make(2, midnight, has_time=False)  # due at the end of 5 December
    c = make(3, midnight + timedelta(hours=23))
    d = make(4, midnight - timedelta(days=3))
    assert [n.id for n in notes.sort_active([a, b, c, d])] == [4, 3, 2, 1]
    e = make(5, done_at=datetime(2026, 12, 1, tzinfo=UTC))
    f = make(6, done_at=datetime(2026, 12, 2, tzinfo=UTC))
    assert [n.id for n in notes.sort_done([e, f])] == [6, 5]
