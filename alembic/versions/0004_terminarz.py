"""Terminarz: event rules beyond the foundation

* a GiST index on each event's time range, so the period query of a calendar view
  (``tstzrange(starts_at, ends_at, '[]') && <period>``) reads only the displayed period;
  it combines with the GIN index on ``participant_ids`` in a bitmap AND;
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


UPGRADE = """
CREATE INDEX events_range_idx ON eszok.events
    USING gist (tstzrange(starts_at, ends_at, '[]'));

-- Plain SQL, IMMUTABLE: usable in a CHECK constraint and inlined by the planner.
CREATE FUNCTION eszok.nip_is_valid(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT p ~ '^[0-9]{10}$' AND (
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
DROP INDEX eszok.events_range_idx;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
