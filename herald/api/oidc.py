"""Single sign-on through an OpenID Connect provider (authorization code flow with PKCE).

Optional: on when `HERALD_OIDC_ISSUER` and its companions are set (`OidcConfig.from_env`).
The provider says who the person is and which groups they are in; `role_map` turns groups
into Herald roles, and someone no group maps gets no account. An SSO user has no password:
their roles follow the provider at every sign-in, and Herald's own session cookie (the same
one a password sign-in issues) carries them from there.

What protects each step:
- state, nonce and the PKCE verifier travel in a signed, 10-minute, HttpOnly cookie scoped to
  `/auth/oidc`; `SameSite=Lax`, since the provider's redirect back is a cross-site top-level
  navigation, which a `Strict` cookie would not come back on;
- the code is exchanged at the token endpoint with the client secret and the PKCE verifier;
- the ID token's signature is checked against the provider's published keys (RS256 or
  ES256, never `none` or a shared secret), and its issuer, audience, expiry and nonce.

Nothing identifying the person (email, name) goes into an error message or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from herald.api.auth import Sessions
from herald.api.oidc_config import (
    CALLBACK_PATH,
    LOGIN_PATH,
    OidcConfig,
    OidcConfigError,
    claim,
    map_roles,
)
from herald.store.users import UserStore
from herald.users import User, UserError

__all__ = [
    "CALLBACK_PATH",
    "LOGIN_PATH",
    "OidcConfig",
    "OidcConfigError",
    "map_roles",
    "oidc_router",
]

FLOW_COOKIE = "herald_oidc"
FLOW_SECONDS = 600
ALGORITHMS = ("RS256", "ES256")
METADATA_SECONDS = 3600
JWKS_REFRESH_SECONDS = 60  # a token naming an unknown key refetches the keys at most this often
CLOCK_SKEW_SECONDS = 60
log = logging.getLogger(__name__)


@dataclass
class _Provider:
    """The provider's discovery document and signing keys, fetched when needed and kept."""

    config: OidcConfig
    metadata: dict[str, Any] | None = None
    metadata_at: float = 0.0
    keys: dict[str, Any] = field(default_factory=dict)
    keys_at: float = 0.0

    async def discover(self, http: httpx.AsyncClient) -> dict[str, Any]:
        if self.metadata is None or time.monotonic() - self.metadata_at > METADATA_SECONDS:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await _get_json(http, url, "discovery document")
            if str(document.get("issuer", "")).rstrip("/") != self.config.issuer.rstrip("/"):
                raise _unavailable("its discovery document names another issuer")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(name), str):
                    raise _unavailable(f"its discovery document has no {name}")
            self.metadata, self.metadata_at = document, time.monotonic()
        return self.metadata

    async def key(self, http: httpx.AsyncClient, kid: str | None, alg: str) -> Any:
        """The public key to check a token signed with `alg` by key `kid`, or 401."""
        found = self._pick(kid, alg)
        if found is None and time.monotonic() - self.keys_at > JWKS_REFRESH_SECONDS:
            # Unknown key: the provider may have rotated its keys since they were fetched.
            metadata = await self.discover(http)
            document = await _get_json(http, metadata["jwks_uri"], "signing keys")
            try:
                keyset = jwt.PyJWKSet.from_dict(document)
            except jwt.PyJWTError:
                raise _unavailable("its signing keys (JWKS) are unusable") from None
            self.keys = {k.key_id or f"#{i}": k for i, k in enumerate(keyset.keys)}
            self.keys_at = time.monotonic()
            found = self._pick(kid, alg)
        if found is None:
            raise _refused("the ID token is signed with a key the provider does not publish")
        return found.key

    def _pick(self, kid: str | None, alg: str) -> jwt.PyJWK | None:
        fitting = [
            k
            for name, k in self.keys.items()
            if (kid is None or name == kid)
            # The key's own algorithm (its `alg`, else implied by type and curve) must be
            # the token's: an RSA key must not check an ES256 signature, nor P-384 an ES256.
            and k.algorithm_name == alg
            and k.public_key_use in (None, "sig")
        ]
        # Without a `kid` the choice must be unambiguous, not whichever key came first.
        return fitting[0] if len(fitting) == 1 else None


async def _get_json(http: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
    try:
        answer = await http.get(url)
    except httpx.HTTPError:
        raise _unavailable(f"its {what} could not be fetched") from None
    if answer.status_code != 200:
        raise _unavailable(f"its {what} answered HTTP {answer.status_code}")
    try:
        document = answer.json()
    except ValueError:
        raise _unavailable(f"its {what} is not JSON") from None
    if not isinstance(document, dict):
        raise _unavailable(f"its {what} is not a JSON object")
    return document


def _unavailable(why: str) -> HTTPException:
    log.warning("single sign-on unavailable: %s", why)
    return HTTPException(status.HTTP_502_BAD_GATEWAY, f"the identity provider failed: {why}")


def _refused(why: str) -> HTTPException:
    log.info("single sign-on refused: %s", why)
    return HTTPException(status.HTTP_401_UNAUTHORIZED, f"single sign-on refused: {why}")


def _forbidden(why: str) -> HTTPException:
    log.info("single sign-on forbidden: %s", why)
    return HTTPException(status.HTTP_403_FORBIDDEN, f"single sign-on: {why}")


def _bad_flow(why: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, f"{why}: start again from {LOGIN_PATH}")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _flow_signer(request: Request) -> URLSafeTimedSerializer:
    # A key derived from the session secret through its HMAC (`csrf_for`): the flow cookie
    # survives a restart like sessions do, and cannot be confused with a session cookie. No
    # session id contains ":" (they are URL-safe base64), so no CSRF token equals this key.
    sessions: Sessions = request.app.state.sessions
    return URLSafeTimedSerializer(sessions.csrf_for("oidc:flow"), salt="herald-oidc-flow")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would lend Herald's name to phishing.

    Control characters and spaces are refused too: browsers drop tabs and newlines from a
    URL, so `/<TAB>/evil.example` in the page's refresh would lead to `//evil.example`.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in target):
        return "/"
    return target


def oidc_router(config: OidcConfig) -> APIRouter:
    """The two routes of single sign-on; public by nature, like the password sign-in.

    Kept out of the OpenAPI document: they are browser redirects, not an API.
    """
    router = APIRouter(tags=["session"], include_in_schema=False)
    provider = _Provider(config)

    def http_client() -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=10.0, follow_redirects=False)

    @router.get(LOGIN_PATH)
    async def oidc_login(request: Request, next: str | None = None) -> Response:  # noqa: A002
        """Send the browser to the provider, remembering state, nonce and PKCE verifier."""
        async with http_client() as http:
            metadata = await provider.discover(http)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43..128
        query = urlencode(
            {
                "response_type": "code",
                "client_id": config.client_id,
                "redirect_uri": config.redirect_url,
                "scope": config.scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
                "code_challenge_method": "S256",
            }
        )
        endpoint = metadata["authorization_endpoint"]
        response = RedirectResponse(
            f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", status.HTTP_302_FOUND
        )
        flow = {"s": state, "n": nonce, "v": verifier, "next": _safe_next(next)}
        response.set_cookie(
            FLOW_COOKIE,
            _flow_signer(request).dumps(flow),
            max_age=FLOW_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.app.state.secure_cookies,
            path="/auth/oidc",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get(CALLBACK_PATH)
    async def oidc_callback(
        request: Request,
        code: str | None = None,
        state: str | None = None,
        error: str | None = None,
    ) -> Response:
        """Check the provider's answer, find or create the user, start a Herald session."""
        flow = _read_flow(request)
        if not state or not hmac.compare_digest(state, flow["s"]):
            raise _bad_flow("the sign-in answer does not match the sign-in started here")
        if error:
            raise _refused(f"the identity provider answered {re.sub(r'[^a-z_]', '', error)[:40]}")
        if not code:
            raise _bad_flow("the identity provider sent no code")
        async with http_client() as http:
            claims = await _verified_claims(http, provider, code, flow)
        user = _sign_in_user(request.app.state.users, config, claims)
        return _start_session(request, user, flow["next"])

    return router


def _read_flow(request: Request) -> dict[str, str]:
    value = request.cookies.get(FLOW_COOKIE)
    if not value:
        raise _bad_flow("no sign-in in progress in this browser (or it took over 10 minutes)")
    try:
        flow = _flow_signer(request).loads(value, max_age=FLOW_SECONDS)
    except BadSignature:
        raise _bad_flow("the sign-in expired or its cookie was altered") from None
    if not isinstance(flow, dict) or not all(isinstance(flow.get(k), str) for k in "snv"):
        raise _bad_flow("the sign-in cookie is malformed")
    return {k: str(v) for k, v in flow.items()}


async def _verified_claims(
    http: httpx.AsyncClient, provider: _Provider, code: str, flow: Mapping[str, str]
) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the checked ID token's claims."""
    config = provider.config
    metadata = await provider.discover(http)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": config.redirect_url,
        "code_verifier": flow["v"],
    }
    headers = {"Accept": "application/json"}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    secret = config.client_secret.get_secret_value()
    if "client_secret_basic" in methods:
        # RFC 6749 2.3.1: both parts form-encoded before Basic encoding.
        pair = f"{quote(config.client_id, safe='')}:{quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form |= {"client_id": config.client_id, "client_secret": secret}
    try:
        answer = await http.post(metadata["token_endpoint"], data=form, headers=headers)
    except httpx.HTTPError:
        raise _unavailable("its token endpoint could not be reached") from None
    if answer.status_code != 200:
        raise _refused(f"the token endpoint refused the code (HTTP {answer.status_code})")
    try:
        id_token = answer.json().get("id_token")
    except (ValueError, AttributeError):
        id_token = None
    if not isinstance(id_token, str):
        raise _refused("the token endpoint returned no ID token")
    return await _check_id_token(http, provider, id_token, metadata, flow["n"])


async def _check_id_token(
    http: httpx.AsyncClient,
    provider: _Provider,
    id_token: str,
    metadata: Mapping[str, Any],
    nonce: str,
) -> dict[str, Any]:
    config = provider.config
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise _refused("the ID token is malformed") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise _refused(f"the ID token's algorithm is not one of {', '.join(ALGORITHMS)}")
    kid = header.get("kid")
    key = await provider.key(http, kid if isinstance(kid, str) else None, alg)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[alg],
            audience=config.client_id,
            issuer=str(metadata["issuer"]),
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise _refused("the ID token has expired") from None
    except jwt.InvalidAudienceError:
        raise _refused("the ID token is for another client (aud)") from None
    except jwt.InvalidIssuerError:
        raise _refused("the ID token is from another issuer (iss)") from None
    except jwt.InvalidSignatureError:
        raise _refused("the ID token's signature is wrong") from None
    except (jwt.PyJWTError, TypeError, ValueError) as err:
        raise _refused(f"the ID token is not valid ({type(err).__name__})") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != config.client_id:
        raise _refused("the ID token was issued to another party (azp)")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, nonce):
        raise _refused("the ID token's nonce does not match this sign-in")
    return claims


def _sign_in_user(users: UserStore, config: OidcConfig, claims: Mapping[str, Any]) -> User:
    """The Herald user for these claims, created or brought up to date; 403 if none may be."""
    roles = map_roles(config, claims)
    if not roles:
        raise _forbidden(
            f"none of your groups ('{config.roles_claim}' claim) is given a Herald role; "
            "ask an administrator"
        )
    email = claims.get("email")
    needs_email = config.username_claim == "email" or config.allowed_domains
    if needs_email and (not isinstance(email, str) or claims.get("email_verified") is False):
        raise _forbidden("the identity provider sent no verified email address")
    if config.allowed_domains:
        domain = str(email).rpartition("@")[2].lower()
        if domain not in config.allowed_domains:
            raise _forbidden("your email domain may not sign in to this Herald")
    raw_name = claim(claims, config.username_claim)
    if not isinstance(raw_name, str):
        raise _forbidden(f"the identity provider sent no '{config.username_claim}' claim")
    username = raw_name.strip().lower()
    existing = users.get(username)
    if existing is None:
        display = claims.get("name")
        try:
            return users.add(
                username,
                roles=roles,
                password=None,
                display_name=display if isinstance(display, str) else "",
                sso=True,
            )
        except UserError:
            raise _forbidden(
                f"the '{config.username_claim}' claim is not a usable Herald username"
            ) from None
    if not existing.sso:
        # Signing in as a password user because the provider uses the same name would let
        # whoever controls that name at the provider take the account over.
        raise _forbidden("a password user of this name exists; SSO cannot sign in as them")
    if existing.disabled:
        raise _forbidden("this user is disabled in Herald")
    if sorted(existing.roles) != roles:
        users.set_roles(username, roles)  # the provider's groups decide, at every sign-in
        existing = existing.model_copy(update={"roles": roles})
    return existing


def _start_session(request: Request, user: User, target: str) -> Response:
    """Issue Herald's session cookie, as the password sign-in does, and go on to `target`.

    A page that moves on by itself rather than a redirect: this request came from the
    provider's site, and browsers count a redirect chain that began cross-site as cross-site,
    so the `SameSite=Strict` session cookie would not be sent with the redirected request
    and the console would ask to sign in again. A navigation this page starts is same-site.
    """
    users: UserStore = request.app.state.users
    sessions: Sessions = request.app.state.sessions
    epoch = users.session_epoch(user.username)
    if epoch is None:
        raise _forbidden("this user is disabled in Herald")
    cookie, _csrf = sessions.issue(user, epoch)
    target = html.escape(target, quote=True)
    response = HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="refresh" content="0;url={target}"><title>Signed in</title></head>'
        f'<body><p>Signed in. <a href="{target}">Continue to Herald</a>.</p></body></html>',
        headers={"Cache-Control": "no-store"},
    )
    secure = request.app.state.secure_cookies
    sessions.set_cookie(response, cookie, secure=secure)
    response.delete_cookie(FLOW_COOKIE, path="/auth/oidc", secure=secure, httponly=True)
    return response
