"""Serwis: kinds of work and task cards (``eszok.work_kinds``, ``eszok.cards``)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from eszok_desktop.models.base import Base


class WorkKind(Base):
    """A kind of work (dictionary); kinds in use are retired with ``active``, not deleted."""

    __tablename__ = "work_kinds"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class Card(Base):
    """A task card; ``number`` and the creation columns are set by the database."""

    __tablename__ = "cards"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[str] = mapped_column(Text, server_default=FetchedValue())
    number_year: Mapped[int] = mapped_column(SmallInteger, server_default=FetchedValue())
    number_seq: Mapped[int] = mapped_column(Integer, server_default=FetchedValue())
    work_date: Mapped[date] = mapped_column(Date)
    company_name: Mapped[str] = mapped_column(Text)
    company_nip: Mapped[str | None] = mapped_column(Text)
    company_address: Mapped[str] = mapped_column(Text, default="")
    contact_person: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(Text)
    contact_phone: Mapped[str] = mapped_column(Text, default="")
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("eszok.work_kinds.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    technician_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(Text, default="open")
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set only by updates; FetchedValue keeps them out of the INSERT (not granted there).
    sent_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue()
    )
    sent_to: Mapped[str | None] = mapped_column(Text, server_default=FetchedValue())
    created_by: Mapped[int] = mapped_column(BigInteger, server_default=FetchedValue())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue()
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue()
    )
    deleted_by: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}
