"""The start-up steps shared by the app and the admin command line (no Qt here).

``prepare_embedded`` brings the local server to a usable state (create the cluster on
first run, start it, create and migrate the database); ``check_database`` is the check a
client runs against any server before showing the login window.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from sqlalchemy import Connection, text

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.errors import PgcryptoMissing
from eszok_desktop.db.server import DATABASE, EmbeddedServer
from eszok_desktop.db.settings import data_dir

Progress = schema.Progress


class Step(StrEnum):
    """The stages of preparing the embedded server, reported to the progress dialog."""

    CREATE_CLUSTER = "create_cluster"
    START_SERVER = "start_server"
    CREATE_DATABASE = "create_database"
    MIGRATE = "migrate"
    DONE = "done"


def embedded_server() -> EmbeddedServer:
    """The user's embedded server (its binaries are looked up on first use)."""
    return EmbeddedServer(data_dir())


def prepare_embedded(server: EmbeddedServer, progress: Progress | None = None) -> None:
    """Initialise (first run only), start and migrate the embedded server; idempotent."""
    say = progress or (lambda _step: None)
    if not server.is_initialized:
        say(Step.CREATE_CLUSTER)
        server.initialize()
    say(Step.START_SERVER)
    server.start()
    say(Step.CREATE_DATABASE)
    schema.ensure_database(server.superuser_url(), DATABASE)
    say(Step.MIGRATE)
    if not _is_current(server):
        schema.upgrade(server.superuser_url(), client_password=server.config.client_password)
    say(Step.DONE)


def _is_current(server: EmbeddedServer) -> bool:
    """True when the database is already at this client's head (skip Alembic: faster)."""
    db = Database(server.client_url(), pool_size=1)
    try:
        with db.engine.connect() as conn:
            schema.check_schema_version(conn)
    except Exception:
        return False
    finally:
        db.dispose()
    return True


@contextmanager
def running_embedded(server: EmbeddedServer | None = None) -> Iterator[EmbeddedServer]:
    """The embedded server, prepared; stopped afterwards only if this call started it."""
    server = server or embedded_server()
    try:
        prepare_embedded(server)
        yield server
    finally:
        if server.started_here:
            server.stop()


def check_pgcrypto(conn: Connection) -> None:
    """Raise PgcryptoMissing unless sign-in's extension is (or can be) installed.

    With the schema installed pgcrypto must be present; on an empty database it is
    enough that the server offers it, since ``eszok db upgrade`` installs it.
    """
    installed = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'")).first()
    if installed is not None:
        return
    schema_present = conn.execute(text("SELECT to_regnamespace('auth') IS NOT NULL")).scalar()
    available = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto'")
    ).first()
    conn.rollback()
    if schema_present or available is None:
        raise PgcryptoMissing("pgcrypto is not installed in this database")


def check_database(db: Database) -> None:
    """Everything a client needs before sign-in, as typed setup errors.

    In order: the server answers and accepts the login (ServerUnreachable,
    AuthenticationFailed, DatabaseMissing), pgcrypto (PgcryptoMissing), and the schema
    is exactly this client's version (SchemaNotInstalled, SchemaVersionMismatch).
    """
    db.check_reachable()
    with db.engine.connect() as conn:
        check_pgcrypto(conn)
        schema.check_schema_version(conn)
