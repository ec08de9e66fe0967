"""Alembic history on a fresh, empty database, and the client's schema version check."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import URL, Connection, create_engine, text

from eszok_desktop.db import schema
from eszok_desktop.db.errors import SchemaNotInstalled, SchemaVersionMismatch
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users

_names = itertools.count(1)

# What the migrations own, counted in a way that shows both leftovers and duplicates.
INVENTORY = """
SELECT
  (SELECT array_agg(nspname ORDER BY nspname) FROM pg_namespace
    WHERE nspname IN ('auth', 'eszok', 'audit', 'extensions')) AS schemas,
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('auth', 'eszok', 'audit') AND c.relkind IN ('r', 'p')) AS tables,
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname IN ('auth', 'eszok', 'audit')) AS functions,
  (SELECT count(*) FROM pg_policy) AS policies,
  (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal) AS triggers,
  (SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto') AS pgcrypto,
  (SELECT count(*) FROM pg_default_acl) AS default_acls,
  (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
    WHERE r.rolname = 'eszok_owner' AND c.relname NOT LIKE 'alembic_version%') AS owned_relations
"""


def inventory(url: URL) -> dict[str, object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text(INVENTORY)).mappings().one())
    finally:
        engine.dispose()


def revision(url: URL) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return schema.database_revision(conn)
    finally:
        engine.dispose()


def downgrade_to_base(url: URL) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            schema.run_migrations(conn, "base", downgrade=True)
    finally:
        engine.dispose()


def check(url: URL) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schema.check_schema_version(conn)
    finally:
        engine.dispose()


def client_can_sign_in(server: EmbeddedServer, url: URL) -> bool:
    """End to end: a user added on the maintenance login signs in as eszok_client."""
    engine = create_engine(url)
    from sqlalchemy.orm import Session

    try:
        with Session(engine) as session, session.begin():
            users.add_user(
                session,
                email="migracja@example.pl",
                full_name="Migracja",
                role="serwisant",
                password="Haslo1234",
            )
    finally:
        engine.dispose()
    client = create_engine(server.client_url(url.database))
    try:
        with Session(client) as session, session.begin():
            return auth.sign_in(session, "migracja@example.pl", "Haslo1234").status == "ok"
    finally:
        client.dispose()


@pytest.fixture
def empty_database(pg_server: EmbeddedServer) -> Iterator[URL]:
    """A brand-new database on the test cluster, created the way `eszok db upgrade` does."""
    name = f"mig{os.getpid()}_{next(_names)}"
    schema.ensure_database(pg_server.superuser_url(), name)
    yield pg_server.superuser_url(name)
    root = create_engine(pg_server.superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    root.dispose()


def test_upgrade_downgrade_upgrade_on_an_empty_database(pg_server, empty_database):
    url = empty_database
    password = pg_server.config.client_password
    assert revision(url) is None

    schema.upgrade(url, client_password=password)
    assert revision(url) == schema.client_schema_head()
    at_head = inventory(url)
    assert at_head["schemas"] == ["audit", "auth", "eszok", "extensions"]
    assert at_head["pgcrypto"] == 1
    assert at_head["default_acls"] == 1  # functions are not executable by PUBLIC

    downgrade_to_base(url)
    assert revision(url) is None
    base = inventory(url)
    assert base == {
        "schemas": None,
        "tables": 0,
        "functions": 0,
        "policies": 0,
        "triggers": 0,
        "pgcrypto": 0,
        "default_acls": 0,
        "owned_relations": 0,
    }

    schema.upgrade(url, client_password=password)
    assert revision(url) == schema.client_schema_head()
    assert inventory(url) == at_head
    assert client_can_sign_in(pg_server, url)


def test_upgrade_twice_is_idempotent(pg_server, empty_database):
    url = empty_database
    password = pg_server.config.client_password
    schema.upgrade(url, client_password=password)
    first = inventory(url)
    assert client_can_sign_in(pg_server, url)
    schema.upgrade(url, client_password=password)
    assert inventory(url) == first
    assert revision(url) == schema.client_schema_head()
    engine = create_engine(url)
    with engine.connect() as conn:
        # data survives, and the seed is not inserted a second time
        assert conn.execute(text("SELECT count(*) FROM auth.users")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM eszok.calendars")).scalar_one() == 3
        assert conn.execute(text("SELECT count(*) FROM eszok.roles")).scalar_one() == 5
    engine.dispose()


def test_empty_database_has_no_schema(empty_database):
    with pytest.raises(SchemaNotInstalled):
        check(empty_database)


def set_stamp(conn: Connection, value: str) -> None:
    conn.execute(text("UPDATE public.alembic_version SET version_num = :v"), {"v": value})


def test_schema_version_check_at_head_passes_for_the_client(database):
    check(database.client_url)
    check(database.admin_url)


def test_unknown_revision_means_the_database_is_newer(database):
    with database.admin.begin() as conn:
        set_stamp(conn, "9999_from_the_future")
    with pytest.raises(SchemaVersionMismatch) as caught:
        check(database.client_url)
    assert caught.value.database_is_newer is True
    assert caught.value.database_version == "9999_from_the_future"
    assert caught.value.client_version == schema.client_schema_head()


def test_known_older_revision_means_the_database_is_older(database):
    with database.admin.begin() as conn:
        set_stamp(conn, "0001")
    assert schema.client_schema_head() != "0001"
    with pytest.raises(SchemaVersionMismatch) as caught:
        check(database.client_url)
    assert caught.value.database_is_newer is False
    assert caught.value.database_version == "0001"
