"""Serwis: task cards, kinds of work, card numbering

Cards (``eszok.cards``) are billing records: every hour must be right and every change
accountable, so the rules live here rather than in the client:

* numbers ``KZ/<year>/<seq>`` come from a per-year counter row that a BEFORE INSERT
  trigger locks with ``INSERT … ON CONFLICT DO UPDATE … RETURNING``. The row lock is held
  until the inserting transaction ends, and a rolled-back insert rolls the counter back
  too, so concurrent saves get neither duplicates nor gaps.
  The counter table lives in schema ``eszok_private``, to which ``eszok_client`` has no
  USAGE at all: it is implementation state that no user edits, only the SECURITY DEFINER
  numbering trigger touches it, and auditing it would only repeat each card's own insert
  record in the change log. (Every table in ``eszok`` is user data and is secured.)
* visibility and editing follow F-ROLES through row-level security: ``cards.all`` sees and
  edits everyone's cards, ``cards.own`` only those where it is the technician or the
  creator, everyone else (handlowiec) nothing;
* a closed card is read-only until reopened (trigger), except for recording that it was
  sent;
* deleting is a soft delete (``deleted_at``): the number is never reused and the card stays
  in the change log; the client cannot DELETE rows at all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Polish letters (both cases) folded to ASCII; translate() is IMMUTABLE, unlike unaccent().
POLISH_FROM = "ĄĆĘŁŃÓŚŹŻąćęłńóśźż"
POLISH_TO = "ACELNOSZZacelnoszz"

SCHEMA = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
CREATE SCHEMA eszok_private;
REVOKE ALL ON SCHEMA eszok_private FROM PUBLIC;

-- Case- and Polish-diacritic-insensitive form of a text, for search ("zolw" finds "Żółw").
-- Plain SQL without SET so the planner inlines it and matches the expression indexes.
CREATE FUNCTION eszok.fold_text(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT pg_catalog.lower(pg_catalog.translate(p, '{POLISH_FROM}', '{POLISH_TO}'))
$$;
GRANT EXECUTE ON FUNCTION eszok.fold_text(text) TO eszok_client;

CREATE TABLE eszok_private.card_counters (
    year smallint PRIMARY KEY,
    last_number integer NOT NULL CHECK (last_number > 0)
);

CREATE TABLE eszok.work_kinds (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    active boolean NOT NULL DEFAULT true,
    sort_order smallint NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE eszok.cards (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number text NOT NULL UNIQUE,
    number_year smallint NOT NULL,
    number_seq integer NOT NULL,
    work_date date NOT NULL,
    company_name text NOT NULL CHECK (length(btrim(company_name)) BETWEEN 1 AND 200),
    company_nip text CHECK (company_nip ~ '^[0-9]{{10}}$'),
    company_address text NOT NULL DEFAULT '' CHECK (length(company_address) <= 300),
    contact_person text NOT NULL DEFAULT '' CHECK (length(contact_person) <= 200),
    contact_email text CHECK (length(contact_email) <= 254
                              AND contact_email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'),
    contact_phone text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 50),
    work_kind_id integer NOT NULL REFERENCES eszok.work_kinds (id),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    hours numeric(5, 2) NOT NULL
        CHECK (hours > 0 AND hours <= 24 AND hours % 0.25 = 0),
    technician_id bigint NOT NULL REFERENCES auth.users (id),
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    event_id bigint REFERENCES eszok.events (id) ON DELETE SET NULL,
    sent_at timestamptz,
    sent_to text CHECK (length(sent_to) <= 1000),
    created_by bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    deleted_by bigint REFERENCES auth.users (id),
    version integer NOT NULL DEFAULT 1,
    -- Derived for speed: the folded name is what search compares (no translate() per row),
    -- and summing integer quarters is several times faster than summing numeric hours.
    company_folded text GENERATED ALWAYS AS (eszok.fold_text(company_name)) STORED,
    quarters integer GENERATED ALWAYS AS ((hours * 4)::integer) STORED,
    UNIQUE (number_year, number_seq),
    CHECK ((sent_at IS NULL) = (sent_to IS NULL))
);
-- The list always hides deleted cards: partial indexes keep them out of every scan.
CREATE INDEX cards_company_trgm_idx ON eszok.cards
    USING gin (company_folded extensions.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX cards_company_sort_idx ON eszok.cards (company_folded, id) WHERE deleted_at IS NULL;
-- Covers the hours summary (index-only scan over a period).
CREATE INDEX cards_summary_idx ON eszok.cards (work_date)
    INCLUDE (company_name, quarters, technician_id, created_by) WHERE deleted_at IS NULL;
CREATE INDEX cards_work_date_idx ON eszok.cards (work_date, id) WHERE deleted_at IS NULL;
CREATE INDEX cards_technician_date_idx ON eszok.cards (technician_id, work_date)
    WHERE deleted_at IS NULL;
CREATE INDEX cards_created_by_idx ON eszok.cards (created_by) WHERE deleted_at IS NULL;
CREATE INDEX cards_number_idx ON eszok.cards (number_year, number_seq) WHERE deleted_at IS NULL;
CREATE INDEX cards_nip_idx ON eszok.cards (company_nip) WHERE deleted_at IS NULL;
CREATE INDEX cards_kind_date_idx ON eszok.cards (work_kind_id, work_date)
    WHERE deleted_at IS NULL;
CREATE INDEX cards_hours_idx ON eszok.cards (hours, id) WHERE deleted_at IS NULL;
CREATE INDEX cards_event_idx ON eszok.cards (event_id) WHERE event_id IS NOT NULL;

-- Company search under row-level security: LIKE is not LEAKPROOF, so PostgreSQL never uses
-- it as an index condition on a table with policies (the trigram index on eszok.cards is
-- only used by maintenance logins). This private copy of the searchable columns has no
-- policies; eszok.cards_with_company() searches it through its trigram index and applies
-- the same visibility rule as cards_read, returning ids the list then fetches under RLS.
CREATE TABLE eszok_private.card_search (
    card_id bigint PRIMARY KEY REFERENCES eszok.cards (id) ON DELETE CASCADE,
    company_folded text NOT NULL,
    technician_id bigint NOT NULL,
    created_by bigint NOT NULL
);
CREATE INDEX card_search_trgm_idx ON eszok_private.card_search
    USING gin (company_folded extensions.gin_trgm_ops);
"""

FUNCTIONS = """
-- Assigns the next number of the current year (Warsaw time). Runs as the owner, the only
-- role with access to eszok_private; the counter row stays locked until commit.
CREATE FUNCTION eszok.assign_card_number() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    y smallint := extract(year FROM now() AT TIME ZONE 'Europe/Warsaw')::smallint;
    n integer;
BEGIN
    INSERT INTO eszok_private.card_counters AS c (year, last_number) VALUES (y, 1)
    ON CONFLICT (year) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.last_number INTO n;
    NEW.number_year := y;
    NEW.number_seq := n;
    -- at least four digits; lpad() alone would cut 10000 down to 1000
    NEW.number := format('KZ/%s/%s', y, lpad(n::text, greatest(4, length(n::text)), '0'));
    NEW.sent_at := NULL;
    NEW.sent_to := NULL;
    NEW.deleted_at := NULL;
    NEW.deleted_by := NULL;
    RETURN NEW;
END
$$;

-- Rules a client could otherwise break with plain SQL. Runs as the caller, so the event
-- lookup below sees only the events the caller may read.
CREATE FUNCTION eszok.check_card_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    editable_old jsonb;
    editable_new jsonb;
    -- generated columns are not computed yet in a BEFORE trigger's NEW: leave them out
    transient constant text[] := ARRAY['version', 'sent_at', 'sent_to', 'state',
                                       'company_folded', 'quarters'];
BEGIN
    IF TG_OP = 'UPDATE' AND NOT auth.is_maintenance() THEN
        IF NEW.number IS DISTINCT FROM OLD.number OR NEW.number_year <> OLD.number_year
           OR NEW.number_seq <> OLD.number_seq OR NEW.created_by <> OLD.created_by
           OR NEW.created_at <> OLD.created_at THEN
            RAISE EXCEPTION 'card number and creation data cannot change'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.deleted_at IS NOT NULL THEN
            RAISE EXCEPTION 'card % is deleted', OLD.number USING ERRCODE = 'check_violation',
                CONSTRAINT = 'cards_deleted';
        END IF;
        IF OLD.state = 'closed' THEN
            -- Allowed on a closed card: reopening it (nothing else changed), recording a
            -- sending, and the event link cleared when the event is deleted.
            editable_old := to_jsonb(OLD) - transient - 'event_id';
            editable_new := to_jsonb(NEW) - transient - 'event_id';
            IF editable_new IS DISTINCT FROM editable_old
               OR (NEW.event_id IS DISTINCT FROM OLD.event_id AND NEW.event_id IS NOT NULL)
               OR (NEW.state = 'open' AND (NEW.sent_at IS DISTINCT FROM OLD.sent_at)) THEN
                RAISE EXCEPTION 'card % is closed', OLD.number
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'cards_closed';
            END IF;
        END IF;
        IF NEW.deleted_at IS NOT NULL THEN
            NEW.deleted_at := now();
            NEW.deleted_by := auth.uid();
        END IF;
    END IF;
    IF NEW.event_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.event_id IS DISTINCT FROM OLD.event_id)
       AND NOT auth.is_maintenance()
       AND NOT EXISTS (SELECT 1 FROM eszok.events e JOIN eszok.calendars c ON c.id = e.calendar_id
                        WHERE e.id = NEW.event_id AND c.code = 'serwis') THEN
        RAISE EXCEPTION 'event % is not a visible Serwis event', NEW.event_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cards_event';
    END IF;
    RETURN NEW;
END
$$;

-- Keeps eszok_private.card_search in step with the cards (deleted cards leave it).
CREATE FUNCTION eszok.sync_card_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM eszok_private.card_search WHERE card_id = NEW.id;
    ELSE
        INSERT INTO eszok_private.card_search (card_id, company_folded, technician_id, created_by)
        VALUES (NEW.id, eszok.fold_text(NEW.company_name), NEW.technician_id, NEW.created_by)
        ON CONFLICT (card_id) DO UPDATE
           SET company_folded = EXCLUDED.company_folded,
               technician_id = EXCLUDED.technician_id, created_by = EXCLUDED.created_by;
    END IF;
    RETURN NULL;
END
$$;

-- Ids of the cards the caller may see whose folded company name matches the LIKE pattern
-- %p_pattern% (the caller escapes % _ \\). Same rule as the cards_read policy.
CREATE FUNCTION eszok.cards_with_company(p_pattern text) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT coalesce(array_agg(s.card_id), '{}')
      FROM eszok_private.card_search s
     WHERE s.company_folded LIKE (SELECT '%' || eszok.fold_text(p_pattern) || '%') ESCAPE '\\'
       AND ((SELECT auth.has_capability('cards.all')) OR (SELECT auth.is_maintenance())
            OR ((SELECT auth.has_capability('cards.own'))
                AND (SELECT auth.uid()) IN (s.technician_id, s.created_by)))
$$;
GRANT EXECUTE ON FUNCTION eszok.cards_with_company(text) TO eszok_client;

-- Whose hours the caller may total (F-HOURS): hours.all anyone's (p_technician, or NULL
-- for everyone), hours.own only their own whatever they ask for, anyone else nothing.
CREATE FUNCTION eszok.hours_scope(p_technician bigint) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF auth.has_capability('hours.all') OR auth.is_maintenance() THEN
        RETURN p_technician;
    END IF;
    IF NOT auth.has_capability('hours.own') THEN
        RAISE EXCEPTION 'no access to the hours summary' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN auth.uid();
END
$$;

-- Hours summary: one row per card plus a subtotal row per company (card_id NULL) and a
-- grand total row (company_name NULL too). Runs as the caller, under row-level security.
CREATE FUNCTION eszok.hours_summary(p_from date, p_to date, p_technician bigint DEFAULT NULL,
                                    p_company text DEFAULT NULL)
RETURNS TABLE (company_name text, card_id bigint, number text, work_date date,
               work_kind text, technician_id bigint, technician text, hours numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog
-- plpgsql caches plans; a generic plan for "a period" is several times slower than one
-- made for the actual dates
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tech bigint := eszok.hours_scope(p_technician);
BEGIN
    RETURN QUERY
    SELECT c.company_name, c.id, min(c.number), min(c.work_date), min(k.name),
           min(c.technician_id), min(u.full_name), (sum(c.quarters) / 4.0)::numeric(12, 2)
      FROM eszok.cards c
      JOIN eszok.work_kinds k ON k.id = c.work_kind_id
      JOIN auth.users u ON u.id = c.technician_id
     WHERE c.deleted_at IS NULL
       AND c.work_date BETWEEN p_from AND p_to
       AND (tech IS NULL OR c.technician_id = tech)
       AND (p_company IS NULL
            OR strpos(c.company_folded, eszok.fold_text(p_company)) > 0)
     GROUP BY GROUPING SETS ((c.company_name, c.id), (c.company_name), ())
     ORDER BY eszok.fold_text(c.company_name) NULLS LAST, c.company_name, c.id IS NULL,
              min(c.work_date), c.id;
END
$$;

-- The same totals without the card rows (a year of a busy company has ~100,000 cards):
-- one row per company and the grand total (company_name NULL), with card counts.
CREATE FUNCTION eszok.hours_totals(p_from date, p_to date, p_technician bigint DEFAULT NULL,
                                   p_company text DEFAULT NULL)
RETURNS TABLE (company_name text, cards bigint, hours numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog
-- plpgsql caches plans; a generic plan for "a period" is several times slower than one
-- made for the actual dates
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tech bigint := eszok.hours_scope(p_technician);
BEGIN
    RETURN QUERY
    SELECT c.company_name, count(*), (sum(c.quarters) / 4.0)::numeric(12, 2)
      FROM eszok.cards c
     WHERE c.deleted_at IS NULL
       AND c.work_date BETWEEN p_from AND p_to
       AND (tech IS NULL OR c.technician_id = tech)
       AND (p_company IS NULL
            OR strpos(c.company_folded, eszok.fold_text(p_company)) > 0)
     GROUP BY GROUPING SETS ((c.company_name), ())
     ORDER BY eszok.fold_text(c.company_name) NULLS LAST, c.company_name;
END
$$;
GRANT EXECUTE ON FUNCTION eszok.hours_scope(bigint),
    eszok.hours_summary(date, date, bigint, text),
    eszok.hours_totals(date, date, bigint, text) TO eszok_client;
"""

TRIGGERS = """
SELECT eszok.secure_table('work_kinds');
SELECT eszok.secure_table('cards');
-- The derived columns are not history.
DROP TRIGGER audit ON eszok.cards;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON eszok.cards
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('{company_folded,quarters}');
CREATE TRIGGER assign_number BEFORE INSERT ON eszok.cards
    FOR EACH ROW EXECUTE FUNCTION eszok.assign_card_number();
CREATE TRIGGER sync_search AFTER INSERT OR UPDATE OF company_name, technician_id, deleted_at
    ON eszok.cards FOR EACH ROW EXECUTE FUNCTION eszok.sync_card_search();
-- Named to run after assign_number and before bump_version (triggers fire by name).
CREATE TRIGGER b_check_change BEFORE INSERT OR UPDATE ON eszok.cards
    FOR EACH ROW EXECUTE FUNCTION eszok.check_card_change();
"""

POLICIES = """
CREATE POLICY work_kinds_read ON eszok.work_kinds FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL OR (SELECT auth.is_maintenance()));
CREATE POLICY work_kinds_admin ON eszok.work_kinds FOR ALL
    USING ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()))
    WITH CHECK ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()));
-- Kinds in use are retired (active = false), never deleted.
GRANT SELECT, INSERT ON eszok.work_kinds TO eszok_client;
GRANT UPDATE (name, active, sort_order, version) ON eszok.work_kinds TO eszok_client;

CREATE POLICY cards_read ON eszok.cards FOR SELECT
    USING ((SELECT auth.has_capability('cards.all'))
           OR ((SELECT auth.has_capability('cards.own'))
               AND (technician_id = (SELECT auth.uid()) OR created_by = (SELECT auth.uid())))
           OR (SELECT auth.is_maintenance()));
-- cards.own users write cards of their own work only: hours.own totals must be theirs.
CREATE POLICY cards_insert ON eszok.cards FOR INSERT
    WITH CHECK (created_by = (SELECT auth.uid())
                AND ((SELECT auth.has_capability('cards.all'))
                     OR ((SELECT auth.has_capability('cards.own'))
                         AND technician_id = (SELECT auth.uid())))
                OR (SELECT auth.is_maintenance()));
CREATE POLICY cards_update ON eszok.cards FOR UPDATE
    USING ((SELECT auth.has_capability('cards.all'))
           OR ((SELECT auth.has_capability('cards.own'))
               AND (technician_id = (SELECT auth.uid()) OR created_by = (SELECT auth.uid())))
           OR (SELECT auth.is_maintenance()))
    WITH CHECK ((SELECT auth.has_capability('cards.all'))
                OR ((SELECT auth.has_capability('cards.own'))
                    AND technician_id = (SELECT auth.uid()))
                OR (SELECT auth.is_maintenance()));
CREATE POLICY cards_delete ON eszok.cards FOR DELETE
    USING ((SELECT auth.is_maintenance()));
GRANT SELECT ON eszok.cards TO eszok_client;
GRANT INSERT (work_date, company_name, company_nip, company_address, contact_person,
              contact_email, contact_phone, work_kind_id, description, hours, technician_id,
              state, event_id, version)
    ON eszok.cards TO eszok_client;
GRANT UPDATE (work_date, company_name, company_nip, company_address, contact_person,
              contact_email, contact_phone, work_kind_id, description, hours, technician_id,
              state, event_id, sent_at, sent_to, deleted_at, version)
    ON eszok.cards TO eszok_client;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA eszok TO eszok_client;

-- History of the cards one may see (0001's body plus the cards clause).
DROP POLICY change_log_read ON audit.change_log;
CREATE POLICY change_log_read ON audit.change_log FOR SELECT
    USING ((SELECT auth.has_capability('admin.users'))
           OR user_id = (SELECT auth.uid())
           OR (table_name = 'events'
               AND EXISTS (SELECT 1 FROM eszok.events e WHERE e.id = record_id))
           OR (table_name = 'notes'
               AND EXISTS (SELECT 1 FROM eszok.notes n WHERE n.id = record_id))
           OR (table_name = 'announcements'
               AND EXISTS (SELECT 1 FROM eszok.announcements a WHERE a.id = record_id))
           OR (table_name = 'cards'
               AND EXISTS (SELECT 1 FROM eszok.cards c WHERE c.id = record_id)));
"""

SEED = """
INSERT INTO eszok.work_kinds (name, sort_order) VALUES
    ('Serwis', 1), ('Instalacja', 2), ('Szkolenie', 3), ('Konsultacja', 4),
    ('Programowanie', 5), ('Wdrożenie', 6);
"""

RESTORE_CHANGE_LOG_POLICY = """
DROP POLICY change_log_read ON audit.change_log;
CREATE POLICY change_log_read ON audit.change_log FOR SELECT
    USING ((SELECT auth.has_capability('admin.users'))
           OR user_id = (SELECT auth.uid())
           OR (table_name = 'events'
               AND EXISTS (SELECT 1 FROM eszok.events e WHERE e.id = record_id))
           OR (table_name = 'notes'
               AND EXISTS (SELECT 1 FROM eszok.notes n WHERE n.id = record_id))
           OR (table_name = 'announcements'
               AND EXISTS (SELECT 1 FROM eszok.announcements a WHERE a.id = record_id)));
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(FUNCTIONS)
    op.execute(TRIGGERS)
    op.execute(POLICIES)
    op.execute(SEED)


def downgrade() -> None:
    op.execute(RESTORE_CHANGE_LOG_POLICY)
    op.execute(
        """
        DROP TABLE eszok_private.card_search;
        DROP TABLE eszok.cards;
        DROP TABLE eszok.work_kinds;
        DROP FUNCTION eszok.hours_totals(date, date, bigint, text);
        DROP FUNCTION eszok.hours_summary(date, date, bigint, text);
        DROP FUNCTION eszok.hours_scope(bigint);
        DROP FUNCTION eszok.check_card_change();
        DROP FUNCTION eszok.cards_with_company(text);
        DROP FUNCTION eszok.sync_card_search();
        DROP FUNCTION eszok.assign_card_number();
        DROP FUNCTION eszok.fold_text(text);
        DROP SCHEMA eszok_private CASCADE;
        DROP EXTENSION IF EXISTS pg_trgm;
        """
    )
