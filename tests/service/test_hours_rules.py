"""Pure rules: hours arithmetic, NIP check, draft validation, filter building."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from eszok_desktop.services.errors import ValidationError
from eszok_desktop.services.service import card_filter as cf
from eszok_desktop.services.service.card_rules import check_nip, field_errors
from eszok_desktop.services.service.hours import (
    format_hours,
    hours_from_duration,
    parse_hours,
    round_to_quarter,
)
from tests.service.conftest import draft


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0", "0.00"),
        ("0.12", "0.00"),
        ("0.125", "0.25"),
        ("1.13", "1.25"),
        ("1.37", "1.25"),
        ("1.38", "1.50"),
        ("7.99", "8.00"),
        (2, "2.00"),
    ],
)
def test_round_to_quarter(given, expected):
    assert round_to_quarter(given) == Decimal(expected)


def test_parse_hours_accepts_polish_comma_and_rejects_garbage():
    assert parse_hours("1,5") == Decimal("1.5")
    assert parse_hours(" 2.25 ") == Decimal("2.25")
    assert parse_hours("") is None
    assert parse_hours("abc") is None
    assert parse_hours("nan") is None
    assert format_hours(Decimal("1.5")) == "1,50"


def test_hours_from_duration_rounds_and_clamps():
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert hours_from_duration(start, start + timedelta(minutes=100)) == Decimal("1.75")
    assert hours_from_duration(start, start + timedelta(minutes=97)) == Decimal("1.50")
    assert hours_from_duration(start, start) == Decimal("0.25")
    assert hours_from_duration(start, start + timedelta(days=3)) == Decimal("24.00")
    assert hours_from_duration(start, start, all_day=True) == Decimal("8.00")


def test_nip_checksum_and_format():
    assert check_nip("856-734-62-15") == "8567346215"
    assert check_nip("PL 8567346215") == "8567346215"
    assert check_nip("  ") is None
    with pytest.raises(ValidationError) as info:
        check_nip("8567346216")
    assert info.value.code == "nip_checksum"
    with pytest.raises(ValidationError) as info:
        check_nip("12345")
    assert info.value.code == "nip_format"


def test_field_errors_lists_every_problem():
    bad = draft(
        1,
        company_name=" ",
        hours=Decimal("1.1"),
        company_nip="8567346216",
        contact_email="zly@",
        work_kind_id=None,
        work_date=None,
    )
    codes = {(e.field, e.code) for e in field_errors(bad)}
    assert codes == {
        ("work_date", "required"),
        ("company_name", "required"),
        ("company_nip", "nip_checksum"),
        ("contact_email", "invalid"),
        ("work_kind_id", "required"),
        ("hours", "not_quarter"),
    }
    assert {e.code for e in field_errors(draft(1, hours=Decimal("24.25")))} == {"too_many"}
    assert {e.code for e in field_errors(draft(1, hours=Decimal("0")))} == {"not_positive"}
    assert field_errors(draft(1)) == []


def test_filter_clause_builds_bound_conditions():
    where, params = cf.filter_clause(
        cf.CardFilter(
            date_from=date(2026, 1, 1),
            company="50%_off",
            nip="856-734",
            state=cf.CardState.CLOSED,
            hours_min=Decimal(1),
        )
    )
    assert "c.deleted_at IS NULL" in where
    assert params["company"] == "50\\%\\_off"
    assert params["nip"] == "%856734%"
    assert params["state"] == "closed"
    assert ":hours_min" in where and "hours_max" not in where
    assert "50" not in where  # values are bound, never pasted into SQL


def test_keyset_clause_follows_direction():
    sort = cf.CardSort(cf.SortKey.NUMBER, descending=False)
    sql, params = cf.after_clause(sort, (2026, 5, 17))
    assert sql == "(c.number_year, c.number_seq, c.id) > (:after0, :after1, :after2)"
    assert params == {"after0": 2026, "after1": 5, "after2": 17}
    assert cf.order_clause(cf.CardSort()) == "c.work_date DESC, c.id DESC"
    assert cf.after_clause(sort, None) == ("", {})


def test_company_lookup_only_for_broad_searches():
    assert cf.needs_company_ids(cf.CardFilter(company="zolw"))
    assert cf.needs_company_ids(cf.CardFilter(company="zolw", date_from=date(2026, 1, 1)))
    assert not cf.needs_company_ids(cf.CardFilter())
    assert not cf.needs_company_ids(cf.CardFilter(company="zolw", owner_id=5))
    closed = cf.CardFilter(company="zolw", date_from=date(2026, 1, 1), date_to=date(2026, 2, 1))
    assert not cf.needs_company_ids(closed)
    where, params = cf.filter_clause(cf.CardFilter(company="zolw", company_ids=(3, 4)))
    assert "c.id = ANY (:company_ids)" in where and params["company_ids"] == [3, 4]
