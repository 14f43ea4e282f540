"""Herald's tables (SQLAlchemy 2 declarative, typed); one class per table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column

from herald.models.vocabulary import Channel, DeliveryState
from herald.store.db import Base

__all__ = ["KEY_COLUMNS", "MAX_ERROR_LENGTH", "Delivery"]

MAX_ERROR_LENGTH = 500
# One notice per incident x person x channel: the ledger's unique key.
KEY_COLUMNS = ("incident_id", "person_id", "channel")


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def _enum_column(enum: type[StrEnum]) -> SAEnum:
    # Stored as the plain values ("sent"), not member names, and without a native DB enum,
    # so adding a state is not a schema migration.
    return SAEnum(enum, native_enum=False, length=16, values_callable=_values)


class Delivery(Base):
    """One ledger row: the notice of one incident to one person on one channel."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint(*KEY_COLUMNS, name="uq_deliveries_incident_person_channel"),
        Index("ix_deliveries_incident_channel_state", "incident_id", "channel", "state"),
        # Provider receipts name a message by Herald's key (SendGrid custom_args, Twilio
        # callback URL) or by the provider's id.
        Index("ix_deliveries_idempotency_key", "idempotency_key"),
        Index("ix_deliveries_provider_message_id", "provider_message_id"),
    )

    # SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    incident_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str] = mapped_column(String(255))
    channel: Mapped[Channel] = mapped_column(_enum_column(Channel))
    state: Mapped[DeliveryState] = mapped_column(_enum_column(DeliveryState))
    # herald.channels.base.make_idempotency_key of the row's key: names the row to providers
    # without carrying the person's id.
    idempotency_key: Mapped[str] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR_LENGTH))
    permanent_failure: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ += ["RegisterRow"]


class RegisterRow(Base):
    """One incident in the breach register (GDPR Art. 33(5)), whether notified or not.

    `entry` is the whole `RegisterEntry` as JSON (counts, categories and jurisdictions only,
    never a recipient); the other columns repeat what the register is filtered and ordered
    by. Instants are stored in UTC.
    """

    __tablename__ = "register_entries"
    __table_args__ = (Index("ix_register_entries_opened_at", "opened_at"),)

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notification_required: Mapped[bool]
    entry: Mapped[dict[str, object]] = mapped_column(JSON)


__all__ += ["ApiTokenRow", "UserRow"]


class UserRow(Base):
    """A person who signs in to the console or API (`herald.users.User`)."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Comma-separated role values: a handful of fixed words, never searched by SQL.
    roles: Mapped[str] = mapped_column(String(100))
    # argon2id hash; None for people who only sign in through single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    sso: Mapped[bool] = mapped_column(default=False)
    # Raised when the password changes or the user is disabled: older sessions stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """An API token for automation: only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_username", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
