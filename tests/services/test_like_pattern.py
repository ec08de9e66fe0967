"""User text inside LIKE patterns matches literally."""

from sqlalchemy import text

from eszok_desktop.services.like_pattern import escape_like


def test_wildcards_and_backslash_are_escaped():
    assert escape_like(r"50%_a\b") == r"50\%\_a\\b"


def test_escaped_text_matches_only_itself_on_the_server(database):
    with database.admin.connect() as conn:
        match = conn.execute(
            text("SELECT :s LIKE '%' || :p || '%', 'ABC' LIKE '%' || :q || '%'"),
            {"s": r"rabat 50%_a\b", "p": escape_like(r"50%_a\b"), "q": escape_like("A_C")},
        ).one()
    assert tuple(match) == (True, False)
