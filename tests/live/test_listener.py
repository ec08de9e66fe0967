"""Change hints across two clients of one server (LISTEN/NOTIFY, migration 0006)."""

import threading
import time

from sqlalchemy import text

from eszok_desktop.db.listener import FULL_REFRESH, ChangeListener, parse_hint


class Collector:
    def __init__(self) -> None:
        self.batches: list[dict[str, set[int]]] = []
        self.arrived = threading.Event()

    def __call__(self, batch: dict[str, set[int]]) -> None:
        self.batches.append(batch)
        self.arrived.set()

    def ids(self, table: str) -> set[int]:
        return set().union(*(b.get(table, set()) for b in self.batches))


def publish(db, title: str) -> int:
    with db.session() as session:
        return session.execute(
            text("INSERT INTO eszok.announcements (title) VALUES (:t) RETURNING id"), {"t": title}
        ).scalar_one()


def test_a_change_by_one_client_reaches_the_other_within_a_second(make_signed_in, database):
    _, writer = make_signed_in("kierownik")
    collector = Collector()
    listener = ChangeListener(database.client_url, collector)
    listener.start()
    try:
        assert listener.listening.wait(5)
        started = time.monotonic()
        new_id = publish(writer, "Przerwa serwisowa")
        assert collector.arrived.wait(1.0)
        assert time.monotonic() - started < 1.0
        assert collector.ids("announcements") == {new_id}
    finally:
        listener.stop()


def test_hints_of_one_transaction_arrive_as_one_batch_of_ids_only(make_signed_in, database):
    _, writer = make_signed_in("kierownik")
    collector = Collector()
    listener = ChangeListener(database.client_url, collector)
    listener.start()
    try:
        assert listener.listening.wait(5)
        with writer.session() as session:
            ids = {
                session.execute(
                    text("INSERT INTO eszok.announcements (title) VALUES (:t) RETURNING id"),
                    {"t": f"Ogłoszenie {n}"},
                ).scalar_one()
                for n in range(3)
            }
        assert collector.arrived.wait(2)
        time.sleep(0.3)
        assert collector.ids("announcements") == ids
        assert len(collector.batches) == 1
    finally:
        listener.stop()


def test_a_rolled_back_change_sends_nothing(make_signed_in, database):
    _, writer = make_signed_in("kierownik")
    collector = Collector()
    listener = ChangeListener(database.client_url, collector)
    listener.start()
    try:
        assert listener.listening.wait(5)
        with writer.engine.connect() as conn:
            conn.execute(text("INSERT INTO eszok.announcements (title) VALUES ('x')"))
            conn.rollback()
        assert not collector.arrived.wait(0.6)
    finally:
        listener.stop()


def test_after_the_server_drops_it_the_listener_reconnects_and_asks_for_a_full_refresh(
    make_signed_in, database
):
    collector = Collector()
    states: list[bool] = []
    listener = ChangeListener(database.client_url, collector, states.append)
    listener.start()
    try:
        assert listener.listening.wait(5)
        with database.admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            )
        assert collector.arrived.wait(10)
        assert FULL_REFRESH in collector.batches[0]
        assert states[:3] == [True, False, True]
    finally:
        listener.stop()


def test_payload_parsing_rejects_anything_but_table_and_id():
    assert parse_hint("events:42") == ("events", 42)
    assert parse_hint("events:") is None
    assert parse_hint("events:4;2") is None
    assert parse_hint(":1") is None


def test_account_changes_are_hinted_but_sign_ins_are_not(make_signed_in, database):
    user_id = database.add_user("serwisant")
    email = database.email_of(user_id)
    collector = Collector()
    listener = ChangeListener(database.client_url, collector)
    listener.start()
    try:
        assert listener.listening.wait(5)
        database.signed_in(email)
        assert not collector.arrived.wait(0.6)
        with database.admin.begin() as conn:
            conn.execute(
                text("UPDATE auth.users SET full_name = 'Nowe Nazwisko' WHERE id = :i"),
                {"i": user_id},
            )
        assert collector.arrived.wait(2)
        assert collector.ids("users") == {user_id}
    finally:
        listener.stop()
