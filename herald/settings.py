"""Settings from the environment (HERALD_*), read through a cached `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from herald.reminders import ReminderPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEDULE = "50%,24h,6h,1h"  # herald.reminders reads it


class Settings(BaseSettings):
    """Everything configurable. Nothing here is read at import time."""

    model_config = SettingsConfigDict(env_prefix="HERALD_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".herald"), description="all local state lives here")
    temporal_address: str | None = Field(
        default=None, description="host:port of a Temporal cluster; unset = embedded dev server"
    )
    temporal_namespace: str = "default"
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    task_queue: str = "herald"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset = SQLite file under home"
    )
    templates_dir: Path = PROJECT_ROOT / "templates"
    approvals_required: int = Field(default=2, ge=1, le=5)
    reminders: str = Field(
        default=DEFAULT_SCHEDULE,
        description="when report deadlines are recalled: shares of the time and leads",
    )
    escalate_after_minutes: int = Field(
        default=30, ge=1, description="an unacknowledged reminder goes to the backups after"
    )
    sms_max_segments: int = Field(
        default=3, ge=1, le=10, description="longest SMS a draft may be, in billed segments"
    )
    codec_keys: str | None = Field(
        default=None,
        description="comma-separated id:base64key pairs, newest last; unset = a key file in home",
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, home: Path) -> Path:
        return home.expanduser().resolve()

    @field_validator("reminders")
    @classmethod
    def _schedule(cls, schedule: str) -> str:
        from herald.reminders import ReminderPolicy

        ReminderPolicy.parse(schedule)  # a typo fails at start, naming the part
        return schedule

    def reminder_policy(self, backups: list[str] | None = None) -> ReminderPolicy:
        """The reminder schedule and escalation of new incidents."""
        from herald.reminders import ReminderPolicy

        return ReminderPolicy.parse(
            self.reminders,
            escalate_after_s=self.escalate_after_minutes * 60,
            backups=list(backups or []),
        )

    @property
    def outbox_dir(self) -> Path:
        """Where the outbox channel writes each message a person would receive."""
        return self.home / "outbox"

    @property
    def temporal_db(self) -> Path:
        """The embedded Temporal dev server's on-disk SQLite database."""
        return self.home / "temporal.db"

    @property
    def db_url(self) -> str:
        """Herald's own database: the configured URL or a SQLite file under home."""
        return self.database_url or f"sqlite:///{self.home / 'herald.db'}"

    def ensure_home(self) -> Path:
        """Create the home folder (and the outbox) if missing, and return it."""
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        return self.home


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
