"""Connection settings: JSON round trip, the password only in the keyring, data folders."""

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from sqlalchemy.engine import make_url

from eszok_desktop.db import settings as s


@pytest.fixture
def config_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ESZOK_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def test_defaults_are_embedded_when_nothing_saved(config_dir):
    settings = s.load_settings()
    assert settings.mode == "embedded"
    assert not settings.is_central


def test_round_trip_keeps_every_field_and_no_password(config_dir, memory_keyring):
    settings = s.ConnectionSettings(
        mode="central",
        host="db.firma.local",
        port=6543,
        database="eszok_prod",
        sslmode="verify-full",
        user="eszok_client",
    )
    s.save_settings(settings)
    s.store_client_password(settings, "sekret-Łódź-42")

    assert s.load_settings() == settings
    written = (config_dir / s.SETTINGS_FILE).read_text(encoding="utf-8")
    assert "sekret" not in written
    assert json.loads(written)["host"] == "db.firma.local"
    assert s.load_client_password(settings) == "sekret-Łódź-42"
    assert memory_keyring.secrets == {
        (s.KEYRING_SERVICE, "eszok_client@db.firma.local:6543/eszok_prod"): "sekret-Łódź-42"
    }
    s.forget_client_password(settings)
    assert s.load_client_password(settings) is None


def test_password_is_per_server(config_dir):
    a = s.ConnectionSettings(mode="central", host="a", database="eszok")
    b = s.ConnectionSettings(mode="central", host="b", database="eszok")
    s.store_client_password(a, "pa")
    assert s.load_client_password(b) is None


def test_damaged_file_falls_back_to_defaults(config_dir):
    config_dir.mkdir(parents=True)
    (config_dir / s.SETTINGS_FILE).write_text("{not json", encoding="utf-8")
    assert s.load_settings() == s.ConnectionSettings()
    (config_dir / s.SETTINGS_FILE).write_text(
        json.dumps({"mode": "weird", "sslmode": "bogus", "port": "5433", "unknown": 1}),
        encoding="utf-8",
    )
    loaded = s.load_settings()
    assert (loaded.mode, loaded.sslmode, loaded.port) == ("embedded", "prefer", 5433)


def test_without_keyring_storing_fails_loudly_and_reading_gives_none(config_dir):
    keyring.set_keyring(FailKeyring())  # the autouse fixture restores the previous one
    settings = s.ConnectionSettings(mode="central", host="h")
    assert not s.keyring_available()
    with pytest.raises(s.KeyringUnavailable):
        s.store_client_password(settings, "x")
    assert s.load_client_password(settings) is None


def test_central_url_for_database():
    settings = s.ConnectionSettings(
        mode="central", host="db", port=5544, database="eszok", sslmode="require", user="u"
    )
    url = make_url(s.central_url(settings, "p@ss/word"))
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.username) == ("db", 5544, "eszok", "u")
    assert url.password == "p@ss/word"
    assert url.query["sslmode"] == "require"


def test_data_dir_override_and_root_location(monkeypatch, tmp_path):
    monkeypatch.setenv("ESZOK_DATA_DIR", str(tmp_path))
    assert s.data_dir() == tmp_path
    monkeypatch.delenv("ESZOK_DATA_DIR")
    monkeypatch.setattr(s.os, "geteuid", lambda: 0)
    assert s.data_dir() == Path("/var/lib/eszok")
    monkeypatch.setattr(s.os, "geteuid", lambda: 1000)
    assert s.data_dir() == Path(s.platformdirs.user_data_dir("eszok"))
