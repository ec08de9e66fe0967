"""Live refresh: every eszok table announces changed row ids on channel eszok_changes.

Notifications are visible to every connection, so they carry only the table name and
the row id ("events:42"), never data; clients treat them as hints and re-query under
row-level security. pg_notify folds identical payloads within one transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION eszok.notify_change() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog AS $$
        BEGIN
            PERFORM pg_notify('eszok_changes', TG_TABLE_NAME || ':' ||
                CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
            RETURN NULL;
        END
        $$;

        CREATE FUNCTION eszok.attach_notify(p_table text) RETURNS void
        LANGUAGE plpgsql SET search_path = pg_catalog AS $$
        BEGIN
            EXECUTE format('CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE '
                           'ON eszok.%I FOR EACH ROW EXECUTE FUNCTION eszok.notify_change()',
                           p_table);
        END
        $$;

        SELECT eszok.attach_notify(tablename) FROM pg_tables WHERE schemaname = 'eszok';

        -- Accounts too, but not for sign-in bookkeeping: a hint per sign-in would be noise
        -- (and the bookkeeping must stay unobservable inside auth.login's transaction).
        CREATE TRIGGER notify_change
            AFTER INSERT OR DELETE OR UPDATE OF email, full_name, role, active,
                must_change_password, password_hash
            ON auth.users FOR EACH ROW EXECUTE FUNCTION eszok.notify_change();

        -- Tables added by later migrations get the notification with the rest.
        CREATE OR REPLACE FUNCTION eszok.secure_table(p_table text) RETURNS void
        LANGUAGE plpgsql SET search_path = pg_catalog AS $$
        BEGIN
            EXECUTE format('ALTER TABLE eszok.%I ENABLE ROW LEVEL SECURITY', p_table);
            EXECUTE format('ALTER TABLE eszok.%I FORCE ROW LEVEL SECURITY', p_table);
            EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON eszok.%I '
                           'FOR EACH ROW EXECUTE FUNCTION audit.log_change()', p_table);
            EXECUTE format('CREATE TRIGGER bump_version BEFORE UPDATE ON eszok.%I '
                           'FOR EACH ROW EXECUTE FUNCTION eszok.bump_version()', p_table);
            PERFORM eszok.attach_notify(p_table);
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION eszok.secure_table(p_table text) RETURNS void
        LANGUAGE plpgsql SET search_path = pg_catalog AS $$
        BEGIN
            EXECUTE format('ALTER TABLE eszok.%I ENABLE ROW LEVEL SECURITY', p_table);
            EXECUTE format('ALTER TABLE eszok.%I FORCE ROW LEVEL SECURITY', p_table);
            EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON eszok.%I '
                           'FOR EACH ROW EXECUTE FUNCTION audit.log_change()', p_table);
            EXECUTE format('CREATE TRIGGER bump_version BEFORE UPDATE ON eszok.%I '
                           'FOR EACH ROW EXECUTE FUNCTION eszok.bump_version()', p_table);
        END
        $$;
        DROP TRIGGER notify_change ON auth.users;
        DROP FUNCTION eszok.notify_change() CASCADE;
        DROP FUNCTION eszok.attach_notify(text);
        """
    )
