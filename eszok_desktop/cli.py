"""``eszok``: the desktop app (no arguments) and the administrator's command line.

    eszok                                   open the app
    eszok db upgrade [--dsn DSN] [--client-password-stdin]
    eszok db status  [--dsn DSN]
    eszok user add --email E --name N --role R --password-stdin [--dsn DSN]
    eszok demo [--dsn DSN]

``--dsn`` is a maintenance login on a central server (a superuser, or a role with
CREATEROLE that may grant on the database), e.g. ``postgresql://admin@db.firma.local/eszok``;
libpq's ``PGPASSWORD`` and ``~/.pgpass`` supply its password. Without ``--dsn`` the
commands work on this user's embedded server, started for the command if needed and
stopped afterwards if the command started it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy import URL, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from eszok_desktop.db import errors as db_errors
from eszok_desktop.db import schema, startup
from eszok_desktop.db.engine import classify_connect_error
from eszok_desktop.services import demo, users
from eszok_desktop.services.errors import ValidationError

VALIDATION_TEXT = {
    ("email", "invalid"): "not a valid e-mail address",
    ("email", "taken"): "a user with this e-mail already exists",
    ("full_name", "required"): "the name must not be empty",
    ("role", "unknown"): "unknown role",
    ("password", "too_short"): "the password must have at least {limit} characters",
    ("password", "too_long"): "the password must be at most {limit} bytes (UTF-8)",
    ("password", "needs_letter_and_digit"): "the password needs a letter and a digit",
    ("password", "required"): "a password is required",
}

SETUP_TEXT = {
    db_errors.ServerBinariesNotFound: "no PostgreSQL server binaries found on this machine "
    "(install PostgreSQL or pass --dsn)",
    db_errors.ServerStartFailed: "the embedded PostgreSQL server did not start",
    db_errors.ServerUnreachable: "cannot reach the database server",
    db_errors.AuthenticationFailed: "the server refused the login (password?)",
    db_errors.DatabaseMissing: "the database does not exist on the server",
    db_errors.PgcryptoMissing: "the server has no pgcrypto extension "
    "(install the PostgreSQL contrib package)",
    db_errors.SchemaNotInstalled: "the database has no eSZOK schema (run: eszok db upgrade)",
    db_errors.SchemaVersionMismatch: "the database schema version differs from this client",
}


class CommandFailed(Exception):
    """A failure already explained in plain words; exit code 1."""


def explain(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        template = VALIDATION_TEXT.get((exc.field, exc.code), f"{exc.field}: {exc.code}")
        return template.format(limit=exc.limit)
    for kind, message in SETUP_TEXT.items():
        if isinstance(exc, kind):
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return f"{message}: {detail}" if detail else message
    return str(exc)


def maintenance_url(dsn: str) -> URL:
    """A DSN as typed by an administrator, with the driver this package uses."""
    url = make_url(dsn)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


@contextmanager
def maintenance_target(dsn: str | None) -> Iterator[URL]:
    """The maintenance URL of ``--dsn``, or of the embedded server (started if needed)."""
    if dsn:
        yield maintenance_url(dsn)
        return
    with startup.running_embedded() as server:
        yield server.superuser_url()


@contextmanager
def maintenance_session(url: URL) -> Iterator[Session]:
    engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with Session(engine) as session, session.begin():
            yield session
    except OperationalError as exc:
        raise classify_connect_error(exc) from exc
    finally:
        engine.dispose()


def read_secret(stream: TextIO) -> str:
    """One line from stdin, without its line break (so `echo pw |` and files both work)."""
    line = stream.readline()
    return line.rstrip("\r\n")


def revision_of(url: URL) -> str | None:
    engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            return schema.database_revision(conn)
    except OperationalError as exc:
        raise classify_connect_error(exc) from exc
    finally:
        engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace, out: TextIO) -> None:
    client_password = read_secret(sys.stdin) if args.client_password_stdin else None
    if args.client_password_stdin and not client_password:
        raise CommandFailed("empty client password on stdin")
    if args.dsn:
        url = maintenance_url(args.dsn)
        try:
            schema.ensure_database(url, url.database or "eszok")
        except Exception as exc:  # no right to connect to `postgres`: the DB may exist
            print(
                f"note: could not check/create database {url.database!r}: {explain(exc)}",
                file=sys.stderr,
            )
        try:
            schema.upgrade(url, client_password=client_password)
        except OperationalError as exc:
            raise classify_connect_error(exc) from exc
        revision = revision_of(url)
    else:
        # the embedded server keeps its own generated client password
        with startup.running_embedded() as server:
            revision = revision_of(server.superuser_url())
    head = schema.client_schema_head()
    print(f"database is at revision {revision} (client head {head})", file=out)
    if args.dsn and client_password is None:
        print(
            "note: the eszok_client password was not changed; set it with "
            "--client-password-stdin before desktop clients connect",
            file=out,
        )


def cmd_db_status(args: argparse.Namespace, out: TextIO) -> int:
    with maintenance_target(args.dsn) as url:
        revision = revision_of(url)
        head = schema.client_schema_head()
        print(f"server: {url.render_as_string(hide_password=True)}", file=out)
        print(f"database revision: {revision or 'none (no eSZOK schema)'}", file=out)
        print(f"client head: {head}", file=out)
        if revision is None:
            print("status: not installed (run: eszok db upgrade)", file=out)
            return 2
        if revision != head:
            newer = revision not in schema.known_revisions()
            state = "database is newer than this client" if newer else "needs upgrade"
            print(f"status: {state}", file=out)
            return 2
        with maintenance_session(url) as session:
            count = session.execute(text("SELECT count(*) FROM auth.users")).scalar_one()
        print(f"status: up to date; {count} user(s)", file=out)
        return 0


def cmd_user_add(args: argparse.Namespace, out: TextIO) -> None:
    if not args.password_stdin:
        raise CommandFailed("pass the password on stdin with --password-stdin")
    password = read_secret(sys.stdin)
    with maintenance_target(args.dsn) as url, maintenance_session(url) as session:
        user_id = users.add_user(
            session, email=args.email, full_name=args.name, role=args.role, password=password
        )
    print(f"user {args.email} ({args.role}) added with id {user_id}", file=out)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> None:
    with maintenance_target(args.dsn) as url, maintenance_session(url) as session:
        try:
            summary = demo.load_demo(session)
        except demo.DemoAlreadyLoaded:
            print("demo data is already loaded; nothing changed", file=out)
            return
    print(summary.describe(), file=out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eszok", description="eSZOK desktop; without a command it opens the app."
    )
    commands = parser.add_subparsers(dest="command")

    def with_dsn(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--dsn",
            help="maintenance login of a central server, e.g. postgresql://admin@host/eszok "
            "(default: this user's embedded server)",
        )

    db = commands.add_parser("db", help="create, upgrade or check a database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="create roles and schema (idempotent)")
    with_dsn(upgrade)
    upgrade.add_argument(
        "--client-password-stdin",
        action="store_true",
        help="read the password of the eszok_client login (which desktop clients use) "
        "from stdin and set it",
    )
    status = db_commands.add_parser("status", help="show the schema revision")
    with_dsn(status)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a user")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", required=True, choices=users.ROLE_CODES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    with_dsn(add)

    demo_parser = commands.add_parser("demo", help="load demo users, events, notes")
    with_dsn(demo_parser)
    return parser


def run(argv: list[str], out: TextIO | None = None) -> int:
    """Run a command line; returns the exit code (the app's, without a command)."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.command is None:
        from eszok_desktop.app import main as app_main

        return app_main([sys.argv[0]])
    handlers: dict[tuple[str, str | None], Callable[[argparse.Namespace, TextIO], int | None]]
    handlers = {
        ("db", "upgrade"): cmd_db_upgrade,
        ("db", "status"): cmd_db_status,
        ("user", "add"): cmd_user_add,
        ("demo", None): cmd_demo,
    }
    sub = getattr(args, "db_command", None) or getattr(args, "user_command", None)
    try:
        return handlers[(args.command, sub)](args, out) or 0
    except (CommandFailed, ValidationError, db_errors.DatabaseSetupError) as exc:
        print(f"eszok: {explain(exc)}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        # e.g. a maintenance login without the rights the command needs
        print(f"eszok: database error: {exc.orig}", file=sys.stderr)
        return 1


def main() -> None:
    """Entry point of the ``eszok`` script."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
