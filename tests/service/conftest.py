"""Shared helpers of the Serwis tests: card drafts, cards and Serwis events made on the
maintenance connection (fast setup that bypasses no rule under test), an SMTP recorder."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
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


def serwis_event(database, owner: int, **kw) -> int:
    values = dict(
        title="Przegląd drukarki",
        starts_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 9, 40, tzinfo=UTC),
        company_name="Żółw Serwis",
        company_nip="8567346215",
        company_address="ul. Długa 5",
        note="Drukarka nie drukuje",
        responsible_id=owner,
        participant_ids=[owner],
        created_by=owner,
        calendar="serwis",
    )
    values.update(kw)
    with database.admin.begin() as conn:
        return conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at,"
                " participant_ids, responsible_id, company_name, company_nip, company_address,"
                " note, created_by)"
                " SELECT c.id, k.id, :title, :starts_at, :ends_at, :participant_ids,"
                " :responsible_id, :company_name, :company_nip, :company_address, :note,"
                " :created_by FROM eszok.calendars c JOIN eszok.event_kinds k"
                " ON k.calendar_id = c.id WHERE c.code = :calendar ORDER BY k.id LIMIT 1"
                " RETURNING id"
            ),
            values,
        ).scalar_one()


class Recorder:
    """aiosmtpd handler keeping every accepted message; refuses one recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nikt@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
