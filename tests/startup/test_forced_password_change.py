"""'Zmień hasło przy następnym logowaniu': the start-up flow asks for a new password
before the main window opens; refusing signs the user out again."""

import pytest
from sqlalchemy import text

from eszok_desktop import app as app_module
from tests.startup.conftest import central_settings


@pytest.fixture
def flow(database):
    url = database.client_url
    settings = central_settings(url, url.password)
    flow = app_module.StartupFlow(settings)
    yield flow
    flow.shutdown()


def sign_in_with_temporary_password(qtbot, database, flow):
    user_id = database.add_user("serwisant", must_change_password=True)
    with qtbot.waitSignal(flow.sig_login_shown, timeout=30000) as login:
        flow.start()
    window = login.args[0]
    window.email_edit.setText(database.email_of(user_id))
    window.password_edit.setText("Haslo1234")
    with qtbot.waitSignal(flow.sig_password_dialog_shown, timeout=30000) as shown:
        window.sign_in_button.click()
    return user_id, window, shown.args[0]


def test_new_password_first_then_the_main_window(qtbot, database, flow):
    user_id, _login, dialog = sign_in_with_temporary_password(qtbot, database, flow)
    assert flow.main_window is None
    dialog.old.setText("Haslo1234")
    dialog.new.setText("Wlasne4567")
    dialog.repeat.setText("Wlasne4567")
    with qtbot.waitSignal(flow.sig_main_shown, timeout=30000) as main:
        dialog.buttons.accepted.emit()
    assert not main.args[0].context.user.must_change_password
    with database.admin.connect() as conn:
        assert not conn.execute(
            text("SELECT must_change_password FROM auth.users WHERE id = :i"), {"i": user_id}
        ).scalar()


def test_refusing_the_new_password_signs_out(qtbot, database, flow):
    _user_id, login, dialog = sign_in_with_temporary_password(qtbot, database, flow)
    dialog.reject()
    qtbot.waitUntil(lambda: flow.db.token is None, timeout=10000)
    assert flow.main_window is None
    assert login.isVisible() and login.password_edit.text() == ""
