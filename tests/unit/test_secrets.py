"""Start-up secret checks: local mode runs on generated secrets, production refuses them."""

from __future__ import annotations

import asyncio
import base64
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from herald.channels.config import ProviderSettings
from herald.cli import app
from herald.codec import CodecKeyError
from herald.secrets import (
    SecretsError,
    check_secrets,
    is_placeholder,
    local_session_file,
    require_secrets,
    session_secret,
)
from herald.settings import Settings, get_settings
from herald.temporal import codec_keys, free_port, local_key_file

CODEC = "k1:" + base64.b64encode(os.urandom(32)).decode()
SESSION = base64.urlsafe_b64encode(os.urandom(36)).decode()


def _random(prefix: str = "") -> str:
    return prefix + base64.urlsafe_b64encode(os.urandom(24)).decode()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No HERALD_* from the shell and no .env file."""
    for name in list(os.environ):
        if name.upper().startswith("HERALD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _production(tmp_path: Path, **values: object) -> Settings:
    fields: dict[str, object] = {
        "env": "production",
        "home": tmp_path / "home",
        "codec_keys": CODEC,
        "session_secret": SESSION,
    }
    fields.update(values)
    return Settings.model_validate(fields)


def _outbox() -> ProviderSettings:
    return ProviderSettings.model_validate({})


def test_local_mode_passes_with_nothing_configured(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    assert check_secrets(settings, _outbox()) == []
    require_secrets(settings, _outbox())


def test_local_mode_generates_and_keeps_the_session_secret(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = session_secret(settings)
    assert len(first) >= 32
    assert session_secret(settings) == first  # survives a restart
    mode = stat.S_IMODE(local_session_file(settings).stat().st_mode)
    assert mode == 0o600


def test_configured_session_secret_is_used_as_given(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", session_secret=SESSION)
    assert session_secret(settings) == SESSION.encode()
    assert not local_session_file(settings).exists()


def test_production_passes_with_real_secrets(tmp_path: Path) -> None:
    providers = ProviderSettings(
        email_provider="sendgrid",
        sms_provider="twilio",
        sendgrid_api_key=SecretStr(_random("SG.")),
        twilio_account_sid="AC" + os.urandom(16).hex(),
        twilio_auth_token=SecretStr(os.urandom(16).hex()),
    )
    settings = _production(
        tmp_path,
        temporal_api_key=_random(),
        database_url=f"postgresql+psycopg://herald:{_random()}@db/herald",
    )
    assert check_secrets(settings, providers) == []


def test_production_refuses_missing_secrets_naming_both(tmp_path: Path) -> None:
    settings = Settings(env="production", home=tmp_path / "home")
    with pytest.raises(SecretsError) as caught:
        require_secrets(settings, _outbox())
    message = str(caught.value)
    assert "HERALD_ENV=production" in message
    assert "HERALD_CODEC_KEYS (or HERALD_CODEC_KEYS_FILE) is not set" in message
    assert "HERALD_SESSION_SECRET (or HERALD_SESSION_SECRET_FILE) is not set" in message


def test_production_refuses_the_generated_local_codec_key(tmp_path: Path) -> None:
    local = Settings(home=tmp_path / "home")
    codec_keys(local)  # local mode creates the key file, as `make demo` does
    copied = local_key_file(local).read_text().strip()
    problems = check_secrets(_production(tmp_path, codec_keys=copied), _outbox())
    assert len(problems) == 1 and "HERALD_CODEC_KEYS reuses the key" in problems[0]
    assert copied.split(":")[1] not in problems[0]


def test_production_refuses_the_generated_local_session_secret(tmp_path: Path) -> None:
    local = Settings(home=tmp_path / "home")
    generated = session_secret(local).decode()
    problems = check_secrets(_production(tmp_path, session_secret=generated), _outbox())
    assert problems == [
        f"HERALD_SESSION_SECRET reuses the secret local mode generated in "
        f"{local_session_file(local)}"
    ]


def test_production_never_generates_secrets(tmp_path: Path) -> None:
    settings = Settings(env="production", home=tmp_path / "home")
    with pytest.raises(CodecKeyError, match="HERALD_CODEC_KEYS"):
        codec_keys(settings)
    with pytest.raises(SecretsError, match="HERALD_SESSION_SECRET"):
        session_secret(settings)
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    "value",
    [
        "change-me-change-me-change-me-change-me",
        "<your session secret, 32 bytes or more>",
        "${HERALD_SESSION_SECRET_PLACEHOLDER_VALUE}",
        "a" * 48,
        "example-session-secret-0123456789abcdef",
    ],
)
def test_production_refuses_example_session_secrets(tmp_path: Path, value: str) -> None:
    problems = check_secrets(_production(tmp_path, session_secret=value), _outbox())
    assert problems == ["HERALD_SESSION_SECRET is an example or placeholder value"]


def test_short_session_secret_is_refused_in_any_mode(tmp_path: Path) -> None:
    for env in ("local", "production"):
        settings = Settings(env=env, home=tmp_path / env, codec_keys=CODEC, session_secret="s3")
        assert check_secrets(settings, _outbox()) == [
            "HERALD_SESSION_SECRET is shorter than 32 bytes"
        ]
        with pytest.raises(SecretsError):
            session_secret(settings)


def test_malformed_codec_keys_are_refused_in_any_mode(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", codec_keys="k1:not-base64!")
    problems = check_secrets(settings, _outbox())
    assert problems == ["HERALD_CODEC_KEYS is malformed: codec key 'k1' is not valid base64"]


def test_production_refuses_an_all_zero_example_codec_key(tmp_path: Path) -> None:
    zero = "k1:" + base64.b64encode(bytes(32)).decode()
    problems = check_secrets(_production(tmp_path, codec_keys=f"{CODEC},{zero}"), _outbox())
    assert len(problems) == 1 and problems[0].startswith("HERALD_CODEC_KEYS holds an example key")


@pytest.mark.parametrize(
    ("providers", "variables"),
    [
        ({"email_provider": "sendgrid"}, ["HERALD_SENDGRID_API_KEY"]),
        ({"email_provider": "sendgrid", "sendgrid_api_key": ""}, ["HERALD_SENDGRID_API_KEY"]),
        (
            {"email_provider": "sendgrid", "sendgrid_api_key": "SG.xxxxxxxxxxxxxxxx"},
            ["HERALD_SENDGRID_API_KEY"],
        ),
        (
            {"sms_provider": "twilio", "twilio_account_sid": "ACXXXXXXXXXXXXXXXX"},
            ["HERALD_TWILIO_ACCOUNT_SID", "HERALD_TWILIO_AUTH_TOKEN"],
        ),
        (
            {
                "voice_provider": "twilio",
                "twilio_account_sid": "AC" + os.urandom(16).hex(),
                "twilio_auth_token": "your-auth-token",
            },
            ["HERALD_TWILIO_AUTH_TOKEN"],
        ),
        (
            {"email_provider": "smtp", "smtp_host": "mail", "smtp_username": "herald"},
            ["HERALD_SMTP_PASSWORD"],
        ),
        ({"push_provider": "fcm", "fcm_project_id": "p"}, ["HERALD_FCM_SERVICE_ACCOUNT_FILE"]),
        ({"twilio_auth_token": "changeme"}, ["HERALD_TWILIO_AUTH_TOKEN"]),
        ({"sendgrid_webhook_public_key": "<public key>"}, ["HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY"]),
    ],
)
def test_production_refuses_missing_or_placeholder_provider_keys(
    tmp_path: Path, providers: dict[str, object], variables: list[str]
) -> None:
    problems = check_secrets(_production(tmp_path), ProviderSettings.model_validate(providers))
    assert [problem.split(" ")[0] for problem in problems] == variables


def test_smtp_without_login_needs_no_password(tmp_path: Path) -> None:
    providers = ProviderSettings(email_provider="smtp", smtp_host="relay.internal")
    assert check_secrets(_production(tmp_path), providers) == []


def test_production_refuses_placeholder_api_key_and_database_password(tmp_path: Path) -> None:
    settings = _production(
        tmp_path,
        temporal_api_key="<api key>",
        database_url="postgresql+psycopg://herald:changeme@db/herald",
    )
    assert check_secrets(settings, _outbox()) == [
        "HERALD_TEMPORAL_API_KEY is empty or a placeholder",
        "HERALD_DATABASE_URL has a placeholder password",
    ]


def test_local_mode_ignores_provider_placeholders(tmp_path: Path) -> None:
    # The demo and tests point providers at local peers with made-up credentials.
    providers = ProviderSettings(email_provider="sendgrid", sendgrid_api_key=SecretStr("x"))
    assert check_secrets(Settings(home=tmp_path / "home"), providers) == []


def test_refusal_never_contains_a_value(tmp_path: Path) -> None:
    token = "changeme-" + os.urandom(8).hex()
    settings = _production(tmp_path, session_secret=token + "-" * 32)
    providers = ProviderSettings(sms_provider="twilio", twilio_auth_token=SecretStr(token))
    with pytest.raises(SecretsError) as caught:
        require_secrets(settings, providers)
    assert token not in str(caught.value) and SESSION not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    ["", "  ", "secret", "change_me", "XXXXXXXX", "<token>", "{{ token }}", "12121212121212"],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", [SESSION, CODEC, "SG." + os.urandom(20).hex()])
def test_random_values_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize("command", ["worker", "serve", "dev"])
def test_server_commands_refuse_to_start_in_production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    monkeypatch.setenv("HERALD_ENV", "production")
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HERALD_SESSION_SECRET", SESSION)
    # A free port: were the check skipped, the command would fail differently (or serve).
    monkeypatch.setenv("HERALD_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    try:
        args = [command, "--port", str(free_port())] if command != "worker" else [command]
        result = CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "refusing to start (HERALD_ENV=production)" in result.output
    assert "HERALD_CODEC_KEYS (or HERALD_CODEC_KEYS_FILE) is not set" in result.output
    assert SESSION not in result.output


def test_server_command_reports_a_file_conflict(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "session"
    secret_file.write_text(SESSION)
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HERALD_SESSION_SECRET", SESSION)
    monkeypatch.setenv("HERALD_SESSION_SECRET_FILE", str(secret_file))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "both HERALD_SESSION_SECRET and HERALD_SESSION_SECRET_FILE are set" in result.output


def test_worker_main_refuses_before_connecting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import worker

    monkeypatch.setenv("HERALD_ENV", "production")
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        with pytest.raises(SecretsError, match="HERALD_SESSION_SECRET"):
            asyncio.run(worker.main())
    finally:
        get_settings.cache_clear()
