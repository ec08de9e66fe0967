"""Declarative base. The schema itself is built by the Alembic migrations (plain SQL)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
