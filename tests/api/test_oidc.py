"""Single sign-on: Herald against a small OpenID Connect provider served on loopback.

The provider is written out here: discovery, a JWKS with a fresh RSA key, an authorization
endpoint that signs the test's person straight in, and a token endpoint that checks the
client secret, the code and the PKCE verifier. The test plays the browser between the two.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import SecretStr
from sqlalchemy import Engine

from herald.api import create_app
from herald.api.oidc import FLOW_COOKIE, OidcConfig, OidcConfigError, map_roles
from herald.channels.config import ProviderSettings
from herald.settings import Settings
from herald.store.users import UserStore
from herald.users import Role
from tests.api.conftest import Recorder

CLIENT_ID = "herald-console"
CLIENT_SECRET = "s3cret/with:odd=chars"
REDIRECT = "http://127.0.0.1:8400/auth/oidc/callback"


class FakeProvider:
    """An OpenID Connect provider with one signed-in person and knobs to misbehave."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issuer = ""  # set once the server listens
        self.person: dict[str, Any] = {}
        self.claims: dict[str, Any] = {}  # overrides of the ID token's claims
        self.signing_key: Any = None  # None: self.key
        self.header: dict[str, Any] = {"kid": "k1"}
        self.codes: dict[str, dict[str, str]] = {}
        self.verifiers: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.person = {
            "sub": "u-123",
            "email": "lena@example.org",
            "email_verified": True,
            "name": "Lena L.",
            "groups": ["herald-legal", "staff"],
        }
        self.claims, self.signing_key, self.header = {}, None, {"kid": "k1"}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
        claims |= self.person | {"nonce": nonce} | self.claims
        key = self.signing_key or self.key
        algorithm = "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"
        algorithm = self.header.get("alg", algorithm)
        return jwt.encode(claims, key, algorithm=algorithm, headers=self.header)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [public | {"kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
            assert q["code_challenge_method"] == "S256" and "openid" in q["scope"].split()
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
            }
            back = urlencode({"code": code, "state": q["state"]})
            return RedirectResponse(f"{q['redirect_uri']}?{back}", 302)

        @app.post("/token")
        def token(
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            code_verifier: str = Form(),
            authorization: str = Header(),
        ) -> dict[str, str]:
            scheme, _, encoded = authorization.partition(" ")
            client, _, secret = base64.b64decode(encoded).decode().partition(":")
            if scheme != "Basic" or (unquote(client), unquote(secret)) != (
                CLIENT_ID,
                CLIENT_SECRET,
            ):
                raise HTTPException(401, "invalid_client")
            grant = self.codes.pop(code, None)  # a code is good once
            if grant_type != "authorization_code" or grant is None:
                raise HTTPException(400, "invalid_grant")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
            if challenge.rstrip(b"=").decode() != grant["challenge"]:
                raise HTTPException(400, "invalid_grant: PKCE")
            assert redirect_uri == grant["redirect_uri"]
            self.verifiers.append(code_verifier)
            return {
                "access_token": "at",
                "token_type": "Bearer",
                "id_token": self.id_token(grant["nonce"]),
            }

        return app


@pytest.fixture(scope="module")
def idp() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield provider
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture(autouse=True)
def fresh_provider(idp: FakeProvider) -> None:
    idp.reset()


def config(idp: FakeProvider, **changes: Any) -> OidcConfig:
    return OidcConfig(
        issuer=idp.issuer,
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        redirect_url=REDIRECT,
        role_map={"herald-legal": Role.APPROVER, "herald-ir": Role.RESPONDER},
    ).model_copy(update=changes)


@pytest.fixture
async def herald(
    idp: FakeProvider, settings: Settings, engine: Engine, recorder: Recorder
) -> AsyncIterator[httpx.AsyncClient]:
    """The browser's side of Herald: the app with SSO configured, cookies kept."""
    app = create_app(
        settings, ProviderSettings(), engine=engine, on_receipts=recorder, oidc=config(idp)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://herald.test") as client:
        yield client


async def sign_in(herald: httpx.AsyncClient, *, next_path: str = "/") -> httpx.Response:
    """What a browser does: Herald → provider → Herald's callback."""
    started = await herald.get("/auth/oidc/login", params={"next": next_path})
    assert started.status_code == 302, started.text
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(started.headers["location"])
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    return await herald.get(f"{back.path}?{back.query}")


async def test_sign_in_creates_an_sso_user_with_the_mapped_roles(
    herald: httpx.AsyncClient, idp: FakeProvider, engine: Engine
) -> None:
    done = await sign_in(herald, next_path="/incidents")

    assert done.status_code == 200, done.text
    assert 'content="0;url=/incidents"' in done.text  # moves on same-site (see _start_session)
    session = done.headers.get_list("set-cookie")
    assert any(c.startswith("herald_session=") and "samesite=strict" in c.lower() for c in session)
    who = await herald.get("/api/session")
    assert who.status_code == 200
    assert who.json()["user"]["username"] == "lena@example.org"
    assert who.json()["user"]["roles"] == ["approver"] and who.json()["csrf_token"]
    user = UserStore(engine).get("lena@example.org")
    assert user is not None and user.sso and user.display_name == "Lena L."
    assert UserStore(engine).authenticate("lena@example.org", "") is None  # no password
    assert len(idp.verifiers[-1]) >= 43  # the provider checked a real PKCE verifier


async def test_roles_follow_the_provider_at_each_sign_in(
    herald: httpx.AsyncClient, idp: FakeProvider, engine: Engine
) -> None:
    await sign_in(herald)
    idp.person["groups"] = ["herald-ir", "herald-legal"]

    assert (await sign_in(herald)).status_code == 200

    user = UserStore(engine).get("lena@example.org")
    assert user is not None and user.roles == [Role.APPROVER, Role.RESPONDER]
    assert len(UserStore(engine).all()) == 1


async def test_the_login_cookie_is_signed_short_lived_and_lax(herald: httpx.AsyncClient) -> None:
    started = await herald.get("/auth/oidc/login", params={"next": "//evil.example/x"})

    cookie = started.headers["set-cookie"].lower()
    assert cookie.startswith(f"{FLOW_COOKIE}=") and "httponly" in cookie
    assert "samesite=lax" in cookie and "max-age=600" in cookie and "path=/auth/oidc" in cookie
    query = parse_qs(urlsplit(started.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["redirect_uri"] == [REDIRECT]
    assert CLIENT_SECRET not in started.headers["location"]


async def test_an_off_site_next_is_ignored(herald: httpx.AsyncClient) -> None:
    done = await sign_in(herald, next_path="//evil.example/x")

    assert done.status_code == 200 and 'content="0;url=/"' in done.text


async def test_a_wrong_or_missing_state_is_400(
    herald: httpx.AsyncClient, idp: FakeProvider
) -> None:
    started = await herald.get("/auth/oidc/login")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(started.headers["location"])).headers["location"])
    code = parse_qs(back.query)["code"][0]

    forged = await herald.get("/auth/oidc/callback", params={"code": code, "state": "forged"})
    assert forged.status_code == 400
    herald.cookies.clear()
    no_cookie = await herald.get(f"{back.path}?{back.query}")
    assert no_cookie.status_code == 400
    assert (await herald.get("/api/session")).status_code == 401


async def test_a_tampered_login_cookie_is_400(herald: httpx.AsyncClient) -> None:
    started = await herald.get("/auth/oidc/login")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    herald.cookies.set(FLOW_COOKIE, "x" + herald.cookies[FLOW_COOKIE], path="/auth/oidc")

    answer = await herald.get("/auth/oidc/callback", params={"code": "c", "state": state})

    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"signing_key": "other"}, "signature"),
        ({"claims": {"aud": "another-client"}}, "aud"),
        ({"claims": {"nonce": "replayed"}}, "nonce"),
        ({"claims": {"exp": int(time.time()) - 600}}, "expired"),
        ({"claims": {"iss": "https://impostor.example"}}, "iss"),
        ({"header": {"kid": "k1", "alg": "HS256"}, "signing_key": "shared"}, "algorithm"),
        ({"header": {"kid": "unknown"}}, "key"),
    ],
)
async def test_an_id_token_that_fails_a_check_is_401(
    herald: httpx.AsyncClient,
    idp: FakeProvider,
    engine: Engine,
    tamper: dict[str, Any],
    reason: str,
) -> None:
    if tamper.get("signing_key") == "other":
        idp.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif tamper.get("signing_key") == "shared":
        idp.signing_key = CLIENT_SECRET + "-padding-to-32-bytes-or-more"
    idp.claims = tamper.get("claims", {})
    idp.header = tamper.get("header", idp.header)

    answer = await sign_in(herald)

    assert answer.status_code == 401, answer.text
    assert reason in answer.json()["detail"]
    assert "lena" not in answer.text  # no personal data in errors
    assert UserStore(engine).all() == []
    assert (await herald.get("/api/session")).status_code == 401


async def test_a_code_the_token_endpoint_refuses_is_401(
    herald: httpx.AsyncClient, idp: FakeProvider
) -> None:
    started = await herald.get("/auth/oidc/login")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(started.headers["location"])).headers["location"])
    for grant in idp.codes.values():
        grant["challenge"] = "not-the-challenge-of-heralds-verifier"

    answer = await herald.get(f"{back.path}?{back.query}")

    assert answer.status_code == 401 and "token endpoint" in answer.json()["detail"]


async def test_no_mapped_group_is_403_and_no_account(
    herald: httpx.AsyncClient, idp: FakeProvider, engine: Engine
) -> None:
    idp.person["groups"] = ["staff"]

    answer = await sign_in(herald)

    assert answer.status_code == 403 and "groups" in answer.json()["detail"]
    assert UserStore(engine).all() == []


async def test_a_password_user_of_the_same_name_cannot_be_taken_over(
    herald: httpx.AsyncClient, engine: Engine
) -> None:
    UserStore(engine).add("lena@example.org", roles=[Role.ADMIN], password="a-long-password!")

    answer = await sign_in(herald)

    assert answer.status_code == 403
    assert (await herald.get("/api/session")).status_code == 401


async def test_a_disabled_sso_user_is_403(herald: httpx.AsyncClient, engine: Engine) -> None:
    await sign_in(herald)
    UserStore(engine).set_disabled("lena@example.org", True)
    herald.cookies.clear()

    assert (await sign_in(herald)).status_code == 403
    assert (await herald.get("/api/session")).status_code == 401


async def test_allowed_domains_and_verified_email(
    idp: FakeProvider, settings: Settings, engine: Engine, recorder: Recorder
) -> None:
    app = create_app(
        settings,
        ProviderSettings(),
        engine=engine,
        on_receipts=recorder,
        oidc=config(idp, allowed_domains=["corp.example"]),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://herald.test"
    ) as client:
        assert (await sign_in(client)).status_code == 403
        idp.person |= {"email": "lena@corp.example", "email_verified": False}
        assert (await sign_in(client)).status_code == 403
        idp.person["email_verified"] = True
        assert (await sign_in(client)).status_code == 200
    assert [u.username for u in UserStore(engine).all()] == ["lena@corp.example"]


async def test_without_configuration_there_are_no_sso_routes(
    settings: Settings, engine: Engine, recorder: Recorder
) -> None:
    app = create_app(settings, ProviderSettings(), engine=engine, on_receipts=recorder)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://herald.test"
    ) as client:
        assert (await client.get("/auth/oidc/login")).status_code == 404


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file
    assert OidcConfig.from_env() is None

    monkeypatch.setenv("HERALD_OIDC_ISSUER", "https://login.example.org/realms/acme/")
    with pytest.raises(OidcConfigError, match="HERALD_OIDC_CLIENT_ID"):
        OidcConfig.from_env()

    secret_file = tmp_path / "client-secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("HERALD_OIDC_CLIENT_ID", "herald")
    monkeypatch.setenv("HERALD_OIDC_CLIENT_SECRET_FILE", str(secret_file))
    monkeypatch.setenv("HERALD_OIDC_REDIRECT_URL", "https://herald.example.org/auth/oidc/callback")
    monkeypatch.setenv("HERALD_OIDC_ROLE_MAP", "herald-legal=approver, ir=responder,ops=admin")
    monkeypatch.setenv("HERALD_OIDC_ALLOWED_DOMAINS", "Example.org, @corp.example")
    monkeypatch.setenv("HERALD_OIDC_ROLES_CLAIM", "realm_access.roles")
    found = OidcConfig.from_env()

    assert found is not None
    assert found.issuer == "https://login.example.org/realms/acme"
    assert found.client_secret.get_secret_value() == "from-a-file"
    assert found.role_map == {"herald-legal": "approver", "ir": "responder", "ops": "admin"}
    assert found.allowed_domains == ["example.org", "corp.example"]
    assert found.roles_claim == "realm_access.roles" and found.username_claim == "email"

    monkeypatch.setenv("HERALD_OIDC_ROLE_MAP", '{"g": "boss"}')
    with pytest.raises(OidcConfigError, match="role_map"):
        OidcConfig.from_env()
    monkeypatch.setenv("HERALD_OIDC_ROLE_MAP", '{"g": "viewer"}')
    monkeypatch.setenv("HERALD_OIDC_REDIRECT_URL", "http://herald.example.org/auth/oidc/callback")
    with pytest.raises(OidcConfigError, match="https"):
        OidcConfig.from_env()


def test_groups_may_be_nested_or_a_string(idp: FakeProvider) -> None:
    nested = config(idp, roles_claim="realm_access.roles")
    assert map_roles(nested, {"realm_access": {"roles": ["herald-ir", "x"]}}) == [Role.RESPONDER]
    assert map_roles(config(idp), {"groups": "herald-ir herald-legal"}) == [
        Role.APPROVER,
        Role.RESPONDER,
    ]
    assert map_roles(config(idp), {"groups": 7}) == []
    assert map_roles(nested, {"realm_access": "herald-ir"}) == []


async def test_the_console_sign_in_page_offers_single_sign_on_only_when_configured(
    herald: httpx.AsyncClient, settings: Settings, engine: Engine, recorder: Recorder
) -> None:
    page = await herald.get("/login", params={"next": "/reports"})
    assert 'href="/auth/oidc/login?next=/reports"' in page.text
    plain = create_app(settings, ProviderSettings(), engine=engine, on_receipts=recorder)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=plain), base_url="http://herald.test"
    ) as client:
        assert "/auth/oidc/login" not in (await client.get("/login")).text


async def test_a_next_that_browsers_would_read_as_off_site_is_ignored(
    herald: httpx.AsyncClient,
) -> None:
    # Browsers drop tabs and newlines from URLs: "/\t/evil.example" is "//evil.example".
    done = await sign_in(herald, next_path="/\t/evil.example/x")

    assert done.status_code == 200 and 'content="0;url=/"' in done.text
