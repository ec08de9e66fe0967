"""Panel Główny queries, as eszok_client under row-level security."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from eszok_desktop.services import panel
from tests.panel_rows import insert_announcement, insert_event

WARSAW = ZoneInfo("Europe/Warsaw")
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WARSAW)


def test_day_plan_has_only_my_events_of_that_day(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    other = database.add_user("serwisant")
    mine = insert_event(database, [me], at(9), at(10), "Przegląd", company="Firma A")
    shared = insert_event(database, [other, me], at(11), at(12), "Wspólne")
    insert_event(database, [other], at(9), at(10), "Cudze")
    insert_event(database, [me], at(9, day=DAY + timedelta(days=1)), at(10, day=DAY + timedelta(1)))
    insert_event(database, [me], at(9, day=DAY - timedelta(days=1)), at(10, day=DAY - timedelta(1)))

    with db.session() as session:
        plan = panel.day_plan(session, me, DAY, WARSAW)

    assert [e.id for e in plan] == [mine, shared]
    first = plan[0]
    assert (first.title, first.company_name, first.kind_name) == ("Przegląd", "Firma A", "Serwis")
    assert first.calendar_name == "Serwis" and first.calendar_color.startswith("#")
    assert first.starts_at == at(9) and first.ends_at == at(10)


def test_day_plan_includes_events_crossing_midnight_but_not_ending_at_it(database, make_signed_in):
    me, db = make_signed_in("handlowiec")
    night = insert_event(
        database,
        [me],
        at(22, day=DAY - timedelta(days=1)),
        at(1),
        "Przez północ",
        calendar="handlowy",
        kind="Inny",
    )
    insert_event(
        database,
        [me],
        at(20, day=DAY - timedelta(days=1)),
        at(0),
        "Kończy się o północy",
        calendar="handlowy",
        kind="Inny",
    )
    instant = insert_event(
        database, [me], at(0), at(0), "Chwila o północy", calendar="handlowy", kind="Inny"
    )
    with db.session() as session:
        plan = panel.day_plan(session, me, DAY, WARSAW)
    assert [e.id for e in plan] == [night, instant]


def test_day_plan_cannot_reveal_an_ungranted_users_events(database, make_signed_in):
    _me, db = make_signed_in("serwisant")
    other = database.add_user("serwisant")
    insert_event(database, [other], at(9), at(10), "Cudze")
    with db.session() as session:
        # asking for someone else's plan returns nothing: RLS hides their calendar
        assert panel.day_plan(session, other, DAY, WARSAW) == []


def test_current_announcements_newest_first_without_expired_or_future(database, make_signed_in):
    author = database.add_user("kierownik")
    now = datetime.now(WARSAW)
    older = insert_announcement(database, author, "Starsze", "a", visible_from=now - timedelta(2))
    newer = insert_announcement(database, author, "Nowsze", "b", visible_from=now - timedelta(1))
    insert_announcement(
        database, author, "Wygasłe", visible_from=now - timedelta(5), visible_to=now - timedelta(1)
    )
    insert_announcement(database, author, "Przyszłe", visible_from=now + timedelta(1))
    # a publisher's policy shows them every row; the panel still shows only current ones
    for _, db in (make_signed_in("serwisant"), make_signed_in("kierownik")):
        with db.session() as session:
            items = panel.current_announcements(session)
        assert [a.id for a in items] == [newer, older]
        assert (items[0].title, items[0].body) == ("Nowsze", "b")


def test_load_panel_reads_both_parts(database, make_signed_in):
    me, db = make_signed_in("programista")
    event = insert_event(database, [me], at(8), at(9))
    note = insert_announcement(database, me, "Komunikat")
    with db.session() as session:
        data = panel.load_panel(session, me, DAY, WARSAW)
    assert [a.id for a in data.announcements] == [note]
    assert [e.id for e in data.plan] == [event]


def test_day_plan_on_a_daylight_saving_day(database, make_signed_in):
    me, db = make_signed_in("serwisant")
    spring = date(2026, 3, 29)  # 23 hours: 02:00 does not exist
    late = insert_event(database, [me], at(23, day=spring), at(23, 30, day=spring))
    insert_event(
        database, [me], at(0, day=spring + timedelta(days=1)), at(1, day=spring + timedelta(days=1))
    )
    with db.session() as session:
        assert [e.id for e in panel.day_plan(session, me, spring, WARSAW)] == [late]
