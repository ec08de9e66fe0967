"""Text typed by a user, made safe to embed in a LIKE / ILIKE pattern."""

import re


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped (backslash is PostgreSQL's default escape)."""
    return re.sub(r"([\\%_])", r"\\\1", text)
