"""The login window against a real server: success, every refusal, remembered data."""

import re

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import text

from eszok_desktop.db.engine import Database
from eszok_desktop.ui.login import LoginWindow
from eszok_desktop.ui.login.credentials import KEYRING_SERVICE
from eszok_desktop.ui.task_runner import TaskRunner

WRONG = "Nieprawidłowy e-mail lub hasło."


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "eszok-test.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def client(database):
    db = database.client()
    runner = TaskRunner(db)
    yield db, runner
    runner.wait()


@pytest.fixture
def make_window(qtbot, client, settings):
    def make() -> LoginWindow:
        db, runner = client
        window = LoginWindow(db, runner, settings)
        qtbot.addWidget(window)
        return window

    return make


def submit(qtbot, window: LoginWindow, email: str, password: str) -> None:
    window.email_edit.setText(email)
    window.password_edit.setText(password)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)


def refusal(qtbot, window: LoginWindow) -> str:
    qtbot.waitUntil(lambda: not window.busy and window.error_label.text() != "")
    return window.error_label.text()


def failed_logins(database, user_id: int) -> int:
    with database.admin.connect() as conn:
        return conn.execute(
            text("SELECT failed_logins FROM auth.users WHERE id = :i"), {"i": user_id}
        ).scalar_one()


def test_success_emits_the_signed_in_user_and_sets_the_token(qtbot, database, make_window):
    user_id = database.add_user("kierownik", full_name="Anna Kowalska")
    window = make_window()
    assert window.windowTitle() == "eSZOK — logowanie"
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000) as blocker:
        submit(qtbot, window, database.email_of(user_id).upper(), "Haslo1234")
        assert window.busy and not window.sign_in_button.isEnabled()
        assert window.sign_in_button.text() == "Logowanie…"
    user = blocker.args[0]
    assert (user.id, user.full_name, user.role) == (user_id, "Anna Kowalska", "kierownik")
    assert window.db.token is not None
    assert window.sign_in_button.isEnabled() and not window.error_label.isVisibleTo(window)


def test_enter_in_the_password_field_signs_in(qtbot, database, make_window):
    user_id = database.add_user()
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.email_edit.setText(database.email_of(user_id))
    window.password_edit.setText("Haslo1234")
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        qtbot.keyClick(window.password_edit, Qt.Key.Key_Return)


def test_wrong_password_and_unknown_email_give_the_same_message(qtbot, database, make_window):
    user_id = database.add_user()
    window = make_window()
    submit(qtbot, window, database.email_of(user_id), "Zle-haslo9")
    assert refusal(qtbot, window) == WRONG
    assert window.db.token is None
    window.error_label.clear()
    submit(qtbot, window, "nikt@example.pl", "Zle-haslo9")
    assert refusal(qtbot, window) == WRONG


def test_account_is_locked_after_five_failures(qtbot, database, make_window):
    user_id = database.add_user()
    email = database.email_of(user_id)
    window = make_window()
    for _ in range(4):
        window.error_label.clear()
        submit(qtbot, window, email, "Zle-haslo9")
        assert refusal(qtbot, window) == WRONG
    window.error_label.clear()
    submit(qtbot, window, email, "Zle-haslo9")
    message = refusal(qtbot, window)
    assert re.fullmatch(r"Konto jest zablokowane do \d\d:\d\d .*", message), message
    # even the right password is refused while locked
    window.error_label.clear()
    submit(qtbot, window, email, "Haslo1234")
    assert refusal(qtbot, window).startswith("Konto jest zablokowane do")
    assert window.db.token is None


def test_deactivated_account_is_refused(qtbot, database, make_window):
    user_id = database.add_user()
    with database.admin.begin() as conn:
        conn.execute(text("UPDATE auth.users SET active = false WHERE id = :i"), {"i": user_id})
    window = make_window()
    submit(qtbot, window, database.email_of(user_id), "Haslo1234")
    assert refusal(qtbot, window) == (
        "To konto zostało dezaktywowane. Skontaktuj się z administratorem."
    )
    assert window.db.token is None


def test_password_over_72_bytes_is_refused_before_asking_the_server(qtbot, database, make_window):
    user_id = database.add_user()
    window = make_window()
    password = "ą" * 37  # 37 characters, 74 bytes
    submit(qtbot, window, database.email_of(user_id), password)
    # refused at once, with no work sent to the runner
    assert not window.busy
    assert window.error_label.text().startswith("Hasło jest za długie (najwyżej 72 bajtów")
    window.runner.wait()
    assert failed_logins(database, user_id) == 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "", "Podaj e-mail i hasło."),
        ("  ", "Haslo1234", "Podaj e-mail."),
        ("ktos@example.pl", "", "Podaj hasło."),
    ],
)
def test_empty_fields_are_refused(qtbot, make_window, email, password, message):
    window = make_window()
    submit(qtbot, window, email, password)
    assert not window.busy
    assert window.error_label.text() == message


def test_unreachable_server_gives_a_connection_message(qtbot, settings):
    db = Database("postgresql+psycopg://eszok_client:x@127.0.0.1:9/eszok")
    runner = TaskRunner(db)
    window = LoginWindow(db, runner, settings)
    qtbot.addWidget(window)
    submit(qtbot, window, "ktos@example.pl", "Haslo1234")
    assert refusal(qtbot, window) == ("Utracono połączenie z serwerem. Spróbuj ponownie za chwilę.")
    runner.wait()
    db.dispose()


def test_password_change_required_is_a_separate_signal(qtbot, database, make_window):
    user_id = database.add_user(must_change_password=True)
    window = make_window()
    signed_in = []
    window.sig_signed_in.connect(signed_in.append)
    with qtbot.waitSignal(window.sig_password_change_required, timeout=10000) as blocker:
        submit(qtbot, window, database.email_of(user_id), "Haslo1234")
    assert blocker.args[0].id == user_id and blocker.args[0].must_change_password
    assert signed_in == []
    assert window.db.token is not None


def test_remembered_email_and_keyring_password(qtbot, database, make_window, memory_keyring):
    user_id = database.add_user()
    email = database.email_of(user_id)
    window = make_window()
    assert window.remember_password_box.isEnabled()
    window.remember_password_box.setChecked(True)
    assert window.remember_email_box.isChecked()  # a password is kept under its e-mail
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, email, "Haslo1234")
    assert memory_keyring.secrets == {(KEYRING_SERVICE, email): "Haslo1234"}

    again = make_window()
    assert again.email_edit.text() == email
    assert again.password_edit.text() == "Haslo1234"
    assert again.remember_email_box.isChecked() and again.remember_password_box.isChecked()

    # unticking "Zapamiętaj hasło" removes it from the keyring at the next sign-in
    again.remember_password_box.setChecked(False)
    with qtbot.waitSignal(again.sig_signed_in, timeout=10000):
        qtbot.mouseClick(again.sign_in_button, Qt.MouseButton.LeftButton)
    assert memory_keyring.secrets == {}
    third = make_window()
    assert third.email_edit.text() == email and third.password_edit.text() == ""


def test_email_is_forgotten_when_not_remembered(qtbot, database, make_window, settings):
    user_id = database.add_user()
    email = database.email_of(user_id)
    window = make_window()
    window.remember_email_box.setChecked(True)
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, email, "Haslo1234")
    assert make_window().email_edit.text() == email
    again = make_window()
    again.remember_email_box.setChecked(False)
    with qtbot.waitSignal(again.sig_signed_in, timeout=10000):
        submit(qtbot, again, email, "Haslo1234")
    assert make_window().email_edit.text() == ""
    assert settings.value("login/email") is None


def test_password_box_disabled_without_a_keyring_backend(qtbot, database, make_window, settings):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    # even a stale "remember password" choice must not enable it
    settings.setValue("login/remember_password", True)
    window = make_window()
    box = window.remember_password_box
    assert not box.isEnabled() and not box.isChecked()
    assert "keyring" in box.toolTip()
    assert window.keyring_note.isVisibleTo(window)
    assert "niedostępne" in window.keyring_note.text()
    user_id = database.add_user()
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, database.email_of(user_id), "Haslo1234")
    # after the busy state the box stays disabled
    assert not box.isEnabled()


def test_connection_link_asks_for_the_connection_dialog(qtbot, make_window):
    window = make_window()
    assert not window.connection_button.autoDefault()  # Enter still means "Zaloguj"
    with qtbot.waitSignal(window.sig_connection_settings_requested, timeout=1000):
        qtbot.mouseClick(window.connection_button, Qt.MouseButton.LeftButton)


def test_reset_after_sign_out_keeps_only_remembered_data(qtbot, database, make_window):
    user_id = database.add_user()
    email = database.email_of(user_id)
    window = make_window()
    window.remember_email_box.setChecked(True)
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, email, "Haslo1234")
    assert window.password_edit.text() == ""  # not kept in the widget after sign-in
    window.email_edit.setText("ktos.inny@example.pl")
    window._show_error("stary komunikat")
    window.reset()
    assert window.email_edit.text() == email
    assert window.password_edit.text() == ""
    assert not window.error_label.isVisibleTo(window)
    assert window.sign_in_button.isEnabled()


def test_password_removed_from_the_keyring_meanwhile(qtbot, database, make_window, memory_keyring):
    user_id = database.add_user()
    email = database.email_of(user_id)
    window = make_window()
    window.remember_password_box.setChecked(True)
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, email, "Haslo1234")
    memory_keyring.secrets.clear()  # e.g. the user cleaned the system keyring
    again = make_window()
    assert again.email_edit.text() == email
    assert again.password_edit.text() == "" and not again.remember_password_box.isChecked()


def test_sign_in_runs_off_the_gui_thread(qtbot, database, make_window, monkeypatch):
    import threading

    from eszok_desktop.services import auth

    threads = []
    real_sign_in, real_current_user = auth.sign_in, auth.current_user

    def sign_in(session, email, password):
        threads.append(threading.current_thread())
        return real_sign_in(session, email, password)

    def current_user(session):
        threads.append(threading.current_thread())
        return real_current_user(session)

    monkeypatch.setattr(auth, "sign_in", sign_in)
    monkeypatch.setattr(auth, "current_user", current_user)
    user_id = database.add_user()
    window = make_window()
    with qtbot.waitSignal(window.sig_signed_in, timeout=10000):
        submit(qtbot, window, database.email_of(user_id), "Haslo1234")
    assert len(threads) == 2
    assert all(t is not threading.main_thread() for t in threads)
