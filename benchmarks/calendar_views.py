"""Terminarz figures: fetching and laying out a month / week of events on a big database.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/calendar_views.py [--events 100000]
        [--users 20] [--repeats 15] [--no-gc-freeze]

Starts its own private cluster (EmbeddedServer, fsync off), migrates it, creates
``--users`` users and ``--events`` events spread over two years (about seven a working
day per user, a tenth shared, a twentieth all-day), and gives user 1 view grants on
everyone else. Then, signed in as user 1 over the client login (row-level security on),
it times:

* month (November 2026) of user 1 alone, month of all 20 overlaid, week of all 20;
* each as the app does it — ``events.fetch_period`` in a session, the page turning rows
  into the views' items (``RowEvent``), the view's layout, and painting the view into
  an image — beside the raw SQL fetch of the same rows (the same statement through a
  binary psycopg cursor, as the app uses, ``fetchall``) in the same run, interleaved;
  medians of ``--repeats``.

Target (issue 3): a month of 20 users on screen within 150 ms, at most 3× the raw fetch.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users
from eszok_desktop.services.calendar import events
from eszok_desktop.services.calendar.periods import ViewMode, fetch_bounds, visible_days
from eszok_desktop.ui.calendar.calendar_page import CalendarPage
from eszok_desktop.ui.context import AppContext
from eszok_desktop.ui.task_runner import TaskRunner

DATABASE = "eszok_bench_calendar"
PASSWORD = "Haslo1234"
TZ = ZoneInfo("Europe/Warsaw")

# Every user gets about seven events a working day, from 07:30 on, some overlapping and
# one in ten shared with a colleague; one event in twenty is all-day (local midnight to
# midnight). Spread over two years, as a busy sales and service team would have them.
FILL = """
INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, all_day,
                          participant_ids, company_name, created_by)
SELECT k.calendar_id, k.id, 'Zadanie ' || g, s.start,
       CASE WHEN s.all_day
            THEN (date '2026-01-01' + s.day + 1)::timestamp AT TIME ZONE 'Europe/Warsaw'
            ELSE s.start + (30 + (g * 37) % 210) * interval '1 minute' END,
       s.all_day,
       CASE WHEN p.shared THEN ARRAY[u.id, (SELECT min(id) FROM auth.users) + (g * 7) % :users]
            ELSE ARRAY[u.id] END,
       CASE WHEN g % 3 = 0 THEN 'Firma ' || (g % 500) END,
       u.id
  FROM generate_series(0, :n - 1) AS g
  CROSS JOIN LATERAL (
      SELECT g % 730 AS day, g / 730 % :users AS user_no, g / 730 / :users AS nth,
             abs(hashint4(g)) % 20 = 0 AS all_day,  -- a hash: g % 20 would pick days
             abs(hashint4(-g)) % 10 = 0 AS shared) AS p
  CROSS JOIN LATERAL (
      SELECT p.day, p.all_day,
             CASE WHEN p.all_day
                  THEN (date '2026-01-01' + p.day)::timestamp AT TIME ZONE 'Europe/Warsaw'
                  ELSE (date '2026-01-01' + p.day + time '07:30') AT TIME ZONE 'Europe/Warsaw'
                       + (p.nth * 6 + (g * 13) % 4) * interval '15 minutes' END AS start) AS s
  CROSS JOIN LATERAL (
      SELECT id FROM auth.users ORDER BY id OFFSET p.user_no LIMIT 1) AS u
  CROSS JOIN LATERAL (
      SELECT id, calendar_id FROM eszok.event_kinds ORDER BY id OFFSET (g % 10) LIMIT 1) AS k
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="skip the gc.freeze() the app does after start-up (app.py)",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)

    base = Path(tempfile.mkdtemp(prefix="eszok-bench-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=True)
    try:
        server.initialize()
        server.start()
        schema.ensure_database(server.superuser_url(), DATABASE)
        schema.upgrade(
            server.superuser_url(DATABASE), client_password=server.config.client_password
        )
        admin = create_engine(server.superuser_url(DATABASE))
        password_hash = auth.hash_password(PASSWORD)
        ids = []
        with Session(admin) as session, session.begin():
            for n in range(args.users):
                ids.append(
                    users.add_user(
                        session,
                        email=f"user{n + 1}@example.pl",
                        full_name=f"Użytkownik {n + 1:02d}",
                        role="handlowiec",
                        password_hash=password_hash,
                    )
                )
            for other in ids[1:]:
                session.execute(
                    text(
                        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, "
                        "granted_by) VALUES (:o, :g, 'view', :o)"
                    ),
                    {"o": other, "g": ids[0]},
                )
        t_fill = time.perf_counter()
        with admin.begin() as conn:
            conn.execute(text(FILL), {"n": args.events, "users": args.users})
        with admin.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE eszok.events")
            )
            count = conn.execute(text("SELECT count(*) FROM eszok.events")).scalar_one()
            version = conn.execute(text("SHOW server_version")).scalar_one()
        t_fill = time.perf_counter() - t_fill
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        print(
            f"PostgreSQL {version}, {os.cpu_count()} CPUs, load {load:.2f}; "
            f"{count} events, {args.users} users (filled in {t_fill:.1f} s)"
        )

        db = Database(server.client_url(DATABASE))
        with db.session() as session:
            result = auth.sign_in(session, "user1@example.pl", PASSWORD)
        db.set_token(result.token)
        with db.session() as session:
            me = auth.current_user(session)
        runner = TaskRunner(db)
        page = CalendarPage(AppContext(db, runner, me), tz=TZ)
        page.resize(1400, 860)
        deadline = time.monotonic() + 30
        while page.dictionaries is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        runner.wait()
        app.processEvents()
        for uid in ids:
            page.side_panel.set_user_checked(uid, True)
        runner.wait()
        app.processEvents()
        calendars = [c.id for c in page.dictionaries.calendars]
        if not args.no_gc_freeze:
            gc.collect()
            gc.freeze()  # as app.py does after start-up

        cases = [
            ("month, 1 user", ViewMode.MONTH, [ids[0]]),
            ("month, 20 users", ViewMode.MONTH, ids),
            ("week, 20 users", ViewMode.WEEK, ids),
        ]
        anchor = date(2026, 11, 18)
        raw_conn = db.engine.raw_connection()
        print(
            f"{'':18}{'rows':>6} {'raw SQL':>9} {'fetch':>9} {'→ items':>9} {'layout':>9} "
            f"{'paint':>9} {'total':>9} {'ratio':>6}"
        )
        for label, mode, owners in cases:
            days = visible_days(mode, anchor)
            start, end = fetch_bounds(days, TZ)
            page.mode = mode
            view = page.views[mode]
            view.resize(1100, 800)
            view.set_anchor(anchor)
            params = events.period_params(start, end, owners, calendars)
            raw_s, fetch_s, items_s, layout_s, paint_s = [], [], [], [], []
            rows: list[events.EventRow] = []
            image = QImage(view.size(), QImage.Format.Format_ARGB32_Premultiplied)
            for _ in range(args.repeats + 2):  # the first two warm up caches and plans
                t0 = time.perf_counter()
                with raw_conn.driver_connection.cursor(binary=True) as cur:
                    cur.execute(events.PERIOD_DRIVER_SQL, params)
                    raw_rows = cur.fetchall()
                raw_conn.commit()
                t1 = time.perf_counter()
                with db.session() as session:
                    rows = events.fetch_period(session, start, end, owners, calendars)
                t2 = time.perf_counter()
                page.rows = {row.id: row for row in rows}
                items = page.grid_events(page.rows.values())
                t3 = time.perf_counter()
                view.set_events(items)
                t4 = time.perf_counter()
                painter = QPainter(image)
                view.render(painter, QPoint(0, 0))
                painter.end()
                t5 = time.perf_counter()
                assert len(raw_rows) == len(rows)
                raw_s.append(t1 - t0)
                fetch_s.append(t2 - t1)
                items_s.append(t3 - t2)
                layout_s.append(t4 - t3)
                paint_s.append(t5 - t4)
            raw_s, fetch_s, items_s, layout_s, paint_s = (
                x[2:] for x in (raw_s, fetch_s, items_s, layout_s, paint_s)
            )
            totals = [
                a + b + c + d
                for a, b, c, d in zip(fetch_s, items_s, layout_s, paint_s, strict=True)
            ]
            raw = median_ms(raw_s)
            total = median_ms(totals)
            print(
                f"{label:18}{len(rows):>6} {raw:>7.1f}ms {median_ms(fetch_s):>7.1f}ms "
                f"{median_ms(items_s):>7.1f}ms {median_ms(layout_s):>7.1f}ms "
                f"{median_ms(paint_s):>7.1f}ms {total:>7.1f}ms {total / raw:>5.1f}×"
            )
        fetch_only = "ratio = (fetch + items + layout + paint) / raw SQL fetch of the same rows"
        print(fetch_only)
        raw_conn.close()
        runner.wait()
        page.deleteLater()
        db.dispose()
        admin.dispose()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
