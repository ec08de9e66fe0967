"""Pure pieces of the Administracja pages: texts and choices, tested without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eszok_desktop.services.admin.accounts import Account
from eszok_desktop.services.admin.announcements import AnnouncementRow
from eszok_desktop.services.admin.dictionaries import Calendar, Dictionary
from eszok_desktop.ui.admin.audit_view import table_label, value_text
from eszok_desktop.ui.admin.dictionaries_view import dictionary_choices
from eszok_desktop.ui.admin.user_dialogs import password_policy_text
from eszok_desktop.ui.admin.users_window import lock_text

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def account(locked_until=None):
    return Account(
        1, "a@b.pl", "A", "serwisant", "Serwisant", True, False, locked_until, 5, None, NOW, 1
    )


def test_lock_text_only_while_locked():
    assert lock_text(account(), NOW) == ""
    assert lock_text(account(NOW - timedelta(minutes=1)), NOW) == ""
    later = NOW + timedelta(minutes=15)
    assert lock_text(account(later), NOW) == "do " + later.astimezone().strftime("%d.%m.%Y %H:%M")


def test_policy_text_states_the_numbers_of_the_service_policy():
    text = password_policy_text()
    assert "8 znaków" in text and "72 bajtów" in text and "litera i cyfra" in text


def test_value_text():
    assert value_text(None) == "—"
    assert value_text(True) == "tak" and value_text(False) == "nie"
    assert value_text([3, 4]) == "[3, 4]"
    assert value_text("manage", "level") == "zarządzanie" and value_text("manage") == "manage"
    assert value_text("ż" * 100).endswith("…") and len(value_text("ż" * 100)) == 80
    assert table_label("users") == "Użytkownicy" and table_label("nowa_tabela") == "nowa_tabela"


def test_dictionary_choices_list_each_calendar_then_work_kinds():
    choices = dictionary_choices(
        [Calendar(1, "handlowy", "Handlowy"), Calendar(2, "serwis", "Serwis")]
    )
    assert [c.title for c in choices] == [
        "Rodzaje wydarzeń — Handlowy",
        "Rodzaje wydarzeń — Serwis",
        "Rodzaje prac (karty)",
    ]
    assert [c.dictionary for c in choices] == [Dictionary.EVENT_KINDS] * 2 + [Dictionary.WORK_KINDS]
    assert choices[-1].calendar_id is None


def test_announcement_state_boundaries():
    row = AnnouncementRow(1, "T", "", NOW, NOW + timedelta(hours=1), "A", NOW, 1)
    assert row.state(NOW - timedelta(seconds=1)) == "scheduled"
    assert row.state(NOW) == "current"
    assert row.state(NOW + timedelta(hours=1)) == "expired"
    open_ended = AnnouncementRow(2, "T", "", NOW, None, "A", NOW, 1)
    assert open_ended.state(NOW + timedelta(days=999)) == "current"
