from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from eszok_desktop.models.base import Base


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    visible_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    visible_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int] = mapped_column(BigInteger, server_default="auth.uid()")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default="now()")
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}
