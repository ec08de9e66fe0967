"""eSZOK desktop: shared calendar and service billing client over PostgreSQL."""

__version__ = "0.1.0"
