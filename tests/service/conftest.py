"""Shared helpers of the Serwis tests: card drafts and cards made on the maintenance
connection (fast bulk setup that bypasses no rule under test)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from eszok_desktop.services.service.card_rules import CardDraft

VALID_NIP = "8567346215"


def draft(technician_id: int, **kw) -> CardDraft:
    values = dict(
        work_date=date(2026, 11, 20),
        company_name="Żółw Serwis Sp. z o.o.",
        work_kind_id=1,
        hours=Decimal("1.5"),
        technician_id=technician_id,
        company_nip=VALID_NIP,
        company_address="ul. Długa 5, 00-001 Warszawa",
        description="Wymiana zasilacza",
    )
    values.update(kw)
    return CardDraft(**values)


@pytest.fixture
def add_card(database):
    """Insert a card as maintenance (for setting up lists quickly); returns its id."""

    def add(technician_id: int, **kw) -> int:
        values = dict(
            work_date=date(2026, 11, 20),
            company_name="Firma",
            work_kind_id=1,
            hours=Decimal("1.00"),
            technician_id=technician_id,
            created_by=technician_id,
            state="open",
            company_nip=None,
        )
        values.update(kw)
        cols = ", ".join(values)
        binds = ", ".join(f":{k}" for k in values)
        with database.admin.begin() as conn:
            return conn.execute(
                text(f"INSERT INTO eszok.cards ({cols}) VALUES ({binds}) RETURNING id"), values
            ).scalar_one()

    return add
