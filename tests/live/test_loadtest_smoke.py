"""The load test's machinery, briefly, so CI keeps it working: three clients for three
seconds against the test database, with no think time to provoke conflicts."""

from loadtest import run
from tests.conftest import cached_hash


def test_three_clients_for_three_seconds_lose_nothing(database):
    fixture = run.prepare(
        database.admin_url,
        n_users=4,
        base_events=300,
        base_cards=300,
        counters=2,
        password_hash=cached_hash(run.PASSWORD),
    )
    # heavier on the shared counters and notes than an office, so that three seconds
    # surely contend and write to every audited table even on a slow machine
    busy = {"counter_event": 25, "counter_card": 25, "create_note": 10, "edit_note": 5}
    result = run.run_clients(
        database.admin_url,
        database.client_url,
        fixture,
        clients=3,
        seconds=3,
        think_ms=5,
        weights=busy,
    )
    check = run.verify(database.admin_url, fixture, result)
    totals = run.totals(result)
    report = run.report(result, check, "smoke")
    print(report)

    assert result.stuck_clients == 0
    assert totals["errors"] == totals["deadlocks"] == totals["serialization_failures"] == 0, report
    assert check.writes > 20, report  # the clients did write, and many things
    assert {w.table for w in result.writes} == {"events", "cards", "notes"}, report
    assert check.change_log_ok, report
    assert check.no_lost_updates, report
    # the shared counters were really contended: increments landed, every one counted
    assert sum(updates for *_, updates in check.counters) > 0, report
    assert all(value == updates for _, _, value, updates in check.counters), report
    assert {"browse_week", "filter_cards", "counter_event"} <= set(result.stats), report


def test_the_audit_notices_a_write_missing_from_the_change_log(database):
    """The check can fail: a write reported committed that the log does not have, and an
    increment that never landed, are both caught."""
    fixture = run.prepare(
        database.admin_url,
        n_users=2,
        base_events=20,
        base_cards=20,
        counters=1,
        password_hash=cached_hash(run.PASSWORD),
    )
    result = run.run_clients(
        database.admin_url, database.client_url, fixture, clients=1, seconds=0.5, think_ms=5
    )
    counter = fixture.counter_events[0]
    result.writes.append(run.Write("events", counter, fixture.users[0].id, "U"))
    check = run.verify(database.admin_url, fixture, result)
    assert not check.change_log_ok
    assert run.Write("events", counter, fixture.users[0].id, "U") in [w for w, _ in check.missing]
    assert not check.no_lost_updates
    assert check.lost_updates >= 1


def test_role_plan_is_the_office_mix():
    plan = run.role_plan(50)
    assert plan[0] == "administrator"
    assert {r: plan.count(r) for r in set(plan)} == {
        "administrator": 1,
        "kierownik": 4,
        "handlowiec": 15,
        "serwisant": 20,
        "programista": 10,
    }
    assert len(set(run.role_plan(5))) >= 4  # a short prefix is still a mix


def test_docs_section_replaces_its_own_run_and_keeps_other_sections(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## Terminarz\n\nfast\n", encoding="utf-8")
    run.write_docs(path, "intro", "10 clients × 20 s", "first", "| run 1 |")
    run.write_docs(path, "intro", "50 clients × 60 s", "big", "| run 2 |")
    run.write_docs(path, "intro", "10 clients × 20 s", "second", "| run 3 |")
    content = path.read_text(encoding="utf-8")
    assert "## Terminarz\n\nfast" in content
    assert "first" not in content and "second" in content and "big" in content
    assert content.index("50 clients") < content.index("10 clients")
    assert content.count("## Load test") == 1
    path.write_text(content + "\n## Serwis\n\nlater\n", encoding="utf-8")
    run.write_docs(path, "intro", "10 clients × 20 s", "third")
    content = path.read_text(encoding="utf-8")
    assert "## Serwis\n\nlater" in content and "## Terminarz\n\nfast" in content
    assert "third" in content and "second" not in content and "big" in content
    history = content[content.index("### Run history") : content.index("## Serwis")]
    assert history.index("| run 1 |") < history.index("| run 2 |") < history.index("| run 3 |")


def test_clients_spread_over_worker_processes_are_counted_and_audited(database):
    fixture = run.prepare(
        database.admin_url,
        n_users=2,
        base_events=50,
        base_cards=50,
        counters=1,
        password_hash=cached_hash(run.PASSWORD),
    )
    result = run.run_clients(
        database.admin_url,
        database.client_url,
        fixture,
        clients=2,
        seconds=1.5,
        think_ms=5,
        processes=2,
        weights={"counter_event": 30},
    )
    check = run.verify(database.admin_url, fixture, result)
    report = run.report(result, check, "two processes")
    assert run.totals(result)["errors"] == 0, report
    assert result.processes == 2 and result.stuck_clients == 0
    # both processes' clients did work, and all of it is accounted for
    assert {w.user_id for w in result.writes} == {u.id for u in fixture.users}, report
    assert check.change_log_ok and check.no_lost_updates, report
