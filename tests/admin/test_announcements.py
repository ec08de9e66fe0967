"""Announcements: publishers (administrator, kierownik) write; everyone reads current ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eszok_desktop.services import panel
from eszok_desktop.services.admin import announcements
from eszok_desktop.services.errors import ConflictError, PermissionDenied, ValidationError


def now():
    return datetime.now(UTC)


def visible_titles(db):
    with db.session() as session:
        return [a.title for a in panel.current_announcements(session)]


@pytest.mark.parametrize("publisher_role", ["administrator", "kierownik"])
def test_visibility_windows(make_signed_in, publisher_role):
    _, pub = make_signed_in(publisher_role)
    _, reader = make_signed_in("serwisant")
    with pub.session() as session:
        announcements.publish(session, title="Teraz", body="treść")
        announcements.publish(
            session, title="Jutro", body="", visible_from=now() + timedelta(days=1)
        )
        announcements.publish(
            session,
            title="Minęło",
            body="",
            visible_from=now() - timedelta(days=2),
            visible_to=now() - timedelta(days=1),
        )
        announcements.publish(
            session, title="Do jutra", body="", visible_to=now() + timedelta(days=1)
        )
    assert sorted(visible_titles(reader)) == ["Do jutra", "Teraz"]
    with reader.session() as session:  # the reader's table holds only the current ones too
        assert sorted(a.title for a in announcements.list_announcements(session)) == [
            "Do jutra",
            "Teraz",
        ]
    with pub.session() as session:
        rows = announcements.list_announcements(session)
        states = {a.title: a.state(now()) for a in rows}
    assert states == {
        "Teraz": "current",
        "Jutro": "scheduled",
        "Minęło": "expired",
        "Do jutra": "current",
    }


def test_expire_now_hides_current_and_scheduled(make_signed_in):
    _, pub = make_signed_in("kierownik")
    _, reader = make_signed_in("handlowiec")
    with pub.session() as session:
        current = announcements.publish(session, title="Bieżące", body="")
        later = announcements.publish(
            session, title="Później", body="", visible_from=now() + timedelta(hours=3)
        )
    with pub.session() as session:
        announcements.expire(session, current)
        announcements.expire(session, later)
    assert visible_titles(reader) == []
    with pub.session() as session:
        states = {a.id: a.state(now()) for a in announcements.list_announcements(session)}
    assert states == {current: "expired", later: "expired"}


def test_edit_with_optimistic_locking(make_signed_in):
    _, pub = make_signed_in("administrator")
    _, other = make_signed_in("kierownik")
    with pub.session() as session:
        ann_id = announcements.publish(session, title="Stary", body="")
        (row,) = announcements.list_announcements(session)
    with other.session() as session:
        announcements.edit(
            session,
            ann_id,
            row.version,
            title="Nowy",
            body="x",
            visible_from=row.visible_from,
            visible_to=None,
        )
    with pytest.raises(ConflictError) as err, pub.session() as session:
        announcements.edit(
            session,
            ann_id,
            row.version,
            title="Mój",
            body="",
            visible_from=row.visible_from,
            visible_to=None,
        )
    assert err.value.changed_by is not None and "Kierownik" in err.value.changed_by


def test_non_publisher_cannot_publish_edit_or_expire(make_signed_in):
    _, pub = make_signed_in("administrator")
    _, reader = make_signed_in("programista")
    with pub.session() as session:
        ann_id = announcements.publish(session, title="Ogłoszenie", body="")
        (row,) = announcements.list_announcements(session)
    with pytest.raises(PermissionDenied), reader.session() as session:
        announcements.publish(session, title="Moje", body="")
    with pytest.raises(PermissionDenied), reader.session() as session:
        announcements.expire(session, ann_id)
    with pytest.raises(PermissionDenied), reader.session() as session:
        announcements.edit(
            session,
            ann_id,
            row.version,
            title="Zmiana",
            body="",
            visible_from=row.visible_from,
            visible_to=None,
        )
    assert visible_titles(reader) == ["Ogłoszenie"]


def test_validation(make_signed_in):
    _, pub = make_signed_in("administrator")
    start = now()
    for kwargs, field in (
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "T", "visible_from": start, "visible_to": start}, "visible_to"),
    ):
        with pytest.raises(ValidationError) as err, pub.session() as session:
            announcements.publish(session, body="", **kwargs)
        assert err.value.field == field
