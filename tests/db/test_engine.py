"""The client's connections: settings every pooled connection starts with."""

from sqlalchemy import text


def test_client_connections_plan_for_actual_values(make_signed_in):
    _user, db = make_signed_in("serwisant")
    with db.session() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        assert session.execute(text("SHOW application_name")).scalar() == "eszok"
