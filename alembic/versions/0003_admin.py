"""Administration: user management, approvals, dictionaries

Reserved in the linear chain so modules developed side by side never fork the history;
filled in by the module's issue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
