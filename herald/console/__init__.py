"""Herald's web console: server-rendered pages (Jinja2) with htmx for the live parts, every
asset served from `/static` (no CDN), every page behind the same roles as the API."""

from herald.console.routes import console_router
from herald.console.web import STATIC_DIR

__all__ = ["STATIC_DIR", "console_router"]
