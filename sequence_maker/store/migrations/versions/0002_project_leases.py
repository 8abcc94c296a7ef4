"""Project leases: one server process edits a project at a time.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_leases",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("project_leases")
