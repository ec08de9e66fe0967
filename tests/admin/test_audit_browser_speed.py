"""How fast the change-log browser pages through a large log (opt-in: ESZOK_BENCH=1).

    ESZOK_BENCH=1 .venv/bin/pytest -q -s tests/admin/test_audit_browser_speed.py

600 000 log rows; prints the first page and the mean of the next five pages per filter.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from eszok_desktop.services.admin import audit

ROWS = 600_000
LIMIT_S = 0.5

pytestmark = pytest.mark.skipif(os.environ.get("ESZOK_BENCH") != "1", reason="ESZOK_BENCH=1")


def test_pages_of_a_large_log_stay_fast(database, make_signed_in):
    admin_id, db = make_signed_in("administrator")
    rare = database.add_user("serwisant")
    with database.admin.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit.change_log (schema_name, table_name, record_id, operation, "
                "user_id, db_user, changed_at, txid, old_values, new_values) "
                "SELECT 'eszok', (ARRAY['events','cards','notes','announcements'])[1 + g % 4], "
                "g, 'U', CASE WHEN g % 5000 = 0 THEN :rare ELSE :admin END, 'eszok_client', "
                'now() - make_interval(secs => :n - g), g, \'{"title": "a"}\', '
                '\'{"title": "b"}\' FROM generate_series(1, :n) g'
            ),
            {"rare": rare, "admin": admin_id, "n": ROWS},
        )
        conn.execute(text("ANALYZE audit.change_log"))
    cases = {
        "no filter": audit.AuditFilter(),
        "rare user": audit.AuditFilter(user_id=rare),
        "one table": audit.AuditFilter(table_name="notes"),
        "user + table": audit.AuditFilter(user_id=rare, table_name="announcements"),
        "old period": audit.AuditFilter(until=datetime.now(UTC) - timedelta(days=6)),
    }
    for name, flt in cases.items():
        with db.session() as session:
            audit.browse(session, flt)  # warm the cache
            start = time.perf_counter()
            page = audit.browse(session, flt)
            first = time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(5):
                page = audit.browse(session, flt, before_id=page.next_before_id)
            later = (time.perf_counter() - start) / 5
        print(f"{name:14} first page {first * 1000:6.1f} ms, next pages {later * 1000:6.1f} ms")
        assert first < LIMIT_S and later < LIMIT_S
