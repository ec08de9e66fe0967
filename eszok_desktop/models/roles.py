from sqlalchemy import Integer, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from eszok_desktop.models.base import Base


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}


class RoleCapability(Base):
    __tablename__ = "role_capabilities"
    __table_args__ = {"schema": "eszok"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    capability: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}
