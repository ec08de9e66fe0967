"""Alembic environment: migrations run as eszok_owner on a maintenance connection.

From code (eszok_desktop.db.schema) the connection arrives in ``config.attributes``.
Run standalone (``alembic upgrade head`` with ESZOK_DSN set to a maintenance login) it
first creates the roles and database privileges, exactly as ``eszok db upgrade`` does.
"""

import os

from alembic import context
from sqlalchemy import create_engine, text

from eszok_desktop.db import schema


def run(connection) -> None:
    context.configure(
        connection=connection,
        version_table_schema=schema.VERSION_TABLE_SCHEMA,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()
        # connected clients compare their schema version on this hint (delivered on commit)
        connection.exec_driver_sql("SELECT pg_notify('eszok_changes', 'schema:0')")


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(os.environ["ESZOK_DSN"])
    with engine.begin() as conn:
        schema.prepare_cluster(conn, os.environ.get("ESZOK_CLIENT_PASSWORD"))
        schema.prepare_database(conn)
        conn.execute(text(f"SET ROLE {schema.OWNER_ROLE}"))
        run(conn)
    engine.dispose()
