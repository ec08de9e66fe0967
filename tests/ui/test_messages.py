"""Every failure a user can cause has its own Polish sentence."""

import pytest

from eszok_desktop.db import errors as db_errors
from eszok_desktop.services import errors
from eszok_desktop.ui import messages


@pytest.mark.parametrize("kind", list(messages.PLAIN_MESSAGES))
def test_each_plain_failure_has_its_own_message(kind):
    text = messages.describe_error(kind("detail"))
    assert text == messages.PLAIN_MESSAGES[kind]
    assert "nieoczekiwany" not in text


def test_messages_are_distinct_and_subclasses_inherit_them():
    assert len(set(messages.PLAIN_MESSAGES.values())) == len(messages.PLAIN_MESSAGES)

    class Revoked(errors.NotSignedIn):
        pass

    assert messages.describe_error(Revoked()) == messages.PLAIN_MESSAGES[errors.NotSignedIn]


def test_schema_mismatch_says_which_side_is_newer():
    newer = messages.describe_error(db_errors.SchemaVersionMismatch("9999", "0007", newer=True))
    older = messages.describe_error(db_errors.SchemaVersionMismatch("0001", "0007", newer=False))
    assert "nowszą" in newer and "starszą" in older


def test_anything_else_is_unexpected_but_short():
    text = messages.describe_error(RuntimeError("x" * 1000))
    assert text.startswith("Wystąpił nieoczekiwany błąd") and len(text) < 400
