"""The main window: modules per role, the signed-in user, shortcuts, sign-out."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from eszok_desktop.services import auth
from eszok_desktop.ui import main_window
from eszok_desktop.ui.context import AppContext, ModuleSpec
from eszok_desktop.ui.main_window import MainWindow
from eszok_desktop.ui.module_placeholder import ModulePlaceholder
from eszok_desktop.ui.task_runner import TaskRunner


@pytest.fixture
def make_window(qtbot, make_signed_in):
    runners = []

    def make(role: str, modules=None, **kw) -> MainWindow:
        _user_id, db = make_signed_in(role, **kw)
        runner = TaskRunner(db)
        runners.append(runner)
        with db.session() as session:
            user = auth.current_user(session)
        window = MainWindow(AppContext(db, runner, user), modules)
        qtbot.addWidget(window)
        return window

    yield make
    for runner in runners:
        runner.wait()


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("serwisant", ["panel", "calendar", "service"]),
        ("programista", ["panel", "calendar", "service"]),
        ("handlowiec", ["panel", "calendar"]),
        # managers publish announcements, which live under Administracja
        ("kierownik", ["panel", "calendar", "service", "admin"]),
        ("administrator", ["panel", "calendar", "service", "admin"]),
    ],
)
def test_only_the_modules_the_role_may_use_are_shown(make_window, role, keys):
    window = make_window(role)
    assert window.module_keys() == keys
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    expected = {"panel": "Panel Główny", "calendar": "Terminarz", "service": "Serwis"}
    expected["admin"] = "Administracja"
    assert titles == [expected[k] for k in keys]
    assert window.current_module_key() == "panel"


def test_signed_in_user_and_role_are_shown(make_window):
    window = make_window("kierownik", full_name="Anna Kowalska")
    assert window.user_label.text() == "Anna Kowalska · Kierownik"
    assert "Anna Kowalska (Kierownik)" in window.statusBar().currentMessage()


def test_ctrl_digits_switch_modules(qtbot, make_window):
    window = make_window("administrator")
    shortcuts = [a.shortcut() for a in window.module_actions]
    assert shortcuts == [QKeySequence(f"Ctrl+{n}") for n in (1, 2, 3, 4)]
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    # through the QWindow, as the window system delivers keys, so shortcuts apply
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_module_key() == "admin")
    assert window.stack.currentWidget() is window.page("admin")
    window.module_actions[0].trigger()
    assert window.current_module_key() == "panel"
    assert window.stack.currentWidget() is window.page("panel")


def test_unbuilt_modules_show_an_honest_placeholder(make_window):
    spec = main_window.placeholder_module("later", "Kontakty", 50, lambda user: True)
    window = make_window("serwisant", [spec])
    page = window.page("later")
    assert isinstance(page, ModulePlaceholder)
    assert page.status_label.text() == "Moduł w przygotowaniu"


def test_a_broken_module_does_not_break_the_window(make_window):
    def explode(_context):
        raise RuntimeError("boom")

    broken = ModuleSpec("broken", "Zepsuty", 5, lambda user: True, explode)
    hidden = ModuleSpec("hidden", "Ukryty", 6, lambda user: 1 / 0, explode)
    window = make_window("serwisant", [broken, hidden])
    assert window.module_keys() == ["broken"]
    page = window.page("broken")
    assert isinstance(page, ModulePlaceholder)
    assert page.status_label.text() == "Nie udało się otworzyć tego modułu."


def test_a_missing_module_package_falls_back_to_its_placeholder():
    fallback = main_window.placeholder_module("x", "X", 1, lambda user: True)
    assert main_window.load_module("eszok_desktop.ui.does_not_exist", fallback) is fallback
    assert main_window.load_module("eszok_desktop.ui.context", fallback) is fallback


def test_sign_out_revokes_the_token(qtbot, make_window):
    window = make_window("handlowiec")
    db = window.context.db
    with qtbot.waitSignal(window.sig_signed_out, timeout=10000):
        qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
        assert not window.sign_out_button.isEnabled()
    assert db.token is None
    token_was_revoked = window.context.runner.wait()
    assert token_was_revoked
    with db.session() as session:
        assert auth.current_user(session) is None


def test_sign_out_revokes_the_session_on_the_server(qtbot, make_window, database):
    window = make_window("serwisant")
    db = window.context.db
    token = db.token
    with qtbot.waitSignal(window.sig_signed_out, timeout=10000):
        window.sign_out_action.trigger()
    # presenting the old token again gives nobody: it was revoked, not just forgotten
    db.set_token(token)
    with db.session() as session:
        assert auth.current_user(session) is None


def test_panel_is_the_first_page(make_window):
    window = make_window("programista")
    page = window.page("panel")
    assert page is not None and window.stack.currentWidget() is page
    assert page.findChild(QLabel, "previousLogin") is not None
