"""Foundation figures: sign-in cost and audit-trigger overhead, on a throwaway server.

    .venv/bin/python benchmarks/foundation.py [--fast] [--single 300] [--repeats 9]

Starts its own private cluster with the same EmbeddedServer class the app uses (as the
``postgres`` user when run as root), migrates it, prints the figures and removes it.

* ``auth.login`` at the bcrypt cost the client hashes with (median of ``--logins``), plus
  a wrong password and an unknown e-mail for comparison (they should cost the same).
* Audit trigger overhead: ``eszok.events`` against ``eszok.events_noaudit``, a copy made
  in the same run with the same columns, constraints, indexes, foreign keys, row-level
  policies, grants, rows and every other trigger, only without the audit trigger. Both
  are updated by a signed-in client over the client login, interleaved so drift on a
  shared machine hits both alike: a single-row UPDATE (median of ``--single``) and a
  2,000-row UPDATE (median of ``--repeats``). Every UPDATE really changes the rows (a
  no-op writes no history and would flatter the trigger).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users

DATABASE = "eszok_bench"
PASSWORD = "Haslo1234"
COPY = "events_noaudit"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def add_user(admin: Engine, email: str, role: str) -> int:
    with Session(admin) as session, session.begin():
        return users.add_user(
            session,
            email=email,
            full_name=email.split("@")[0],
            role=role,
            password_hash=auth.hash_password(PASSWORD),
        )


def measure_login(admin: Engine, client: Database, count: int) -> None:
    email = "logowanie@example.pl"
    hash_times = [timed(lambda: auth.hash_password(PASSWORD)) for _ in range(3)]
    add_user(admin, email, "serwisant")

    def login(address: str, password: str) -> str | None:
        with client.session() as session:
            return session.execute(
                text("SELECT auth.login(:e, :p)"), {"e": address, "p": password}
            ).scalar()

    assert login(email, PASSWORD), "sign-in failed"  # warm-up: connection, plan cache
    good = [timed(lambda: login(email, PASSWORD)) for _ in range(count)]
    wrong = []
    for _ in range(count):
        wrong.append(timed(lambda: login(email, "Zle-haslo99")))
        # five failures lock the account; keep it measurable
        with admin.begin() as conn:
            conn.execute(text("UPDATE auth.users SET failed_logins = 0, locked_until = NULL"))
    unknown = [timed(lambda: login("nikt@example.pl", PASSWORD)) for _ in range(count)]

    print(f"\nSign-in (bcrypt cost {auth.BCRYPT_COST}, verified by pgcrypto crypt())")
    print(
        f"  auth.login, right password, median of {count}: {ms(statistics.median(good))}"
        f"   (min {ms(min(good)).strip()}, max {ms(max(good)).strip()})"
    )
    print(f"  auth.login, wrong password, median of {count}: {ms(statistics.median(wrong))}")
    print(f"  auth.login, unknown e-mail, median of {count}: {ms(statistics.median(unknown))}")
    print(f"  Python bcrypt hash_password, median of 3:  {ms(statistics.median(hash_times))}")


def make_copy(conn: Connection) -> None:
    """eszok.events_noaudit: eszok.events in everything but the audit trigger."""
    conn.execute(text("SET ROLE eszok_owner"))
    conn.execute(text(f"CREATE TABLE eszok.{COPY} (LIKE eszok.events INCLUDING ALL)"))
    for (definition,) in conn.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'eszok.events'::regclass AND contype = 'f'"
        )
    ).all():
        conn.execute(text(f"ALTER TABLE eszok.{COPY} ADD {definition}"))
    conn.execute(text(f"ALTER TABLE eszok.{COPY} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE eszok.{COPY} FORCE ROW LEVEL SECURITY"))
    policies = conn.execute(
        text(
            "SELECT policyname, permissive, cmd, qual, with_check FROM pg_policies "
            "WHERE schemaname = 'eszok' AND tablename = 'events'"
        )
    ).all()
    for p in policies:
        sql = f"CREATE POLICY {p.policyname} ON eszok.{COPY} AS {p.permissive} FOR {p.cmd}"
        if p.qual:
            sql += f" USING ({p.qual})"
        if p.with_check:
            sql += f" WITH CHECK ({p.with_check})"
        conn.execute(text(sql))
    triggers = conn.execute(
        text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'eszok.events'::regclass AND NOT tgisinternal"
        )
    ).all()
    copied = []
    for name, definition in triggers:
        if name == "audit":
            continue
        conn.execute(text(definition.replace(" ON eszok.events ", f" ON eszok.{COPY} ", 1)))
        copied.append(name)
    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON eszok.{COPY} TO eszok_client"))
    # generated columns (long_event) are computed, not copied
    columns = ", ".join(
        conn.execute(
            text(
                "SELECT quote_ident(attname) FROM pg_attribute "
                "WHERE attrelid = 'eszok.events'::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum"
            )
        ).scalars()
    )
    conn.execute(
        text(
            f"INSERT INTO eszok.{COPY} ({columns}) OVERRIDING SYSTEM VALUE "
            f"SELECT {columns} FROM eszok.events"
        )
    )
    conn.execute(text("RESET ROLE"))
    print(f"  copy {COPY}: {len(policies)} policies; triggers kept: {', '.join(sorted(copied))}")


def measure_audit(admin: Engine, server: EmbeddedServer, rows: int, single: int, repeats: int):
    user_id = add_user(admin, "pomiar@example.pl", "handlowiec")
    with admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, "
                "participant_ids, created_by) "
                "SELECT k.calendar_id, k.id, 'Spotkanie ' || g, "
                "       now() + g * interval '1 hour', now() + g * interval '1 hour' "
                "       + interval '30 minutes', ARRAY[CAST(:u AS bigint)], :u "
                "  FROM generate_series(1, :n) g, "
                "       (SELECT k.id, k.calendar_id FROM eszok.event_kinds k "
                "          JOIN eszok.calendars c ON c.id = k.calendar_id "
                "         WHERE c.code = 'handlowy' ORDER BY k.sort_order LIMIT 1) k"
            ),
            {"u": user_id, "n": rows},
        )
        make_copy(conn)
    engine = create_engine(server.superuser_url(DATABASE), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"VACUUM ANALYZE eszok.events, eszok.{COPY}, audit.change_log"))
    engine.dispose()

    client = Database(server.client_url(DATABASE))
    with client.session() as session:
        result = auth.sign_in(session, "pomiar@example.pl", PASSWORD)
    client.set_token(result.token)
    tables = ["events", COPY]
    with client.session() as session:
        for table in tables:
            n = session.execute(text(f"SELECT count(*) FROM eszok.{table}")).scalar_one()
            assert n == rows, (table, n)
        target = session.execute(
            text("SELECT id FROM eszok.events ORDER BY id OFFSET :o LIMIT 1"), {"o": rows // 2}
        ).scalar_one()

    one_stmt: dict[str, list[float]] = {t: [] for t in tables}
    one_total: dict[str, list[float]] = {t: [] for t in tables}
    many_stmt: dict[str, list[float]] = {t: [] for t in tables}
    many_total: dict[str, list[float]] = {t: [] for t in tables}
    with client.engine.connect() as conn:

        def update(sql: str, params: dict, expected: int, stmt: list, total: list) -> None:
            start = time.perf_counter()
            count = conn.execute(text(sql), params).rowcount
            middle = time.perf_counter()
            conn.commit()
            end = time.perf_counter()
            assert count == expected, (sql, count)
            stmt.append(middle - start)
            total.append(end - start)

        for i in range(single + 5):  # the first rounds warm caches and plans; dropped
            for table in tables if i % 2 else reversed(tables):
                update(
                    f"UPDATE eszok.{table} SET title = :t WHERE id = :i",
                    {"t": f"Spotkanie {i % 2}", "i": target},
                    1,
                    one_stmt[table],
                    one_total[table],
                )
        for i in range(repeats + 1):
            for table in tables if i % 2 else reversed(tables):
                update(
                    f"UPDATE eszok.{table} SET note = :n",
                    {"n": f"Notatka {i}"},
                    rows,
                    many_stmt[table],
                    many_total[table],
                )
        # The server's own account of time per trigger (less noisy than wall clock).
        trigger_times = {}
        for label, sql, params in (
            ("1-row", "UPDATE eszok.events SET title = :t WHERE id = :i", {"t": "E", "i": target}),
            (f"{rows}-row", "UPDATE eszok.events SET note = 'Analiza'", {}),
        ):
            plan = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"), params).scalar()
            conn.commit()
            trigger_times[label] = {
                t["Trigger Name"]: (t["Time"], t["Calls"]) for t in plan[0].get("Triggers", [])
            }
    for series in (one_stmt, one_total):
        for table in tables:
            del series[table][:5]
    for series in (many_stmt, many_total):
        for table in tables:
            del series[table][:1]
    with admin.connect() as conn:
        logged = conn.execute(
            text("SELECT count(*) FROM audit.change_log WHERE table_name = 'events'")
        ).scalar_one()
    client.dispose()

    def line(label: str, series: dict[str, list[float]]) -> None:
        audited = statistics.median(series["events"])
        plain = statistics.median(series[COPY])
        print(f"  {label:<40} {ms(audited)} {ms(plain)}   x{audited / plain:5.2f}")

    print(f"\nAudit trigger overhead (signed-in client, RLS on, {rows} rows in each table)")
    print(f"  {'':<40} {'with audit':>12} {'without':>12}   ratio")
    line(f"1-row UPDATE, statement (median of {single})", one_stmt)
    line(f"1-row UPDATE + COMMIT (median of {single})", one_total)
    line(f"{rows}-row UPDATE, statement (median of {repeats})", many_stmt)
    line(f"{rows}-row UPDATE + COMMIT (median of {repeats})", many_total)
    per_row = (statistics.median(many_stmt["events"]) - statistics.median(many_stmt[COPY])) / rows
    print(
        f"  audit cost per updated row: {per_row * 1e6:.1f} µs; change_log rows for events: "
        f"{logged}"
    )
    print("  EXPLAIN ANALYZE on eszok.events, time inside each trigger:")
    for label, triggers in trigger_times.items():
        parts = ", ".join(
            f"{name} {time_ms:.2f} ms/{calls}"
            for name, (time_ms, calls) in sorted(triggers.items())
        )
        print(f"    {label:>9} UPDATE: {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fsync off, as the test suite runs")
    parser.add_argument("--logins", type=int, default=10)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="eszok-bench-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=args.fast)
    try:
        t_init = timed(server.initialize)
        t_start = timed(server.start)
        t_migrate = timed(
            lambda: (
                schema.ensure_database(server.superuser_url(), DATABASE),
                schema.upgrade(
                    server.superuser_url(DATABASE),
                    client_password=server.config.client_password,
                ),
            )
        )
        admin = create_engine(server.superuser_url(DATABASE))
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
        print(
            f"PostgreSQL {version}, fsync {'off' if args.fast else 'on'}, "
            f"{os.cpu_count()} CPUs, load average {load[0]:.2f} (shared machines: noisy)"
        )
        print(
            f"  cluster: initdb {t_init:.2f} s, start {t_start:.2f} s, "
            f"create + migrate database {t_migrate:.2f} s"
        )
        client = Database(server.client_url(DATABASE))
        measure_login(admin, client, args.logins)
        client.dispose()
        measure_audit(admin, server, args.rows, args.single, args.repeats)
        admin.dispose()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
