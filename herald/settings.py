"""Settings from the environment (HERALD_*), read through a cached `get_settings()`.

Secrets are `SecretStr` (never in a repr, a log line or `model_dump`) and each can instead be
read from a file named by `HERALD_<NAME>_FILE` (herald.secret_files). Whether the secrets
are fit for a deployment is checked at start by herald.secrets.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from herald.secret_files import SecretFileSource

if TYPE_CHECKING:
    from herald.reminders import ReminderPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEDULE = "50%,24h,6h,1h"  # herald.reminders reads it

Mode = Literal["local", "production"]


class SecretFilesSettings(BaseSettings):
    """Settings whose secrets may come from `HERALD_<NAME>_FILE` (Docker/Kubernetes secrets).

    The file source sits right after the environment. Explicit arguments still win (tests,
    `model_copy`); a variable and its `_FILE` twin both set is an error
    (herald.secret_files), so their order never decides anything.
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """pydantic-settings' sources with `HERALD_<NAME>_FILE` after the environment."""
        return (
            init_settings,
            env_settings,
            SecretFileSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )


class Settings(SecretFilesSettings):
    """Everything configurable. Nothing here is read at import time."""

    # hide_input_in_errors: a malformed secret must not reach a log through its error.
    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Mode = Field(
        default="local",
        description="local: embedded Temporal, demo, development; production: any deployment "
        "(start-up refuses missing or example secrets)",
    )
    home: Path = Field(default=Path(".herald"), description="all local state lives here")
    temporal_address: str | None = Field(
        default=None, description="host:port of a Temporal cluster; unset = embedded dev server"
    )
    temporal_namespace: str = "default"
    temporal_tls: bool | None = Field(
        default=None,
        description="TLS to the cluster; unset = on when any TLS file or an API key is set",
    )
    temporal_tls_ca_file: Path | None = Field(
        default=None, description="PEM CA the server certificate must chain to; unset = system"
    )
    temporal_tls_cert_file: Path | None = Field(
        default=None, description="PEM client certificate (mTLS); needs the key file"
    )
    temporal_tls_key_file: Path | None = Field(
        default=None, description="PEM private key of the client certificate (mTLS)"
    )
    temporal_tls_server_name: str | None = Field(
        default=None, description="name the server certificate is checked against (and SNI)"
    )
    temporal_api_key: SecretStr | None = Field(
        default=None, description="API key (Temporal Cloud); sent as a bearer token, over TLS"
    )
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    task_queue: str = "herald"
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL (may hold a password); unset = SQLite file under home",
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
    codec_keys: SecretStr | None = Field(
        default=None,
        description="comma-separated id:base64key pairs, newest last; unset = a key file in home",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="signs console session cookies, at least 32 bytes; unset = a file in home",
    )
    search_attributes: bool = Field(
        default=True,
        description="incidents publish typed search attributes (registered by the embedded "
        "server; on a cluster register them first, herald.models.search)",
    )
    codec_cors_origins: str = Field(
        default="http://127.0.0.1:8233,http://localhost:8233",
        description="comma-separated origins of Temporal Web UIs that may call the codec server",
    )
    intake_secret: SecretStr | None = Field(
        default=None,
        description="verifies SIEM alerts' HMAC (POST /api/intake/siem); unset = intake off",
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

    @model_validator(mode="after")
    def _coherent_tls(self) -> Settings:
        # Half a client identity, or a bearer token in clear text, is a mistake to stop at
        # start rather than a handshake error later.
        if (self.temporal_tls_cert_file is None) != (self.temporal_tls_key_file is None):
            raise ValueError(
                "HERALD_TEMPORAL_TLS_CERT_FILE and HERALD_TEMPORAL_TLS_KEY_FILE go together: "
                "set both (mTLS) or neither"
            )
        if self.temporal_tls is False:
            implied = [name for name, on in self._tls_implied_by().items() if on]
            if implied:
                raise ValueError(
                    f"HERALD_TEMPORAL_TLS is false but {', '.join(implied)} need TLS: "
                    "unset HERALD_TEMPORAL_TLS or set it true"
                )
        return self

    def _tls_implied_by(self) -> dict[str, bool]:
        return {
            "HERALD_TEMPORAL_API_KEY": self.temporal_api_key is not None,
            "HERALD_TEMPORAL_TLS_CA_FILE": self.temporal_tls_ca_file is not None,
            "HERALD_TEMPORAL_TLS_CERT_FILE": self.temporal_tls_cert_file is not None,
            "HERALD_TEMPORAL_TLS_SERVER_NAME": self.temporal_tls_server_name is not None,
        }

    @property
    def temporal_tls_enabled(self) -> bool:
        """Whether the client speaks TLS: as set, else on when any TLS setting or key is."""
        if self.temporal_tls is not None:
            return self.temporal_tls
        return any(self._tls_implied_by().values())

    @property
    def production(self) -> bool:
        """Whether this is a deployment (HERALD_ENV=production), where secrets are checked."""
        return self.env == "production"

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
        url = self.database_url
        if isinstance(url, str):  # model_copy(update=...) skips validation: a plain str
            return url
        return url.get_secret_value() if url else f"sqlite:///{self.home / 'herald.db'}"

    def ensure_home(self) -> Path:
        """Create the home folder (and the outbox) if missing, and return it."""
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        return self.home


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
