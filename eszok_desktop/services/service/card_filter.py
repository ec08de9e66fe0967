"""The card list's filters and sort orders turned into SQL (pure, tested without a
database)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from eszok_desktop.services.like_pattern import escape_like


class CardState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SortKey(enum.StrEnum):
    NUMBER = "number"
    WORK_DATE = "work_date"
    COMPANY = "company"
    NIP = "nip"
    KIND = "kind"
    HOURS = "hours"
    TECHNICIAN = "technician"
    STATE = "state"


# Each sort key is a tuple of non-null SQL expressions; the card id breaks ties, so the
# order is total and keyset paging never skips or repeats a row.
SORT_EXPRESSIONS: dict[SortKey, tuple[str, ...]] = {
    SortKey.NUMBER: ("c.number_year", "c.number_seq"),
    SortKey.WORK_DATE: ("c.work_date",),
    SortKey.COMPANY: ("c.company_folded",),
    SortKey.NIP: ("coalesce(c.company_nip, '')",),
    SortKey.KIND: ("k.name",),
    SortKey.HOURS: ("c.hours",),
    SortKey.TECHNICIAN: ("u.full_name",),
    SortKey.STATE: ("c.state",),
}


@dataclass(frozen=True)
class CardFilter:
    """What the filter bar asks for; empty fields do not filter."""

    date_from: date | None = None
    date_to: date | None = None
    company: str = ""
    nip: str = ""
    work_kind_id: int | None = None
    hours_min: Decimal | None = None
    hours_max: Decimal | None = None
    state: CardState | None = None
    technician_id: int | None = None
    # Cards of this user only (technician or creator). Row-level security enforces it for
    # cards.own users anyway; saying it here lets the planner use the per-user indexes,
    # which the policy's "cards.all OR mine" form hides from it.
    owner_id: int | None = None
    # The cards whose company matches ``company``, found through the private trigram
    # index (see ``needs_company_ids``); None: the LIKE alone decides.
    company_ids: tuple[int, ...] | None = None


COMPANY_IDS_LIMIT = 5000


def needs_company_ids(f: CardFilter) -> bool:
    """Whether to look the company up in the private trigram index first.

    Under row-level security PostgreSQL never uses LIKE (not leakproof) as an index
    condition, so a company search on its own would scan every visible card. A closed date
    range or the owner condition already narrows the scan through their indexes; for
    anything broader the ids of the matching cards are fetched first (migration 0002,
    ``eszok.cards_with_company``).
    """
    if not f.company.strip() or f.owner_id is not None:
        return False
    return f.date_from is None or f.date_to is None


@dataclass(frozen=True)
class CardSort:
    key: SortKey = SortKey.WORK_DATE
    descending: bool = True


def filter_clause(f: CardFilter) -> tuple[str, dict[str, Any]]:
    """SQL conditions (joined with AND, alias ``c``) and their bound parameters."""
    parts = ["c.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if f.date_from is not None:
        parts.append("c.work_date >= :date_from")
        params["date_from"] = f.date_from
    if f.date_to is not None:
        parts.append("c.work_date <= :date_to")
        params["date_to"] = f.date_to
    company = f.company.strip()
    if company:
        if f.company_ids is not None:
            parts.append("c.id = ANY (:company_ids)")
            params["company_ids"] = list(f.company_ids)
        parts.append("c.company_folded LIKE '%' || eszok.fold_text(:company) || '%' ESCAPE '\\'")
        params["company"] = escape_like(company)
    nip = re.sub(r"[^0-9]", "", f.nip)
    if nip:
        if len(nip) == 10:
            parts.append("c.company_nip = :nip")
            params["nip"] = nip
        else:
            parts.append("c.company_nip LIKE :nip")
            params["nip"] = f"%{nip}%"
    if f.work_kind_id is not None:
        parts.append("c.work_kind_id = :work_kind_id")
        params["work_kind_id"] = f.work_kind_id
    if f.hours_min is not None:
        parts.append("c.hours >= :hours_min")
        params["hours_min"] = f.hours_min
    if f.hours_max is not None:
        parts.append("c.hours <= :hours_max")
        params["hours_max"] = f.hours_max
    if f.state is not None:
        parts.append("c.state = :state")
        params["state"] = str(f.state)
    if f.technician_id is not None:
        parts.append("c.technician_id = :technician_id")
        params["technician_id"] = f.technician_id
    if f.owner_id is not None:
        parts.append("(c.technician_id = :owner_id OR c.created_by = :owner_id)")
        params["owner_id"] = f.owner_id
    return " AND ".join(parts), params


def order_clause(sort: CardSort) -> str:
    direction = " DESC" if sort.descending else ""
    return ", ".join(f"{e}{direction}" for e in (*SORT_EXPRESSIONS[sort.key], "c.id"))


def key_columns(sort: CardSort) -> str:
    """The sort key values selected with each row (``k0, k1, …``) to continue after it."""
    return ", ".join(f"{e} AS k{i}" for i, e in enumerate(SORT_EXPRESSIONS[sort.key]))


def after_clause(sort: CardSort, cursor: tuple[Any, ...] | None) -> tuple[str, dict[str, Any]]:
    """Keyset condition for the rows after ``cursor`` (sort key values plus the id)."""
    if cursor is None:
        return "", {}
    exprs = (*SORT_EXPRESSIONS[sort.key], "c.id")
    names = [f"after{i}" for i in range(len(exprs))]
    op = "<" if sort.descending else ">"
    sql = f"({', '.join(exprs)}) {op} ({', '.join(':' + n for n in names)})"
    return sql, dict(zip(names, cursor, strict=True))
