from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from eszok_desktop.models.base import Base


class Calendar(Base):
    __tablename__ = "calendars"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class EventKind(Base):
    __tablename__ = "event_kinds"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("eszok.calendars.id"))
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    sort_order: Mapped[int] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class Event(Base):
    """An event; it lies in the calendar of every user in ``participant_ids``."""

    __tablename__ = "events"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("eszok.calendars.id"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("eszok.event_kinds.id"))
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    participant_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    responsible_id: Mapped[int | None] = mapped_column(BigInteger)
    company_name: Mapped[str | None] = mapped_column(Text)
    company_nip: Mapped[str | None] = mapped_column(Text)
    company_address: Mapped[str | None] = mapped_column(Text)
    address_lat: Mapped[float | None] = mapped_column(Float)
    address_lon: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger, server_default="auth.uid()")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default="now()")
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class CalendarGrant(Base):
    __tablename__ = "calendar_grants"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    grantee_id: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int] = mapped_column(BigInteger, server_default="auth.uid()")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default="now()")
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class ShareRequest(Base):
    __tablename__ = "share_requests"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    grantee_id: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(BigInteger, server_default="auth.uid()")
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default="now()")
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}
