"""Calendar grants and share-request decisions as eszok_client."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from eszok_desktop.services.admin import grants
from eszok_desktop.services.admin.errors import AlreadyDecided
from eszok_desktop.services.errors import PermissionDenied


def add_event(db, title="Spotkanie z klientem"):
    with db.session() as session:
        session.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids) SELECT k.calendar_id, k.id, :t, now(), now() + interval '1h', "
                "ARRAY[auth.uid()] FROM eszok.event_kinds k ORDER BY k.id LIMIT 1"
            ),
            {"t": title},
        )


def event_titles(db):
    with db.session() as session:
        return session.execute(text("SELECT title FROM eszok.events ORDER BY id")).scalars().all()


def request_share(db, owner_id, grantee_id, level="view"):
    with db.session() as session:
        return session.execute(
            text(
                "INSERT INTO eszok.share_requests (owner_id, grantee_id, level) "
                "VALUES (:o, :g, :l) RETURNING id"
            ),
            {"o": owner_id, "g": grantee_id, "l": level},
        ).scalar_one()


def request_status(db, request_id):
    with db.session() as session:
        return session.execute(
            text("SELECT status FROM eszok.share_requests WHERE id = :i"), {"i": request_id}
        ).scalar_one()


@pytest.fixture
def people(make_signed_in):
    admin = make_signed_in("administrator")
    owner = make_signed_in("handlowiec")
    grantee = make_signed_in("serwisant")
    add_event(owner[1])
    return admin, owner, grantee


def test_approval_creates_the_grant_and_the_grantee_reads_the_owner_events(people):
    (_, admin_db), (owner_id, owner_db), (grantee_id, grantee_db) = people
    assert event_titles(grantee_db) == []
    request_id = request_share(owner_db, owner_id, grantee_id, "view")
    with admin_db.session() as session:
        pending = grants.list_share_requests(session)
        assert [r.id for r in pending] == [request_id]
        grant_id = grants.decide_share_request(session, request_id, approve=True)
    assert grant_id is not None
    assert event_titles(grantee_db) == ["Spotkanie z klientem"]
    assert request_status(owner_db, request_id) == "approved"  # the requester sees it
    with admin_db.session() as session:
        (row,) = grants.list_grants(session)
        assert (row.owner_id, row.grantee_id, row.level) == (owner_id, grantee_id, "view")
        assert grants.list_share_requests(session) == []
        (decided,) = grants.list_share_requests(session, pending_only=False)
        assert decided.status == "approved" and decided.decided_by_name is not None


def test_a_request_is_decided_once(people):
    (_, admin_db), (owner_id, owner_db), (grantee_id, _) = people
    request_id = request_share(owner_db, owner_id, grantee_id)
    with admin_db.session() as session:
        grants.decide_share_request(session, request_id, approve=False)
    with pytest.raises(AlreadyDecided), admin_db.session() as session:
        grants.decide_share_request(session, request_id, approve=True)


def test_rejection_gives_no_access(people):
    (_, admin_db), (owner_id, owner_db), (grantee_id, grantee_db) = people
    request_id = request_share(owner_db, owner_id, grantee_id)
    with admin_db.session() as session:
        assert grants.decide_share_request(session, request_id, approve=False) is None
    assert request_status(grantee_db, request_id) == "rejected"
    assert event_titles(grantee_db) == []


def test_approving_view_never_lowers_a_manage_grant(people):
    (_, admin_db), (owner_id, owner_db), (grantee_id, _) = people
    with admin_db.session() as session:
        grants.grant(session, owner_id, grantee_id, "manage")
    request_id = request_share(owner_db, owner_id, grantee_id, "view")
    with admin_db.session() as session:
        grants.decide_share_request(session, request_id, approve=True)
        (row,) = grants.list_grants(session)
    assert row.level == "manage"


def test_non_admin_cannot_decide_grant_or_revoke(people):
    (_, admin_db), (owner_id, owner_db), (grantee_id, grantee_db) = people
    request_id = request_share(grantee_db, owner_id, grantee_id)
    for db in (owner_db, grantee_db):
        with pytest.raises(PermissionDenied), db.session() as session:
            grants.decide_share_request(session, request_id, approve=True)
        with pytest.raises(PermissionDenied), db.session() as session:
            grants.grant(session, owner_id, grantee_id, "manage")
    assert request_status(admin_db, request_id) == "pending"
    with admin_db.session() as session:
        grant_id = grants.grant(session, owner_id, grantee_id, "view")
    with pytest.raises(PermissionDenied), grantee_db.session() as session:
        grants.revoke(session, grant_id)
    assert event_titles(grantee_db) == ["Spotkanie z klientem"]


def test_direct_grant_change_level_and_revoke(people):
    (_, admin_db), (owner_id, _), (grantee_id, grantee_db) = people
    with admin_db.session() as session:
        grant_id = grants.grant(session, owner_id, grantee_id, "view")
        assert grants.grant(session, owner_id, grantee_id, "manage") == grant_id
        (row,) = grants.list_grants(session)
        assert row.level == "manage"
    with grantee_db.session() as session:  # manage lets the grantee edit the owner's event
        changed = session.execute(
            text("UPDATE eszok.events SET title = 'Zmienione' RETURNING id")
        ).all()
    assert len(changed) == 1
    with admin_db.session() as session:
        grants.revoke(session, grant_id)
        assert grants.list_grants(session) == []
    assert event_titles(grantee_db) == []


def test_capability_matrix_matches_the_spec(people):
    (_, admin_db), _, _ = people
    with admin_db.session() as session:
        matrix = grants.capability_matrix(session)
    assert [code for code, _ in matrix.roles] == [
        "administrator",
        "kierownik",
        "handlowiec",
        "serwisant",
        "programista",
    ]
    assert matrix.has("administrator", "admin.users")
    assert matrix.has("kierownik", "announcements.publish")
    assert not matrix.has("handlowiec", "cards.own")
    assert matrix.has("serwisant", "hours.own") and not matrix.has("serwisant", "hours.all")
