"""Secret settings: `HERALD_<NAME>_FILE`, never shown in a repr, a log or a dump; TLS rules."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from herald.channels.config import ProviderSettings
from herald.secret_files import SecretFileError, secret_fields
from herald.settings import Settings

CODEC = "k1:" + base64.b64encode(os.urandom(32)).decode()
SESSION = "s" + base64.urlsafe_b64encode(os.urandom(36)).decode()
API_KEY = "tcld-" + base64.urlsafe_b64encode(os.urandom(24)).decode()
DB_PASSWORD = "pw" + os.urandom(12).hex()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No HERALD_* from the shell, and no .env but the one a test writes."""
    for name in list(os.environ):
        if name.upper().startswith("HERALD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _secret_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "secrets" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_every_secret_field_is_a_secretstr() -> None:
    assert set(secret_fields(Settings)) == {
        "codec_keys",
        "session_secret",
        "intake_secret",
        "temporal_api_key",
        "database_url",
    }
    assert set(secret_fields(ProviderSettings)) == {
        "sendgrid_api_key",
        "twilio_auth_token",
        "smtp_password",
    }


def test_file_variable_is_read_once_and_stripped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Kubernetes secret files usually end with a newline; the value must not.
    path = _secret_file(tmp_path, "session", f"  {SESSION}\n\n")
    monkeypatch.setenv("HERALD_SESSION_SECRET_FILE", str(path))
    monkeypatch.setenv("HERALD_CODEC_KEYS_FILE", str(_secret_file(tmp_path, "codec", CODEC)))
    settings = Settings(home=tmp_path / "home")
    assert settings.session_secret is not None and settings.codec_keys is not None
    assert settings.session_secret.get_secret_value() == SESSION
    assert settings.codec_keys.get_secret_value() == CODEC
    path.write_text("changed later")  # read at construction, not on each use
    assert settings.session_secret.get_secret_value() == SESSION


def test_provider_credentials_come_from_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HERALD_SENDGRID_API_KEY_FILE", str(_secret_file(tmp_path, "sg", "SG.a\n")))
    monkeypatch.setenv("HERALD_TWILIO_AUTH_TOKEN_FILE", str(_secret_file(tmp_path, "tw", "t0k")))
    monkeypatch.setenv("HERALD_SMTP_PASSWORD_FILE", str(_secret_file(tmp_path, "smtp", "pw")))
    providers = ProviderSettings()
    assert providers.sendgrid_api_key == SecretStr("SG.a")
    assert providers.twilio_auth_token == SecretStr("t0k")
    assert providers.smtp_password == SecretStr("pw")


def test_variable_and_file_together_are_refused_naming_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HERALD_TWILIO_AUTH_TOKEN", "from-env-value")
    monkeypatch.setenv("HERALD_TWILIO_AUTH_TOKEN_FILE", str(_secret_file(tmp_path, "t", "x")))
    with pytest.raises(SecretFileError) as caught:
        ProviderSettings()
    message = str(caught.value)
    assert "HERALD_TWILIO_AUTH_TOKEN and HERALD_TWILIO_AUTH_TOKEN_FILE" in message
    assert "from-env-value" not in message


def test_dotenv_value_and_env_file_variable_conflict_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"HERALD_SESSION_SECRET={SESSION}\n")
    monkeypatch.setenv("HERALD_SESSION_SECRET_FILE", str(_secret_file(tmp_path, "s", SESSION)))
    with pytest.raises(SecretFileError, match="HERALD_SESSION_SECRET_FILE"):
        Settings()


def test_file_variable_in_dotenv_is_honoured(tmp_path: Path) -> None:
    path = _secret_file(tmp_path, "api", API_KEY)
    (tmp_path / ".env").write_text(f"HERALD_TEMPORAL_API_KEY_FILE={path}\n")
    assert Settings().temporal_api_key == SecretStr(API_KEY)


def test_unreadable_file_names_the_variable_and_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "codec"
    monkeypatch.setenv("HERALD_CODEC_KEYS_FILE", str(missing))
    with pytest.raises(SecretFileError) as caught:
        Settings()
    assert "HERALD_CODEC_KEYS_FILE" in str(caught.value) and str(missing) in str(caught.value)


def test_explicit_arguments_win_over_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HERALD_CODEC_KEYS_FILE", str(_secret_file(tmp_path, "c", "k9:zz")))
    assert Settings(codec_keys=CODEC).codec_keys == SecretStr(CODEC)


def _everything(tmp_path: Path) -> tuple[Settings, ProviderSettings]:
    settings = Settings(
        home=tmp_path / "home",
        codec_keys=CODEC,
        session_secret=SESSION,
        temporal_api_key=API_KEY,
        database_url=f"postgresql+psycopg://herald:{DB_PASSWORD}@db.internal/herald",
    )
    providers = ProviderSettings(
        sendgrid_api_key=SecretStr("SG.sendgrid-" + DB_PASSWORD),
        twilio_auth_token=SecretStr("twilio-" + DB_PASSWORD),
        smtp_password=SecretStr("smtp-" + DB_PASSWORD),
    )
    return settings, providers


def test_no_secret_in_repr_str_dump_or_json(tmp_path: Path) -> None:
    settings, providers = _everything(tmp_path)
    secrets = [CODEC, SESSION, API_KEY, DB_PASSWORD, CODEC.split(":")[1]]
    for model in (settings, providers):
        shown = [
            repr(model),
            str(model),
            str(model.model_dump()),
            model.model_dump_json(),
            str(model.model_dump(mode="json")),
        ]
        for text in shown:
            for secret in secrets:
                assert secret not in text


def test_logging_settings_shows_no_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings, providers = _everything(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="herald.test"):
        logging.getLogger("herald.test").info("starting with %s and %r", settings, providers)
        logging.getLogger("herald.test").info("settings: %s", settings.model_dump())
    assert "codec_keys" in caplog.text  # the field is logged, its value is not
    for secret in (CODEC, SESSION, API_KEY, DB_PASSWORD):
        assert secret not in caplog.text


def test_database_url_is_secret_but_usable(tmp_path: Path) -> None:
    settings, _ = _everything(tmp_path)
    assert settings.db_url == f"postgresql+psycopg://herald:{DB_PASSWORD}@db.internal/herald"
    # model_copy does not validate: a plain string must still work (tests use it).
    copied = settings.model_copy(update={"database_url": "sqlite:///x.db"})
    assert copied.db_url == "sqlite:///x.db"
    assert Settings(home=tmp_path / "h").db_url == f"sqlite:///{tmp_path / 'h' / 'herald.db'}"


def test_validation_errors_hide_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_ENV", "prod-" + DB_PASSWORD)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "env" in str(caught.value) and DB_PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"temporal_tls_cert_file": Path("c.pem")}, "HERALD_TEMPORAL_TLS_KEY_FILE"),
        ({"temporal_tls_key_file": Path("k.pem")}, "HERALD_TEMPORAL_TLS_CERT_FILE"),
    ],
)
def test_client_certificate_needs_its_key_and_vice_versa(
    given: dict[str, Path], missing: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate(given)
    assert missing in str(caught.value)
    assert "HERALD_TEMPORAL_TLS_CERT_FILE and HERALD_TEMPORAL_TLS_KEY_FILE" in str(caught.value)


def test_api_key_over_plain_tcp_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(temporal_tls=False, temporal_api_key=API_KEY)
    assert "HERALD_TEMPORAL_TLS is false" in str(caught.value)
    assert "HERALD_TEMPORAL_API_KEY" in str(caught.value)
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "enabled"),
    [
        ({}, False),
        ({"temporal_tls": True}, True),
        ({"temporal_api_key": API_KEY}, True),
        ({"temporal_tls_ca_file": Path("ca.pem")}, True),
        ({"temporal_tls_server_name": "temporal.internal"}, True),
        ({"temporal_tls_cert_file": Path("c"), "temporal_tls_key_file": Path("k")}, True),
        ({"temporal_tls": False, "temporal_address": "temporal:7233"}, False),
    ],
)
def test_tls_is_on_when_any_tls_setting_or_api_key_is(
    given: dict[str, object], enabled: bool
) -> None:
    assert Settings.model_validate(given).temporal_tls_enabled is enabled


def test_tls_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HERALD_TEMPORAL_TLS", "true")
    monkeypatch.setenv("HERALD_TEMPORAL_TLS_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("HERALD_TEMPORAL_TLS_SERVER_NAME", "temporal.internal")
    monkeypatch.setenv("HERALD_ENV", "production")
    settings = Settings()
    assert settings.temporal_tls is True and settings.production
    assert settings.temporal_tls_ca_file == tmp_path / "ca.pem"
    assert settings.temporal_tls_server_name == "temporal.internal"
