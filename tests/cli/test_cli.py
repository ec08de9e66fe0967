"""The admin command line against real servers: upgrade, status, user add, demo."""

import io
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from stdnum.pl import nip

from eszok_desktop import cli
from eszok_desktop.db import schema
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, demo


def dsn_of(url) -> str:
    return url.render_as_string(hide_password=False)


@pytest.fixture
def stdin(monkeypatch):
    def feed(text_: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text_))

    return feed


@pytest.fixture
def empty_database(pg_server):
    """A database with no eSZOK schema on the shared test server."""
    name = "cli_empty"
    root = create_engine(pg_server.superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    yield name
    with root.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    root.dispose()


def test_db_upgrade_creates_the_database_and_is_idempotent(
    pg_server, empty_database, stdin, capsys
):
    dsn = dsn_of(pg_server.superuser_url(empty_database))
    head = schema.client_schema_head()
    # the cluster's client password must stay what the other tests use
    stdin(pg_server.config.client_password + "\n")
    assert cli.run(["db", "upgrade", "--dsn", dsn, "--client-password-stdin"]) == 0
    assert f"revision {head}" in capsys.readouterr().out
    assert cli.run(["db", "upgrade", "--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert f"revision {head}" in out and "was not changed" in out
    assert cli.run(["db", "status", "--dsn", dsn]) == 0
    assert "up to date; 0 user(s)" in capsys.readouterr().out
    # and a client can use it
    engine = create_engine(pg_server.client_url(empty_database))
    with engine.connect() as conn:
        schema.check_schema_version(conn)
    engine.dispose()


def test_db_status_of_an_old_schema_says_needs_upgrade(database, capsys):
    with database.admin.begin() as conn:
        conn.execute(text("UPDATE public.alembic_version SET version_num = '0001'"))
    assert cli.run(["db", "status", "--dsn", dsn_of(database.admin_url)]) == 2
    assert "needs upgrade" in capsys.readouterr().out


def test_unreachable_dsn_is_one_line_not_a_traceback(capsys):
    code = cli.run(["db", "status", "--dsn", "postgresql://nobody@127.0.0.1:1/eszok"])
    assert code == 1
    assert capsys.readouterr().err.startswith("eszok: cannot reach the database server")


def test_user_add_reads_the_password_from_stdin(database, stdin, capsys):
    stdin("Bezpieczne123\n")
    code = cli.run(
        [
            "user",
            "add",
            "--email",
            "jan@firma.pl",
            "--name",
            "Jan Kowalski",
            "--role",
            "serwisant",
            "--password-stdin",
            "--dsn",
            dsn_of(database.admin_url),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "jan@firma.pl (serwisant) added" in capsys.readouterr().out
    db = database.signed_in("jan@firma.pl", "Bezpieczne123")
    with db.session() as session:
        assert auth.current_user(session).role == "serwisant"


@pytest.mark.parametrize(
    ("password", "message"),
    [("krotkie", "at least 8"), ("bezcyfrowehaslo", "a letter and a digit"), ("", "at least 8")],
)
def test_user_add_enforces_the_password_policy(database, stdin, capsys, password, message):
    stdin(password + "\n")
    code = cli.run(
        [
            "user",
            "add",
            "--email",
            "ala@firma.pl",
            "--name",
            "Ala",
            "--role",
            "handlowiec",
            "--password-stdin",
            "--dsn",
            dsn_of(database.admin_url),
        ]
    )
    assert code == 1
    assert message in capsys.readouterr().err
    with database.admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auth.users")).scalar() == 0


def test_user_add_refuses_a_taken_email_and_needs_stdin(database, stdin, capsys):
    database.add_user("kierownik", email="szef@firma.pl")
    stdin("Bezpieczne123\n")
    args = [
        "user",
        "add",
        "--email",
        "SZEF@firma.pl",
        "--name",
        "Inny",
        "--role",
        "kierownik",
        "--dsn",
        dsn_of(database.admin_url),
    ]
    assert cli.run(args) == 1
    assert "--password-stdin" in capsys.readouterr().err
    assert cli.run([*args, "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_demo_loads_every_role_and_a_month_of_events_once(database, capsys):
    dsn = dsn_of(database.admin_url)
    assert cli.run(["demo", "--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert "admin@demo.eszok.pl" in out and demo.DEMO_PASSWORD in out

    with database.admin.connect() as conn:
        roles = set(conn.execute(text("SELECT role FROM auth.users")).scalars())
        assert roles == {"administrator", "kierownik", "handlowiec", "serwisant", "programista"}
        per_calendar = dict(
            conn.execute(
                text(
                    "SELECT c.code, count(*) FROM eszok.events e "
                    "JOIN eszok.calendars c ON c.id = e.calendar_id GROUP BY c.code"
                )
            ).all()
        )
        assert set(per_calendar) == {"handlowy", "serwis", "nieobecnosci"}
        first, last = conn.execute(
            text("SELECT min(starts_at), max(starts_at) FROM eszok.events")
        ).one()
        assert last - first >= timedelta(days=25)
        assert (
            conn.execute(
                text("SELECT count(*) FROM eszok.events WHERE cardinality(participant_ids) > 1")
            ).scalar()
            >= 2
        )
        overlapping = conn.execute(
            text(
                "SELECT count(*) FROM eszok.events a JOIN eszok.events b ON a.id < b.id "
                "AND a.participant_ids && b.participant_ids AND NOT a.all_day AND NOT b.all_day "
                "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
            )
        ).scalar()
        assert overlapping >= 1
        nips = (
            conn.execute(
                text("SELECT DISTINCT company_nip FROM eszok.events WHERE company_nip IS NOT NULL")
            )
            .scalars()
            .all()
        )
        assert nips and all(nip.is_valid(n) for n in nips)
        assert conn.execute(text("SELECT count(*) FROM eszok.calendar_grants")).scalar() >= 2
        assert conn.execute(text("SELECT count(*) FROM eszok.announcements")).scalar() >= 2
        assert conn.execute(text("SELECT count(*) FROM eszok.notes")).scalar() >= 6
        has_cards = conn.execute(text("SELECT to_regclass('eszok.cards')")).scalar()
        if has_cards is not None:
            assert conn.execute(text("SELECT count(*) FROM eszok.cards")).scalar() > 0

    # the demo accounts really sign in, and each sees its own events
    db = database.signed_in("serwisant@demo.eszok.pl", demo.DEMO_PASSWORD)
    with db.session() as session:
        seen = session.execute(text("SELECT count(*) FROM eszok.events")).scalar()
    assert seen > 0

    assert cli.run(["demo", "--dsn", dsn]) == 0
    assert "already loaded" in capsys.readouterr().out
    with database.admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auth.users")).scalar() == len(
            demo.DEMO_USERS
        )


def test_commands_without_dsn_use_the_embedded_server(monkeypatch, capsys):
    base = Path(tempfile.mkdtemp(prefix="eszok-cli-", dir="/tmp"))
    base.chmod(0o755)
    monkeypatch.setenv("ESZOK_DATA_DIR", str(base / "data"))
    try:
        assert cli.run(["db", "status"]) == 0
        assert "up to date; 0 user(s)" in capsys.readouterr().out
        server = EmbeddedServer(base / "data")
        assert server.is_initialized and not server.is_running()  # stopped afterwards
    finally:
        server = EmbeddedServer(base / "data")
        if server.is_initialized and server.is_running():
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
