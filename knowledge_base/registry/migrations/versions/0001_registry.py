"""Registry of filed institutions and its revision counter."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("registration_no", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("district", sa.String(32), nullable=False),
        sa.Column("subdistrict", sa.String(64), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("provider_type", sa.String(32), nullable=False),
        sa.Column("inclusive", sa.Boolean, nullable=False),
        sa.Column("care_modes", sa.String(64), nullable=False),
        sa.Column("min_age_months", sa.Integer, nullable=False),
        sa.Column("max_age_months", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("vacancies", sa.Integer, nullable=True),
        sa.Column("monthly_fee_yuan", sa.Float, nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("deregistered", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_institutions_district", "institutions", ["district"])
    op.create_table(
        "registry_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("registry_revision")
    op.drop_index("ix_institutions_district", table_name="institutions")
    op.drop_table("institutions")
