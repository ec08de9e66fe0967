"""Load test: many simulated clients, one database, a fixed time, then an audit of the result.

    .venv/bin/python -m loadtest.run [--clients 50] [--seconds 60] [--think-ms 500]

Starts its own throwaway cluster (the app's ``EmbeddedServer`` with normal fsync, so commit
times mean something), migrates it, creates users with a realistic role mix, calendar
grants and a base of events and cards. Then every simulated client — a thread with its own
``Database`` (pool of one connection) and its own signed-in session — runs a role-dependent
mix of what people do (browse weeks and months, create/move/edit events, create/edit/filter
cards, hours summaries, notes) until the time is up. Afterwards, on the maintenance
connection, it checks that every successful write is in ``audit.change_log`` with the
right user and operation, and that no update was lost (shared counter events and cards that
many clients increment through versioned updates; every row's version against the number
of successful updates). See ``loadtest/README.md``.

The pieces (``prepare``, ``run_clients``, ``verify``) take URLs, so a test can drive them
against its own database (``tests/live/test_loadtest_smoke.py``).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import URL, BigInteger, bindparam, create_engine, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from eszok_desktop.db import schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer
from eszok_desktop.services import auth, notes, users
from eszok_desktop.services.calendar import events
from eszok_desktop.services.errors import ConflictError
from eszok_desktop.services.service import cards, hours_report
from eszok_desktop.services.service.card_filter import CardFilter, CardState
from eszok_desktop.services.service.card_rules import CardDraft

TZ = ZoneInfo("Europe/Warsaw")
PASSWORD = "Haslo1234"
DATABASE = "eszok_load"
# Besides the one administrator (the first user), for 49 others: 4 + 15 + 20 + 10.
ROLE_WEIGHTS = (("kierownik", 4), ("handlowiec", 15), ("serwisant", 20), ("programista", 10))
DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"
COMPANIES = (
    "Żółw Serwis",
    "Łąka Druk",
    "Kowalski i Syn",
    "Biuro Rachunkowe Ćma",
    "Szkoła Podstawowa nr 3",
    "Urząd Gminy Śródmieście",
    "Piekarnia Źródło",
    "Apteka pod Orłem",
)
COUNTER_EVENT = re.compile(r"^Licznik (\d+): (\d+)$")
COUNTER_CARD = re.compile(r"^Licznik: (\d+)$")

# Operations whose latency counts against the read target (the rest are writes).
READS = frozenset(
    {
        "load_dictionaries",
        "browse_week",
        "browse_month",
        "open_event",
        "filter_cards",
        "hours_summary",
        "list_notes",
    }
)
READ_TARGET_MS = 50.0
WRITE_TARGET_MS = 100.0


# --- set-up ---------------------------------------------------------------------


def role_plan(n_users: int) -> list[str]:
    """The roles of ``n_users`` users: one administrator, the rest in the proportions of
    ROLE_WEIGHTS (largest remainder), interleaved so any prefix is a fair mix."""
    others = n_users - 1
    total = sum(w for _, w in ROLE_WEIGHTS)
    shares = [(role, w * others / total) for role, w in ROLE_WEIGHTS]
    counts = {role: math.floor(s) for role, s in shares}
    left = others - sum(counts.values())
    for role, _ in sorted(shares, key=lambda rs: rs[1] - math.floor(rs[1]), reverse=True)[:left]:
        counts[role] += 1
    spread = [((i + 0.5) / n, role) for role, n in counts.items() for i in range(n)]
    return ["administrator", *(role for _, role in sorted(spread))]


@dataclass(frozen=True)
class LoadUser:
    id: int
    email: str
    role: str


@dataclass
class Fixture:
    """What the clients and the checks need to know about the prepared database."""

    users: list[LoadUser]
    today: date
    counter_events: list[int]
    counter_cards: list[int]
    counter_technician: int
    event_count: int = 0
    card_count: int = 0


BASE_EVENTS_SQL = text(
    """
INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, all_day,
                          participant_ids, company_name, note, created_by)
SELECT k.calendar_id, k.id, 'Zadanie ' || g, s.start,
       s.start + (30 + (g * 37) % 150) * interval '1 minute', false,
       CASE WHEN g % 5 = 0 THEN ARRAY[u.owner, u.partner] ELSE ARRAY[u.owner] END,
       CASE WHEN g % 3 = 0 THEN 'Firma ' || (g % 300) END,
       CASE WHEN g % 4 = 0 THEN 'Notatka do zadania ' || g END,
       u.owner
  FROM generate_series(1, :n) AS g
 CROSS JOIN LATERAL (
       SELECT CAST(:t0 AS timestamptz) + (g % :days) * interval '1 day'
              + ((g * 13) % 36) * interval '15 minutes' AS start) AS s
 CROSS JOIN LATERAL (
       SELECT (CAST(:ids AS bigint[]))[1 + g % cardinality(CAST(:ids AS bigint[]))] AS owner,
              (CAST(:ids AS bigint[]))[1 + (g + 1) % cardinality(CAST(:ids AS bigint[]))]
                  AS partner) AS u
 CROSS JOIN LATERAL (
       SELECT id, calendar_id FROM eszok.event_kinds ORDER BY id
       OFFSET (g % (SELECT count(*) FROM eszok.event_kinds)) LIMIT 1) AS k
"""
)

BASE_CARDS_SQL = text(
    """
INSERT INTO eszok.cards (work_date, company_name, company_nip, work_kind_id, hours,
                         description, technician_id, created_by, state)
SELECT CAST(:d0 AS date) + (g % 120), (CAST(:companies AS text[]))[1 + g % :nc] || ' ' || (g % 40),
       NULL, w.id, 0.25 * (1 + g % 16), 'Prace nr ' || g, t.id, t.id, 'open'
  FROM generate_series(1, :n) AS g
 CROSS JOIN LATERAL (
       SELECT (CAST(:techs AS bigint[]))[1 + g % cardinality(CAST(:techs AS bigint[]))] AS id) t
 CROSS JOIN LATERAL (
       SELECT id FROM eszok.work_kinds ORDER BY id
       OFFSET (g % (SELECT count(*) FROM eszok.work_kinds)) LIMIT 1) AS w
"""
)


def prepare(
    admin_url: URL | str,
    *,
    n_users: int = 50,
    base_events: int = 3000,
    base_cards: int = 3000,
    counters: int = 4,
    password_hash: str | None = None,
    today: date | None = None,
) -> Fixture:
    """Users (one bcrypt hash for all), grants, base events and cards, and the shared
    counter records, all on the maintenance connection of a migrated database."""
    today = today or datetime.now(TZ).date()
    password_hash = password_hash or auth.hash_password(PASSWORD)
    engine = create_engine(admin_url)
    try:
        people: list[LoadUser] = []
        with Session(engine) as session, session.begin():
            for n, role in enumerate(role_plan(n_users), start=1):
                email = f"load{n:03d}@example.pl"
                uid = users.add_user(
                    session,
                    email=email,
                    full_name=f"{role.capitalize()} Obciążeniowy {n:02d}",
                    role=role,
                    password_hash=password_hash,
                )
                people.append(LoadUser(uid, email, role))
            ids = [p.id for p in people]
            # Each user sees the next three calendars and manages the next one: colleagues
            # who share work and so sometimes edit the same event.
            pairs: set[tuple[int, int, str]] = set()
            for k, grantee in enumerate(ids):
                for step, level in ((1, "manage"), (2, "view"), (3, "view")):
                    owner = ids[(k + step) % len(ids)]
                    if owner != grantee and all((owner, grantee) != p[:2] for p in pairs):
                        pairs.add((owner, grantee, level))
            for owner, grantee, level in sorted(pairs):
                session.execute(
                    text(
                        "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level,"
                        " granted_by) VALUES (:o, :g, :l, :o)"
                    ),
                    {"o": owner, "g": grantee, "l": level},
                )
            start = datetime.combine(today - timedelta(days=42), datetime.min.time(), TZ)
            session.execute(
                BASE_EVENTS_SQL,
                {"n": base_events, "t0": start + timedelta(hours=7), "days": 84, "ids": ids},
            )
            techs = [p.id for p in people if p.role != "handlowiec"]
            session.execute(
                BASE_CARDS_SQL,
                {
                    "n": base_cards,
                    "d0": today - timedelta(days=100),
                    "companies": list(COMPANIES),
                    "nc": len(COMPANIES),
                    "techs": techs,
                },
            )
            calendar_id, kind_id = session.execute(
                text(
                    "SELECT c.id, k.id FROM eszok.calendars c JOIN eszok.event_kinds k"
                    " ON k.calendar_id = c.id WHERE c.code = 'handlowy' ORDER BY k.id LIMIT 1"
                )
            ).one()
            noon = datetime.combine(today, datetime.min.time(), TZ) + timedelta(hours=12)
            counter_events = [
                int(
                    session.execute(
                        text(
                            "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at,"
                            " ends_at, participant_ids, created_by) VALUES (:c, :k, :t, :s,"
                            " :e, :p, :by) RETURNING id"
                        ).bindparams(bindparam("p", type_=ARRAY(BigInteger))),
                        {
                            "c": calendar_id,
                            "k": kind_id,
                            "t": f"Licznik {k}: 0",
                            "s": noon,
                            "e": noon + timedelta(hours=1),
                            "p": ids[: events.MAX_PARTICIPANTS],
                            "by": ids[0],
                        },
                    ).scalar_one()
                )
                for k in range(counters)
            ]
            work_kind = session.execute(text("SELECT min(id) FROM eszok.work_kinds")).scalar_one()
            # the technician's own client and every cards.all client increment them
            technician = next(
                (p.id for p in people if p.role in ("serwisant", "programista")), ids[0]
            )
            counter_cards = [
                int(
                    session.execute(
                        text(
                            "INSERT INTO eszok.cards (work_date, company_name, work_kind_id,"
                            " hours, description, technician_id, created_by, state) VALUES"
                            " (:d, :c, :w, 1, 'Licznik: 0', :t, :t, 'open') RETURNING id"
                        ),
                        {"d": today, "c": f"Licznik {k}", "w": work_kind, "t": technician},
                    ).scalar_one()
                )
                for k in range(counters)
            ]
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            event_count = conn.execute(text("SELECT count(*) FROM eszok.events")).scalar_one()
            card_count = conn.execute(text("SELECT count(*) FROM eszok.cards")).scalar_one()
    finally:
        engine.dispose()
    return Fixture(
        people, today, counter_events, counter_cards, technician, event_count, card_count
    )


# --- measurements ---------------------------------------------------------------


@dataclass
class OpStats:
    latencies: list[float] = field(default_factory=list)  # seconds, completed operations
    conflicts: int = 0
    errors: int = 0
    deadlocks: int = 0
    serialization_failures: int = 0
    samples: list[str] = field(default_factory=list)

    def merge(self, other: OpStats) -> None:
        self.latencies += other.latencies
        self.conflicts += other.conflicts
        self.errors += other.errors
        self.deadlocks += other.deadlocks
        self.serialization_failures += other.serialization_failures
        self.samples += other.samples[: max(0, 3 - len(self.samples))]


@dataclass(frozen=True)
class Write:
    """A write that committed: ``operation`` is the change log's I/U/D."""

    table: str
    record_id: int
    user_id: int
    operation: str


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE somewhere in an exception's chain (service errors wrap the driver's)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if state := getattr(current, "sqlstate", None):
            return str(state)
        orig = getattr(current, "orig", None)
        todo += [
            e
            for e in (orig, current.__cause__, current.__context__)
            if isinstance(e, BaseException)
        ]
    return None


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


# --- one simulated client -------------------------------------------------------


class Client(threading.Thread):
    """One person at one PC: own connection, own session, a role-dependent mix."""

    def __init__(
        self,
        index: int,
        db: Database,
        me: auth.CurrentUser,
        fixture: Fixture,
        deadline: float,
        think_s: float,
        seed: int,
        weights: dict[str, int] | None = None,
    ) -> None:
        super().__init__(name=f"client-{index}", daemon=True)
        self.index = index
        self.db = db
        self.me = me
        self.fixture = fixture
        self.deadline = deadline
        self.think_s = think_s
        self.rng = random.Random(seed)
        self.stats: dict[str, OpStats] = {}
        self.writes: list[Write] = []
        self.dictionaries: events.Dictionaries | None = None
        self.visible: list[events.EventRow] = []
        self.my_events: list[int] = []
        self.my_cards: list[int] = []
        self.work_kinds: list[int] = []
        self.seq = 0
        self.counter_ids = set(fixture.counter_events)
        self.mix = self._mix()
        self.weight_overrides = weights or {}

    def _mix(self) -> list[tuple[Callable[[Session, list[Write]], None], int]]:
        mix: list[tuple[Callable[[Session, list[Write]], None], int]] = [
            (self.browse_week, 30),
            (self.browse_month, 8),
            (self.open_event, 8),
            (self.create_event, 5),
            (self.move_event, 5),
            (self.edit_event, 4),
            (self.counter_event, 3),
            (self.list_notes, 4),
            (self.create_note, 2),
            (self.edit_note, 2),
        ]
        if self.me.can("cards.own") or self.me.can("cards.all"):
            mix += [(self.create_card, 5), (self.edit_card, 3), (self.filter_cards, 8)]
        if self.me.can("cards.all") or self.me.id == self.fixture.counter_technician:
            mix.append((self.counter_card, 4))
        if self.me.can("hours.all") or self.me.can("hours.own"):
            mix.append((self.hours_summary, 3))
        return mix

    # the loop ---------------------------------------------------------------

    def run(self) -> None:
        # PCs are not switched on in the same millisecond: spread the starts
        time.sleep(self.rng.uniform(0, min(2 * self.think_s, self.deadline - time.monotonic())))
        self.timed("load_dictionaries", self.load_dictionaries)
        functions = [f for f, _ in self.mix]
        overrides = self.weight_overrides
        weights = [overrides.get(f.__name__, w) for f, w in self.mix]
        while time.monotonic() < self.deadline:
            fn = self.rng.choices(functions, weights)[0]
            self.timed(fn.__name__, fn)
            pause = self.rng.expovariate(1 / self.think_s) if self.think_s > 0 else 0
            time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))

    def timed(self, name: str, fn: Callable[[Session, list[Write]], None]) -> None:
        stats = self.stats.setdefault(name, OpStats())
        writes: list[Write] = []
        started = time.perf_counter()
        try:
            with self.db.session() as session:
                if fn(session, writes) is False:  # nothing to do (no candidate record)
                    return
        except ConflictError:
            stats.conflicts += 1
            stats.latencies.append(time.perf_counter() - started)
        except Exception as exc:
            state = sqlstate_of(exc)
            if state == DEADLOCK:
                stats.deadlocks += 1
            elif state == SERIALIZATION_FAILURE:
                stats.serialization_failures += 1
            else:
                stats.errors += 1
            if len(stats.samples) < 3:
                stats.samples.append(f"{type(exc).__name__} [{state}]: {exc}"[:300])
        else:
            stats.latencies.append(time.perf_counter() - started)
            # committed: only now do these writes count
            self.writes += writes
            for w in writes:
                if w.operation == "I" and w.table == "events":
                    self.my_events.append(w.record_id)
                elif w.operation == "I" and w.table == "cards":
                    self.my_cards.append(w.record_id)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # reads --------------------------------------------------------------------

    def load_dictionaries(self, s: Session, writes: list[Write]) -> None:
        self.dictionaries = events.load_dictionaries(s, self.me)
        if self.me.can("cards.own") or self.me.can("cards.all"):
            self.work_kinds = [k.id for k in cards.list_work_kinds(s)]

    def _owners(self) -> list[int]:
        assert self.dictionaries is not None
        others = [o.user_id for o in self.dictionaries.owners if o.user_id != self.me.id]
        # like ticking a few colleagues in the side panel
        return [self.me.id, *self.rng.sample(others, min(len(others), 4))]

    def _browse(self, s: Session, days: int) -> None:
        assert self.dictionaries is not None
        today = self.fixture.today
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=self.rng.randint(-5, 5))
        start = datetime.combine(monday, datetime.min.time(), TZ)
        calendars = [c.id for c in self.dictionaries.calendars]
        rows = events.fetch_period(
            s, start, start + timedelta(days=days), self._owners(), calendars
        )
        manageable = self.dictionaries.manageable_ids()
        editable = [
            r
            for r in rows
            if r.id not in self.counter_ids
            and (self.me.can("calendars.all") or manageable & set(r.participant_ids))
        ]
        self.visible = editable[-200:]

    def browse_week(self, s: Session, writes: list[Write]) -> None:
        self._browse(s, 7)

    def browse_month(self, s: Session, writes: list[Write]) -> None:
        self._browse(s, 35)

    def open_event(self, s: Session, writes: list[Write]) -> bool | None:
        if not self.visible:
            return False
        events.get_event(s, self.rng.choice(self.visible).id)
        return None

    def filter_cards(self, s: Session, writes: list[Write]) -> None:
        today = self.fixture.today
        choice = self.rng.randrange(4)
        if choice == 0:
            f = CardFilter(company=self.rng.choice(COMPANIES).split()[0])
        elif choice == 1:
            f = CardFilter(date_from=today - timedelta(days=30), date_to=today)
        elif choice == 2:
            f = CardFilter(state=CardState.OPEN, date_from=today - timedelta(days=90))
        else:
            f = CardFilter()
        if not self.me.can("cards.all"):
            f = replace(f, owner_id=self.me.id)  # as the card list does for cards.own users
        cards.list_cards(s, f)
        cards.count_cards(s, f)

    def hours_summary(self, s: Session, writes: list[Write]) -> None:
        first, last = hours_report.period_for(
            self.rng.choice(
                [hours_report.PeriodPreset.THIS_MONTH, hours_report.PeriodPreset.LAST_MONTH]
            ),
            self.fixture.today,
        )
        hours_report.hours_summary(s, first, last)

    def list_notes(self, s: Session, writes: list[Write]) -> None:
        notes.list_notes(s)

    # writes -------------------------------------------------------------------

    def create_event(self, s: Session, writes: list[Write]) -> None:
        assert self.dictionaries is not None
        d = self.dictionaries
        calendar = self.rng.choice([c for c in d.calendars if c.code != "nieobecnosci"])
        kind = self.rng.choice(d.kinds_of(calendar.id))
        day = self.fixture.today + timedelta(days=self.rng.randint(-14, 28))
        start = datetime.combine(day, datetime.min.time(), TZ) + timedelta(
            minutes=15 * self.rng.randint(28, 64)
        )
        draft = events.validate_draft(
            events.EventDraft(
                calendar_id=calendar.id,
                kind_id=kind.id,
                title=f"Wizyta {self.index}/{self.next_seq()}",
                starts_at=start,
                ends_at=start + timedelta(minutes=15 * self.rng.randint(2, 8)),
                participant_ids=(self.me.id,),
                company_name=self.rng.choice(COMPANIES),
            ),
            d,
        )
        event_id = events.create_event(s, draft)
        writes.append(Write("events", event_id, self.me.id, "I"))

    def move_event(self, s: Session, writes: list[Write]) -> bool | None:
        """A drag in a view: from the version the view painted, so a stale one is a real
        conflict; sometimes one of the client's own new events, read fresh."""
        if self.visible and (not self.my_events or self.rng.random() < 0.7):
            row = self.rng.choice(self.visible)
            event_id, version, start, end = row.id, row.version, row.starts_at, row.ends_at
            self.visible.remove(row)  # the view re-reads it after the change
        elif self.my_events:
            details = events.get_event(s, self.rng.choice(self.my_events))
            event_id, version = details.id, details.version
            start, end = details.draft.starts_at, details.draft.ends_at
        else:
            return False
        delta = timedelta(minutes=15 * self.rng.choice([-2, -1, 1, 2]))
        events.move_event(s, event_id, version, start + delta, end + delta)
        writes.append(Write("events", event_id, self.me.id, "U"))
        return None

    def edit_event(self, s: Session, writes: list[Write]) -> bool | None:
        ids = [r.id for r in self.visible] + self.my_events
        if not ids:
            return False
        details = events.get_event(s, self.rng.choice(ids))
        note = f"Uzgodnione przez klienta {self.index} (#{self.next_seq()})"
        events.update_event(s, details.id, details.version, replace(details.draft, note=note))
        writes.append(Write("events", details.id, self.me.id, "U"))
        return None

    def counter_event(self, s: Session, writes: list[Write]) -> None:
        """Read-modify-write of a shared counter through a versioned update."""
        event_id = self.rng.choice(self.fixture.counter_events)
        details = events.get_event(s, event_id)
        match = COUNTER_EVENT.match(details.draft.title)
        assert match, details.draft.title
        title = f"Licznik {match[1]}: {int(match[2]) + 1}"
        events.update_event(s, event_id, details.version, replace(details.draft, title=title))
        writes.append(Write("events", event_id, self.me.id, "U"))

    def create_card(self, s: Session, writes: list[Write]) -> None:
        draft = CardDraft(
            work_date=self.fixture.today - timedelta(days=self.rng.randint(0, 20)),
            company_name=f"{self.rng.choice(COMPANIES)} {self.rng.randint(0, 39)}",
            work_kind_id=self.rng.choice(self.work_kinds),
            hours=Decimal("0.25") * self.rng.randint(1, 16),
            technician_id=self.me.id,
            description=f"Karta klienta {self.index} (#{self.next_seq()})",
        )
        card = cards.create_card(s, draft)
        writes.append(Write("cards", card.id, self.me.id, "I"))

    def edit_card(self, s: Session, writes: list[Write]) -> bool | None:
        if not self.my_cards:
            page = cards.list_cards(
                s, CardFilter(owner_id=None if self.me.can("cards.all") else self.me.id), limit=20
            )
            candidates = [r.id for r in page.rows if r.id not in self.fixture.counter_cards]
            if not candidates:
                return False
            card_id = self.rng.choice(candidates)
        else:
            card_id = self.rng.choice(self.my_cards)
        details = cards.get_card(s, card_id)
        draft = replace(
            details.draft, description=f"Poprawka klienta {self.index} (#{self.next_seq()})"
        )
        cards.update_card(s, card_id, details.version, draft)
        writes.append(Write("cards", card_id, self.me.id, "U"))
        return None

    def counter_card(self, s: Session, writes: list[Write]) -> None:
        card_id = self.rng.choice(self.fixture.counter_cards)
        details = cards.get_card(s, card_id)
        match = COUNTER_CARD.match(details.draft.description)
        assert match, details.draft.description
        draft = replace(details.draft, description=f"Licznik: {int(match[1]) + 1}")
        cards.update_card(s, card_id, details.version, draft)
        writes.append(Write("cards", card_id, self.me.id, "U"))

    def create_note(self, s: Session, writes: list[Write]) -> None:
        note = notes.create_note(
            s,
            notes.NoteDraft(
                title=f"Zadzwonić (#{self.next_seq()})",
                deadline_date=self.fixture.today + timedelta(days=self.rng.randint(0, 10)),
            ),
        )
        writes.append(Write("notes", note.id, self.me.id, "I"))

    def edit_note(self, s: Session, writes: list[Write]) -> bool | None:
        active = notes.list_notes(s).active
        if not active:
            return False
        note = self.rng.choice(active)
        if self.rng.random() < 0.3:
            notes.mark_done(s, note.id, note.version)
        else:
            draft = replace(
                note.draft(), body=f"Ustalenia klienta {self.index} (#{self.next_seq()})"
            )
            notes.update_note(s, note.id, note.version, draft)
        writes.append(Write("notes", note.id, self.me.id, "U"))
        return None


# --- running and checking -------------------------------------------------------


@dataclass
class RunResult:
    clients: int
    seconds: float  # measured wall time of the client phase
    think_ms: float
    stats: dict[str, OpStats]
    writes: list[Write]
    stuck_clients: int
    log_start_id: int
    versions_before: dict[tuple[str, int], int]
    sign_in_s: float
    client_cpu_s: float = 0.0  # this process (all client threads) during the client phase
    server_cpu_s: float | None = None  # the server's processes in the same time
    processes: int = 1  # client processes the threads were spread over


def sign_in_clients(
    client_url: URL | str, fixture: Fixture, clients: int | list[int], password: str = PASSWORD
) -> list[tuple[Database, auth.CurrentUser]]:
    """One Database (pool of one connection) and one signed-in session per client (a count,
    or the client numbers); client ``i`` is user ``i mod len(users)``. Two at a time:
    bcrypt dominates and there are two cores."""
    numbers = list(range(clients)) if isinstance(clients, int) else list(clients)
    out: list[tuple[Database, auth.CurrentUser] | None] = [None] * len(numbers)
    errors: list[BaseException] = []

    def work(indexes: list[int]) -> None:
        try:
            for i in indexes:
                user = fixture.users[numbers[i] % len(fixture.users)]
                db = Database(client_url, pool_size=1)
                with db.session() as s:
                    result = auth.sign_in(s, user.email, password)
                if result.status is not auth.SignInStatus.OK:
                    raise RuntimeError(f"sign-in of {user.email}: {result.status}")
                db.set_token(result.token)
                with db.session() as s:
                    me = auth.current_user(s)
                assert me is not None
                out[i] = (db, me)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(list(range(k, len(numbers), 2)),)) for k in (0, 1)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for pair in out:
            if pair:
                pair[0].dispose()
        raise errors[0]
    return [pair for pair in out if pair is not None]


def process_tree_cpu(pid: int | None) -> dict[int, float]:
    """CPU seconds (user + system) of each live child of ``pid`` (a postmaster's backends
    and helpers), from /proc; empty where there is no /proc or no pid."""
    if pid is None or not os.path.isdir("/proc"):
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state ppid ... utime(12th) stime(13th)
        if int(fields[1]) == pid:
            out[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _snapshot(admin_url: URL | str) -> tuple[int, dict[tuple[str, int], int]]:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            start = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit.change_log")).scalar()
            versions: dict[tuple[str, int], int] = {}
            for table in ("events", "cards", "notes"):
                for rid, version in conn.execute(text(f"SELECT id, version FROM eszok.{table}")):
                    versions[(table, rid)] = version
    finally:
        engine.dispose()
    return int(start), versions


@dataclass
class GroupResult:
    """What the clients of one process did (picklable, for worker processes)."""

    stats: dict[str, OpStats]
    writes: list[Write]
    stuck: int
    cpu_s: float


def _run_group(
    sessions: list[tuple[Database, auth.CurrentUser]],
    numbers: list[int],
    fixture: Fixture,
    seconds: float,
    think_ms: float,
    seed: int,
    weights: dict[str, int] | None,
) -> GroupResult:
    """Run these signed-in clients until the time is up."""
    cpu0 = time.process_time()
    deadline = time.monotonic() + seconds
    threads = [
        Client(i, db, me, fixture, deadline, think_ms / 1000, seed * 1000 + i, weights)
        for i, (db, me) in zip(numbers, sessions, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:  # self-stopping; a client still busy long after the end is stuck
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 30)
    cpu = time.process_time() - cpu0
    stats: dict[str, OpStats] = {}
    writes: list[Write] = []
    for t in threads:
        if t.is_alive():
            continue
        for name, op in t.stats.items():
            stats.setdefault(name, OpStats()).merge(op)
        writes += t.writes
    return GroupResult(stats, writes, sum(t.is_alive() for t in threads), cpu)


def _sign_out(sessions: list[tuple[Database, auth.CurrentUser]]) -> None:
    for db, _ in sessions:
        try:
            with db.session() as s:
                auth.sign_out(s)
        except Exception:  # a stuck client's session; the server cleans up
            pass
        finally:
            db.dispose()


def _worker(job: tuple, signed_in, go, results, measured) -> None:
    """A worker process: sign its clients in, wait for the start, run, report, and sign
    out once the parent has taken its measurements (backends exiting lose their CPU
    figures)."""
    client_url, fixture, numbers, seconds, think_ms, seed, password, weights = job
    try:
        sessions = sign_in_clients(client_url, fixture, numbers, password)
        signed_in.wait()
        go.wait()
    except BaseException:
        signed_in.abort()
        go.abort()
        raise
    results.put(_run_group(sessions, numbers, fixture, seconds, think_ms, seed, weights))
    measured.wait(timeout=120)
    _sign_out(sessions)


def run_clients(
    admin_url: URL | str,
    client_url: URL | str,
    fixture: Fixture,
    *,
    clients: int = 50,
    seconds: float = 60,
    think_ms: float = 500,
    seed: int = 7,
    password: str = PASSWORD,
    server_pid: int | None = None,
    on_start: Callable[[], None] | None = None,
    weights: dict[str, int] | None = None,
    processes: int = 1,
) -> RunResult:
    """Sign the clients in, let them work for ``seconds``, wait for them to stop.
    With the postmaster's ``server_pid`` the server's CPU time is measured too;
    ``weights`` overrides the mix's weights by operation name (e.g. for a short test);
    ``processes`` > 1 spreads the client threads over that many worker processes (each
    with its own GIL, as real PCs have their own CPUs)."""
    started = time.perf_counter()
    groups: list[GroupResult] = []
    if processes <= 1:
        sessions = sign_in_clients(client_url, fixture, clients, password)
        sign_in_s = time.perf_counter() - started
        log_start, versions = _snapshot(admin_url)
        if on_start is not None:
            on_start()
        server0 = process_tree_cpu(server_pid)
        t0 = time.perf_counter()
        groups.append(
            _run_group(sessions, list(range(clients)), fixture, seconds, think_ms, seed, weights)
        )
    else:
        ctx = multiprocessing.get_context("spawn")
        signed_in, go, measured = (ctx.Barrier(processes + 1) for _ in range(3))
        results = ctx.Queue()
        workers = [
            ctx.Process(
                target=_worker,
                args=(
                    (
                        client_url,
                        fixture,
                        list(range(k, clients, processes)),
                        seconds,
                        think_ms,
                        seed,
                        password,
                        weights,
                    ),
                    signed_in,
                    go,
                    results,
                    measured,
                ),
                daemon=True,
            )
            for k in range(processes)
        ]
        for w in workers:
            w.start()
        signed_in.wait(timeout=600)
        sign_in_s = time.perf_counter() - started
        log_start, versions = _snapshot(admin_url)
        if on_start is not None:
            on_start()
        server0 = process_tree_cpu(server_pid)
        t0 = time.perf_counter()
        go.wait(timeout=60)
        groups = [results.get(timeout=seconds + 120) for _ in workers]
    elapsed = time.perf_counter() - t0
    server1 = process_tree_cpu(server_pid)
    if processes <= 1:
        _sign_out(sessions)
    else:
        measured.wait(timeout=60)
        for w in workers:
            w.join(timeout=30)
    server_cpu = (
        sum(v - server0.get(pid, 0.0) for pid, v in server1.items()) if server_pid else None
    )
    stats: dict[str, OpStats] = {}
    writes: list[Write] = []
    for g in groups:
        for name, op in g.stats.items():
            stats.setdefault(name, OpStats()).merge(op)
        writes += g.writes
    return RunResult(
        clients,
        elapsed,
        think_ms,
        stats,
        writes,
        sum(g.stuck for g in groups),
        log_start,
        versions,
        sign_in_s,
        sum(g.cpu_s for g in groups),
        server_cpu,
        processes,
    )


@dataclass
class Verification:
    writes: int
    logged: int
    missing: list[tuple[Write, int]]  # expected write, how many times it is missing
    unexpected: list[tuple[Write, int]]  # logged by a client but not reported as committed
    counters: list[tuple[str, int, int, int]]  # table, id, final value, successful updates
    lost_updates: int
    version_mismatches: list[tuple[str, int, int, int]]  # table, id, expected, found

    @property
    def change_log_ok(self) -> bool:
        return not self.missing and not self.unexpected

    @property
    def no_lost_updates(self) -> bool:
        return self.lost_updates == 0 and not self.version_mismatches


def verify(admin_url: URL | str, fixture: Fixture, result: RunResult) -> Verification:
    """Change log against the committed writes; counters and versions against the number
    of successful updates (a lost update makes a counter or a version fall short)."""
    expected = Counter(result.writes)
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found: Counter[Write] = Counter()
            for table, rid, op, uid, n in conn.execute(
                text(
                    "SELECT table_name, record_id, operation, user_id, count(*)"
                    " FROM audit.change_log WHERE id > :start AND schema_name = 'eszok'"
                    " GROUP BY 1, 2, 3, 4"
                ),
                {"start": result.log_start_id},
            ):
                found[Write(table, rid, uid if uid is not None else -1, op)] = n
            counters = []
            updates = Counter((w.table, w.record_id) for w in result.writes if w.operation == "U")
            for eid in fixture.counter_events:
                title = conn.execute(
                    text("SELECT title FROM eszok.events WHERE id = :i"), {"i": eid}
                ).scalar_one()
                match = COUNTER_EVENT.match(title)
                counters.append(
                    ("events", eid, int(match[2]) if match else -1, updates[("events", eid)])
                )
            for cid in fixture.counter_cards:
                description = conn.execute(
                    text("SELECT description FROM eszok.cards WHERE id = :i"), {"i": cid}
                ).scalar_one()
                match = COUNTER_CARD.match(description)
                counters.append(
                    ("cards", cid, int(match[1]) if match else -1, updates[("cards", cid)])
                )
            mismatches = []
            touched = {(w.table, w.record_id) for w in result.writes}
            for table, rid in sorted(touched):
                found_version = conn.execute(
                    text(f"SELECT version FROM eszok.{table} WHERE id = :i"), {"i": rid}
                ).scalar_one_or_none()
                before = result.versions_before.get((table, rid), 1)  # inserted: version 1
                want = before + updates[(table, rid)]
                if found_version != want:
                    mismatches.append((table, rid, want, found_version or -1))
    finally:
        engine.dispose()
    missing = [(w, n - found[w]) for w, n in expected.items() if found[w] < n]
    unexpected = [(w, n - expected[w]) for w, n in found.items() if expected[w] < n]
    # fewer increments than successful updates: lost; more: one applied twice (counted too)
    lost = sum(abs(ups - value) for _, _, value, ups in counters)
    return Verification(
        writes=len(result.writes),
        logged=sum(found.values()),
        missing=missing,
        unexpected=unexpected,
        counters=counters,
        lost_updates=lost,
        version_mismatches=mismatches,
    )


# --- the report -----------------------------------------------------------------


def totals(result: RunResult) -> dict[str, int]:
    ops = result.stats.values()
    return {
        "operations": sum(len(o.latencies) for o in ops),
        "conflicts": sum(o.conflicts for o in ops),
        "errors": sum(o.errors for o in ops),
        "deadlocks": sum(o.deadlocks for o in ops),
        "serialization_failures": sum(o.serialization_failures for o in ops),
    }


def group_latencies(result: RunResult, reads: bool) -> list[float]:
    return sorted(
        x for name, o in result.stats.items() if (name in READS) == reads for x in o.latencies
    )


def _processes(n: int) -> str:
    return "one Python process" if n <= 1 else f"{n} Python processes"


def report(result: RunResult, check: Verification, context: str) -> str:
    """The figures as Markdown (printed and written to docs/benchmarks.md)."""
    lines = [
        context,
        "",
        "| operation | kind | count | ops/s | p50 ms | p95 ms | p99 ms | conflicts | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, kind: str, lat: list[float], conflicts: int, errors: int) -> str:
        rate = len(lat) / result.seconds if result.seconds else 0
        p = [percentile(lat, q) * 1000 for q in (50, 95, 99)]
        return (
            f"| {label} | {kind} | {len(lat)} | {rate:.1f} | {p[0]:.1f} | {p[1]:.1f} | "
            f"{p[2]:.1f} | {conflicts} | {errors} |"
        )

    for name in sorted(result.stats, key=lambda n: (n not in READS, n)):
        o = result.stats[name]
        bad = o.errors + o.deadlocks + o.serialization_failures
        kind = "read" if name in READS else "write"
        lines.append(row(name, kind, sorted(o.latencies), o.conflicts, bad))
    t = totals(result)
    bad_r = sum(
        o.errors + o.deadlocks + o.serialization_failures
        for n, o in result.stats.items()
        if n in READS
    )
    bad_w = t["errors"] + t["deadlocks"] + t["serialization_failures"] - bad_r
    conf_w = sum(o.conflicts for n, o in result.stats.items() if n not in READS)
    reads, writes = group_latencies(result, True), group_latencies(result, False)
    lines.append(row("**all reads**", "read", reads, 0, bad_r))
    lines.append(row("**all writes**", "write", writes, conf_w, bad_w))
    p95r, p95w = percentile(reads, 95) * 1000, percentile(writes, 95) * 1000
    ok = lambda flag: "met" if flag else "**missed**"  # noqa: E731
    lines += [
        "",
        f"- operations completed: {t['operations']} in {result.seconds:.1f} s "
        f"({t['operations'] / result.seconds:.0f} ops/s); handled conflicts: {t['conflicts']}",
        f"- CPU in the client phase: clients ({_processes(result.processes)}) "
        f"{result.client_cpu_s:.1f} s"
        + (f", server {result.server_cpu_s:.1f} s" if result.server_cpu_s is not None else "")
        + f" of {2 * result.seconds:.0f} core-seconds on 2 cores",
        f"- unexpected errors: {t['errors']}, deadlocks (40P01): {t['deadlocks']}, "
        f"serialization failures (40001): {t['serialization_failures']}, "
        f"stuck clients: {result.stuck_clients}",
        f"- change log: {check.writes} committed writes, {check.logged} logged during the run; "
        f"missing {sum(n for _, n in check.missing)}, "
        f"unaccounted {sum(n for _, n in check.unexpected)} → "
        f"{'OK' if check.change_log_ok else 'FAILED'}",
        f"- lost updates: {check.lost_updates} (counters: "
        + ", ".join(f"{t_[:-1]} {rid}: {v}/{u}" for t_, rid, v, u in check.counters)
        + f"); version mismatches: {len(check.version_mismatches)} of "
        f"{len({(w.table, w.record_id) for w in result.writes})} written rows → "
        f"{'OK' if check.no_lost_updates else 'FAILED'}",
        f"- targets: read p95 {p95r:.1f} ms ≤ {READ_TARGET_MS:.0f} ms "
        f"{ok(p95r <= READ_TARGET_MS)}; "
        f"write p95 {p95w:.1f} ms ≤ {WRITE_TARGET_MS:.0f} ms {ok(p95w <= WRITE_TARGET_MS)}; "
        f"zero errors {ok(t['errors'] + t['deadlocks'] + t['serialization_failures'] == 0)}; "
        f"zero lost updates {ok(check.no_lost_updates)}",
    ]
    samples = [(n, s) for n, o in result.stats.items() for s in o.samples]
    if samples:
        lines += ["", "Error samples:", ""]
        lines += [f"- `{n}`: {s}" for n, s in samples[:10]]
    if check.missing or check.unexpected or check.version_mismatches:
        lines += ["", "Audit problems (first ones):", ""]
        lines += [f"- missing from the change log: {w} ×{n}" for w, n in check.missing[:5]]
        lines += [f"- logged, not reported committed: {w} ×{n}" for w, n in check.unexpected[:5]]
        lines += [f"- version: {m}" for m in check.version_mismatches[:5]]
    return "\n".join(lines)


SECTION = "## Load test"


HISTORY = "Run history"
HISTORY_HEAD = (
    "| when (Warsaw) | command | load before → after | ops/s | read p95 ms | write p95 ms "
    "| errors | conflicts | change log | lost updates |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---|---:|"
)


def history_row(result: RunResult, check: Verification, command: str, load: str) -> str:
    """One line of the run history (every run is kept there, good or bad)."""
    t = totals(result)
    bad = t["errors"] + t["deadlocks"] + t["serialization_failures"]
    reads, writes = group_latencies(result, True), group_latencies(result, False)
    return (
        f"| {datetime.now(TZ):%Y-%m-%d %H:%M} | `{command}` | {load} "
        f"| {t['operations'] / result.seconds:.0f} | {percentile(reads, 95) * 1000:.1f} "
        f"| {percentile(writes, 95) * 1000:.1f} | {bad} | {t['conflicts']} "
        f"| {'OK' if check.change_log_ok else 'FAILED'} "
        f"| {check.lost_updates + len(check.version_mismatches)} |"
    )


def write_docs(path: Path, intro: str, label: str, body: str, history: str | None = None) -> None:
    """Put ``body`` under ``### label`` in the Load test section of ``path``, replacing an
    earlier run with the same label, append ``history`` to the run history, and keep
    every other section."""
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    before, sep, rest = content.partition(f"\n{SECTION}\n")
    if not sep:
        before, rest = content.rstrip("\n") + "\n", ""
    section, nxt, after = rest.partition("\n## ")
    after = f"\n## {after}" if nxt else ""
    runs: dict[str, str] = {}
    for chunk in re.split(r"\n(?=### )", section):
        if chunk.startswith("### "):
            head, _, text_ = chunk.partition("\n")
            runs[head[4:].strip()] = text_.strip("\n")
    runs[label] = body.strip("\n")
    past = runs.pop(HISTORY, HISTORY_HEAD).strip("\n")
    if history:
        past += "\n" + history
    parts = [before.rstrip("\n"), "", SECTION, "", intro.strip("\n"), ""]
    for key in sorted(runs, key=_clients_first):
        parts += [f"### {key}", "", runs[key], ""]
    parts += [f"### {HISTORY}", "", past, ""]
    path.write_text("\n".join(parts).rstrip("\n") + "\n" + after, encoding="utf-8")


def _clients_first(label: str) -> tuple[int, bool, str]:
    """Runs with more clients first, the plain run before its variants."""
    match = re.match(r"\d+", label)
    return (-int(match[0]) if match else 0, "," in label, label)


DOCS_INTRO = """\
`loadtest/run.py` (see `loadtest/README.md`): simulated clients, each a thread with its own
connection (`Database`, pool of one) and its own signed-in session, run a role-dependent
mix of operations against a throwaway embedded server with **normal fsync** for a fixed
time, with an exponential think time between operations; afterwards the change log and
shared counters are checked on the maintenance connection. Latency is per operation,
measured in the client around one transaction including its COMMIT (completed operations,
handled conflicts included). Targets (issue 7): 50 clients for 60 s, p95 ≤ 50 ms for
reads and ≤ 100 ms for writes, zero errors, zero lost updates.

By default all clients are threads of one Python process, so client-side CPU
(SQLAlchemy, psycopg, result building) competes for one GIL as well as for the machine's
two cores with the server (`--processes N` spreads them over N processes); the machine
is shared with other engineers' test runs (see the load averages).
"""


STATEMENTS_SQL = text(
    "SELECT calls, total_exec_time, mean_exec_time, query FROM pg_stat_statements"
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND userid = (SELECT oid FROM pg_roles WHERE rolname = 'eszok_client')"
    " ORDER BY total_exec_time DESC"
)


def reset_statements(admin_url: URL | str) -> None:
    engine = create_engine(admin_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_stat_statements_reset()"))
    finally:
        engine.dispose()


def statements_report(admin_url: URL | str, result: RunResult, top: int = 12) -> str:
    """Server-side execution time of the clients' statements (pg_stat_statements), beside
    the time the clients measured: what is left is network, Python, GIL and CPU queues."""
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(STATEMENTS_SQL).all()
    finally:
        engine.dispose()
    server_s = sum(r.total_exec_time for r in rows) / 1000
    client_s = sum(x for o in result.stats.values() for x in o.latencies)
    lines = [
        f"Server-side: the clients' statements executed for {server_s:.1f} s in all "
        f"(pg_stat_statements, COMMIT's disk wait included) against {client_s:.1f} s of "
        f"operation time measured in the clients ({server_s / client_s:.0%})."
        if client_s
        else "No statements.",
        "",
        "| statement (top by total time) | calls | mean ms | total s |",
        "|---|---:|---:|---:|",
    ]
    for r in rows[:top]:
        query = " ".join(r.query.split())
        query = (query[:90] + "…") if len(query) > 90 else query
        query = query.replace("|", "\\|")
        lines.append(
            f"| `{query}` | {r.calls} | {r.mean_exec_time:.2f} | {r.total_exec_time / 1000:.2f} |"
        )
    return "\n".join(lines)


def postmaster_pid(server: EmbeddedServer) -> int | None:
    try:
        return int((server.data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think-ms", type=float, default=500, help="mean pause between ops")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--events", type=int, default=3000, help="base events")
    parser.add_argument("--cards", type=int, default=3000, help="base cards")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--processes", type=int, default=1, help="spread the clients over worker processes"
    )
    parser.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="eszok-load-", dir="/tmp"))
    base.chmod(0o755)
    server = EmbeddedServer(base, fast=False)  # fsync on: commits cost what they cost
    try:
        t_setup = time.perf_counter()
        server.initialize()
        with (server.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"max_connections = {max(100, 2 * args.clients + 20)}\n")
            conf.write("shared_preload_libraries = 'pg_stat_statements'\n")
        server.start()
        schema.ensure_database(server.superuser_url(), DATABASE)
        admin_url = server.superuser_url(DATABASE)
        schema.upgrade(admin_url, client_password=server.config.client_password)
        engine = create_engine(admin_url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
        engine.dispose()
        fixture = prepare(
            admin_url, n_users=args.users, base_events=args.events, base_cards=args.cards
        )
        setup_s = time.perf_counter() - t_setup
        engine = create_engine(admin_url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            fsync = conn.execute(text("SHOW fsync")).scalar_one()
        engine.dispose()
        roles = Counter(u.role for u in fixture.users)
        load_before = os.getloadavg()
        print(
            f"set-up {setup_s:.1f} s: {len(fixture.users)} users {dict(roles)}, "
            f"{fixture.event_count} events, {fixture.card_count} cards; load {load_before[0]:.2f}"
        )
        result = run_clients(
            admin_url,
            server.client_url(DATABASE),
            fixture,
            clients=args.clients,
            seconds=args.seconds,
            think_ms=args.think_ms,
            seed=args.seed,
            server_pid=postmaster_pid(server),
            on_start=lambda: reset_statements(admin_url),
            processes=args.processes,
        )
        load_after = os.getloadavg()
        check = verify(admin_url, fixture, result)
        statements = statements_report(admin_url, result)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)

    command = (
        f".venv/bin/python -m loadtest.run --clients {args.clients} --seconds {args.seconds:g}"
    )
    if args.think_ms != 500:
        command += f" --think-ms {args.think_ms:g}"
    if args.processes > 1:
        command += f" --processes {args.processes}"
    context = (
        f"`{command}` — {datetime.now(TZ):%Y-%m-%d %H:%M} Europe/Warsaw; PostgreSQL {version}, "
        f"fsync={fsync}, {os.cpu_count()} cores (shared); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; {len(fixture.users)} users "
        f"({', '.join(f'{n} {r}' for r, n in sorted(roles.items()))}), "
        f"{fixture.event_count} events, {fixture.card_count} cards at the start; "
        f"mean think time {args.think_ms:g} ms; sign-in of all clients {result.sign_in_s:.1f} s."
    )
    body = report(result, check, context) + "\n\n" + statements
    print(body)
    if not args.no_docs:
        label = f"{args.clients} clients × {args.seconds:g} s"
        if args.think_ms != 500:
            label += f", think time {args.think_ms:g} ms"
        if args.processes > 1:
            label += f", {args.processes} client processes"
        load = f"{load_before[0]:.2f} → {load_after[0]:.2f}"
        write_docs(args.docs, DOCS_INTRO, label, body, history_row(result, check, command, load))
        print(f"\nwritten to {args.docs}")


if __name__ == "__main__":
    main()
