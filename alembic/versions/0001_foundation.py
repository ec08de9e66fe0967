"""Foundation: schemas, sign-in, capabilities, calendars, events, grants, notes, audit.

Everything a client may do is decided here: eszok_client gets only the grants below, every
eszok table has forced row-level security and the audit trigger, and sign-in works only
through the SECURITY DEFINER functions in ``auth``.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# A valid $2a$12$ hash of a throwaway string: sign-in runs crypt() against it for unknown
# e-mails so that a wrong e-mail takes as long as a wrong password.
TIMING_HASH = "$2a$12$v3OaYWKzNt0WGTkaEg7UQuc0jgPVowMMJWOVYyfAvqFXznCX9YXXi"

SCHEMAS = """
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
CREATE SCHEMA auth;
CREATE SCHEMA eszok;
CREATE SCHEMA audit;
-- Functions are not executable by PUBLIC unless granted below.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
GRANT USAGE ON SCHEMA auth, eszok, audit TO eszok_client;
"""

TABLES = """
CREATE TABLE eszok.roles (
    id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE eszok.role_capabilities (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role text NOT NULL REFERENCES eszok.roles (code) ON UPDATE CASCADE,
    capability text NOT NULL CHECK (capability ~ '^[a-z_]+\\.[a-z_]+$'),
    version integer NOT NULL DEFAULT 1,
    UNIQUE (role, capability)
);

CREATE TABLE auth.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CHECK (length(email) <= 254 AND email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'),
    full_name text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 200),
    role text NOT NULL REFERENCES eszok.roles (code) ON UPDATE CASCADE,
    password_hash text NOT NULL
        CHECK (password_hash ~ '^\\$2a\\$(1[2-9]|2[0-9]|3[01])\\$[./A-Za-z0-9]{53}$'),
    active boolean NOT NULL DEFAULT true,
    must_change_password boolean NOT NULL DEFAULT false,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_login_at timestamptz,
    previous_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON auth.users (lower(email));

-- One row per sign-in attempt. Only rows with outcome 'ok' are sessions; the others let
-- the client learn the outcome once the attempt is committed (see auth.login).
CREATE TABLE auth.sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint REFERENCES auth.users (id),
    token_hash bytea NOT NULL UNIQUE,
    outcome text NOT NULL CHECK (outcome IN ('ok', 'invalid', 'locked', 'inactive')),
    locked_until timestamptz,
    created_txid bigint NOT NULL DEFAULT txid_current(),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON auth.sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry_idx ON auth.sessions (expires_at);

CREATE TABLE eszok.calendars (
    id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    color text NOT NULL CHECK (color ~ '^#[0-9a-f]{6}$'),
    sort_order smallint NOT NULL,
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE eszok.event_kinds (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    calendar_id smallint NOT NULL REFERENCES eszok.calendars (id),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    active boolean NOT NULL DEFAULT true,
    sort_order smallint NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    UNIQUE (calendar_id, name),
    UNIQUE (id, calendar_id)
);

-- An event lies in the calendar of each participant (participant_ids); the array form lets
-- the row-level policy test membership with one indexed overlap instead of a join that
-- would recurse through a second table's policy.
CREATE TABLE eszok.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    calendar_id smallint NOT NULL REFERENCES eszok.calendars (id),
    kind_id integer NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    all_day boolean NOT NULL DEFAULT false,
    participant_ids bigint[] NOT NULL CHECK (cardinality(participant_ids) BETWEEN 1 AND 100),
    responsible_id bigint REFERENCES auth.users (id),
    company_name text CHECK (length(company_name) <= 200),
    company_nip text CHECK (company_nip ~ '^[0-9]{10}$'),
    company_address text CHECK (length(company_address) <= 300),
    address_lat double precision,
    address_lon double precision,
    note text CHECK (length(note) <= 10000),
    created_by bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (ends_at >= starts_at),
    FOREIGN KEY (kind_id, calendar_id) REFERENCES eszok.event_kinds (id, calendar_id)
);
CREATE INDEX events_participants_idx ON eszok.events USING gin (participant_ids);
CREATE INDEX events_period_idx ON eszok.events (starts_at, ends_at);

CREATE TABLE eszok.calendar_grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES auth.users (id),
    grantee_id bigint NOT NULL REFERENCES auth.users (id),
    level text NOT NULL CHECK (level IN ('view', 'manage')),
    granted_by bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    UNIQUE (grantee_id, owner_id),
    CHECK (owner_id <> grantee_id)
);

CREATE TABLE eszok.share_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES auth.users (id),
    grantee_id bigint NOT NULL REFERENCES auth.users (id),
    level text NOT NULL CHECK (level IN ('view', 'manage')),
    requested_by bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by bigint REFERENCES auth.users (id),
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (owner_id <> grantee_id),
    CHECK (requested_by IN (owner_id, grantee_id))
);
CREATE UNIQUE INDEX share_requests_pending_key
    ON eszok.share_requests (owner_id, grantee_id) WHERE status = 'pending';

CREATE TABLE eszok.announcements (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 10000),
    visible_from timestamptz NOT NULL DEFAULT now(),
    visible_to timestamptz,
    author_id bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (visible_to IS NULL OR visible_to > visible_from)
);
CREATE INDEX announcements_visible_idx ON eszok.announcements (visible_from DESC);

CREATE TABLE eszok.notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 10000),
    deadline timestamptz,
    deadline_has_time boolean NOT NULL DEFAULT false,
    event_id bigint REFERENCES eszok.events (id) ON DELETE SET NULL,
    done_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX notes_owner_idx ON eszok.notes (owner_id, done_at, deadline);

CREATE TABLE audit.change_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    record_id bigint NOT NULL,
    operation char(1) NOT NULL CHECK (operation IN ('I', 'U', 'D')),
    user_id bigint,
    db_user text NOT NULL,
    changed_at timestamptz NOT NULL,
    txid bigint NOT NULL,
    old_values jsonb,
    new_values jsonb
);
CREATE INDEX change_log_record_idx ON audit.change_log (table_name, record_id, id);
CREATE INDEX change_log_user_idx ON audit.change_log (user_id, changed_at);
CREATE INDEX change_log_time_idx ON audit.change_log (changed_at);
"""

FUNCTIONS = f"""
-- The user of the session whose token this connection presented, or NULL.
CREATE FUNCTION auth.uid() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT s.user_id
      FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id
     WHERE s.token_hash = sha256(convert_to(current_setting('eszok.token', true), 'UTF8'))
       AND s.outcome = 'ok' AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active
       AND s.created_txid IS DISTINCT FROM txid_current_if_assigned()
$$;

-- True for maintenance logins (members of eszok_owner: migrations, `eszok` CLI as admin).
-- session_user cannot be changed by a client, unlike current_user inside a definer.
CREATE FUNCTION auth.is_maintenance() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT pg_has_role(session_user, 'eszok_owner', 'MEMBER')
$$;

CREATE FUNCTION auth.has_capability(p_capability text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT EXISTS (
        SELECT 1 FROM auth.users u
          JOIN eszok.role_capabilities rc ON rc.role = u.role
         WHERE u.id = auth.uid() AND rc.capability = p_capability)
$$;

-- Calendars (user ids) the current user may read / write: own plus granted ones.
CREATE FUNCTION eszok.readable_calendars() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE WHEN auth.uid() IS NULL THEN '{{}}'::bigint[]
           ELSE array_prepend(auth.uid(), coalesce(array_agg(g.owner_id), '{{}}')) END
      FROM eszok.calendar_grants g WHERE g.grantee_id = auth.uid()
$$;

CREATE FUNCTION eszok.manageable_calendars() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE WHEN auth.uid() IS NULL THEN '{{}}'::bigint[]
           ELSE array_prepend(auth.uid(), coalesce(array_agg(g.owner_id), '{{}}')) END
      FROM eszok.calendar_grants g WHERE g.grantee_id = auth.uid() AND g.level = 'manage'
$$;

-- Sign-in. Every attempt returns a fresh random token, valid only when the password was
-- right, and nothing observable inside the calling transaction tells which: auth.uid()
-- and auth.sign_in_outcome() ignore rows written by the current transaction, and every
-- path writes the same rows. So a client learns the outcome only after committing the
-- attempt, and a failure it commits counts towards the lockout; rolling back to escape
-- the count also throws the answer away.
CREATE FUNCTION auth.login(p_email text, p_password text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    max_failures constant integer := 5;
    lock_time constant interval := interval '15 minutes';
    session_length constant interval := interval '12 hours';
    u auth.users%ROWTYPE;
    v_token text := encode(extensions.gen_random_bytes(32), 'hex');
    v_outcome text;
    v_locked timestamptz;
    failures integer;
BEGIN
    SELECT * INTO u FROM auth.users WHERE lower(email) = lower(btrim(p_email)) FOR UPDATE;
    IF NOT FOUND THEN
        -- as slow as a wrong password, so timing does not tell which e-mails exist
        PERFORM extensions.crypt(coalesce(p_password, ''), '{TIMING_HASH}');
        v_outcome := 'invalid';
    ELSIF u.locked_until > now() THEN
        v_outcome := 'locked';
        v_locked := u.locked_until;
        UPDATE auth.users SET failed_logins = failed_logins WHERE id = u.id;
    ELSIF p_password IS NULL OR octet_length(p_password) > 72
          OR extensions.crypt(p_password, u.password_hash) IS DISTINCT FROM u.password_hash THEN
        failures := CASE WHEN u.locked_until IS NULL THEN u.failed_logins + 1 ELSE 1 END;
        IF failures >= max_failures THEN
            v_outcome := 'locked';
            v_locked := now() + lock_time;
            UPDATE auth.users SET failed_logins = 0, locked_until = v_locked WHERE id = u.id;
        ELSE
            v_outcome := 'invalid';
            UPDATE auth.users SET failed_logins = failures, locked_until = NULL
             WHERE id = u.id;
        END IF;
    ELSIF NOT u.active THEN
        v_outcome := 'inactive';
        UPDATE auth.users SET failed_logins = 0, locked_until = NULL WHERE id = u.id;
    ELSE
        v_outcome := 'ok';
        UPDATE auth.users
           SET failed_logins = 0, locked_until = NULL,
               previous_login_at = last_login_at, last_login_at = now()
         WHERE id = u.id;
    END IF;
    -- a failed attempt is born revoked: it only answers auth.sign_in_outcome
    INSERT INTO auth.sessions (user_id, token_hash, outcome, locked_until, expires_at,
                               revoked_at)
    VALUES (u.id, sha256(convert_to(v_token, 'UTF8')), v_outcome, v_locked,
            now() + CASE WHEN v_outcome = 'ok' THEN session_length ELSE interval '1 hour' END,
            CASE WHEN v_outcome = 'ok' THEN NULL ELSE now() END);
    DELETE FROM auth.sessions WHERE expires_at < now() - interval '1 day';
    RETURN v_token;
END
$$;

-- What became of the attempt that returned p_token; answered only in a later transaction.
CREATE FUNCTION auth.sign_in_outcome(
    p_token text, OUT status text, OUT locked_until timestamptz,
    OUT must_change_password boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT coalesce(s.outcome, 'invalid'), s.locked_until,
           coalesce(s.outcome = 'ok' AND u.must_change_password, false)
      FROM (SELECT 1) AS one
      LEFT JOIN auth.sessions s
             ON s.token_hash = sha256(convert_to(p_token, 'UTF8'))
            AND s.created_txid IS DISTINCT FROM txid_current_if_assigned()
            AND s.expires_at > now()
      LEFT JOIN auth.users u ON u.id = s.user_id
$$;

-- Sign-in bookkeeping of every account, for the administrators' user list only.
CREATE FUNCTION auth.account_states(
    OUT user_id bigint, OUT failed_logins integer, OUT locked_until timestamptz,
    OUT last_login_at timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT u.id, u.failed_logins, u.locked_until, u.last_login_at
      FROM auth.users u WHERE auth.has_capability('admin.users')
$$;

CREATE FUNCTION auth.logout() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
    UPDATE auth.sessions SET revoked_at = now()
     WHERE token_hash = sha256(convert_to(current_setting('eszok.token', true), 'UTF8'))
       AND revoked_at IS NULL
$$;

-- Creates the first administrator of an empty installation; refused once any user exists.
CREATE FUNCTION auth.create_first_admin(p_email text, p_full_name text, p_hash text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE new_id bigint;
BEGIN
    LOCK TABLE auth.users IN EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM auth.users) THEN
        RAISE EXCEPTION 'an administrator already exists' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO auth.users (email, full_name, role, password_hash)
    VALUES (btrim(p_email), btrim(p_full_name), 'administrator', p_hash)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;

CREATE FUNCTION auth.needs_first_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT NOT EXISTS (SELECT 1 FROM auth.users)
$$;

-- Who is signed in on this connection, with what they may do.
CREATE FUNCTION auth.whoami(
    OUT user_id bigint, OUT email text, OUT full_name text, OUT role text,
    OUT previous_login_at timestamptz, OUT must_change_password boolean,
    OUT capabilities text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT u.id, u.email, u.full_name, u.role, u.previous_login_at, u.must_change_password,
           coalesce((SELECT array_agg(rc.capability ORDER BY rc.capability)
                       FROM eszok.role_capabilities rc WHERE rc.role = u.role), '{{}}')
      FROM auth.users u WHERE u.id = auth.uid()
$$;

-- Optimistic locking for raw SQL too: a real change without a version bump gets one.
-- Argument 0 (optional): columns whose changes are bookkeeping, not edits (text[] literal).
CREATE FUNCTION eszok.bump_version() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD AND NEW.version = OLD.version
       AND (TG_NARGS = 0 OR to_jsonb(NEW) - TG_ARGV[0]::text[]
                            IS DISTINCT FROM to_jsonb(OLD) - TG_ARGV[0]::text[])
    THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;

-- Adding an event to a calendar needs the right to manage it, on insert (policy) and on
-- update; a row policy cannot compare with the old row, so updates are checked here.
CREATE FUNCTION eszok.check_event_participants() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF NOT NEW.participant_ids <@ (OLD.participant_ids || eszok.manageable_calendars())
       AND NOT auth.has_capability('calendars.all') AND NOT auth.is_maintenance() THEN
        RAISE EXCEPTION 'no right to add events to these calendars'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

-- Generic audit trigger. Arguments: 0 = columns whose changes are not history
-- (text[] literal), 1 = columns whose values are replaced by '***' (text[] literal).
CREATE FUNCTION audit.log_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    ignored text[] := coalesce(TG_ARGV[0], '{{}}')::text[] || ARRAY['version'];
    redacted text[] := coalesce(TG_ARGV[1], '{{}}')::text[];
    old_row jsonb;
    new_row jsonb;
    old_diff jsonb := '{{}}';
    new_diff jsonb := '{{}}';
    acting bigint := auth.uid();
    rec_id bigint;
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN rec_id := OLD.id; ELSE rec_id := NEW.id; END IF;
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR col IN SELECT jsonb_object_keys(new_row) LOOP
            IF NOT col = ANY (ignored) AND new_row -> col IS DISTINCT FROM old_row -> col THEN
                old_diff := old_diff || jsonb_build_object(col, old_row -> col);
                new_diff := new_diff || jsonb_build_object(col, new_row -> col);
            END IF;
        END LOOP;
        IF new_diff = '{{}}' THEN
            RETURN NULL;  -- a no-op update is not history
        END IF;
        old_row := old_diff;
        new_row := new_diff;
    ELSIF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW) - ignored;
    ELSE
        old_row := to_jsonb(OLD) - ignored;
    END IF;
    FOREACH col IN ARRAY redacted LOOP
        IF old_row ? col THEN old_row := jsonb_set(old_row, ARRAY[col], '"***"'); END IF;
        IF new_row ? col THEN new_row := jsonb_set(new_row, ARRAY[col], '"***"'); END IF;
    END LOOP;
    -- The first administrator of an empty installation creates itself.
    IF acting IS NULL AND TG_OP = 'INSERT' AND TG_TABLE_NAME = 'users'
       AND NOT EXISTS (SELECT 1 FROM auth.users WHERE id <> NEW.id) THEN
        acting := NEW.id;
    END IF;
    IF acting IS NULL AND NOT auth.is_maintenance() THEN
        RAISE EXCEPTION 'changes need a signed-in user' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO audit.change_log (schema_name, table_name, record_id, operation, user_id,
                                  db_user, changed_at, txid, old_values, new_values)
    VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME,
            rec_id,
            left(TG_OP, 1), acting, session_user, clock_timestamp(), txid_current(),
            old_row, new_row);
    RETURN NULL;
END
$$;

GRANT EXECUTE ON FUNCTION auth.uid(), auth.is_maintenance(), auth.has_capability(text),
    auth.login(text, text), auth.sign_in_outcome(text), auth.account_states(),
    auth.logout(),
    auth.create_first_admin(text, text, text), auth.needs_first_admin(), auth.whoami(),
    eszok.readable_calendars(), eszok.manageable_calendars()
    TO eszok_client;
"""

# Every eszok table gets forced RLS, the audit trigger and the version bump. Later
# migrations call eszok.secure_table() on each table they add.
ATTACH = """
CREATE FUNCTION eszok.secure_table(p_table text) RETURNS void
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
SELECT eszok.secure_table(tablename) FROM pg_tables WHERE schemaname = 'eszok';
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON auth.users FOR EACH ROW
    EXECUTE FUNCTION audit.log_change(
        '{failed_logins,locked_until,last_login_at,previous_login_at}', '{password_hash}');
CREATE TRIGGER bump_version BEFORE UPDATE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION eszok.bump_version(
        '{failed_logins,locked_until,last_login_at,previous_login_at}');
CREATE TRIGGER check_participants BEFORE UPDATE OF participant_ids ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION eszok.check_event_participants();
"""

SEED = """
INSERT INTO eszok.roles (code, name) VALUES
    ('administrator', 'Administrator'),
    ('kierownik', 'Kierownik'),
    ('handlowiec', 'Handlowiec'),
    ('serwisant', 'Serwisant'),
    ('programista', 'Programista');

-- The F-ROLES matrix. Own calendars and notes need no capability.
INSERT INTO eszok.role_capabilities (role, capability) VALUES
    ('administrator', 'calendars.all'),
    ('administrator', 'cards.own'),
    ('administrator', 'cards.all'),
    ('administrator', 'hours.all'),
    ('administrator', 'announcements.publish'),
    ('administrator', 'admin.users'),
    ('kierownik', 'cards.own'),
    ('kierownik', 'cards.all'),
    ('kierownik', 'hours.all'),
    ('kierownik', 'announcements.publish'),
    ('serwisant', 'cards.own'),
    ('serwisant', 'hours.own'),
    ('programista', 'cards.own'),
    ('programista', 'hours.own');

INSERT INTO eszok.calendars (code, name, color, sort_order) VALUES
    ('handlowy', 'Handlowy', '#2f6fb7', 1),
    ('serwis', 'Serwis', '#2e8b57', 2),
    ('nieobecnosci', 'Nieobecności', '#c0504d', 3);

INSERT INTO eszok.event_kinds (calendar_id, name, sort_order)
SELECT c.id, k.name, k.ord
  FROM (VALUES ('handlowy', 'Spotkanie', 1), ('handlowy', 'Prezentacja', 2),
               ('handlowy', 'Inny', 3),
               ('serwis', 'Szkolenie', 1), ('serwis', 'Serwis', 2), ('serwis', 'Wydruk', 3),
               ('serwis', 'Inne', 4),
               ('nieobecnosci', 'Urlop', 1), ('nieobecnosci', 'L4', 2),
               ('nieobecnosci', 'Szkolenie', 3)) AS k (cal, name, ord)
  JOIN eszok.calendars c ON c.code = k.cal;
"""

POLICIES = """
-- Shorthands used below (each evaluated once per statement thanks to the sub-select):
--   me      (SELECT auth.uid())
--   maint   (SELECT auth.is_maintenance())

-- auth.users: signed-in users see everyone's name (participants, histories); never hashes.
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_read ON auth.users FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL);
-- Not the sign-in bookkeeping either: it changes inside auth.login's transaction and would
-- tell a probing client whether a password was right (see auth.login).
GRANT SELECT (id, email, full_name, role, active, must_change_password, created_at, version)
    ON auth.users TO eszok_client;

-- Dictionaries: readable when signed in; changed by administrators.
CREATE POLICY roles_read ON eszok.roles FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL OR (SELECT auth.is_maintenance()));
CREATE POLICY roles_maint ON eszok.roles FOR ALL
    USING ((SELECT auth.is_maintenance())) WITH CHECK ((SELECT auth.is_maintenance()));
CREATE POLICY role_capabilities_read ON eszok.role_capabilities FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL OR (SELECT auth.is_maintenance()));
CREATE POLICY role_capabilities_maint ON eszok.role_capabilities FOR ALL
    USING ((SELECT auth.is_maintenance())) WITH CHECK ((SELECT auth.is_maintenance()));
CREATE POLICY calendars_read ON eszok.calendars FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL OR (SELECT auth.is_maintenance()));
CREATE POLICY calendars_maint ON eszok.calendars FOR ALL
    USING ((SELECT auth.is_maintenance())) WITH CHECK ((SELECT auth.is_maintenance()));
CREATE POLICY event_kinds_read ON eszok.event_kinds FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL OR (SELECT auth.is_maintenance()));
CREATE POLICY event_kinds_admin ON eszok.event_kinds FOR ALL
    USING ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()))
    WITH CHECK ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()));
GRANT SELECT ON eszok.roles, eszok.role_capabilities, eszok.calendars, eszok.event_kinds
    TO eszok_client;

-- Events: in a calendar one may read (own, granted, or all for administrators).
CREATE POLICY events_read ON eszok.events FOR SELECT
    USING (participant_ids && (SELECT eszok.readable_calendars())
           OR (SELECT auth.has_capability('calendars.all'))
           OR (SELECT auth.is_maintenance()));
CREATE POLICY events_insert ON eszok.events FOR INSERT
    WITH CHECK ((participant_ids <@ (SELECT eszok.manageable_calendars())
                 OR (SELECT auth.has_capability('calendars.all')))
                AND created_by = (SELECT auth.uid())
                OR (SELECT auth.is_maintenance()));
CREATE POLICY events_update ON eszok.events FOR UPDATE
    USING (participant_ids && (SELECT eszok.manageable_calendars())
           OR (SELECT auth.has_capability('calendars.all'))
           OR (SELECT auth.is_maintenance()))
    WITH CHECK (participant_ids && (SELECT eszok.manageable_calendars())
                OR (SELECT auth.has_capability('calendars.all'))
                OR (SELECT auth.is_maintenance()));
CREATE POLICY events_delete ON eszok.events FOR DELETE
    USING (participant_ids && (SELECT eszok.manageable_calendars())
           OR (SELECT auth.has_capability('calendars.all'))
           OR (SELECT auth.is_maintenance()));
GRANT SELECT, INSERT, DELETE ON eszok.events TO eszok_client;
GRANT UPDATE (calendar_id, kind_id, title, starts_at, ends_at, all_day, participant_ids,
              responsible_id, company_name, company_nip, company_address, address_lat,
              address_lon, note, version)
    ON eszok.events TO eszok_client;

-- Calendar grants: visible to both sides; only administrators give or take them.
CREATE POLICY calendar_grants_read ON eszok.calendar_grants FOR SELECT
    USING (grantee_id = (SELECT auth.uid()) OR owner_id = (SELECT auth.uid())
           OR (SELECT auth.has_capability('admin.users'))
           OR (SELECT auth.is_maintenance()));
CREATE POLICY calendar_grants_admin ON eszok.calendar_grants FOR ALL
    USING ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()))
    WITH CHECK (((SELECT auth.has_capability('admin.users'))
                 AND granted_by = (SELECT auth.uid()))
                OR (SELECT auth.is_maintenance()));
GRANT SELECT, INSERT, UPDATE, DELETE ON eszok.calendar_grants TO eszok_client;

-- Share requests: either side asks; the administrator decides.
CREATE POLICY share_requests_read ON eszok.share_requests FOR SELECT
    USING ((SELECT auth.uid()) IN (owner_id, grantee_id, requested_by)
           OR (SELECT auth.has_capability('admin.users'))
           OR (SELECT auth.is_maintenance()));
CREATE POLICY share_requests_insert ON eszok.share_requests FOR INSERT
    WITH CHECK (requested_by = (SELECT auth.uid()) AND status = 'pending'
                AND decided_by IS NULL AND decided_at IS NULL
                OR (SELECT auth.is_maintenance()));
CREATE POLICY share_requests_withdraw ON eszok.share_requests FOR DELETE
    USING (requested_by = (SELECT auth.uid()) AND status = 'pending'
           OR (SELECT auth.has_capability('admin.users'))
           OR (SELECT auth.is_maintenance()));
CREATE POLICY share_requests_decide ON eszok.share_requests FOR UPDATE
    USING ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()))
    WITH CHECK ((SELECT auth.has_capability('admin.users')) OR (SELECT auth.is_maintenance()));
GRANT SELECT, INSERT, UPDATE, DELETE ON eszok.share_requests TO eszok_client;

-- Announcements: current ones for everyone; publishers see and edit all.
CREATE POLICY announcements_read ON eszok.announcements FOR SELECT
    USING ((SELECT auth.uid()) IS NOT NULL
           AND visible_from <= now() AND (visible_to IS NULL OR visible_to > now())
           OR (SELECT auth.has_capability('announcements.publish'))
           OR (SELECT auth.is_maintenance()));
CREATE POLICY announcements_publish ON eszok.announcements FOR ALL
    USING ((SELECT auth.has_capability('announcements.publish'))
           OR (SELECT auth.is_maintenance()))
    WITH CHECK ((SELECT auth.has_capability('announcements.publish'))
                OR (SELECT auth.is_maintenance()));
GRANT SELECT, INSERT, UPDATE, DELETE ON eszok.announcements TO eszok_client;

-- Notes: private to their author.
CREATE POLICY notes_own ON eszok.notes FOR ALL
    USING (owner_id = (SELECT auth.uid()) OR (SELECT auth.is_maintenance()))
    WITH CHECK (owner_id = (SELECT auth.uid()) OR (SELECT auth.is_maintenance()));
GRANT SELECT, INSERT, UPDATE, DELETE ON eszok.notes TO eszok_client;

-- Change log: read-only for clients, and only what concerns them.
ALTER TABLE audit.change_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY change_log_read ON audit.change_log FOR SELECT
    USING ((SELECT auth.has_capability('admin.users'))
           OR user_id = (SELECT auth.uid())
           OR (table_name = 'events'
               AND EXISTS (SELECT 1 FROM eszok.events e WHERE e.id = record_id))
           OR (table_name = 'notes'
               AND EXISTS (SELECT 1 FROM eszok.notes n WHERE n.id = record_id))
           OR (table_name = 'announcements'
               AND EXISTS (SELECT 1 FROM eszok.announcements a WHERE a.id = record_id)));
GRANT SELECT ON audit.change_log TO eszok_client;

GRANT USAGE ON ALL SEQUENCES IN SCHEMA eszok TO eszok_client;
GRANT SELECT ON public.alembic_version TO eszok_client;
"""


def upgrade() -> None:
    op.execute(SCHEMAS)
    # Table defaults call auth.uid() and the functions read the tables: create the
    # functions first, their bodies checked only when first run.
    op.execute("SET LOCAL check_function_bodies = off")
    op.execute(FUNCTIONS)
    op.execute(TABLES)
    op.execute("RESET check_function_bodies")
    op.execute(ATTACH)
    op.execute(POLICIES)
    op.execute(SEED)


def downgrade() -> None:
    op.execute(
        """
        DROP SCHEMA audit CASCADE;
        DROP SCHEMA eszok CASCADE;
        DROP SCHEMA auth CASCADE;
        REVOKE SELECT ON public.alembic_version FROM eszok_client;
        DROP EXTENSION IF EXISTS pgcrypto;
        DROP SCHEMA IF EXISTS extensions;
        ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
        """
    )
