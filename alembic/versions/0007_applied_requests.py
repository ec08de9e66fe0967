"""Exactly-once saves across lost connections.

Every save of the client claims a random request id inside its own transaction
(``auth.claim_request``). The claim commits with the save or not at all, so when the
connection drops while a save is in flight, the client can simply send it again with
the same id: if the first attempt did commit, the claim is refused with SQLSTATE EZ010
("already applied") and nothing is written twice; if it did not, the save happens now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE audit.applied_requests (
            request_id uuid PRIMARY KEY,
            user_id bigint,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX applied_requests_time_idx ON audit.applied_requests (applied_at);

        CREATE FUNCTION auth.claim_request(p_request uuid) RETURNS void
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
        BEGIN
            -- a second attempt waits here until the first one commits or rolls back
            INSERT INTO audit.applied_requests (request_id, user_id)
            VALUES (p_request, auth.uid()) ON CONFLICT (request_id) DO NOTHING;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'request % was already applied', p_request
                    USING ERRCODE = 'EZ010';
            END IF;
            -- retries come within minutes; a week of ids is plenty
            DELETE FROM audit.applied_requests
             WHERE applied_at < now() - interval '7 days'
               AND request_id IN (SELECT request_id FROM audit.applied_requests
                                   WHERE applied_at < now() - interval '7 days' LIMIT 100);
        END
        $$;
        GRANT EXECUTE ON FUNCTION auth.claim_request(uuid) TO eszok_client;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION auth.claim_request(uuid);
        DROP TABLE audit.applied_requests;
        """
    )
