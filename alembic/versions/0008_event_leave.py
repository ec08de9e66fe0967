"""Deleting a shared event needs every participant's calendar; the others may leave it.

Deleting an event removes it from every participant's calendar. Until now any
participant could do that, also from calendars they have no right to manage. Now the
delete policy asks for all participants' calendars to be manageable (as adding an event
to a calendar does), and a participant without that right leaves the event instead:
``eszok.leave_event(id, version)`` takes the caller out of the participants.

Leaving ends with none of the caller's calendars among the participants, which the
update policy's WITH CHECK refuses, and so does the read policy (an UPDATE with a WHERE
clause must be able to read the new row). Both make an exception only while
``eszok.leave_event`` runs: that function marks its transaction in
``eszok_private.leaving``, where clients cannot write, and ``eszok.is_leaving()`` reads
the mark; the mark is gone before the function returns. The participant triggers still
apply (only the caller is removed).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        DROP POLICY events_delete ON eszok.events;
        CREATE POLICY events_delete ON eszok.events FOR DELETE
            USING (participant_ids <@ (SELECT eszok.manageable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance()));

        CREATE TABLE eszok_private.leaving (txid xid8 PRIMARY KEY);

        CREATE FUNCTION eszok.is_leaving() RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
            SELECT EXISTS (SELECT 1 FROM eszok_private.leaving
                            WHERE txid = pg_current_xact_id_if_assigned())
        $$;
        GRANT EXECUTE ON FUNCTION eszok.is_leaving() TO eszok_client;

        DROP POLICY events_read ON eszok.events;
        CREATE POLICY events_read ON eszok.events FOR SELECT
            USING (participant_ids && (SELECT eszok.readable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance())
                   OR (SELECT eszok.is_leaving()));
        DROP POLICY events_update ON eszok.events;
        CREATE POLICY events_update ON eszok.events FOR UPDATE
            USING (participant_ids && (SELECT eszok.manageable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance()))
            WITH CHECK (participant_ids && (SELECT eszok.manageable_calendars())
                        OR (SELECT auth.has_capability('calendars.all'))
                        OR (SELECT auth.is_maintenance())
                        OR (SELECT eszok.is_leaving()));

        -- The new version, or NULL when the event is gone, changed since ``p_version``,
        -- not the caller's, or has no other participant (then it can only be deleted).
        CREATE FUNCTION eszok.leave_event(p_event bigint, p_version integer) RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
        DECLARE
            changed integer;
        BEGIN
            INSERT INTO eszok_private.leaving VALUES (pg_current_xact_id())
                ON CONFLICT DO NOTHING;
            -- no RETURNING: the new row must then pass the read policy too, and the
            -- caller may not be able to read the others' calendars
            UPDATE eszok.events
               SET participant_ids = array_remove(participant_ids, auth.uid()),
                   version = p_version + 1
             WHERE id = p_event AND version = p_version
               AND auth.uid() = ANY (participant_ids) AND cardinality(participant_ids) > 1;
            GET DIAGNOSTICS changed = ROW_COUNT;
            DELETE FROM eszok_private.leaving WHERE txid = pg_current_xact_id();
            RETURN CASE WHEN changed = 1 THEN p_version + 1 END;
        END
        $$;
        GRANT EXECUTE ON FUNCTION eszok.leave_event(bigint, integer) TO eszok_client;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION eszok.leave_event(bigint, integer);
        DROP POLICY events_update ON eszok.events;
        CREATE POLICY events_update ON eszok.events FOR UPDATE
            USING (participant_ids && (SELECT eszok.manageable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance()))
            WITH CHECK (participant_ids && (SELECT eszok.manageable_calendars())
                        OR (SELECT auth.has_capability('calendars.all'))
                        OR (SELECT auth.is_maintenance()));
        DROP POLICY events_read ON eszok.events;
        CREATE POLICY events_read ON eszok.events FOR SELECT
            USING (participant_ids && (SELECT eszok.readable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance()));
        DROP FUNCTION eszok.is_leaving();
        DROP TABLE eszok_private.leaving;
        DROP POLICY events_delete ON eszok.events;
        CREATE POLICY events_delete ON eszok.events FOR DELETE
            USING (participant_ids && (SELECT eszok.manageable_calendars())
                   OR (SELECT auth.has_capability('calendars.all'))
                   OR (SELECT auth.is_maintenance()));
        """
    )
