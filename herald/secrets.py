"""Whether the secrets are fit to start with: one check, run by every server entry point.

Local mode (HERALD_ENV=local, the default) makes its own codec key and session secret under
HERALD_HOME, so `make demo` needs nothing. A deployment (HERALD_ENV=production) must bring
its own: a generated file is private to one host (no other worker can read its payloads), and
an example value copied from documentation is public. Problems name the variable, never the
value, so the refusal can be logged.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from herald.codec import CodecKeyError, parse_keys
from herald.secret_files import read_or_create_private
from herald.temporal import local_key_file

if TYPE_CHECKING:
    from herald.channels.config import ProviderSettings
    from herald.settings import Settings

__all__ = [
    "MIN_SESSION_SECRET_BYTES",
    "SecretsError",
    "check_secrets",
    "is_placeholder",
    "local_session_file",
    "require_secrets",
    "session_secret",
]

MIN_SESSION_SECRET_BYTES = 32
LOCAL_SESSION_FILE = "session.secret"

# What documentation, templates and tutorials put where a secret goes.
_PLACEHOLDER_WORDS = {
    "changeme", "changeit", "secret", "password", "passwd", "example", "placeholder",
    "todo", "tbd", "dummy", "test", "default", "none", "null", "key", "token", "apikey",
}  # fmt: skip
_PLACEHOLDER_PATTERNS = re.compile(
    r"^(<.*>|\$\{.*\}|\{\{.*\}\}|\[.*\]|x+|\*+|0+|\.+|-+)$"
    r"|change[-_ ]?me|replace[-_ ]?me|your[-_ ]|example|placeholder",
    re.IGNORECASE,
)
_MIN_DISTINCT_CHARS = 8


class SecretsError(RuntimeError):
    """Start-up refused: the message lists each problem by variable name."""


def is_placeholder(value: str) -> bool:
    """Whether `value` looks like a documented example or template rather than a secret."""
    text = value.strip()
    squeezed = re.sub(r"[-_ ]", "", text).lower()
    return (
        not text
        or squeezed in _PLACEHOLDER_WORDS
        or bool(_PLACEHOLDER_PATTERNS.search(text))
        # A real key or token is random; "aaaaaaaa…" or "12341234…" is typed by hand.
        or len(set(text)) < _MIN_DISTINCT_CHARS
    )


def local_session_file(settings: Settings) -> Path:
    """The session secret local mode generates under HERALD_HOME."""
    return settings.home / LOCAL_SESSION_FILE


def intake_secret(settings: Settings) -> bytes | None:
    """The key SIEM alerts are signed with, or None: intake is off until one is configured.

    No local default: an alert endpoint open with a generated key nobody knows is useless,
    and one with a guessable key would let anyone open incidents.
    """
    if settings.intake_secret is None:
        return None
    return settings.intake_secret.get_secret_value().encode()


def session_secret(settings: Settings) -> bytes:
    """The key that signs console session cookies.

    Configured (HERALD_SESSION_SECRET or _FILE) it is used as given; in local mode an unset
    one is generated once into HERALD_HOME, so sessions survive a restart.

    Raises:
        SecretsError: too short, or unset in production.
    """
    if settings.session_secret is not None:
        value = settings.session_secret.get_secret_value().encode()
        if len(value) < MIN_SESSION_SECRET_BYTES:
            raise SecretsError(_too_short())
        return value
    if settings.production:
        raise SecretsError("HERALD_SESSION_SECRET (or HERALD_SESSION_SECRET_FILE) must be set")
    return read_or_create_private(
        local_session_file(settings), lambda: secrets.token_urlsafe(48)
    ).encode()


def _too_short() -> str:
    return f"HERALD_SESSION_SECRET is shorter than {MIN_SESSION_SECRET_BYTES} bytes"


def _read_if_exists(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _codec_problems(settings: Settings) -> list[str]:
    name = "HERALD_CODEC_KEYS"
    if settings.codec_keys is None:
        return [f"{name} (or {name}_FILE) is not set"] if settings.production else []
    try:
        keys = parse_keys(settings.codec_keys.get_secret_value().replace("\n", ","))
    except CodecKeyError as err:
        return [f"{name} is malformed: {err}"]  # names a key id at most, never key bytes
    if not settings.production:
        return []
    problems = []
    if any(len(set(key)) < _MIN_DISTINCT_CHARS for key in keys.values()):
        problems.append(f"{name} holds an example key (e.g. all zeros): generate real keys")
    local = _read_if_exists(local_key_file(settings))
    if local is not None:
        try:
            generated = set(parse_keys(local.replace("\n", ",")).values())
        except CodecKeyError:
            generated = set()
        if generated & set(keys.values()):
            problems.append(
                f"{name} reuses the key local mode generated in {local_key_file(settings)}: "
                "generate production keys and share them between hosts"
            )
    return problems


def _session_problems(settings: Settings) -> list[str]:
    name = "HERALD_SESSION_SECRET"
    if settings.session_secret is None:
        return [f"{name} (or {name}_FILE) is not set"] if settings.production else []
    value = settings.session_secret.get_secret_value()
    if len(value.encode()) < MIN_SESSION_SECRET_BYTES:
        return [_too_short()]
    if not settings.production:
        return []
    if is_placeholder(value):
        return [f"{name} is an example or placeholder value"]
    if value == _read_if_exists(local_session_file(settings)):
        return [f"{name} reuses the secret local mode generated in {local_session_file(settings)}"]
    return []


def _placeholder(name: str, value: SecretStr | str | None, *, required: bool) -> list[str]:
    if value is None:
        return [f"{name} (or {name}_FILE) is not set"] if required else []
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return [f"{name} is empty or a placeholder"] if is_placeholder(text) else []


def _database_problems(settings: Settings) -> list[str]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if settings.database_url is None:
        return []
    try:
        password = make_url(settings.db_url).password
    except ArgumentError:
        return ["HERALD_DATABASE_URL is not a database URL"]
    if password is not None and is_placeholder(str(password)):
        return ["HERALD_DATABASE_URL has a placeholder password"]
    return []


def _provider_problems(providers: ProviderSettings) -> list[str]:
    problems = []
    if providers.email_provider == "sendgrid":
        problems += _placeholder(
            "HERALD_SENDGRID_API_KEY", providers.sendgrid_api_key, required=True
        )
    if "twilio" in (providers.sms_provider, providers.voice_provider):
        problems += _placeholder(
            "HERALD_TWILIO_ACCOUNT_SID", providers.twilio_account_sid, required=True
        )
        problems += _placeholder(
            "HERALD_TWILIO_AUTH_TOKEN", providers.twilio_auth_token, required=True
        )
    if providers.email_provider == "smtp":
        problems += _placeholder(
            "HERALD_SMTP_PASSWORD",
            providers.smtp_password,
            required=providers.smtp_username is not None,
        )
    if providers.push_provider == "fcm":
        account = providers.fcm_service_account_file
        if account is None or not account.is_file():
            problems.append("HERALD_FCM_SERVICE_ACCOUNT_FILE is not set or not a readable file")
    # Webhook verification: the Twilio token is checked above when Twilio sends; a token or
    # key set for receipts alone must not be a placeholder either.
    problems += _placeholder(
        "HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY", providers.sendgrid_webhook_public_key, required=False
    )
    if "twilio" not in (providers.sms_provider, providers.voice_provider):
        problems += _placeholder(
            "HERALD_TWILIO_AUTH_TOKEN", providers.twilio_auth_token, required=False
        )
    return problems


def check_secrets(settings: Settings, providers: ProviderSettings) -> list[str]:
    """Every problem with the configured secrets, one line each, naming variables only.

    Malformed values (codec keys that do not parse, a short session secret) are problems in
    any mode; missing, generated and example values only in production.
    """
    problems = _codec_problems(settings) + _session_problems(settings)
    if settings.production:
        problems += _placeholder(
            "HERALD_TEMPORAL_API_KEY", settings.temporal_api_key, required=False
        )
        problems += _placeholder("HERALD_INTAKE_SECRET", settings.intake_secret, required=False)
        problems += _database_problems(settings)
        problems += _provider_problems(providers)
    return problems


def require_secrets(settings: Settings, providers: ProviderSettings) -> None:
    """Refuse to start on any `check_secrets` problem, with one message listing them all.

    Raises:
        SecretsError: at least one problem.
    """
    problems = check_secrets(settings, providers)
    if problems:
        mode = "HERALD_ENV=production" if settings.production else "HERALD_ENV=local"
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise SecretsError(f"refusing to start ({mode}):\n{lines}")
