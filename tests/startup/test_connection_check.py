"""The start-up check against the real test server: each failure has its own type and a
Polish message, also through the connection dialog's "Testuj połączenie"."""

import time

import pytest
from sqlalchemy import create_engine, text

from eszok_desktop.db import errors, schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import free_port
from eszok_desktop.db.settings import ConnectionSettings
from eszok_desktop.db.startup import check_database
from eszok_desktop.ui import messages
from eszok_desktop.ui.startup.connection_dialog import ConnectionDialog
from tests.startup.conftest import central_settings


def check(url) -> None:
    db = Database(url, pool_size=1)
    try:
        check_database(db)
    finally:
        db.dispose()


def test_a_migrated_database_passes(database):
    check(database.client_url)


def test_unreachable_port_is_reported_quickly(database):
    url = database.client_url.set(port=free_port())
    started = time.perf_counter()
    with pytest.raises(errors.ServerUnreachable):
        check(url)
    assert time.perf_counter() - started < 3


def test_wrong_client_password(database):
    with pytest.raises(errors.AuthenticationFailed):
        check(database.client_url.set(password="not-the-password"))


def test_missing_database(database):
    with pytest.raises(errors.DatabaseMissing):
        check(database.client_url.set(database="no_such_eszok_db"))


def test_schema_not_installed_on_an_empty_database(database, pg_server):
    name = f"{database.name}_empty"
    root = create_engine(pg_server.superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with root.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO eszok_client'))
        with pytest.raises(errors.SchemaNotInstalled):
            check(pg_server.client_url(name))
    finally:
        with root.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        root.dispose()


@pytest.mark.parametrize(("stamped", "newer"), [("9999_from_the_future", True), ("0001", False)])
def test_schema_version_the_client_does_not_expect(database, stamped, newer):
    # `database` is a throwaway copy of the migrated template: rewriting its stamp is safe
    with database.admin.begin() as conn:
        conn.execute(text("UPDATE public.alembic_version SET version_num = :v"), {"v": stamped})
    with pytest.raises(errors.SchemaVersionMismatch) as caught:
        check(database.client_url)
    assert caught.value.database_is_newer is newer
    assert caught.value.client_version == schema.client_schema_head()
    text_pl = messages.describe_error(caught.value)
    assert ("nowszą" if newer else "starszą") in text_pl


def test_pgcrypto_dropped_from_an_installed_database(database):
    # A real server state: the schema is there but its extension was removed.
    with database.admin.begin() as conn:
        conn.execute(text("DROP EXTENSION pgcrypto"))
    with pytest.raises(errors.PgcryptoMissing):
        check(database.client_url)


def dialog_for(qtbot, url, password):
    settings = central_settings(url)
    dialog = ConnectionDialog(settings)
    qtbot.addWidget(dialog)
    dialog.password_edit.setText(password)
    return dialog


def run_test_button(qtbot, dialog) -> tuple[bool, str]:
    with qtbot.waitSignal(dialog.sig_test_finished, timeout=15000) as blocker:
        dialog.test_button.click()
        # the check runs on a worker: the button is disabled meanwhile, the GUI is free
        assert not dialog.test_button.isEnabled()
    return tuple(blocker.args)


def test_dialog_reports_success_and_each_failure_in_polish(qtbot, database, pg_server):
    url = database.client_url
    good = url.password

    ok, shown = run_test_button(qtbot, dialog_for(qtbot, url, good))
    assert ok and "Połączenie działa" in shown

    ok, shown = run_test_button(qtbot, dialog_for(qtbot, url, "wrong"))
    assert not ok and shown == messages.describe_error(errors.AuthenticationFailed())

    ok, shown = run_test_button(qtbot, dialog_for(qtbot, url.set(database="nope"), good))
    assert not ok and shown == messages.describe_error(errors.DatabaseMissing())

    ok, shown = run_test_button(qtbot, dialog_for(qtbot, url.set(port=free_port()), good))
    assert not ok and shown == messages.describe_error(errors.ServerUnreachable())

    with database.admin.begin() as conn:
        conn.execute(text("UPDATE public.alembic_version SET version_num = 'zzzz'"))
    dialog = dialog_for(qtbot, url, good)
    ok, shown = run_test_button(qtbot, dialog)
    assert not ok and "nowszą wersję schematu" in shown
    assert dialog.status.text() == shown


def test_dialog_saves_password_to_keyring_not_file(
    qtbot, database, memory_keyring, tmp_path, monkeypatch
):
    monkeypatch.setenv("ESZOK_CONFIG_DIR", str(tmp_path))
    dialog = dialog_for(qtbot, database.client_url, "typed-secret")
    with qtbot.waitSignal(dialog.sig_settings_saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "typed-secret" in memory_keyring.secrets.values()
    assert "typed-secret" not in (tmp_path / "connection.json").read_text()
    assert dialog.settings.mode == "central" and dialog.password == "typed-secret"


def test_dialog_use_local_switches_back_to_embedded(qtbot, database, tmp_path, monkeypatch):
    monkeypatch.setenv("ESZOK_CONFIG_DIR", str(tmp_path))
    from eszok_desktop.db import settings as conn_settings

    dialog = dialog_for(qtbot, database.client_url, "")
    with qtbot.waitSignal(dialog.sig_settings_saved):
        dialog.local_button.click()
    saved = conn_settings.load_settings()
    assert saved.mode == "embedded" and saved.host == "127.0.0.1"


def test_dialog_asks_for_a_host_before_testing(qtbot):
    dialog = ConnectionDialog(ConnectionSettings())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_test_finished) as blocker:
        dialog.test_button.click()
    assert blocker.args == [False, "Podaj adres serwera."]
