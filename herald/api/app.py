"""The HTTP application: one factory, so `herald dev`, `herald serve` and tests build the
same app from explicit dependencies (no module-level state, nothing read from the
environment here)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import herald
from herald.api.auth import LoginThrottle, Sessions
from herald.api.limits import BodyLimit
from herald.api.oidc import OidcConfig, oidc_router
from herald.api.operations import MAX_POPULATION_BYTES
from herald.api.routes import drafts, evidence, intake, reports, session, users
from herald.api.routes import incidents as incident_routes
from herald.api.routes.codec import codec_router
from herald.api.webhooks import OnReceipts, webhook_router
from herald.channels.config import ProviderSettings
from herald.client import IncidentClient
from herald.codec import EncryptionCodec
from herald.console import STATIC_DIR as CONSOLE_STATIC
from herald.console import console_router
from herald.settings import Settings
from herald.store.users import UserStore
from herald.temporal import codec_keys

__all__ = ["ConnectIncidents", "create_app"]

ConnectIncidents = Callable[[], Awaitable[IncidentClient]]
# Swagger UI's files, shipped with Herald (swagger-ui-dist): /docs works without a CDN.
SWAGGER_DIR = Path(__file__).parent / "static" / "swagger"
SWAGGER_ASSETS = "/docs/assets"


async def _no_temporal() -> IncidentClient:
    raise RuntimeError("this app was built without a Temporal connection")


def create_app(
    settings: Settings,
    provider_settings: ProviderSettings,
    *,
    engine: Engine,
    on_receipts: OnReceipts,
    incidents: ConnectIncidents = _no_temporal,
    session_secret: bytes | None = None,
    intake_secret: bytes | None = None,
    oidc: OidcConfig | None = None,
) -> FastAPI:
    """Build Herald's HTTP app.

    Args:
        settings: Herald's settings (kept on `app.state.settings`).
        provider_settings: Public URL and the providers' verification secrets.
        engine: Herald's database, schema created (`herald.store.create_schema`).
        on_receipts: Told once per incident and channel what provider receipts changed;
            required, because receipts nobody hears about would change counts silently.
        incidents: Connects (or returns the connected) incident client the routes use.
        session_secret: Signs session cookies (32+ bytes); None: a random one, so sessions
            end with the process (tests).
        intake_secret: Verifies SIEM alerts' HMAC signatures (`POST /api/intake/siem`);
            None: intake is off (404).
        oidc: Single sign-on (`OidcConfig.from_env()`); None: password sign-in only.

    Raises:
        WebhookConfigError: a configured verification secret is unusable.
    """
    app = FastAPI(
        title="Herald",
        version=herald.__version__,
        description="Security-incident notification: incidents, drafts, deliveries and "
        "regulator reports. Authenticate with a session (POST /api/session) or an API token "
        "(`Authorization: Bearer hrd_…`).",
        docs_url=None,  # served below from Herald's own copy of Swagger UI
        redoc_url=None,  # ReDoc exists only on a CDN
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.users = UserStore(engine)
    app.state.sessions = Sessions(session_secret or secrets.token_bytes(32))
    app.state.throttle = LoginThrottle()
    app.state.incidents = incidents
    app.state.intake_secret = intake_secret
    # Secure cookies whenever the public address is HTTPS; plain http on loopback in dev.
    app.state.secure_cookies = (provider_settings.public_url or "").startswith("https://")
    app.include_router(session.router)
    app.include_router(users.router)
    app.include_router(incident_routes.router)
    app.include_router(drafts.router)
    app.include_router(reports.router)
    app.include_router(evidence.router)
    app.include_router(intake.router)
    origins = settings.codec_cors_origins.split(",")
    app.include_router(codec_router(EncryptionCodec(codec_keys(settings)), origins))
    app.state.oidc_enabled = oidc is not None
    if oidc is not None:
        app.include_router(oidc_router(oidc))
    _serve_docs(app)
    app.include_router(webhook_router(provider_settings, engine=engine, on_receipts=on_receipts))
    # The web console: HTML pages behind the same roles, and its scripts and styles.
    app.include_router(console_router())
    app.mount("/static", StaticFiles(directory=CONSOLE_STATIC), name="static")
    # Population files may be large; nothing else is. Checked before any route reads.
    uploads = {"/api/incidents": MAX_POPULATION_BYTES, "/incidents": MAX_POPULATION_BYTES}
    app.add_middleware(BodyLimit, larger=uploads)
    return app


def _serve_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI over `/openapi.json`, its script and style served by Herald."""
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=SWAGGER_DIR), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
