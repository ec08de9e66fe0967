"""Shared pieces of the start-up tests."""

from sqlalchemy import URL

from eszok_desktop.db.settings import ConnectionSettings, store_client_password


def central_settings(url: URL, password: str | None = None) -> ConnectionSettings:
    """Settings pointing the client at ``url`` as a central server; ``password`` (if
    given) goes to the keyring as the client password."""
    settings = ConnectionSettings(
        mode="central",
        host=url.host,
        port=url.port,
        database=url.database,
        sslmode="disable",
        user=url.username,
    )
    if password is not None:
        store_client_password(settings, password)
    return settings
