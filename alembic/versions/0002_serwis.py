"""Serwis: task cards, kinds of work, card numbering

Reserved in the linear chain so modules developed side by side never fork the history;
filled in by the module's issue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
