"""Initial schema: the delivery ledger (`deliveries`) and the breach register.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Types are spelled out rather than imported from `herald.store.tables`, so this revision
keeps creating the same schema however the models change later. The enum columns are plain
VARCHAR(16): the models store enum values without a native enum or CHECK constraint.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_deliveries()
    create_register_entries()


def downgrade() -> None:
    op.drop_table("register_entries")
    op.drop_table("deliveries")


def create_deliveries() -> None:
    """The ledger table with its unique key and indexes (also used by `legacy.adopt`)."""
    op.create_table(
        "deliveries",
        # SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(32), nullable=False),
        sa.Column("provider_message_id", sa.String(255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("permanent_failure", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "incident_id", "person_id", "channel", name="uq_deliveries_incident_person_channel"
        ),
    )
    op.create_index(
        "ix_deliveries_incident_channel_state", "deliveries", ["incident_id", "channel", "state"]
    )
    create_receipt_indexes()


def create_receipt_indexes() -> None:
    """Provider receipts find their row by Herald's idempotency key or the provider's id."""
    op.create_index("ix_deliveries_idempotency_key", "deliveries", ["idempotency_key"])
    op.create_index("ix_deliveries_provider_message_id", "deliveries", ["provider_message_id"])


def create_register_entries() -> None:
    """The breach register table (also used by `legacy.adopt`)."""
    op.create_table(
        "register_entries",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notification_required", sa.Boolean(), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
    )
    op.create_index("ix_register_entries_opened_at", "register_entries", ["opened_at"])
