"""Terminarz: event rules beyond the foundation

* the period query of a calendar view must read only the displayed period *under
  row-level security*. PostgreSQL applies a client's own conditions before the policies
  (and so as index conditions) only when their operators are LEAKPROOF: the range and
  array operators (``&&``) are not, so a GiST range index or the GIN index would never be
  used by the client (measured: a sequential scan of all 100,000 events). Timestamp
  comparisons are leakproof, so the query bounds ``starts_at`` from both sides on the
  foundation's (starts_at, ends_at) btree: an event longer than ``LONG_EVENT_DAYS`` cannot
  start earlier than that before the period, and the few longer ones are flagged by a
  stored generated column ``long_event`` with a partial index of their own
  (``services.calendar.events.fetch_period`` combines both in one bitmap OR). The audit
  trigger leaves ``long_event`` out of the history (it only follows the times), and the
  version bump ignores it (NEW does not hold it yet in a BEFORE trigger);
* a company NIP must pass its checksum (weights 6 5 7 2 3 4 5 6 7, mod 11), not only
  look like ten digits — raw SQL gets the same rule as the client;
* removing a participant needs the right to manage that participant's calendar (the
  foundation already checks added ones): someone who may edit an event through one
  participant cannot silently take it out of another user's calendar.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


LONG_EVENT_DAYS = 35  # keep equal to services.calendar.events.LONG_EVENT_DAYS

UPGRADE = f"""
ALTER TABLE eszok.events ADD COLUMN long_event boolean NOT NULL
    GENERATED ALWAYS AS (ends_at - starts_at > interval '{LONG_EVENT_DAYS} days') STORED;
CREATE INDEX events_long_idx ON eszok.events (starts_at, ends_at) WHERE long_event;
DROP TRIGGER audit ON eszok.events;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('{{long_event}}');
-- In a BEFORE trigger a stored generated column is not computed yet, so NEW and OLD
-- would always differ in it: the version bump must not count it.
DROP TRIGGER bump_version ON eszok.events;
CREATE TRIGGER bump_version BEFORE UPDATE ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION eszok.bump_version('{{long_event}}');

-- Plain SQL, IMMUTABLE: usable in a CHECK constraint and inlined by the planner.
CREATE FUNCTION eszok.nip_is_valid(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT p ~ '^[0-9]{{10}}$' AND (
        SELECT sum(substr(p, i::int, 1)::int * w) % 11
          FROM unnest(ARRAY[6, 5, 7, 2, 3, 4, 5, 6, 7]) WITH ORDINALITY AS t (w, i)
    ) = substr(p, 10, 1)::int
$$;
GRANT EXECUTE ON FUNCTION eszok.nip_is_valid(text) TO eszok_client;

ALTER TABLE eszok.events
    ADD CONSTRAINT events_company_nip_checksum CHECK (eszok.nip_is_valid(company_nip));

CREATE FUNCTION eszok.check_removed_participants() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(OLD.participant_ids) AS p (id)
                WHERE p.id <> ALL (NEW.participant_ids)
                  AND p.id <> ALL (eszok.manageable_calendars()))
       AND NOT auth.has_capability('calendars.all') AND NOT auth.is_maintenance() THEN
        RAISE EXCEPTION 'no right to remove events from these calendars'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER check_removed_participants BEFORE UPDATE OF participant_ids ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION eszok.check_removed_participants();
"""

DOWNGRADE = """
DROP TRIGGER check_removed_participants ON eszok.events;
DROP FUNCTION eszok.check_removed_participants();
ALTER TABLE eszok.events DROP CONSTRAINT events_company_nip_checksum;
DROP FUNCTION eszok.nip_is_valid(text);
DROP TRIGGER audit ON eszok.events;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION audit.log_change();
DROP TRIGGER bump_version ON eszok.events;
CREATE TRIGGER bump_version BEFORE UPDATE ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION eszok.bump_version();
ALTER TABLE eszok.events DROP COLUMN long_event;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
