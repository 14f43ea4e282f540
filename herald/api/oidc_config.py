"""Configuration of single sign-on (`HERALD_OIDC_*`) and how provider groups become roles.

Kept apart from the routes (herald.api.oidc) so the settings can be read and checked at
start-up without the web machinery.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from herald.settings import SecretFilesSettings
from herald.users import Role

__all__ = [
    "CALLBACK_PATH",
    "LOGIN_PATH",
    "OidcConfig",
    "OidcConfigError",
    "claim",
    "map_roles",
]

LOGIN_PATH = "/auth/oidc/login"
CALLBACK_PATH = "/auth/oidc/callback"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class OidcConfigError(ValueError):
    """HERALD_OIDC_* settings that cannot work; the message names the variable."""


class OidcConfig(BaseModel):
    """How Herald talks to the OpenID Connect provider."""

    model_config = ConfigDict(frozen=True)

    issuer: str = Field(description="the provider's issuer URL (discovery is read below it)")
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    redirect_url: str = Field(description=f"Herald's public URL + {CALLBACK_PATH}")
    roles_claim: str = Field(
        default="groups", description="claim holding the person's groups; dots walk into objects"
    )
    role_map: dict[str, Role] = Field(min_length=1, description="provider group -> Herald role")
    allowed_domains: list[str] = Field(
        default_factory=list, description="email domains allowed to sign in; empty: any"
    )
    username_claim: str = Field(default="email", description="claim that becomes the username")
    scopes: str = "openid email profile"

    @field_validator("issuer", "redirect_url")
    @classmethod
    def _https(cls, url: str) -> str:
        # Plain http only on loopback (a provider on the same host, tests): elsewhere the
        # code and tokens would cross the network readable.
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValueError("must be an https:// URL (http:// only on loopback)")
        return url.rstrip("/") if parts.path.endswith("/") else url

    @field_validator("redirect_url")
    @classmethod
    def _callback(cls, url: str) -> str:
        if urlsplit(url).path != CALLBACK_PATH:
            raise ValueError(f"must end in {CALLBACK_PATH} (Herald's callback route)")
        return url

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, domains: list[str]) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in domains if d.strip()]

    @classmethod
    def from_env(cls) -> OidcConfig | None:
        """The configuration in `HERALD_OIDC_*` (and .env); None when SSO is not configured.

        `HERALD_OIDC_ROLE_MAP` is `group=role,group=role` or a JSON object;
        `HERALD_OIDC_ALLOWED_DOMAINS` is comma-separated; the client secret may be read from
        the file `HERALD_OIDC_CLIENT_SECRET_FILE` names.

        Raises:
            OidcConfigError: SSO is half configured or a value is unusable.
        """
        env = _OidcEnvironment()
        if not env.issuer:
            return None
        missing = [
            f"HERALD_OIDC_{name.upper()}"
            for name in ("client_id", "client_secret", "redirect_url", "role_map")
            if not getattr(env, name)
        ]
        if missing:
            raise OidcConfigError(f"HERALD_OIDC_ISSUER is set, so set {', '.join(missing)} too")
        values: dict[str, Any] = {
            "issuer": env.issuer,
            "client_id": env.client_id,
            "client_secret": env.client_secret,
            "redirect_url": env.redirect_url,
            "role_map": _parse_role_map(env.role_map or ""),
            "allowed_domains": (env.allowed_domains or "").split(","),
        }
        for name in ("roles_claim", "username_claim", "scopes"):
            if getattr(env, name):
                values[name] = getattr(env, name)
        try:
            return cls.model_validate(values)
        except ValueError as err:
            raise OidcConfigError(f"HERALD_OIDC_*: {_first_error(err)}") from None


class _OidcEnvironment(SecretFilesSettings):
    """The raw HERALD_OIDC_* variables, with `_FILE` for the secret as for every secret."""

    model_config = SettingsConfigDict(
        env_prefix="HERALD_OIDC_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    issuer: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    redirect_url: str | None = None
    roles_claim: str | None = None
    role_map: str | None = None
    allowed_domains: str | None = None
    username_claim: str | None = None
    scopes: str | None = None


def _parse_role_map(text: str) -> dict[str, str]:
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise OidcConfigError("HERALD_OIDC_ROLE_MAP: not valid JSON") from None
        if not isinstance(parsed, dict):
            raise OidcConfigError("HERALD_OIDC_ROLE_MAP: a JSON object of group -> role")
        return {str(k): str(v) for k, v in parsed.items()}
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, sep, role = item.rpartition("=")
        if not sep or not group.strip():
            raise OidcConfigError("HERALD_OIDC_ROLE_MAP: write group=role,group=role")
        pairs[group.strip()] = role.strip()
    return pairs


def _first_error(err: ValueError) -> str:
    errors = getattr(err, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(err)


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at `path`; dots walk into objects (Keycloak's `realm_access.roles`)."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def map_roles(config: OidcConfig, claims: Mapping[str, Any]) -> list[Role]:
    """Herald roles of the groups in the roles claim (a list, or a space/comma list)."""
    raw = claim(claims, config.roles_claim)
    if isinstance(raw, str):
        groups = [g for g in re.split(r"[\s,]+", raw) if g]
    elif isinstance(raw, list):
        groups = [g for g in raw if isinstance(g, str)]
    else:
        groups = []
    return sorted({config.role_map[g] for g in groups if g in config.role_map})
