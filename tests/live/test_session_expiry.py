"""A session that ends while the user works asks for the password again; what the user
typed stays, and the save succeeds afterwards (issue 7)."""

from PySide6.QtWidgets import QLineEdit
from sqlalchemy import text

from eszok_desktop.services import auth
from eszok_desktop.services.errors import NotSignedIn, PermissionDenied
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.main_window import MainWindow
from eszok_desktop.ui.task_runner import TaskRunner


def publish(title):
    def work(session):
        session.execute(text("INSERT INTO eszok.announcements (title) VALUES (:t)"), {"t": title})

    return work


def expire_sessions(database, user_id):
    with database.admin.begin() as conn:
        conn.execute(
            text("UPDATE auth.sessions SET expires_at = now() - interval '1 s' WHERE user_id = :i"),
            {"i": user_id},
        )


def test_expired_session_asks_for_the_password_and_keeps_the_typed_text(
    qtbot, make_signed_in, database
):
    user_id, db = make_signed_in("kierownik")
    with db.session() as session:
        user = auth.current_user(session)
    runner = TaskRunner(db)
    window = MainWindow(AppContext(db, runner, user), modules=[], live=False)
    qtbot.addWidget(window)
    window.show()
    typed = QLineEdit("Zebranie w poniedziałek")
    qtbot.addWidget(typed)

    expire_sessions(database, user_id)
    failures = []
    with qtbot.waitSignal(runner.sig_session_expired, timeout=10000):
        runner.mutate(publish(typed.text()), changes={"announcements"}, on_failure=failures.append)
    assert isinstance(failures[0], NotSignedIn)
    dialog = window.reauth_dialog
    assert dialog is not None and dialog.isVisible()

    dialog.password_edit.setText("zle-haslo1")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=10000)
    assert "Nieprawidłowe hasło" in dialog.error_label.text()

    dialog.password_edit.setText("Haslo1234")
    with qtbot.waitSignal(dialog.sig_signed_in_again, timeout=10000):
        dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: window.reauth_dialog is None)

    saved = []
    runner.mutate(publish(typed.text()), changes={"announcements"}, on_success=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=10000)
    with database.admin.connect() as conn:
        assert conn.execute(text("SELECT title, author_id FROM eszok.announcements")).all() == [
            ("Zebranie w poniedziałek", user_id)
        ]
    runner.wait()


def test_a_real_refusal_is_not_mistaken_for_an_ended_session(qtbot, make_signed_in):
    _user_id, db = make_signed_in("serwisant")  # may not publish announcements
    runner = TaskRunner(db)
    failures = []
    runner.mutate(publish("x"), changes={"announcements"}, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10000)
    assert isinstance(failures[0], PermissionDenied)
    runner.wait()
