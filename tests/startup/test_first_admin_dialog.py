"""The first-administrator dialog: Polish inline validation, creation, and the race."""

import pytest
from sqlalchemy import text

from eszok_desktop.ui import messages
from eszok_desktop.ui.startup.first_admin_dialog import FirstAdminDialog, validate_first_admin
from eszok_desktop.ui.task_runner import TaskRunner


def test_validation_messages_per_field():
    assert validate_first_admin("admin@firma.pl", "Anna", "Tajne1234", "Tajne1234") == {}
    problems = validate_first_admin("bez-malpy", " ", "abc", "abd")
    assert problems == {
        "email": "Podaj prawidłowy adres e-mail.",
        "full_name": "To pole jest wymagane.",
        "password": "Hasło musi mieć co najmniej 8 znaków.",
        "password_repeat": "Hasła nie są takie same.",
    }
    assert validate_first_admin("a@b.pl", "A", "bezcyfry!", "bezcyfry!") == {
        "password": "Hasło musi zawierać literę i cyfrę."
    }
    too_long = "ż" * 36 + "1"  # 37 characters, 73 bytes
    assert "72 bajtów" in validate_first_admin("a@b.pl", "A", too_long, too_long)["password"]


@pytest.fixture
def dialog(qtbot, database):
    runner = TaskRunner(database.client())
    dialog = FirstAdminDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    runner.wait()


def fill(dialog, email, name, password, repeat=None):
    dialog.email.setText(email)
    dialog.full_name.setText(name)
    dialog.password.setText(password)
    dialog.password_repeat.setText(password if repeat is None else repeat)


def users_in(database):
    with database.admin.connect() as conn:
        return conn.execute(text("SELECT email, full_name, role FROM auth.users")).all()


def test_bad_input_shows_messages_and_creates_nothing(qtbot, dialog, database):
    fill(dialog, "nie-email", "", "krotkie", "inne")
    dialog.create_button.click()
    shown = dialog.errors_shown()
    assert set(shown) == {"email", "full_name", "password", "password_repeat"}
    assert dialog.isVisible()
    assert users_in(database) == []
    # typing into a field clears its message
    qtbot.keyClicks(dialog.email, "x")
    assert "email" not in dialog.errors_shown()
    assert "password" in dialog.errors_shown()


def test_valid_form_creates_the_administrator(qtbot, dialog, database):
    fill(dialog, "  szef@firma.pl ", "Zofia Szefowa", "Tajne1234")
    with qtbot.waitSignal(dialog.sig_admin_created, timeout=15000) as created:
        dialog.create_button.click()
    assert created.args == ["szef@firma.pl"]
    assert users_in(database) == [("szef@firma.pl", "Zofia Szefowa", "administrator")]
    assert not dialog.isVisible()
    database.signed_in("szef@firma.pl", "Tajne1234")  # the password really works


def test_someone_else_was_first(qtbot, dialog, database, monkeypatch):
    database.add_user("administrator", email="pierwszy@firma.pl")
    told = []
    monkeypatch.setattr(messages, "inform", lambda _p, text_, title=None: told.append(text_))
    fill(dialog, "drugi@firma.pl", "Drugi", "Tajne1234")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.create_button.click()
    assert told and "już istnieje" in told[0]
    assert [u.email for u in users_in(database)] == ["pierwszy@firma.pl"]
