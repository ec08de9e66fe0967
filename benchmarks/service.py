"""Serwis figures with 500,000 task cards, on a throwaway server.

    .venv/bin/python benchmarks/service.py [--cards 500000] [--repeats 7] [--fast]

Starts its own private cluster (the app's EmbeddedServer), migrates it and generates the
cards with one ``INSERT … SELECT generate_series`` on the maintenance connection. The
generation runs with ``session_replication_role = replica`` (no triggers): numbering them
one by one through the counter row would only measure the generator, and audit rows for
synthetic cards are not history. Numbers, counters and foreign keys are written
consistently by the generator instead.

Measured as a signed-in client over the ``eszok_client`` login (row-level security on),
each beside the raw SQL for the same result on a plain psycopg connection of the same
client in the same run (ratio = service / raw), median of ``--repeats`` warm runs:

* the first page of the list for a company substring ("zolw", no diacritics) + a one-month
  date range + state "Otwarta", and the count/total hours of that filter;
* scrolling 10 pages (keyset) of the unfiltered list by date;
* the hours summary for one year: what the screen asks for (subtotals per company and the
  grand total; past 5,000 cards the card lines are left to the exports) and, for the
  exports, every card's line as well;
* the client's memory growth after the list model pages in 20,000 rows;
* EXPLAIN ANALYZE of the filtered page and the year summary, to show the indexes used.

Targets (issue 5): first page ≤ 100 ms, year summary ≤ 300 ms, ≤ 2× raw SQL, memory
growth ≤ 100 MB.
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, users
from eszok_desktop.services.service import cards as svc
from eszok_desktop.services.service import hours_report as hr
from eszok_desktop.services.service.card_filter import CardFilter, CardSort, CardState

DATABASE = "eszok_bench"
PASSWORD = "Haslo1234"
TECHNICIANS = 20

GENERATE = """
INSERT INTO eszok.cards (number, number_year, number_seq, work_date, company_name,
                         company_nip, company_address, contact_person, work_kind_id,
                         description, hours, technician_id, state, created_by, created_at)
SELECT format('KZ/%s/%s', y, lpad(n::text, greatest(4, length(n::text)), '0')), y, n, d,
       (ARRAY['Żółw','Łoś','Bajt','Alfa','Ćma','Śnieżka','Orzeł','Gęś','Źródło','Kret',
              'Delta','Omega','Sokół','Wilk','Żubr','Jeż','Bóbr','Dąb','Lis','Ryś'])[1 + g % 20]
         || ' ' || (ARRAY['Serwis','Systemy','Technika','Informatyka','Biuro'])[1 + (g / 20) % 5]
         || ' ' || ((g / 100) % 100),
       CASE WHEN g % 3 = 0 THEN NULL ELSE '8567346215' END,
       'ul. Długa ' || (g % 200) || ', Warszawa', 'Jan Kowalski',
       1 + g % 6, 'Prace serwisowe nr ' || g, (1 + g % 32) * 0.25,
       (:techs)[1 + (g / 20) % :ntech], CASE WHEN g % 4 = 0 THEN 'open' ELSE 'closed' END,
       (:techs)[1 + (g / 20) % :ntech], d::timestamptz
  FROM (SELECT g, d, y, row_number() OVER (PARTITION BY y ORDER BY g) AS n
          FROM (SELECT g, date '2022-01-01' + (g % 1826) AS d,
                       extract(year FROM date '2022-01-01' + (g % 1826))::smallint AS y
                  FROM generate_series(1, :n) g) days) s
"""

RAW_PAGE = """
SELECT c.id, c.number, c.work_date, c.company_name, c.company_nip, k.name, c.hours,
       u.full_name, c.state, c.sent_at
  FROM eszok.cards c
  JOIN eszok.work_kinds k ON k.id = c.work_kind_id
  JOIN auth.users u ON u.id = c.technician_id
 WHERE c.deleted_at IS NULL AND c.work_date >= %(f)s AND c.work_date <= %(t)s
   AND c.company_folded LIKE %(company)s AND c.state = 'open'
 ORDER BY c.work_date DESC, c.id DESC LIMIT 200
"""

RAW_SCROLL = """
SELECT c.id, c.number, c.work_date, c.company_name, c.company_nip, k.name, c.hours,
       u.full_name, c.state, c.sent_at
  FROM eszok.cards c
  JOIN eszok.work_kinds k ON k.id = c.work_kind_id
  JOIN auth.users u ON u.id = c.technician_id
 WHERE c.deleted_at IS NULL AND (c.work_date, c.id) < (%(d)s, %(i)s)
 ORDER BY c.work_date DESC, c.id DESC LIMIT 200
"""

RAW_TOTALS = """
SELECT c.company_name, count(*), sum(c.quarters) / 4.0
  FROM eszok.cards c
 WHERE c.deleted_at IS NULL AND c.work_date BETWEEN %(f)s AND %(t)s
 GROUP BY GROUPING SETS ((c.company_name), ())
 ORDER BY c.company_name NULLS LAST
"""

RAW_SUMMARY = """
SELECT c.company_name, c.id, min(c.number), min(c.work_date), min(k.name),
       min(c.technician_id), min(u.full_name), sum(c.quarters) / 4.0
  FROM eszok.cards c
  JOIN eszok.work_kinds k ON k.id = c.work_kind_id
  JOIN auth.users u ON u.id = c.technician_id
 WHERE c.deleted_at IS NULL AND c.work_date BETWEEN %(f)s AND %(t)s
 GROUP BY GROUPING SETS ((c.company_name, c.id), (c.company_name), ())
 ORDER BY c.company_name NULLS LAST, c.id IS NULL, min(c.work_date), c.id
"""


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: connection, plan and buffer caches
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def row(name: str, job: float, service: float, raw: float, target: float | None = None) -> None:
    """``job``: a whole UI task (pool checkout with pre-ping, BEGIN, service, COMMIT);
    ``service``: the service call inside an open session; ``raw``: the hand-written SQL
    on a plain autocommit psycopg connection of the same client."""
    verdict = ""
    if target is not None:
        ok = job <= target and service <= 2 * raw
        verdict = f"  (≤ {target:.0f} ms, ≤ 2× raw: {'ok' if ok else 'MISSED'})"
    print(
        f"  {name:<40} job {job:7.2f}  service {service:7.2f}  raw {raw:7.2f} ms"
        f"  ratio {service / raw:4.2f}{verdict}"
    )


def measure(
    name: str,
    db: Database,
    fn: Callable[[Session], object],
    raw_fn: Callable[[], object],
    repeats: int,
    target: float | None = None,
) -> None:
    def job() -> object:
        with db.session() as s:
            return fn(s)

    with db.session() as session:
        in_session = median_ms(lambda: fn(session), repeats)
    row(name, median_ms(job, repeats), in_session, median_ms(raw_fn, repeats), target)


def raw_connection(server: EmbeddedServer, token: str) -> psycopg.Connection:
    url = make_url(server.client_url(DATABASE))
    conn = psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
    )
    conn.execute("SELECT set_config('eszok.token', %s, false)", (token,))
    conn.execute("SET plan_cache_mode = force_custom_plan")  # as the services do
    return conn


def explain(conn: psycopg.Connection, sql: str, params: dict) -> list[str]:
    with psycopg.ClientCursor(conn) as cur:
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return [r[0] for r in cur.fetchall()]


def measure_memory(db: Database, rows: int) -> None:
    from PySide6.QtWidgets import QApplication

    from eszok_desktop.ui.service.cards_model import CardsModel
    from eszok_desktop.ui.task_runner import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    runner = TaskRunner(db)
    model = CardsModel(runner)
    model.reload()

    def settle() -> None:
        while model.loading:
            app.processEvents()
            time.sleep(0.001)

    settle()
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    while model.rowCount() < rows and model.canFetchMore():
        model.fetchMore()
        settle()
    elapsed = time.perf_counter() - start
    # touch every cell once, as a view scrolled over them would
    for r in range(0, model.rowCount()):
        for c in range(model.columnCount()):
            model.index(r, c).data()
    gc.collect()
    after = rss_mb()
    pages = model.rowCount() // model.page_size
    print(
        f"  list model: {model.rowCount():,} rows in {pages} pages, {elapsed * 1000 / pages:.1f} ms"
        f" per page; client RSS {before:.0f} → {after:.0f} MB, growth {after - before:.1f} MB"
        f"  target ≤ 100 MB: {'ok' if after - before <= 100 else 'MISSED'}"
    )
    runner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--memory-rows", type=int, default=20_000)
    parser.add_argument("--fast", action="store_true", help="fsync off")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="eszok-bench-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=args.fast)
    try:
        server.initialize()
        server.start()
        schema.ensure_database(server.superuser_url(), DATABASE)
        schema.upgrade(
            server.superuser_url(DATABASE), client_password=server.config.client_password
        )
        admin = create_engine(server.superuser_url(DATABASE))
        password_hash = auth.hash_password(PASSWORD)
        with Session(admin) as session, session.begin():
            boss = users.add_user(
                session,
                email="kierownik@bench.pl",
                full_name="Anna Kierownik",
                role="kierownik",
                password_hash=password_hash,
            )
            techs = [
                users.add_user(
                    session,
                    email=f"serwisant{i}@bench.pl",
                    full_name=f"Serwisant {i}",
                    role="serwisant",
                    password_hash=password_hash,
                )
                for i in range(TECHNICIANS)
            ]
        start = time.perf_counter()
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(GENERATE), {"techs": techs, "ntech": len(techs), "n": args.cards})
            conn.execute(
                text(
                    "INSERT INTO eszok_private.card_counters (year, last_number)"
                    " SELECT number_year, max(number_seq) FROM eszok.cards GROUP BY 1"
                )
            )
            # what the skipped sync_search trigger would have written
            conn.execute(
                text(
                    "INSERT INTO eszok_private.card_search"
                    " SELECT id, company_folded, technician_id, created_by FROM eszok.cards"
                )
            )
        generated = time.perf_counter() - start
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE eszok.cards"))
            version = conn.execute(text("SHOW server_version")).scalar_one()
        load = os.getloadavg()
        print(
            f"PostgreSQL {version}, {os.cpu_count()} CPUs, load average {load[0]:.2f}; "
            f"{args.cards:,} cards generated in {generated:.1f} s (with indexes)"
        )

        client = Database(server.client_url(DATABASE))
        with client.session() as session:
            token = auth.sign_in(session, "kierownik@bench.pl", PASSWORD).token
        client.set_token(token)
        raw = raw_connection(server, token)
        assert boss

        month = (date(2026, 3, 1), date(2026, 3, 31))
        page_filter = CardFilter(
            date_from=month[0], date_to=month[1], company="zolw", state=CardState.OPEN
        )
        raw_params = {"f": month[0], "t": month[1], "company": "%zolw%", "word": "zolw"}

        def raw_page():
            return raw.execute(RAW_PAGE, raw_params).fetchall()

        with client.session() as s:
            n_service = len(svc.list_cards(s, page_filter).rows)
        assert n_service == len(raw_page()), n_service
        print(f"As kierownik (cards.all): company~'zolw' + March 2026 + open: {n_service} rows")
        measure(
            "first page (200 rows max)",
            client,
            lambda s: svc.list_cards(s, page_filter),
            raw_page,
            args.repeats,
            100,
        )
        measure(
            "count + total hours of that filter",
            client,
            lambda s: svc.count_cards(s, page_filter),
            lambda: raw.execute(
                "SELECT count(*), coalesce(sum(c.quarters), 0) / 4.0 FROM eszok.cards c"
                " WHERE c.deleted_at IS NULL AND c.work_date >= %(f)s AND c.work_date <= %(t)s"
                " AND c.company_folded LIKE %(company)s AND c.state = 'open'",
                raw_params,
            ).fetchone(),
            args.repeats,
        )

        def service_scroll(s: Session):
            cursor = None
            for _ in range(10):
                cursor = svc.list_cards(s, CardFilter(), CardSort(), after=cursor).cursor
            return cursor

        def raw_scroll():
            last = (date(9999, 1, 1), 0)
            for _ in range(10):
                rows = raw.execute(RAW_SCROLL, {"d": last[0], "i": last[1]}).fetchall()
                last = (rows[-1][2], rows[-1][0])
            return last

        measure(
            "scroll 10 pages × 200 (keyset, by date)",
            client,
            service_scroll,
            raw_scroll,
            args.repeats,
        )

        broad_sql = RAW_PAGE.replace(
            "AND c.work_date >= %(f)s AND c.work_date <= %(t)s", "AND c.id = ANY (%(ids)s)"
        ).replace("AND c.state = 'open'", "")
        for word in ("sokol technika 7", "zolw"):

            def raw_broad(word=word):
                ids = raw.execute("SELECT eszok.cards_with_company(%s)", (word,)).fetchone()[0]
                if len(ids) > 5000:  # as the service: past the limit a scan is cheaper
                    sql = broad_sql.replace("AND c.id = ANY (%(ids)s)", "")
                    return raw.execute(sql, {"company": f"%{word}%"}).fetchall()
                return raw.execute(broad_sql, {"ids": ids, "company": f"%{word}%"}).fetchall()

            measure(
                f"company only: '{word}' ({len(raw_broad())} on page one)",
                client,
                lambda s, word=word: svc.list_cards(s, CardFilter(company=word)),
                raw_broad,
                args.repeats,
                100,
            )

        year = (date(2025, 1, 1), date(2025, 12, 31))
        with client.session() as s:
            report = hr.hours_summary(s, *year)
        print(
            f"Hours summary 2025: {report.card_count:,} cards, {len(report.companies):,}"
            f" companies, total {report.total} h"
        )
        measure(
            "year hours summary (screen: totals)",
            client,
            lambda s: hr.hours_summary(s, *year),
            lambda: raw.execute(RAW_TOTALS, {"f": year[0], "t": year[1]}).fetchall(),
            args.repeats,
            300,
        )
        measure(
            "year summary, every card line (export)",
            client,
            lambda s: hr.hours_summary(s, *year, detail_limit=None),
            lambda: raw.execute(RAW_SUMMARY, {"f": year[0], "t": year[1]}).fetchall(),
            max(3, args.repeats // 2),
        )

        # a technician: row-level security narrows to their own cards
        with client.session() as session:
            tech_token = auth.sign_in(session, "serwisant3@bench.pl", PASSWORD).token
        tech_db = Database(server.client_url(DATABASE))
        tech_db.set_token(tech_token)
        tech_raw = raw_connection(server, tech_token)
        tech_sql = RAW_PAGE.replace(
            "AND c.work_date >= %(f)s AND c.work_date <= %(t)s",
            "AND (c.technician_id = %(me)s OR c.created_by = %(me)s)",
        ).replace("AND c.state = 'open'", "")
        tech_params = {"company": "%zolw%", "word": "zolw", "me": techs[3]}
        # the list view adds owner_id for users without cards.all (CardsView.scoped)
        tech_filter = CardFilter(company="zolw", owner_id=techs[3])
        with tech_db.session() as s:
            n_tech = len(svc.list_cards(s, tech_filter).rows)
        print(f"As serwisant (cards.own, hours.own): company~'zolw': {n_tech} rows on page one")
        measure(
            "first page, company~'zolw' only",
            tech_db,
            lambda s: svc.list_cards(s, tech_filter),
            lambda: tech_raw.execute(tech_sql, tech_params).fetchall(),
            args.repeats,
            100,
        )
        measure(
            "year hours summary (own hours)",
            tech_db,
            lambda s: hr.hours_summary(s, *year),
            lambda: tech_raw.execute(
                RAW_SUMMARY.replace("WHERE", "WHERE c.technician_id = %(me)s AND"),
                {"f": year[0], "t": year[1], "me": techs[3]},
            ).fetchall(),
            args.repeats,
            300,
        )

        print("EXPLAIN ANALYZE, filtered first page (as kierownik, RLS on):")
        for line in explain(raw, RAW_PAGE, raw_params):
            print("   ", line)
        print("EXPLAIN ANALYZE, technician's company search (with the owner hint):")
        for line in explain(tech_raw, tech_sql, tech_params):
            print("   ", line)
        print("EXPLAIN ANALYZE, the private trigram index behind a broad company search:")
        for line in explain(
            raw,
            "SELECT cardinality(eszok.cards_with_company(%(word)s))",
            {"word": "sokol technika 7"},
        ):
            print("   ", line)
        admin_raw = psycopg.connect(
            **{
                k: v
                for k, v in make_url(server.superuser_url(DATABASE))
                .translate_connect_args(database="dbname", username="user")
                .items()
            },
            autocommit=True,
        )
        print("  (inside it, as the definer sees it:)")
        for line in explain(
            admin_raw,
            "SELECT s.card_id FROM eszok_private.card_search s"
            " WHERE s.company_folded LIKE %(company)s",
            {"company": "%sokol technika 7%"},
        ):
            print("   ", line)
        admin_raw.close()
        print("EXPLAIN ANALYZE, year totals body (as kierownik):")
        for line in explain(raw, RAW_TOTALS, {"f": year[0], "t": year[1]}):
            print("   ", line)

        measure_memory(client, args.memory_rows)
        raw.close()
        tech_raw.close()
        client.dispose()
        tech_db.dispose()
        admin.dispose()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
