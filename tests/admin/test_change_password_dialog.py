"""Every user changes their own password; the forced change after a reset."""

from __future__ import annotations

from eszok_desktop.services import auth
from eszok_desktop.services.admin import accounts
from eszok_desktop.ui.admin.change_password_dialog import ChangePasswordDialog
from eszok_desktop.ui.task_runner import TaskRunner


def sign_in(database, email, password):
    with database.client().session() as session:
        return auth.sign_in(session, email, password)


def test_change_needs_the_old_password(qtbot, database, make_context):
    ctx = make_context("handlowiec")
    dialog = ChangePasswordDialog(ctx.runner, ctx.user)
    qtbot.addWidget(dialog)
    assert "8 znaków" in dialog.policy_label.text()
    dialog.new.setText("Nowehaslo42")
    dialog.repeat.setText("Nowehaslo42")
    dialog.on_ok_clicked()
    assert dialog.error.text() == "Podaj obecne hasło."
    dialog.old.setText("Zlehaslo11")
    dialog.on_ok_clicked()
    qtbot.waitUntil(lambda: dialog.error.text() == "Obecne hasło jest nieprawidłowe.")
    assert dialog.buttons.isEnabled()
    assert sign_in(database, ctx.user.email, "Nowehaslo42").status == "invalid"

    dialog.repeat.setText("Inne")
    dialog.old.setText("Haslo1234")
    dialog.on_ok_clicked()
    assert "różni się" in dialog.error.text()
    dialog.new.setText("krotkie")
    dialog.on_ok_clicked()
    assert "co najmniej 8" in dialog.error.text()

    dialog.new.setText("Nowehaslo42")
    dialog.repeat.setText("Nowehaslo42")
    with qtbot.waitSignal(dialog.sig_password_changed):
        dialog.on_ok_clicked()
    assert dialog.result() == ChangePasswordDialog.DialogCode.Accepted
    assert sign_in(database, ctx.user.email, "Nowehaslo42").status == "ok"
    assert sign_in(database, ctx.user.email, "Haslo1234").status == "invalid"


def test_forced_change_clears_the_flag(qtbot, database, make_context):
    ctx = make_context()
    user_id = database.add_user("serwisant")
    email = database.email_of(user_id)
    with ctx.db.session() as session:
        accounts.reset_password(session, user_id, "Tymczas123", must_change_password=True)
    result = sign_in(database, email, "Tymczas123")
    assert result.must_change_password
    db = database.client()
    db.set_token(result.token)
    runner = TaskRunner(db)
    with db.session() as session:
        user = auth.current_user(session)
    dialog = ChangePasswordDialog(runner, user, forced=True)
    qtbot.addWidget(dialog)
    assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).text() == "Wyloguj"
    dialog.old.setText("Tymczas123")
    dialog.new.setText("Wlasne4567")
    dialog.repeat.setText("Wlasne4567")
    with qtbot.waitSignal(dialog.sig_password_changed):
        dialog.on_ok_clicked()
    with db.session() as session:
        assert not auth.current_user(session).must_change_password
    assert not sign_in(database, email, "Wlasne4567").must_change_password
    runner.wait()
