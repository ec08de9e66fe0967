"""The "Użytkownicy" page driven with qtbot against the real database."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.services.admin.accounts import Account
from eszok_desktop.ui.admin.user_dialogs import RoleDialog
from eszok_desktop.ui.admin.users_window import UsersWindow


def open_page(qtbot, ctx):
    page = UsersWindow(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    qtbot.waitUntil(lambda: page.loaded)
    return page


def row_of(page, email):
    return next(i for i, a in enumerate(page.model.rows) if a.email == email)


def account(database, email):
    with database.admin.connect() as conn:
        return conn.execute(
            text(
                "SELECT id, role, active, must_change_password, locked_until "
                "FROM auth.users WHERE email = :e"
            ),
            {"e": email},
        ).one()


def test_model_and_search(qtbot, qtmodeltester, database, make_context):
    ctx = make_context(full_name="Adam Admin")
    database.add_user("serwisant", full_name="Zofia Serwis", email="zofia@example.pl")
    database.add_user("handlowiec", full_name="Henryk Handel", email="henryk@example.pl")
    page = open_page(qtbot, ctx)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 3
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert headers == [
        "Imię i nazwisko",
        "E-mail",
        "Rola",
        "Aktywny",
        "Zablokowany",
        "Ostatnie logowanie",
    ]
    page.search.setText("zofia")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows[0].full_name == "Zofia Serwis"
    assert page.model.index(0, 2).data() == "Serwisant"
    assert page.model.index(0, 5).data() == "nigdy"


def test_add_user_with_generated_password_shown_once(qtbot, database, make_context):
    ctx = make_context()
    page = open_page(qtbot, ctx)
    page.add_button.click()
    dialog = page.dialog
    dialog.email.setText("nowa@example.pl")
    dialog.full_name.setText("Nowa Osoba")
    dialog.role.setCurrentIndex(dialog.role.findData("kierownik"))
    dialog.password.generated.setChecked(True)
    dialog.on_ok_clicked()
    qtbot.waitUntil(lambda: dialog.result_panel.isVisibleTo(dialog))
    generated = dialog.shown_password.text()
    auth.check_password_policy(generated)
    row = account(database, "nowa@example.pl")
    assert row.role == "kierownik" and row.must_change_password
    with database.client().session() as session:
        assert auth.sign_in(session, "nowa@example.pl", generated).status == "ok"
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().id == row.id)


def test_add_user_refusals_are_inline_and_keep_input(qtbot, database, make_context):
    ctx = make_context()
    database.add_user(email="zajety@example.pl")
    page = open_page(qtbot, ctx)
    page.add_button.click()
    dialog = page.dialog
    dialog.email.setText("zle-adres")
    dialog.full_name.setText("Ktoś")
    dialog.on_ok_clicked()
    assert "e-mail" in dialog.error.text()
    dialog.email.setText("ZAJETY@example.pl")
    dialog.password.password.setText("krotkie")
    dialog.on_ok_clicked()
    assert "co najmniej 8" in dialog.error.text()
    assert "8 znaków" in dialog.password.policy.text()
    dialog.password.password.setText("Dobrehaslo1")
    dialog.password.repeat.setText("Dobrehaslo2")
    dialog.on_ok_clicked()
    assert "różni się" in dialog.error.text()
    dialog.password.repeat.setText("Dobrehaslo1")
    dialog.on_ok_clicked()
    qtbot.waitUntil(lambda: "już istnieje" in dialog.error.text())
    assert dialog.email.text() == "ZAJETY@example.pl" and dialog.buttons.isEnabled()


def test_role_change_deactivate_reactivate(qtbot, database, make_context, answers, errors):
    ctx = make_context()
    user_id = database.add_user("serwisant", email="marek@example.pl")
    page = open_page(qtbot, ctx)
    page.table.selectRow(row_of(page, "marek@example.pl"))
    page.choose_role = lambda _account: "programista"
    page.role_button.click()
    qtbot.waitUntil(lambda: account(database, "marek@example.pl").role == "programista")
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().role == "programista")
    assert page.active_button.text() == "Dezaktywuj"
    page.active_button.click()
    assert answers and "wylogowany" in answers[0]
    qtbot.waitUntil(lambda: not page.selected().active)
    assert not account(database, "marek@example.pl").active
    assert page.active_button.text() == "Aktywuj"
    page.active_button.click()
    qtbot.waitUntil(lambda: page.selected().active)
    assert errors == [] and user_id


def test_last_admin_refusal_is_explained(qtbot, database, make_context, answers, errors):
    ctx = make_context()
    page = open_page(qtbot, ctx)
    page.table.selectRow(row_of(page, ctx.user.email))
    page.active_button.click()
    qtbot.waitUntil(lambda: bool(errors))
    assert "ostatniego aktywnego administratora" in errors[0]
    assert account(database, ctx.user.email).active


def test_unlock_and_reset(qtbot, database, make_context, errors):
    ctx = make_context()
    user_id = database.add_user(email="zablokowany@example.pl")
    for _ in range(5):
        with database.client().session() as session:
            auth.sign_in(session, "zablokowany@example.pl", "Zlehaslo99")
    page = open_page(qtbot, ctx)
    row = row_of(page, "zablokowany@example.pl")
    assert page.model.index(row, 4).data().startswith("do ")
    page.table.selectRow(row)
    assert page.unlock_button.isEnabled()
    page.unlock_button.click()
    qtbot.waitUntil(lambda: account(database, "zablokowany@example.pl").locked_until is None)
    qtbot.waitUntil(lambda: not page.unlock_button.isEnabled())
    page.reset_button.click()
    dialog = page.dialog
    dialog.password.typed.setChecked(True)
    dialog.password.password.setText("Resetowane12")
    dialog.password.repeat.setText("Resetowane12")
    dialog.on_ok_clicked()
    qtbot.waitUntil(lambda: account(database, "zablokowany@example.pl").must_change_password)
    with database.client().session() as session:
        assert auth.sign_in(session, "zablokowany@example.pl", "Resetowane12").status == "ok"
    assert errors == [] and user_id


def test_non_admin_actions_are_refused_by_the_database(qtbot, database, make_context, errors):
    """Even if a non-admin got the page, the database refuses and the page says so."""
    ctx = make_context("kierownik")
    database.add_user(email="cel@example.pl")
    page = open_page(qtbot, ctx)
    page.table.selectRow(row_of(page, "cel@example.pl"))
    page.unlock_button.setEnabled(True)
    page.on_unlock_clicked()
    qtbot.waitUntil(lambda: bool(errors))
    assert "Brak uprawnień" in errors[0]


def test_demoting_oneself_asks_first(qtbot, database, make_context, monkeypatch, errors):
    ctx = make_context()
    database.add_user("administrator")  # so the database allows it
    page = open_page(qtbot, ctx)
    page.table.selectRow(row_of(page, ctx.user.email))
    page.choose_role = lambda _account: "kierownik"
    asked = []
    monkeypatch.setattr(
        "eszok_desktop.ui.admin.feedback.ask", lambda _p, q: asked.append(q) or False
    )
    page.role_button.click()
    assert asked and "Odebrać sobie" in asked[0]
    qtbot.wait(200)
    assert account(database, ctx.user.email).role == "administrator"
    monkeypatch.setattr("eszok_desktop.ui.admin.feedback.ask", lambda _p, q: True)
    page.role_button.click()
    qtbot.waitUntil(lambda: account(database, ctx.user.email).role == "kierownik")
    assert errors == []


def test_account_history_shows_who_changed_what(qtbot, qtmodeltester, database, make_context):
    ctx = make_context(full_name="Adam Admin")
    user_id = database.add_user("serwisant", email="historia@example.pl")
    page = open_page(qtbot, ctx)
    page.table.selectRow(row_of(page, "historia@example.pl"))
    page.choose_role = lambda _account: "kierownik"
    page.role_button.click()
    qtbot.waitUntil(lambda: account(database, "historia@example.pl").role == "kierownik")
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().id == user_id)
    page.history_button.click()
    dialog = page.dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    qtmodeltester.check(dialog.model)
    assert [r.operation for r in dialog.model.rows] == ["I", "U"]
    assert dialog.model.index(1, 1).data() == "Adam Admin"
    assert dialog.model.index(1, 3).data() == "rola: serwisant → kierownik"


def test_role_dialog_offers_every_role_starting_at_the_current(qtbot):
    now = datetime.now(UTC)
    dialog = RoleDialog(
        Account(1, "a@b.pl", "A", "handlowiec", "Handlowiec", True, False, None, 0, None, now, 1)
    )
    qtbot.addWidget(dialog)
    assert dialog.chosen() == "handlowiec"
    assert [dialog.role.itemText(i) for i in range(dialog.role.count())] == [
        "Administrator",
        "Kierownik",
        "Handlowiec",
        "Serwisant",
        "Programista",
    ]
    dialog.role.setCurrentIndex(dialog.role.findData("kierownik"))
    assert dialog.chosen() == "kierownik"
