"""The embedded start path end to end on a fresh private cluster, and the start-up flow.

Each test module gets its own EmbeddedServer in a temp folder under /tmp (reachable by the
``postgres`` user when the suite runs as root).
"""

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from eszok_desktop import app as app_module
from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.db.settings import ConnectionSettings
from eszok_desktop.db.startup import Step, prepare_embedded, running_embedded
from eszok_desktop.ui import messages
from tests.startup.conftest import central_settings


@pytest.fixture(scope="module")
def base_dir():
    base = Path(tempfile.mkdtemp(prefix="eszok-embedded-", dir="/tmp"))
    base.chmod(0o755)
    yield base / "data"
    for folder in base.iterdir():  # servers a failed test left running
        leftover = EmbeddedServer(folder)
        if leftover.is_initialized and leftover.is_running():
            leftover.stop()
    shutil.rmtree(base, ignore_errors=True)


def test_first_start_creates_and_migrates_second_start_reuses(base_dir):
    server = EmbeddedServer(base_dir)
    steps: list[Step] = []
    started = time.perf_counter()
    prepare_embedded(server, steps.append)
    first = time.perf_counter() - started
    assert steps == list(Step)
    assert server.started_here
    with Database(server.client_url(), pool_size=1).engine.connect() as conn:
        schema.check_schema_version(conn)
    cluster_id = (server.data_dir / "global" / "pg_control").stat().st_ino
    server.stop()
    assert not server.is_running()

    again = EmbeddedServer(base_dir)
    steps.clear()
    started = time.perf_counter()
    prepare_embedded(again, steps.append)
    second = time.perf_counter() - started
    assert Step.CREATE_CLUSTER not in steps
    assert (again.data_dir / "global" / "pg_control").stat().st_ino == cluster_id
    assert second < first
    assert second < 10  # "opens in a few seconds" even on a loaded CI machine
    # a third caller while it runs: reuses the running server and does not own it
    third = EmbeddedServer(base_dir)
    prepare_embedded(third)
    assert not third.started_here
    again.stop()


def test_running_embedded_stops_only_what_it_started(base_dir):
    outer = EmbeddedServer(base_dir)
    with running_embedded(outer):
        with running_embedded(EmbeddedServer(base_dir)) as inner:
            assert not inner.started_here
        assert outer.is_running()
    assert not outer.is_running()


@pytest.fixture
def no_dialog_boxes(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        messages,
        "show_error",
        lambda _p, exc, title=None: shown.append(messages.describe_error(exc)),
    )
    monkeypatch.setattr(messages, "inform", lambda _p, text_, title=None: shown.append(text_))
    return shown


def test_flow_first_run_asks_for_admin_then_login_second_run_goes_to_login(
    qtbot, base_dir, no_dialog_boxes
):
    fresh = base_dir.parent / "flow"
    flow = app_module.StartupFlow(ConnectionSettings(), EmbeddedServer(fresh))
    with qtbot.waitSignal(flow.sig_first_admin_shown, timeout=60000) as shown:
        flow.start()
    dialog = shown.args[0]
    dialog.email.setText("szef@firma.pl")
    dialog.full_name.setText("Zofia Szefowa")
    dialog.password.setText("Tajne1234")
    dialog.password_repeat.setText("Tajne1234")
    with qtbot.waitSignal(flow.sig_login_shown, timeout=30000) as login:
        dialog.create_button.click()
    window = login.args[0]
    assert window.isVisible()
    assert window.email_edit.text() == "szef@firma.pl"  # the new admin, ready to sign in
    flow.shutdown()
    assert not flow.server.is_running()
    window.close()

    flow = app_module.StartupFlow(ConnectionSettings(), EmbeddedServer(fresh))
    first_admin = []
    flow.sig_first_admin_shown.connect(first_admin.append)
    with qtbot.waitSignal(flow.sig_login_shown, timeout=30000) as login:
        flow.start()
    assert first_admin == []
    assert no_dialog_boxes == []
    login.args[0].close()
    flow.shutdown()
    assert not flow.server.is_running()


def test_flow_central_server_reaches_login(qtbot, database, no_dialog_boxes):
    url = database.client_url
    settings = central_settings(url, url.password)
    database.add_user("administrator")
    flow = app_module.StartupFlow(settings)
    with qtbot.waitSignal(flow.sig_login_shown, timeout=30000) as login:
        flow.start()
    window = login.args[0]
    # the login window's "Połączenie z bazą…" opens the connection dialog over it
    with qtbot.waitSignal(flow.sig_connection_dialog_shown) as shown:
        window.sig_connection_settings_requested.emit()
    dialog = shown.args[0]
    assert dialog.parent() is window and dialog.host.text() == url.host
    quit_requests = []
    flow.sig_quit_requested.connect(lambda: quit_requests.append(True))
    dialog.reject()  # cancelling keeps the login window
    assert window.isVisible() and quit_requests == []
    window.close()
    assert quit_requests == [True]  # closing the only window ends the app
    flow.shutdown()
    assert no_dialog_boxes == []


def test_flow_central_failure_explains_and_opens_connection_dialog(
    qtbot, database, no_dialog_boxes
):
    url = database.client_url
    settings = central_settings(url, "wrong-password")
    flow = app_module.StartupFlow(settings)
    with qtbot.waitSignal(flow.sig_connection_dialog_shown, timeout=30000) as shown:
        flow.start()
    assert no_dialog_boxes == ["Serwer odrzucił hasło połączenia z bazą danych."]
    dialog = shown.args[0]
    assert dialog.host.text() == url.host
    quit_requests = []
    flow.sig_quit_requested.connect(lambda: quit_requests.append(True))
    dialog.reject()
    assert quit_requests == [True]
    flow.shutdown()


def test_flow_without_binaries_offers_the_connection_dialog(qtbot, monkeypatch, no_dialog_boxes):
    monkeypatch.setattr(app_module, "find_bindir", lambda: None)
    questions = []
    monkeypatch.setattr(messages, "ask", lambda _p, q, title=None: questions.append(q) or True)
    flow = app_module.StartupFlow(ConnectionSettings())
    with qtbot.waitSignal(flow.sig_connection_dialog_shown, timeout=5000):
        flow.start()
    assert "Nie znaleziono programów serwera PostgreSQL" in questions[0]
    flow.shutdown()


def test_sign_in_opens_main_window_and_sign_out_returns(qtbot, database, no_dialog_boxes):
    pytest.importorskip("eszok_desktop.ui.main_window")
    url = database.client_url
    settings = central_settings(url, url.password)
    user_id = database.add_user("administrator")
    flow = app_module.StartupFlow(settings)
    with qtbot.waitSignal(flow.sig_login_shown, timeout=30000) as login:
        flow.start()
    window = login.args[0]
    window.email_edit.setText(database.email_of(user_id))
    window.password_edit.setText("Haslo1234")
    with qtbot.waitSignal(flow.sig_main_shown, timeout=30000) as main:
        window.sign_in_button.click()
    main_window = main.args[0]
    assert main_window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible())
    if hasattr(main_window, "sig_signed_out"):
        with qtbot.waitSignal(flow.sig_login_shown, timeout=30000):
            main_window.sig_signed_out.emit()
        qtbot.waitUntil(lambda: not main_window.isVisible())
    with database.admin.connect() as conn:
        assert conn.execute(
            text("SELECT last_login_at IS NOT NULL FROM auth.users WHERE id = :i"),
            {"i": user_id},
        ).scalar()
    flow.shutdown()


def test_switching_from_embedded_to_central_stops_the_local_server(
    qtbot, base_dir, database, no_dialog_boxes, tmp_path, monkeypatch
):
    monkeypatch.setenv("ESZOK_CONFIG_DIR", str(tmp_path))
    database.add_user("administrator")
    server = EmbeddedServer(base_dir.parent / "switch")
    flow = app_module.StartupFlow(ConnectionSettings(), server)
    # the fresh local installation asks for an administrator; decline and switch instead
    flow.sig_first_admin_shown.connect(lambda d: d.reject())
    with qtbot.waitSignal(flow.sig_first_admin_shown, timeout=60000):
        flow.start()
    assert server.is_running() and server.started_here

    # start again on the same flow through the connection dialog, pointing at `database`
    url = database.client_url
    with qtbot.waitSignal(flow.sig_connection_dialog_shown) as shown:
        flow._show_connection_dialog()
    dialog = shown.args[0]
    dialog.host.setText(url.host)
    dialog.port.setValue(url.port)
    dialog.database.setText(url.database)
    dialog.sslmode.setCurrentIndex(0)  # disable
    dialog.password_edit.setText(url.password)
    with qtbot.waitSignal(flow.sig_login_shown, timeout=60000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not server.is_running()
    assert flow.settings.is_central
    flow.login_window.close()
    flow.shutdown()
