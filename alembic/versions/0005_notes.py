"""Notes: rules beyond the foundation

* a note may link only an event its owner can see (a foreign key alone would accept any
  id, since referential checks bypass row-level security, and so would confirm that a
  hidden event exists); the check runs as the caller, under the events policies;
* ``deadline_has_time`` needs a deadline;
* the client may write only the editable columns: ``owner_id`` comes from the default
  ``auth.uid()`` (the policy ``notes_own`` also checks it) and ``created_at`` from
  ``now()``, and neither can be changed afterwards.

A date-only deadline is stored as local midnight at the start of its day with
``deadline_has_time = false`` and means the end of that day (see
``eszok_desktop/services/time_left.py``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

EDITABLE = "title, body, deadline, deadline_has_time, event_id, done_at, version"


def upgrade() -> None:
    op.execute(
        f"""
        ALTER TABLE eszok.notes ADD CONSTRAINT notes_time_needs_deadline
            CHECK (deadline IS NOT NULL OR NOT deadline_has_time);

        CREATE FUNCTION eszok.check_note_event() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog AS $$
        BEGIN
            IF NEW.event_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM eszok.events e WHERE e.id = NEW.event_id) THEN
                RAISE EXCEPTION 'event % is not visible to the note owner', NEW.event_id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER check_event_insert BEFORE INSERT ON eszok.notes
            FOR EACH ROW WHEN (NEW.event_id IS NOT NULL)
            EXECUTE FUNCTION eszok.check_note_event();
        CREATE TRIGGER check_event_update BEFORE UPDATE OF event_id ON eszok.notes
            FOR EACH ROW WHEN (NEW.event_id IS DISTINCT FROM OLD.event_id)
            EXECUTE FUNCTION eszok.check_note_event();

        REVOKE INSERT, UPDATE ON eszok.notes FROM eszok_client;
        GRANT INSERT ({EDITABLE}) ON eszok.notes TO eszok_client;
        GRANT UPDATE ({EDITABLE}) ON eszok.notes TO eszok_client;
        """
    )


def downgrade() -> None:
    op.execute(
        f"""
        REVOKE INSERT ({EDITABLE}), UPDATE ({EDITABLE}) ON eszok.notes FROM eszok_client;
        GRANT INSERT, UPDATE ON eszok.notes TO eszok_client;
        DROP TRIGGER check_event_update ON eszok.notes;
        DROP TRIGGER check_event_insert ON eszok.notes;
        DROP FUNCTION eszok.check_note_event();
        ALTER TABLE eszok.notes DROP CONSTRAINT notes_time_needs_deadline;
        """
    )
