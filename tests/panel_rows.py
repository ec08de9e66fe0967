"""Rows for panel tests, written on the maintenance engine with plain SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text


def insert_event(
    database,
    participants: list[int],
    starts_at: datetime,
    ends_at: datetime,
    title: str = "Wizyta u klienta",
    *,
    calendar: str = "serwis",
    kind: str = "Serwis",
    company: str | None = None,
    all_day: bool = False,
) -> int:
    with database.admin.begin() as conn:
        return conn.execute(
            text(
                "INSERT INTO eszok.events (calendar_id, kind_id, title, starts_at, ends_at,"
                " all_day, participant_ids, responsible_id, company_name, created_by)"
                " SELECT c.id, k.id, :title, :s, :e, :all_day, :p, :r, :company, :r"
                "   FROM eszok.calendars c JOIN eszok.event_kinds k ON k.calendar_id = c.id"
                "  WHERE c.code = :cal AND k.name = :kind RETURNING id"
            ),
            {
                "title": title,
                "s": starts_at,
                "e": ends_at,
                "all_day": all_day,
                "p": participants,
                "r": participants[0],
                "company": company,
                "cal": calendar,
                "kind": kind,
            },
        ).scalar_one()


def insert_announcement(
    database,
    author_id: int,
    title: str,
    body: str = "",
    *,
    visible_from: datetime | None = None,
    visible_to: datetime | None = None,
) -> int:
    with database.admin.begin() as conn:
        return conn.execute(
            text(
                "INSERT INTO eszok.announcements (title, body, visible_from, visible_to,"
                " author_id) VALUES (:t, :b, coalesce(CAST(:f AS timestamptz), now()), :u, :a)"
                " RETURNING id"
            ),
            {"t": title, "b": body, "f": visible_from, "u": visible_to, "a": author_id},
        ).scalar_one()
