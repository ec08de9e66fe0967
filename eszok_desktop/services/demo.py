"""Demo data for trying eSZOK (``eszok demo``): one user of each role, four weeks of events.

Loaded on a maintenance connection (the change log records the maintenance login as the
author). Dates are relative to today: the past two weeks and the next two, in the zone
the calendar views use (``TZ`` or the system zone, else Europe/Warsaw). Deterministic
for a given day, so screenshots are repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services import users
from eszok_desktop.services.auth import hash_password
from eszok_desktop.services.calendar.layout import display_zone

# the zone the calendar views show, so demo events sit at office hours on screen
ZONE = display_zone()
DEMO_DOMAIN = "demo.eszok.pl"
DEMO_PASSWORD = "Demo1234"


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    full_name: str
    role: str


DEMO_USERS = (
    DemoUser("admin", f"admin@{DEMO_DOMAIN}", "Anna Adamska", "administrator"),
    DemoUser("kierownik", f"kierownik@{DEMO_DOMAIN}", "Krzysztof Król", "kierownik"),
    DemoUser("handlowiec", f"handlowiec@{DEMO_DOMAIN}", "Hanna Wiśniewska", "handlowiec"),
    DemoUser("handlowiec2", f"handlowiec2@{DEMO_DOMAIN}", "Łukasz Żórawski", "handlowiec"),
    DemoUser("serwisant", f"serwisant@{DEMO_DOMAIN}", "Sebastian Nowak", "serwisant"),
    DemoUser("serwisant2", f"serwisant2@{DEMO_DOMAIN}", "Małgorzata Ślęzak", "serwisant"),
    DemoUser("programista", f"programista@{DEMO_DOMAIN}", "Paweł Kowalczyk", "programista"),
)


@dataclass(frozen=True)
class Company:
    name: str
    nip: str
    address: str


def nip_with_check_digit(first_nine: str) -> str | None:
    """A NIP with a valid check digit, or None when these nine digits have none."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    check = sum(int(d) * w for d, w in zip(first_nine, weights, strict=True)) % 11
    return None if check == 10 else first_nine + str(check)


def _companies() -> list[Company]:
    raw = (
        ("Piekarnia Złoty Kłos sp. z o.o.", "525100200", "ul. Marszałkowska 10, Warszawa"),
        ("Biuro Rachunkowe Żak", "676200301", "ul. Floriańska 3, Kraków"),
        ("Hurtownia Łódzka S.A.", "727300402", "ul. Piotrkowska 100, Łódź"),
        ("Zakład Usług Technicznych Ćma", "778400503", "ul. Święty Marcin 20, Poznań"),
        ("Apteka Pod Orłem", "894500604", "Rynek 15, Wrocław"),
        ("Gminny Ośrodek Kultury Śródka", "583600705", "ul. Długa 5, Gdańsk"),
    )
    companies = []
    for name, digits, address in raw:
        nip = nip_with_check_digit(digits) or nip_with_check_digit(digits[:-1] + "9")
        assert nip is not None
        companies.append(Company(name, nip, address))
    return companies


COMPANIES = _companies()


class DemoAlreadyLoaded(Exception):
    """The demo users exist already; loading again would duplicate everything."""


@dataclass
class DemoSummary:
    users: dict[str, int] = field(default_factory=dict)
    events: int = 0
    grants: int = 0
    announcements: int = 0
    notes: int = 0
    cards: int = 0
    cards_skipped: bool = False

    def describe(self) -> str:
        lines = [
            f"demo data loaded: {len(self.users)} users, {self.events} events, "
            f"{self.grants} calendar grants, {self.announcements} announcements, "
            f"{self.notes} notes, "
            + (
                "task cards skipped (no Serwis tables)"
                if self.cards_skipped
                else f"{self.cards} task cards"
            ),
            f"sign in with any of these e-mails and the password {DEMO_PASSWORD}:",
        ]
        lines += [f"  {u.email:32} {u.role:14} {u.full_name}" for u in DEMO_USERS]
        return "\n".join(lines)


def demo_loaded(session: Session) -> bool:
    return bool(
        session.execute(
            text("SELECT EXISTS (SELECT 1 FROM auth.users WHERE email LIKE :pattern)"),
            {"pattern": f"%@{DEMO_DOMAIN}"},
        ).scalar()
    )


def load_demo(session: Session, today: date | None = None) -> DemoSummary:
    """Insert the demo data on a maintenance session; refuses when it is already there."""
    if demo_loaded(session):
        raise DemoAlreadyLoaded(DEMO_DOMAIN)
    today = today or datetime.now(ZONE).date()
    rng = random.Random(today.toordinal())
    summary = DemoSummary()
    password_hash = hash_password(DEMO_PASSWORD)
    for user in DEMO_USERS:
        summary.users[user.key] = users.add_user(
            session,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            password_hash=password_hash,
        )
    ids = summary.users
    summary.events = _add_events(session, ids, today, rng)
    summary.grants = _add_grants(session, ids)
    summary.announcements = _add_announcements(session, ids, today)
    summary.notes = _add_notes(session, ids, today)
    if table_exists(session, "eszok.cards"):
        summary.cards = load_task_cards(session, ids, today, rng)
    else:
        summary.cards_skipped = True
    return summary


def table_exists(session: Session, qualified_name: str) -> bool:
    return (
        session.execute(text("SELECT to_regclass(:t)"), {"t": qualified_name}).scalar() is not None
    )


def _kinds(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """(calendar code, kind name) → (calendar id, kind id)."""
    rows = session.execute(
        text(
            "SELECT c.code, k.name, c.id, k.id FROM eszok.event_kinds k "
            "JOIN eszok.calendars c ON c.id = k.calendar_id"
        )
    )
    return {(code, name): (cal_id, kind_id) for code, name, cal_id, kind_id in rows}


def _at(day: date, hour: float) -> datetime:
    minutes = round(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), ZONE)


def _working_days(today: date) -> list[date]:
    days = [today + timedelta(days=n) for n in range(-14, 15)]
    return [d for d in days if d.weekday() < 5]


def _add_events(session: Session, ids: dict[str, int], today: date, rng: random.Random) -> int:
    kinds = _kinds(session)
    rows: list[dict[str, object]] = []

    def event(
        calendar: str,
        kind: str,
        title: str,
        start: datetime,
        end: datetime,
        participants: list[str],
        *,
        all_day: bool = False,
        company: Company | None = None,
        note: str | None = None,
    ) -> None:
        cal_id, kind_id = kinds[(calendar, kind)]
        rows.append(
            {
                "cal": cal_id,
                "kind": kind_id,
                "title": title,
                "s": start,
                "e": end,
                "all_day": all_day,
                "parts": [ids[p] for p in participants],
                "resp": ids[participants[0]],
                "cname": company.name if company else None,
                "cnip": company.nip if company else None,
                "caddr": company.address if company else None,
                "note": note,
                "by": ids["kierownik"] if calendar != "handlowy" else ids[participants[0]],
            }
        )

    for day in _working_days(today):
        # salespeople: one or two client meetings a day
        for seller in ("handlowiec", "handlowiec2"):
            for _ in range(rng.choice((1, 1, 2))):
                start = rng.choice((8.5, 9, 10, 11.5, 13, 14))
                company = rng.choice(COMPANIES)
                kind = rng.choice(("Spotkanie", "Spotkanie", "Prezentacja"))
                event(
                    "handlowy",
                    kind,
                    f"{kind}: {company.name}",
                    _at(day, start),
                    _at(day, start + rng.choice((1, 1.5, 2))),
                    [seller],
                    company=company,
                )
        # technicians: a service visit, often together, plus printing or training
        company = rng.choice(COMPANIES)
        crew = (
            ["serwisant", "serwisant2"]
            if rng.random() < 0.4
            else [rng.choice(("serwisant", "serwisant2"))]
        )
        event(
            "serwis",
            "Serwis",
            f"Serwis u klienta: {company.name}",
            _at(day, 8),
            _at(day, 8 + rng.choice((2, 3, 4))),
            crew,
            company=company,
            note="Przegląd okresowy i aktualizacja oprogramowania.",
        )
        if rng.random() < 0.5:
            event(
                "serwis",
                "Wydruk",
                "Wydruk dokumentacji",
                _at(day, 13),
                _at(day, 14),
                [rng.choice(("serwisant", "serwisant2"))],
            )
        if rng.random() < 0.6:
            company = rng.choice(COMPANIES)
            event(
                "serwis",
                "Inne",
                f"Wdrożenie modułu: {company.name}",
                _at(day, 10),
                _at(day, 12),
                ["programista"],
                company=company,
            )

    # today: overlapping events for the technician (side by side in the day plan)
    company = COMPANIES[0]
    event(
        "serwis",
        "Serwis",
        f"Awaria drukarki: {company.name}",
        _at(today, 9),
        _at(today, 11),
        ["serwisant"],
        company=company,
        note="Pilne: klient czeka na fakturę.",
    )
    event(
        "serwis",
        "Szkolenie",
        "Szkolenie z nowego systemu kas",
        _at(today, 10),
        _at(today, 12.5),
        ["serwisant", "programista"],
    )
    event("handlowy", "Inny", "Telefon do klienta", _at(today, 10.5), _at(today, 11), ["serwisant"])
    # a team training with everyone, in the second week ahead
    training_day = today + timedelta(days=(7 - today.weekday()) % 7 + 8)
    event(
        "serwis",
        "Szkolenie",
        "Szkolenie zespołu: bezpieczeństwo danych",
        _at(training_day, 9),
        _at(training_day, 13),
        [u.key for u in DEMO_USERS],
    )
    event(
        "handlowy",
        "Spotkanie",
        "Spotkanie działu",
        _at(today + timedelta(days=1), 8),
        _at(today + timedelta(days=1), 9),
        ["kierownik", "handlowiec", "handlowiec2"],
    )

    # absences: a week of holiday, a sick day, a training day (all-day)
    monday = today - timedelta(days=today.weekday())
    for who, kind, first, length, title in (
        ("handlowiec2", "Urlop", monday + timedelta(days=7), 5, "Urlop wypoczynkowy"),
        ("serwisant2", "L4", today - timedelta(days=3), 2, "Zwolnienie lekarskie"),
        ("programista", "Szkolenie", today + timedelta(days=2), 1, "Konferencja branżowa"),
        ("kierownik", "Urlop", monday - timedelta(days=4), 1, "Dzień wolny"),
    ):
        start = datetime.combine(first, time(0), ZONE)
        end = datetime.combine(first + timedelta(days=length), time(0), ZONE)
        event("nieobecnosci", kind, title, start, end, [who], all_day=True)

    session.execute(
        text(
            "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at, all_day,"
            " participant_ids, responsible_id, company_name, company_nip, company_address,"
            " note, created_by) VALUES (:cal, :kind, :title, :s, :e, :all_day, :parts, :resp,"
            " :cname, :cnip, :caddr, :note, :by)"
        ),
        rows,
    )
    return len(rows)


def _add_grants(session: Session, ids: dict[str, int]) -> int:
    grants = (
        ("handlowiec", "kierownik", "view"),
        ("serwisant", "kierownik", "manage"),
        ("serwisant2", "serwisant", "view"),
        ("handlowiec2", "handlowiec", "manage"),
    )
    session.execute(
        text(
            "INSERT INTO eszok.calendar_grants (owner_id, grantee_id, level, granted_by) "
            "VALUES (:o, :g, :l, :by)"
        ),
        [{"o": ids[o], "g": ids[g], "l": level, "by": ids["admin"]} for o, g, level in grants],
    )
    return len(grants)


def _add_announcements(session: Session, ids: dict[str, int], today: date) -> int:
    items = (
        (
            "admin",
            -10,
            "Witamy w eSZOK",
            f"To jest instalacja demonstracyjna. Hasło wszystkich kont demo: {DEMO_PASSWORD}.",
        ),
        (
            "kierownik",
            -3,
            "Przegląd floty samochodów",
            "W przyszły piątek samochody służbowe jadą na przegląd — zaplanujcie wyjazdy.",
        ),
        (
            "kierownik",
            -1,
            "Nowy cennik usług serwisowych",
            "Od poniedziałku obowiązuje nowy cennik. Karty zadaniowe wystawiamy według niego.",
        ),
    )
    session.execute(
        text(
            "INSERT INTO eszok.announcements (title, body, visible_from, author_id) "
            "VALUES (:t, :b, :f, :a)"
        ),
        [
            {"t": title, "b": body, "f": _at(today + timedelta(days=offset), 8), "a": ids[who]}
            for who, offset, title, body in items
        ],
    )
    return len(items)


def _add_notes(session: Session, ids: dict[str, int], today: date) -> int:
    now = datetime.now(ZONE)
    notes = []
    for who in ("admin", "kierownik", "handlowiec", "serwisant", "serwisant2", "programista"):
        notes += [
            (
                who,
                "Oddzwonić do klienta",
                "Zapytać o termin wizyty.",
                now + timedelta(days=2, hours=3),
                True,
                None,
            ),
            (who, "Zamówić materiały", "", now - timedelta(hours=5), True, None),
            (
                who,
                "Przeczytać nowy cennik",
                "",
                datetime.combine(today + timedelta(days=7), time(0), ZONE),
                False,
                None,
            ),
            (who, "Uzupełnić dokumentację", "", None, False, now - timedelta(days=1)),
        ]
    session.execute(
        text(
            "INSERT INTO eszok.notes (owner_id, title, body, deadline, deadline_has_time, "
            "done_at) VALUES (:o, :t, :b, :d, :dt, :done)"
        ),
        [
            {"o": ids[who], "t": title, "b": body, "d": deadline, "dt": has_time, "done": done}
            for who, title, body, deadline, has_time, done in notes
        ],
    )
    return len(notes)


def load_task_cards(session: Session, ids: dict[str, int], today: date, rng: random.Random) -> int:
    """Task cards for the Serwis module (only called when ``eszok.cards`` exists).

    One card per past Serwis visit (linked to its event), closed when older than a week.
    The hook the Serwis module extends if its tables grow required columns.
    """
    kinds = {
        name: kind_id
        for name, kind_id in session.execute(
            text("SELECT name, id FROM eszok.work_kinds WHERE active")
        ).all()
    }
    fallback = next(iter(kinds.values()))
    visits = session.execute(
        text(
            "SELECT e.id, e.starts_at, e.ends_at, e.participant_ids, e.company_name, "
            "e.company_nip, e.company_address, e.title "
            "FROM eszok.events e JOIN eszok.calendars c ON c.id = e.calendar_id "
            "JOIN eszok.event_kinds k ON k.id = e.kind_id "
            "WHERE c.code = 'serwis' AND e.company_name IS NOT NULL AND e.starts_at < now() "
            "ORDER BY e.starts_at"
        )
    ).all()
    rows = []
    for visit in visits:
        hours = (visit.ends_at - visit.starts_at).total_seconds() / 3600
        work_date = visit.starts_at.astimezone(ZONE).date()
        kind = "Wdrożenie" if visit.title.startswith("Wdrożenie") else "Serwis"
        rows.append(
            {
                "d": work_date,
                "cname": visit.company_name,
                "cnip": visit.company_nip,
                "caddr": visit.company_address or "",
                "kind": kinds.get(kind, fallback),
                "desc": rng.choice(
                    (
                        "Przegląd okresowy urządzeń, wymiana tonera.",
                        "Aktualizacja oprogramowania i kopia zapasowa.",
                        "Naprawa sieci w biurze, wymiana przełącznika.",
                        "Konfiguracja stanowisk dla nowych pracowników.",
                    )
                ),
                "hours": max(0.25, min(24.0, round(hours * 4) / 4)),
                "tech": visit.participant_ids[0],
                "state": "closed" if work_date < today - timedelta(days=7) else "open",
                "event": visit.id,
                "by": visit.participant_ids[0],
            }
        )
    if rows:
        session.execute(
            text(
                "INSERT INTO eszok.cards (work_date, company_name, company_nip, "
                "company_address, work_kind_id, description, hours, technician_id, state, "
                "event_id, created_by) VALUES (:d, :cname, :cnip, :caddr, :kind, :desc, "
                ":hours, :tech, :state, :event, :by)"
            ),
            rows,
        )
    return len(rows)
