"""Terminarz: event rules beyond the foundation

Reserved in the linear chain so modules developed side by side never fork the history;
filled in by the module's issue.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
