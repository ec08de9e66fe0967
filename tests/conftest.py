"""Test setup: offscreen Qt, one throwaway PostgreSQL cluster per run, one database per test.

The cluster is started with the same EmbeddedServer class the app uses (as the
``postgres`` user when run as root). A template database is migrated once; each test
that asks for ``database`` gets a fresh copy of it, so tests may commit freely and
background threads see committed data.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TZ", "Europe/Warsaw")

import itertools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import URL, Engine, create_engine, text

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users

time.tzset()

TEMPLATE = "eszok_template"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def cached_hash(password: str) -> str:
    """bcrypt at cost 12 takes ~0.25 s; hash each test password once per run."""
    if password not in _hash_cache:
        _hash_cache[password] = auth.hash_password(password)
    return _hash_cache[password]


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in memory (headless machines have none)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class OwnServer:
    """A server of your own named by ``ESZOK_TEST_DSN`` (a superuser login), used instead of
    the throwaway cluster: tests create and drop their databases on it, and the
    ``eszok_client`` role gets the password ``ESZOK_TEST_CLIENT_PASSWORD`` (default
    ``eszok-test``)."""

    def __init__(self, dsn: str) -> None:
        from types import SimpleNamespace

        from sqlalchemy.engine import make_url

        self.url = make_url(dsn).set(drivername="postgresql+psycopg")
        password = os.environ.get("ESZOK_TEST_CLIENT_PASSWORD", "eszok-test")
        self.config = SimpleNamespace(client_password=password)

    def superuser_url(self, database: str = "postgres") -> URL:
        return self.url.set(database=database)

    def client_url(self, database: str) -> URL:
        return self.url.set(
            username="eszok_client", password=self.config.client_password, database=database
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedServer]:
    if dsn := os.environ.get("ESZOK_TEST_DSN"):
        own = OwnServer(dsn)
        root = create_engine(own.superuser_url(), isolation_level="AUTOCOMMIT")
        with root.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        root.dispose()
        schema.ensure_database(own.superuser_url(), TEMPLATE)
        schema.upgrade(own.superuser_url(TEMPLATE), client_password=own.config.client_password)
        yield own  # type: ignore[misc]
        return
    base = Path(tempfile.mkdtemp(prefix="eszok-test-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=True)
    server.initialize()
    server.start()
    schema.ensure_database(server.superuser_url(), TEMPLATE)
    schema.upgrade(server.superuser_url(TEMPLATE), client_password=server.config.client_password)
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@dataclass
class TestDatabase:
    """One fresh, migrated database with URLs for the maintenance and client logins."""

    name: str
    server: EmbeddedServer
    admin: Engine

    @property
    def admin_url(self) -> URL:
        return self.server.superuser_url(self.name)

    @property
    def client_url(self) -> URL:
        return self.server.client_url(self.name)

    def add_user(self, role: str = "serwisant", *, password: str = "Haslo1234", **kw) -> int:
        """Create a user on the maintenance connection; returns its id."""
        n = next(_counter)
        kw.setdefault("email", f"{role}{n}@example.pl")
        kw.setdefault("full_name", f"{role.capitalize()} Testowy {n}")
        from sqlalchemy.orm import Session

        with Session(self.admin) as session, session.begin():
            return users.add_user(session, role=role, password_hash=cached_hash(password), **kw)

    def client(self) -> Database:
        """A client Database (eszok_client login) with no one signed in yet."""
        db = Database(self.client_url)
        self._clients.append(db)
        return db

    def signed_in(self, email: str, password: str = "Haslo1234") -> Database:
        """A client Database signed in as ``email``."""
        db = self.client()
        with db.session() as session:
            result = auth.sign_in(session, email, password)
        assert result.status == auth.SignInStatus.OK, result
        db.set_token(result.token)
        return db

    def email_of(self, user_id: int) -> str:
        with self.admin.connect() as conn:
            return conn.execute(
                text("SELECT email FROM auth.users WHERE id = :i"), {"i": user_id}
            ).scalar_one()

    def __post_init__(self) -> None:
        self._clients: list[Database] = []

    def close(self) -> None:
        for db in self._clients:
            db.dispose()
        self.admin.dispose()


@pytest.fixture
def database(pg_server: EmbeddedServer) -> Iterator[TestDatabase]:
    name = f"t{os.getpid()}_{next(_counter)}"
    root = create_engine(pg_server.superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}'))
    root.dispose()
    admin = create_engine(pg_server.superuser_url(name))
    with admin.begin() as conn:
        schema.prepare_database(conn)
    db = TestDatabase(name=name, server=pg_server, admin=admin)
    yield db
    db.close()
    root = create_engine(pg_server.superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    root.dispose()


@pytest.fixture
def make_signed_in(database: TestDatabase) -> Callable[..., tuple[int, Database]]:
    """Factory: a new user of ``role`` and a client Database signed in as them."""

    def make(role: str = "serwisant", **kw) -> tuple[int, Database]:
        user_id = database.add_user(role, **kw)
        return user_id, database.signed_in(database.email_of(user_id))

    return make
