"""Creating roles and migrating a database, and checking a database's schema version.

``upgrade`` is what ``eszok db upgrade`` and the embedded server run: it needs a
maintenance login (a superuser, or a role with CREATEROLE that may grant on the
database). It is idempotent. The migrations themselves run as ``eszok_owner`` so that
role owns every object; ``eszok_client`` only receives the grants the migrations give.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from eszok_desktop.db.errors import PgcryptoMissing, SchemaNotInstalled, SchemaVersionMismatch

OWNER_ROLE = "eszok_owner"
CLIENT_ROLE = "eszok_client"
ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"
VERSION_TABLE_SCHEMA = "public"

Progress = Callable[[str], None]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config


def client_schema_head() -> str:
    """The newest migration this client was built with."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def prepare_cluster(conn: Connection, client_password: str | None) -> None:
    """Create the two roles if missing; set the client's password when one is given."""
    exists = conn.execute(
        text("SELECT rolname FROM pg_roles WHERE rolname IN (:o, :c)"),
        {"o": OWNER_ROLE, "c": CLIENT_ROLE},
    ).scalars()
    present = set(exists)
    if OWNER_ROLE not in present:
        conn.execute(text(f"CREATE ROLE {OWNER_ROLE} NOLOGIN"))
    if CLIENT_ROLE not in present:
        conn.execute(
            text(
                f"CREATE ROLE {CLIENT_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                "NOINHERIT NOREPLICATION NOBYPASSRLS"
            )
        )
    if client_password is not None:
        # DDL takes no bind parameters; quote the literal on the server instead.
        quoted = conn.execute(text("SELECT quote_literal(:p)"), {"p": client_password}).scalar()
        conn.execute(text(f"ALTER ROLE {CLIENT_ROLE} PASSWORD {quoted}"))
    # The maintenance login must be able to act as the owner to run migrations.
    conn.execute(text(f"GRANT {OWNER_ROLE} TO current_user"))


def prepare_database(conn: Connection) -> None:
    """Database-level privileges (not copied by CREATE DATABASE … TEMPLATE)."""
    db = conn.execute(text("SELECT quote_ident(current_database())")).scalar()
    conn.execute(text(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC"))
    conn.execute(text(f"GRANT CONNECT, CREATE ON DATABASE {db} TO {OWNER_ROLE}"))
    conn.execute(text(f"GRANT CONNECT ON DATABASE {db} TO {CLIENT_ROLE}"))
    conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER_ROLE}"))
    available = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto'")
    ).first()
    if available is None:
        raise PgcryptoMissing("the server has no pgcrypto extension")


def ensure_database(maintenance_url: URL | str, name: str) -> None:
    """Create database ``name`` if it does not exist (connecting to ``postgres``)."""
    url = make_url(maintenance_url).set(database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0'))
    finally:
        engine.dispose()


def run_migrations(conn: Connection, revision: str = "head", *, downgrade: bool = False) -> None:
    """Run Alembic on ``conn`` as the owner role (the caller commits)."""
    conn.execute(text(f"SET ROLE {OWNER_ROLE}"))
    config = alembic_config()
    config.attributes["connection"] = conn
    if downgrade:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)
    conn.execute(text("RESET ROLE"))


def upgrade(
    maintenance_url: URL | str,
    *,
    client_password: str | None = None,
    revision: str = "head",
    progress: Progress | None = None,
) -> None:
    """Create roles, secure the database and migrate it; safe to run again."""
    say = progress or (lambda _message: None)
    engine = create_engine(maintenance_url)
    try:
        with engine.begin() as conn:
            say("roles")
            prepare_cluster(conn, client_password)
            say("privileges")
            prepare_database(conn)
            say("migrations")
            run_migrations(conn, revision)
    finally:
        engine.dispose()


def database_revision(conn: Connection) -> str | None:
    """The revision stamped in the database, or None when it has no eSZOK schema."""
    return MigrationContext.configure(
        conn, opts={"version_table_schema": VERSION_TABLE_SCHEMA}
    ).get_current_revision()


def stamped_revision(conn: Connection | Session) -> str | None:
    """The revision in the version table, read with the client's plain SELECT right."""
    return conn.execute(
        text(f"SELECT version_num FROM {VERSION_TABLE_SCHEMA}.alembic_version")
    ).scalar()


def check_schema_version(conn: Connection) -> None:
    """Raise unless the database is at exactly the revision this client expects."""
    try:
        current = database_revision(conn)
    except Exception as exc:  # no version table or no right to read it
        raise SchemaNotInstalled(str(exc)) from exc
    finally:
        conn.rollback()
    head = client_schema_head()
    if current is None:
        raise SchemaNotInstalled("no schema version recorded")
    if current != head:
        raise SchemaVersionMismatch(current, head, newer=current not in known_revisions())
