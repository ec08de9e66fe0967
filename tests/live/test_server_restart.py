"""The server goes away in the middle of a UI flow and comes back (issue 7).

A private cluster is stopped and started for real: the main window shows the
non-modal banner, an open dialog keeps what the user typed, the client reconnects by
itself, re-presents its session, and the user's save then succeeds.
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.main_window import MainWindow
from eszok_desktop.ui.task_runner import TaskRunner
from tests.conftest import cached_hash


@pytest.fixture
def private_server():
    base = Path(tempfile.mkdtemp(prefix="eszok-restart-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=True)
    server.initialize()
    server.start()
    schema.ensure_database(server.superuser_url(), "eszok")
    schema.upgrade(server.superuser_url(), client_password=server.config.client_password)
    engine = create_engine(server.superuser_url())
    with Session(engine) as session, session.begin():
        users.add_user(
            session,
            email="kierownik@example.pl",
            full_name="Kinga Kierownik",
            role="kierownik",
            password_hash=cached_hash("Haslo1234"),
        )
    engine.dispose()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


def publish(title: str):
    def work(session):
        return session.execute(
            text("INSERT INTO eszok.announcements (title) VALUES (:t) RETURNING id"), {"t": title}
        ).scalar_one()

    return work


def test_banner_while_the_server_is_down_then_the_typed_text_is_saved(qtbot, private_server):
    db = Database(private_server.client_url())
    with db.session() as session:
        db.set_token(auth.sign_in(session, "kierownik@example.pl", "Haslo1234").token)
    with db.session() as session:
        user = auth.current_user(session)
    runner = TaskRunner(db)
    window = MainWindow(AppContext(db, runner, user), modules=[])
    qtbot.addWidget(window)
    window.show()
    assert window.live_refresh._listener.listening.wait(5)

    typed = QLineEdit()  # stands for any open dialog's field
    qtbot.addWidget(typed)
    typed.setText("Przerwa serwisowa w piątek")

    with qtbot.waitSignal(window.live_refresh.sig_connection_changed, timeout=10000) as down:
        private_server.stop()
    assert down.args == [False]
    assert window.connection_banner.isVisibleTo(window)

    # the user saves while the server is away: the save waits and retries by itself
    saved, failures = [], []
    runner.mutate(
        publish(typed.text()),
        changes={"announcements"},
        on_success=saved.append,
        on_failure=failures.append,
    )
    qtbot.wait(1000)
    assert saved == [] and failures == []
    assert typed.text() == "Przerwa serwisowa w piątek"

    with qtbot.waitSignal(window.live_refresh.sig_connection_changed, timeout=15000) as up:
        private_server.start()
    assert up.args == [True]
    assert not window.connection_banner.isVisibleTo(window)
    qtbot.waitUntil(lambda: bool(saved), timeout=15000)
    assert failures == []
    engine = create_engine(private_server.superuser_url())
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title, author_id FROM eszok.announcements")).all()
    engine.dispose()
    assert rows == [("Przerwa serwisowa w piątek", user.id)]
    runner.wait()
    db.dispose()


def test_a_migration_while_clients_run_tells_them_to_restart(qtbot, private_server):
    db = Database(private_server.client_url())
    with db.session() as session:
        db.set_token(auth.sign_in(session, "kierownik@example.pl", "Haslo1234").token)
    with db.session() as session:
        user = auth.current_user(session)
    runner = TaskRunner(db)
    window = MainWindow(AppContext(db, runner, user), modules=[])
    qtbot.addWidget(window)
    window.show()
    assert window.live_refresh._listener.listening.wait(5)
    assert not window.schema_banner.isVisibleTo(window)

    engine = create_engine(private_server.superuser_url())
    # an administrator rolls the schema back one step on the live server
    with (
        qtbot.waitSignal(window.live_refresh.sig_schema_changed, timeout=10000) as changed,
        engine.begin() as conn,
    ):
        schema.run_migrations(conn, "-1", downgrade=True)
    engine.dispose()
    assert changed.args[0] != schema.client_schema_head()
    assert window.schema_banner.isVisibleTo(window)
    runner.wait()
    db.dispose()


def test_a_read_only_database_refuses_the_save_with_a_clear_message(qtbot, private_server):
    from eszok_desktop.services.errors import ServerReadOnly
    from eszok_desktop.ui.messages import describe_error

    db = Database(private_server.client_url())
    with db.session() as session:
        db.set_token(auth.sign_in(session, "kierownik@example.pl", "Haslo1234").token)
    runner = TaskRunner(db)
    engine = create_engine(private_server.superuser_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ALTER DATABASE eszok SET default_transaction_read_only = on"))
    db.engine.dispose()  # new connections pick the setting up
    failures = []
    runner.mutate(publish("Nie zapisze się"), changes={"announcements"}, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10000)
    assert isinstance(failures[0], ServerReadOnly)
    assert "tylko odczyt" in describe_error(failures[0])
    with engine.connect() as conn:
        conn.execute(text("ALTER DATABASE eszok RESET default_transaction_read_only"))
        assert conn.execute(text("SELECT count(*) FROM eszok.announcements")).scalar() == 0
    engine.dispose()
    runner.wait()
    db.dispose()


def count_titled(server, title):
    engine = create_engine(server.superuser_url())
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM eszok.announcements WHERE title = :t"), {"t": title}
        ).scalar()
    engine.dispose()
    return n


def signed_in_runner(server):
    db = Database(server.client_url())
    with db.session() as session:
        db.set_token(auth.sign_in(session, "kierownik@example.pl", "Haslo1234").token)
    return db, TaskRunner(db)


def test_a_save_sent_while_the_server_is_down_is_applied_once_it_is_back(qtbot, private_server):
    db, runner = signed_in_runner(private_server)
    private_server.stop()
    saved = []
    runner.mutate(publish("Po restarcie"), changes={"announcements"}, on_success=saved.append)
    qtbot.wait(1500)  # the save keeps retrying meanwhile
    assert saved == []
    private_server.start()
    qtbot.waitUntil(lambda: bool(saved), timeout=20000)
    assert count_titled(private_server, "Po restarcie") == 1
    runner.wait()
    db.dispose()


def test_a_save_cut_off_in_flight_is_neither_lost_nor_doubled(qtbot, private_server):
    db, runner = signed_in_runner(private_server)
    attempts = []

    def cut_off_once(session):
        attempts.append(1)
        publish("W locie")(session)
        if len(attempts) == 1:  # the connection dies before the commit
            session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    saved = []
    runner.mutate(cut_off_once, changes={"announcements"}, on_success=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=20000)
    assert len(attempts) == 2
    assert count_titled(private_server, "W locie") == 1
    runner.wait()
    db.dispose()


def test_a_save_repeated_after_it_was_committed_is_not_applied_twice(qtbot, private_server):
    import uuid

    from eszok_desktop.services.errors import AlreadyApplied

    db, runner = signed_in_runner(private_server)
    request = uuid.uuid4()
    saved, failures = [], []
    runner.mutate(
        publish("Raz"), changes={"announcements"}, on_success=saved.append, request_id=request
    )
    qtbot.waitUntil(lambda: bool(saved), timeout=10000)
    # the answer was lost on the way back, say; the client sends the same save again
    with qtbot.waitSignal(runner.sig_changes_happened, timeout=10000):
        runner.mutate(
            publish("Raz"),
            changes={"announcements"},
            on_failure=failures.append,
            request_id=request,
        )
    assert isinstance(failures[0], AlreadyApplied)
    assert count_titled(private_server, "Raz") == 1
    runner.wait()
    db.dispose()


@pytest.fixture
def full_disk(private_server):
    """A tablespace on a 1 MB tmpfs that is already full, holding eszok.announcements."""
    import os
    import pwd
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="eszok-full-", dir="/tmp"))
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(folder)], check=False
        ).returncode
    ):
        folder.rmdir()
        pytest.skip("needs root and mount to make a really full disk")
    owner = pwd.getpwnam("postgres")
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    engine = create_engine(private_server.superuser_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f"CREATE TABLESPACE tiny LOCATION '{folder}'"))
            conn.execute(text("ALTER TABLE eszok.announcements SET TABLESPACE tiny"))
        filler = folder / "filler"
        with filler.open("wb") as f, contextlib.suppress(OSError):
            f.write(b"\0" * (2 << 20))  # more than fits: the disk is full now
        yield
    finally:
        (folder / "filler").unlink(missing_ok=True)
        with engine.connect() as conn:
            conn.execute(text("ALTER TABLE eszok.announcements SET TABLESPACE pg_default"))
            conn.execute(text("DROP TABLESPACE IF EXISTS tiny"))
        engine.dispose()
        subprocess.run(["umount", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_full_disk_refuses_the_save_with_a_clear_message(qtbot, private_server, full_disk):
    from eszok_desktop.services.errors import ServerStorageFull
    from eszok_desktop.ui.messages import describe_error

    db, runner = signed_in_runner(private_server)
    typed = QLineEdit("Ogłoszenie na pełny dysk")
    qtbot.addWidget(typed)
    failures = []
    runner.mutate(publish(typed.text()), changes={"announcements"}, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10000)
    assert isinstance(failures[0], ServerStorageFull), failures[0]
    assert "zabrakło miejsca" in describe_error(failures[0])
    assert typed.text() == "Ogłoszenie na pełny dysk"
    assert count_titled(private_server, "Ogłoszenie na pełny dysk") == 0
    runner.wait()
    db.dispose()
