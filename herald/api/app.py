"""The HTTP application: one factory, so `herald dev`, `herald serve` and tests build the
same app from explicit dependencies (no module-level state, nothing read from the
environment here)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

import herald
from herald.api.webhooks import OnReceipts, webhook_router
from herald.channels.config import ProviderSettings
from herald.settings import Settings

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    provider_settings: ProviderSettings,
    *,
    engine: Engine,
    on_receipts: OnReceipts,
) -> FastAPI:
    """Build Herald's HTTP app.

    Args:
        settings: Herald's settings (kept on `app.state.settings` for the routes to come).
        provider_settings: Public URL and the providers' verification secrets.
        engine: Herald's database, schema created (`herald.store.create_schema`).
        on_receipts: Told once per incident and channel what provider receipts changed;
            required, because receipts nobody hears about would change counts silently.

    Raises:
        WebhookConfigError: a configured verification secret is unusable.
    """
    # The webhooks face the internet: no interactive docs or schema until the console adds
    # its own, authenticated routes.
    app = FastAPI(
        title="Herald",
        version=herald.__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.include_router(webhook_router(provider_settings, engine=engine, on_receipts=on_receipts))
    return app
