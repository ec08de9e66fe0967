"""Uprawnienia, Ogłoszenia, Historia zmian, Słowniki and the module page, with qtbot."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from sqlalchemy import text

from eszok_desktop.services import panel
from eszok_desktop.services.admin import announcements
from eszok_desktop.services.admin.audit import AuditRow
from eszok_desktop.services.users import UserSummary
from eszok_desktop.ui.admin import MODULE, AdminModule
from eszok_desktop.ui.admin.announcements_view import AnnouncementsView
from eszok_desktop.ui.admin.audit_view import AuditView, change_summary, period_filter
from eszok_desktop.ui.admin.dictionaries_view import DictionariesView
from eszok_desktop.ui.admin.grants_view import GrantDialog, GrantsView


def request_share(database, owner_id, grantee_id, level="view"):
    db = database.signed_in(database.email_of(owner_id))
    with db.session() as session:
        return session.execute(
            text(
                "INSERT INTO eszok.share_requests (owner_id, grantee_id, level) "
                "VALUES (:o, :g, :l) RETURNING id"
            ),
            {"o": owner_id, "g": grantee_id, "l": level},
        ).scalar_one()


def grants_rows(database):
    with database.admin.connect() as conn:
        return conn.execute(
            text("SELECT owner_id, grantee_id, level FROM eszok.calendar_grants ORDER BY id")
        ).all()


# --- Uprawnienia ---------------------------------------------------------------


def test_grants_view_approve_reject_grant_revoke(
    qtbot, qtmodeltester, database, make_context, answers, errors
):
    ctx = make_context()
    owner = database.add_user("handlowiec", full_name="Olga Właścicielka")
    asker = database.add_user("serwisant", full_name="Sebastian Proszący")
    other = database.add_user("programista", full_name="Piotr Inny")
    first = request_share(database, owner, asker, "manage")
    request_share(database, other, asker, "view")
    view = GrantsView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    for model in (view.requests, view.grants, view.matrix):
        qtmodeltester.check(model)
    assert view.requests.rowCount() == 2 and not view.approve_button.isEnabled()
    assert view.requests.index(0, 2).data() == "zarządzanie"

    view.requests_table.selectRow(0)
    assert view.requests.row_at(0).id == first
    view.approve_button.click()
    qtbot.waitUntil(lambda: view.requests.rowCount() == 1)
    assert [tuple(r) for r in grants_rows(database)] == [(owner, asker, "manage")]
    qtbot.waitUntil(lambda: view.grants.rowCount() == 1)
    assert view.grants.index(0, 0).data() == "Olga Właścicielka"

    view.requests_table.selectRow(0)
    view.reject_button.click()
    qtbot.waitUntil(lambda: view.requests.rowCount() == 0)
    assert len(grants_rows(database)) == 1

    view.choose_grant = lambda: (other, owner, "view")
    view.grant_button.click()
    qtbot.waitUntil(lambda: view.grants.rowCount() == 2)
    row = next(i for i, g in enumerate(view.grants.rows) if g.owner_id == other)
    view.grants_table.selectRow(row)
    view.revoke_button.click()
    assert answers and "Piotr Inny" in answers[0]
    qtbot.waitUntil(lambda: view.grants.rowCount() == 1)
    assert [tuple(r) for r in grants_rows(database)] == [(owner, asker, "manage")]
    assert errors == []
    qtmodeltester.check(view.matrix)
    assert view.matrix.rowCount() == 7 and view.matrix.columnCount() == 5


def test_grants_view_explains_an_already_decided_request(qtbot, database, make_context, errors):
    ctx = make_context()
    owner = database.add_user("handlowiec")
    asker = database.add_user("serwisant")
    request_id = request_share(database, owner, asker)
    view = GrantsView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    with database.admin.begin() as conn:  # another administrator was quicker
        conn.execute(
            text("UPDATE eszok.share_requests SET status = 'rejected' WHERE id = :i"),
            {"i": request_id},
        )
    view.requests_table.selectRow(0)
    view.approve_button.click()
    qtbot.waitUntil(lambda: bool(errors))
    assert "już rozpatrzona" in errors[0]
    qtbot.waitUntil(lambda: view.requests.rowCount() == 0)


def test_grant_dialog_needs_two_different_people(qtbot, database, make_context):
    people = [
        UserSummary(1, "a@x.pl", "A", "serwisant", True),
        UserSummary(2, "b@x.pl", "B", "serwisant", False),
    ]
    dialog = GrantDialog(people)
    qtbot.addWidget(dialog)
    dialog.on_ok_clicked()
    assert "właściciela" in dialog.error.text()
    dialog.owner.setCurrentIndex(0)
    dialog.grantee.setCurrentIndex(0)
    dialog.on_ok_clicked()
    assert "różne" in dialog.error.text()
    dialog.grantee.setCurrentIndex(1)
    dialog.level.setCurrentIndex(1)
    assert dialog.choice() == (1, 2, "manage")
    assert "nieaktywny" in dialog.grantee.currentText()


# --- Ogłoszenia ------------------------------------------------------------------


def test_announcements_publish_edit_expire(qtbot, qtmodeltester, database, make_context, errors):
    ctx = make_context("kierownik")
    reader = make_context("handlowiec")
    view = AnnouncementsView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    view.on_save_clicked()
    assert "tytuł" in view.error.text()
    view.title.setText("Zebranie w piątek")
    view.body.setPlainText("Sala konferencyjna, 10:00")
    view.on_save_clicked()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    qtmodeltester.check(view.model)
    qtbot.waitUntil(lambda: view.editing is not None)
    assert view.save_button.text() == "Zapisz zmiany"
    with reader.db.session() as session:
        assert [a.title for a in panel.current_announcements(session)] == ["Zebranie w piątek"]

    view.title.setText("Zebranie w czwartek")
    view.open_ended.setChecked(False)
    view.visible_to.setDateTime(QDateTime.currentDateTime().addDays(2))
    view.on_save_clicked()
    qtbot.waitUntil(
        lambda: view.model.rowCount() == 1 and view.model.rows[0].title == "Zebranie w czwartek"
    )
    assert view.model.rows[0].visible_to is not None
    assert view.model.index(0, 3).data() == "widoczne"

    view.table.selectRow(0)
    view.expire_button.click()
    qtbot.waitUntil(
        lambda: (
            view.model.rows[0].visible_to is not None and view.model.index(0, 3).data() == "wygasłe"
        )
    )
    with reader.db.session() as session:
        assert panel.current_announcements(session) == []
    assert errors == []


def test_announcements_end_before_start_is_refused_inline(qtbot, make_context):
    view = AnnouncementsView(make_context())
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    view.title.setText("Źle")
    view.open_ended.setChecked(False)
    view.visible_to.setDateTime(view.visible_from.dateTime().addSecs(-3600))
    view.on_save_clicked()
    assert "później" in view.error.text()


def test_stale_announcement_edit_names_who_changed_it(qtbot, database, make_context, errors):
    ctx = make_context()
    other = make_context("kierownik", full_name="Kamila Kierownik")
    with ctx.db.session() as session:
        ann_id = announcements.publish(session, title="Pierwsza wersja", body="")
    view = AnnouncementsView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.table.selectRow(0)
    with other.db.session() as session:
        (row,) = announcements.list_announcements(session)
        announcements.edit(
            session,
            ann_id,
            row.version,
            title="Druga",
            body="",
            visible_from=row.visible_from,
            visible_to=None,
        )
    view.title.setText("Moja wersja")
    view.on_save_clicked()
    qtbot.waitUntil(lambda: bool(errors))
    assert "Kamila Kierownik" in errors[0]


# --- Historia zmian ----------------------------------------------------------------


def test_audit_view_filters_pages_and_opens_history(
    qtbot, qtmodeltester, database, make_context, monkeypatch
):
    ctx = make_context()
    boss = make_context("kierownik", full_name="Bogdan Szef")
    with boss.db.session() as session:
        ids = [announcements.publish(session, title=f"Nr {n}", body="") for n in range(5)]
    with ctx.db.session() as session:
        announcements.expire(session, ids[0])
    monkeypatch.setattr("eszok_desktop.ui.admin.audit_view.PAGE_SIZE", 2)
    view = AuditView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded and view.kind.count() > 1 and view.user.count() > 1)
    qtmodeltester.check(view.model)
    view.user.setCurrentIndex(view.user.findData(boss.user.id))
    view.kind.setCurrentIndex(view.kind.findData("announcements"))
    view.search_button.click()
    pages = []
    qtbot.waitUntil(
        lambda: view.model.rowCount() == 2 and view.model.rows[0].user_id == boss.user.id
    )
    pages.append([r.id for r in view.model.rows])
    assert not view.newer_button.isEnabled() and view.older_button.isEnabled()
    while view.older_button.isEnabled():
        before = view.page_number
        view.older_button.click()
        qtbot.waitUntil(lambda b=before: view.page_number == b + 1)
        pages.append([r.id for r in view.model.rows])
    flat = [i for page in pages for i in page]
    assert len(flat) == 5 and flat == sorted(flat, reverse=True)
    assert view.model.index(0, 1).data() == "Bogdan Szef"
    view.newer_button.click()
    qtbot.waitUntil(lambda: view.page_number == len(pages) - 2)
    assert [r.id for r in view.model.rows] == pages[-2]

    # the oldest announcement's history: created by the manager, expired by the admin
    view.use_period.setChecked(True)
    view.user.setCurrentIndex(0)
    view.search_button.click()
    qtbot.waitUntil(lambda: view.page_number == 0 and view.model.rowCount() == 2)
    target = view.model.rows[0]  # the newest change: the admin expiring the first one
    assert (target.record_id, target.operation, target.user_id) == (ids[0], "U", ctx.user.id)
    view.open_history(target)
    dialog = view.dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    qtmodeltester.check(dialog.model)
    assert [(r.operation, r.user_id) for r in dialog.model.rows] == [
        ("I", boss.user.id),
        ("U", ctx.user.id),
    ]
    assert "widoczne do" in dialog.model.index(1, 3).data()

    # one record by its number
    view.use_period.setChecked(False)
    view.record.setText(str(ids[2]))
    view.search_button.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.rows[0].record_id == ids[2]


def test_audit_change_summary_and_period_filter():
    row = AuditRow(
        1,
        datetime.now().astimezone(),
        1,
        "A",
        "eszok_client",
        "auth",
        "users",
        5,
        "U",
        {"role": "serwisant", "active": True},
        {"role": "kierownik", "active": False},
    )
    assert change_summary(row) == "aktywny: tak → nie; rola: serwisant → kierownik"
    day = datetime(2026, 3, 29).date()  # DST starts: the day is 23 hours long
    flt = period_filter(None, "", day, day)
    assert flt.table_name is None and flt.record_id is None
    assert period_filter(None, "events", None, None, " 42 ").record_id == 42
    assert flt.until - flt.since == timedelta(hours=23)


# --- Słowniki ------------------------------------------------------------------------


def test_dictionaries_add_rename_retire_delete(
    qtbot, qtmodeltester, database, make_context, answers, errors
):
    ctx = make_context()
    view = DictionariesView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    qtmodeltester.check(view.model)
    assert view.list.count() == 4
    assert [k.name for k in view.model.rows] == ["Spotkanie", "Prezentacja", "Inny"]
    view.ask_name = lambda _title, current="": "Negocjacje"
    view.add_button.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    row = next(i for i, k in enumerate(view.model.rows) if k.name == "Negocjacje")
    view.table.selectRow(row)
    view.ask_name = lambda _title, current="": "Negocjacje handlowe"
    view.rename_button.click()
    qtbot.waitUntil(lambda: any(k.name == "Negocjacje handlowe" for k in view.model.rows))

    # a used kind: retire allowed, delete refused by the database
    used = view.model.rows[0]
    with database.admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids, created_by) VALUES (:c, :k, 'X', now(), now(), "
                "ARRAY[:u]::bigint[], :u)"
            ),
            {"c": used.calendar_id, "k": used.id, "u": ctx.user.id},
        )
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rows[0].in_use)
    view.table.selectRow(0)
    assert not view.delete_button.isEnabled()
    view.on_delete_clicked()  # even if the button were enabled
    qtbot.waitUntil(lambda: bool(errors))
    assert "wycofać" in errors[0]
    view.table.selectRow(0)
    assert view.retire_button.text() == "Wycofaj"
    view.retire_button.click()
    qtbot.waitUntil(lambda: any(not k.active and k.id == used.id for k in view.model.rows))

    # kinds of work
    view.list.setCurrentRow(3)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and view.model.rows[0].calendar_id is None)
    assert "Serwis" in [k.name for k in view.model.rows]
    view.ask_name = lambda _title, current="": "   "
    errors.clear()
    view.add_button.click()
    assert errors == ["Podaj nazwę."]


def test_dictionaries_refused_for_non_admin(qtbot, make_context, errors):
    view = DictionariesView(make_context("kierownik"))
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded)
    view.ask_name = lambda _title, current="": "Nowy"
    view.add_button.click()
    qtbot.waitUntil(lambda: bool(errors))
    assert "Brak uprawnień" in errors[0]


# --- the module ------------------------------------------------------------------------


def test_module_pages_by_role(qtbot, make_context):
    admin = make_context()
    manager = make_context("kierownik")
    technician = make_context("serwisant")
    assert (MODULE.key, MODULE.title, MODULE.order) == ("admin", "Administracja", 90)
    assert MODULE.visible_for(admin.user) and MODULE.visible_for(manager.user)
    assert not MODULE.visible_for(technician.user)
    page = MODULE.factory(admin)
    qtbot.addWidget(page)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Użytkownicy",
        "Uprawnienia",
        "Ogłoszenia",
        "Historia zmian",
        "Słowniki",
    ]
    only = AdminModule(manager)
    qtbot.addWidget(only)
    assert [only.tabs.tabText(i) for i in range(only.tabs.count())] == ["Ogłoszenia"]
    for widget in (page, only):
        for sub in widget.pages.values():
            qtbot.waitUntil(lambda s=sub: s.loaded)
