"""The client's connections: settings every pooled connection starts with."""

from sqlalchemy import text


def test_client_connections_plan_for_actual_values(make_signed_in):
    _user, db = make_signed_in("serwisant")
    with db.session() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        assert session.execute(text("SHOW application_name")).scalar() == "eszok"


def test_timestamps_arrive_in_utc_whatever_the_servers_zone(make_signed_in, database):
    # the views compare thousands of timestamps, exactly only in a fixed-offset zone
    with database.admin.connect() as conn:
        conn.execute(text(f"ALTER DATABASE \"{database.name}\" SET timezone = 'Europe/Warsaw'"))
        conn.commit()
    _user, db = make_signed_in("serwisant")
    with db.session() as session:
        assert session.execute(text("SHOW TimeZone")).scalar() == "UTC"
        moment = session.execute(text("SELECT timestamptz '2026-10-25 02:30+01'")).scalar()
    assert moment.utcoffset().total_seconds() == 0
    assert (moment.hour, moment.minute) == (1, 30)
