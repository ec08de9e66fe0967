"""Administration: user management, approvals, dictionaries

The client login has no INSERT/UPDATE on ``auth.users``: every change to an account goes
through a SECURITY DEFINER function below that first checks the caller's ``admin.users``
capability. The audit trigger on ``auth.users`` (0001) records each change with the
administrator's ``auth.uid()``. Grants, announcements and event kinds are changed with
plain SQL under the row-level policies of 0001 (plus the grants added here); approving a
share request is a function so the decision and the grant happen in one step.

Custom SQLSTATEs raised here (the services map them to typed errors):
  EZ001  the last active administrator would be deactivated or demoted
  EZ002  the share request was already decided
  EZ003  a dictionary kind in use cannot be deleted (retire it instead)
  EZ004  a retired kind cannot be chosen for a new or changed record

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Any constant works; it only serialises the "is there another administrator?" checks.
LAST_ADMIN_LOCK = 60030001

USERS = f"""
-- Unlocking only clears columns the audit trigger ignores (failed_logins, locked_until);
-- this audited column makes the unlock visible in the change log.
ALTER TABLE auth.users ADD COLUMN unlocked_at timestamptz;
GRANT SELECT (unlocked_at) ON auth.users TO eszok_client;

CREATE FUNCTION auth.require_admin() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT coalesce(auth.has_capability('admin.users'), false) THEN
        RAISE EXCEPTION 'administrator rights needed' USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- Refuse when p_user_id is the last active administrator. The advisory lock serialises
-- concurrent demotions/deactivations, and each statement of this VOLATILE function takes a
-- fresh snapshot, so the check sees whatever the previous holder committed.
CREATE FUNCTION auth.guard_last_admin(p_user_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock({LAST_ADMIN_LOCK});
    IF EXISTS (SELECT 1 FROM auth.users
                WHERE id = p_user_id AND role = 'administrator' AND active)
       AND NOT EXISTS (SELECT 1 FROM auth.users
                        WHERE id <> p_user_id AND role = 'administrator' AND active) THEN
        RAISE EXCEPTION 'the last active administrator cannot be deactivated or demoted'
            USING ERRCODE = 'EZ001';
    END IF;
END
$$;

CREATE FUNCTION auth.add_user(
    p_email text, p_full_name text, p_role text, p_hash text, p_must_change boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE new_id bigint;
BEGIN
    PERFORM auth.require_admin();
    IF EXISTS (SELECT 1 FROM auth.users WHERE lower(email) = lower(btrim(p_email))) THEN
        RAISE EXCEPTION 'this e-mail is already used'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_email_key';
    END IF;
    INSERT INTO auth.users (email, full_name, role, password_hash, must_change_password)
    VALUES (btrim(p_email), btrim(p_full_name), p_role, p_hash, coalesce(p_must_change, false))
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;

CREATE FUNCTION auth.set_role(p_user_id bigint, p_role text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM auth.require_admin();
    IF p_role IS DISTINCT FROM 'administrator' THEN
        PERFORM auth.guard_last_admin(p_user_id);
    END IF;
    UPDATE auth.users SET role = p_role WHERE id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such user' USING ERRCODE = 'no_data_found';
    END IF;
END
$$;

-- Deactivation revokes the user's sessions at once (and so a later reactivation does
-- not revive old tokens).
CREATE FUNCTION auth.set_active(p_user_id bigint, p_active boolean) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM auth.require_admin();
    IF NOT p_active THEN
        PERFORM auth.guard_last_admin(p_user_id);
    END IF;
    UPDATE auth.users SET active = p_active WHERE id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such user' USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT p_active THEN
        UPDATE auth.sessions SET revoked_at = now()
         WHERE user_id = p_user_id AND revoked_at IS NULL;
    END IF;
END
$$;

-- A reset also ends the user's open sessions: whoever knew the old password is out.
CREATE FUNCTION auth.reset_password(p_user_id bigint, p_hash text, p_must_change boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM auth.require_admin();
    UPDATE auth.users
       SET password_hash = p_hash, must_change_password = coalesce(p_must_change, true)
     WHERE id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such user' USING ERRCODE = 'no_data_found';
    END IF;
    UPDATE auth.sessions SET revoked_at = now()
     WHERE user_id = p_user_id AND revoked_at IS NULL;
END
$$;

CREATE FUNCTION auth.unlock(p_user_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM auth.require_admin();
    UPDATE auth.users SET failed_logins = 0, locked_until = NULL, unlocked_at = now()
     WHERE id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such user' USING ERRCODE = 'no_data_found';
    END IF;
END
$$;

-- Every signed-in user changes their own password, proving the old one. Like sign-in,
-- the verdict is told only to a later transaction: the function returns an attempt id
-- whatever happened, and auth.password_change_outcome(id) answers once the attempt is
-- committed. So a wrong old password always counts towards the lockout (rolling back to
-- escape the count throws the answer away too). On success the other sessions end.
-- Known leak: for an account flagged "change at next sign-in" the flag (readable) clears
-- on success inside the transaction.
CREATE TABLE auth.password_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES auth.users (id),
    outcome text NOT NULL CHECK (outcome IN ('ok', 'wrong', 'locked')),
    created_txid bigint NOT NULL DEFAULT txid_current(),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_changes_created_idx ON auth.password_changes (created_at);

CREATE FUNCTION auth.change_own_password(p_old_password text, p_new_hash text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    max_failures constant integer := 5;
    lock_time constant interval := interval '15 minutes';
    me bigint := auth.uid();
    u auth.users%ROWTYPE;
    v_outcome text;
    attempt bigint;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'not signed in' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO u FROM auth.users WHERE id = me FOR UPDATE;
    -- Every path bumps the (client-readable) version by one, so it does not tell a
    -- changed password from a counted failure inside the transaction.
    IF u.locked_until > now() THEN
        v_outcome := 'locked';
        UPDATE auth.users SET version = version + 1 WHERE id = me;
    ELSIF p_old_password IS NULL OR octet_length(p_old_password) > 72
          OR extensions.crypt(p_old_password, u.password_hash) IS DISTINCT FROM u.password_hash
    THEN
        v_outcome := 'wrong';
        IF u.failed_logins + 1 >= max_failures THEN
            UPDATE auth.users
               SET failed_logins = 0, locked_until = now() + lock_time, version = version + 1
             WHERE id = me;
        ELSE
            UPDATE auth.users SET failed_logins = u.failed_logins + 1, version = version + 1
             WHERE id = me;
        END IF;
    ELSE
        v_outcome := 'ok';
        UPDATE auth.users
           SET password_hash = p_new_hash, must_change_password = false, failed_logins = 0,
               version = version + 1
         WHERE id = me;
        UPDATE auth.sessions SET revoked_at = now()
         WHERE user_id = me AND revoked_at IS NULL
           AND token_hash <> sha256(convert_to(current_setting('eszok.token', true), 'UTF8'));
    END IF;
    DELETE FROM auth.password_changes WHERE created_at < now() - interval '1 day';
    INSERT INTO auth.password_changes (user_id, outcome) VALUES (me, v_outcome)
    RETURNING id INTO attempt;
    RETURN attempt;
END
$$;

-- 'ok', 'wrong' or 'locked' for the caller's committed attempt; NULL inside the attempt's
-- own transaction and for anybody else's attempt.
CREATE FUNCTION auth.password_change_outcome(p_attempt bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT c.outcome FROM auth.password_changes c
     WHERE c.id = p_attempt AND c.user_id = auth.uid()
       AND c.created_txid IS DISTINCT FROM txid_current_if_assigned()
$$;

GRANT EXECUTE ON FUNCTION
    auth.add_user(text, text, text, text, boolean), auth.set_role(bigint, text),
    auth.set_active(bigint, boolean), auth.reset_password(bigint, text, boolean),
    auth.unlock(bigint), auth.change_own_password(text, text),
    auth.password_change_outcome(bigint)
    TO eszok_client;
"""

SHARING = """
-- The administrator approves or rejects a pending share request; approval creates the
-- grant (or raises an existing view grant to manage, never lowers it) in the same
-- transaction. Returns the grant id on approval.
CREATE FUNCTION eszok.decide_share_request(p_request_id bigint, p_approve boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r eszok.share_requests%ROWTYPE;
    new_grant bigint;
BEGIN
    PERFORM auth.require_admin();
    SELECT * INTO r FROM eszok.share_requests WHERE id = p_request_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such request' USING ERRCODE = 'no_data_found';
    END IF;
    IF r.status <> 'pending' THEN
        RAISE EXCEPTION 'the request was already decided' USING ERRCODE = 'EZ002';
    END IF;
    UPDATE eszok.share_requests
       SET status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
           decided_by = auth.uid(), decided_at = now()
     WHERE id = p_request_id;
    IF p_approve THEN
        INSERT INTO eszok.calendar_grants AS g (owner_id, grantee_id, level, granted_by)
        VALUES (r.owner_id, r.grantee_id, r.level, auth.uid())
        ON CONFLICT (grantee_id, owner_id) DO UPDATE
           SET level = CASE WHEN g.level = 'manage' THEN 'manage' ELSE EXCLUDED.level END,
               granted_by = EXCLUDED.granted_by
        RETURNING id INTO new_grant;
    END IF;
    RETURN new_grant;
END
$$;
GRANT EXECUTE ON FUNCTION eszok.decide_share_request(bigint, boolean) TO eszok_client;
"""

DICTIONARIES = """
-- Event kinds (per calendar) are edited by administrators under the 0001 policy; the
-- calendar of a kind never changes (events reference (kind_id, calendar_id)).
GRANT INSERT, DELETE ON eszok.event_kinds TO eszok_client;
GRANT UPDATE (name, active, sort_order, version) ON eszok.event_kinds TO eszok_client;

CREATE INDEX events_kind_id_idx ON eszok.events (kind_id);

-- A kind some record uses can be retired (active = false) but not deleted. The foreign
-- key would refuse too; this says why, with a code the client maps to a message.
-- TG_ARGV: 0 = referencing table (schema-qualified), 1 = its column.
CREATE FUNCTION eszok.keep_used_kind() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE used boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1])
       INTO used USING OLD.id;
    IF used THEN
        RAISE EXCEPTION 'kind % is in use; retire it instead of deleting it', OLD.id
            USING ERRCODE = 'EZ003';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER keep_used_kind BEFORE DELETE ON eszok.event_kinds
    FOR EACH ROW EXECUTE FUNCTION eszok.keep_used_kind('eszok.events', 'kind_id');

-- New records (and records whose kind changes) must use an active kind; existing
-- records keep their retired kind. TG_ARGV: 0 = kinds table, 1 = the kind column.
CREATE FUNCTION eszok.require_active_kind() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    new_kind bigint := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    is_active boolean;
BEGIN
    IF new_kind IS NULL OR (TG_OP = 'UPDATE'
                            AND (to_jsonb(OLD) ->> TG_ARGV[1])::bigint = new_kind) THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT active FROM %s WHERE id = $1', TG_ARGV[0])
       INTO is_active USING new_kind;
    IF is_active IS FALSE THEN
        RAISE EXCEPTION 'kind % is retired', new_kind USING ERRCODE = 'EZ004';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER require_active_kind BEFORE INSERT OR UPDATE OF kind_id ON eszok.events
    FOR EACH ROW EXECUTE FUNCTION eszok.require_active_kind('eszok.event_kinds', 'kind_id');

-- Kinds of work for task cards (table from 0002): the same two rules. 0002 gave no
-- DELETE at all; an unused kind (say, a typo just added) may now be deleted.
GRANT DELETE ON eszok.work_kinds TO eszok_client;
CREATE TRIGGER keep_used_kind BEFORE DELETE ON eszok.work_kinds
    FOR EACH ROW EXECUTE FUNCTION eszok.keep_used_kind('eszok.cards', 'work_kind_id');
CREATE TRIGGER require_active_kind BEFORE INSERT OR UPDATE OF work_kind_id ON eszok.cards
    FOR EACH ROW EXECUTE FUNCTION eszok.require_active_kind('eszok.work_kinds', 'work_kind_id');
"""


def upgrade() -> None:
    op.execute(USERS)
    op.execute(SHARING)
    op.execute(DICTIONARIES)


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER require_active_kind ON eszok.cards;
        DROP TRIGGER keep_used_kind ON eszok.work_kinds;
        REVOKE DELETE ON eszok.work_kinds FROM eszok_client;
        DROP TRIGGER require_active_kind ON eszok.events;
        DROP TRIGGER keep_used_kind ON eszok.event_kinds;
        DROP FUNCTION eszok.require_active_kind();
        DROP FUNCTION eszok.keep_used_kind();
        DROP INDEX eszok.events_kind_id_idx;
        REVOKE INSERT, DELETE ON eszok.event_kinds FROM eszok_client;
        REVOKE UPDATE (name, active, sort_order, version) ON eszok.event_kinds FROM eszok_client;
        DROP FUNCTION eszok.decide_share_request(bigint, boolean);
        DROP FUNCTION auth.password_change_outcome(bigint);
        DROP FUNCTION auth.change_own_password(text, text);
        DROP TABLE auth.password_changes;
        DROP FUNCTION auth.unlock(bigint);
        DROP FUNCTION auth.reset_password(bigint, text, boolean);
        DROP FUNCTION auth.set_active(bigint, boolean);
        DROP FUNCTION auth.set_role(bigint, text);
        DROP FUNCTION auth.add_user(text, text, text, text, boolean);
        DROP FUNCTION auth.guard_last_admin(bigint);
        DROP FUNCTION auth.require_admin();
        ALTER TABLE auth.users DROP COLUMN unlocked_at;
        """
    )
