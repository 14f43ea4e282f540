"""The codec server: Temporal's Web UI and CLI send Herald's encrypted payloads here to show
them decoded to people allowed to read incidents (`POST /codec/decode`, `/codec/encode`).

The protocol is Temporal's remote codec: a JSON `Payloads` message (proto3 JSON, bytes in
base64) in, the same shape out; the UI adds `X-Namespace`. Callers authenticate like every
other API caller:

- the `temporal` CLI with an API token: `temporal workflow show … --codec-endpoint
  http://127.0.0.1:8000/codec --codec-auth "Bearer hrd_…"`;
- the Web UI from the browser with the console's session cookie (the UI's "include
  cross-origin credentials" option). Such requests come from the UI's origin, so the
  origin must be in `HERALD_CODEC_CORS_ORIGINS`, and the preflight is answered for those
  origins only. A JSON body cannot be posted across sites without that preflight, which
  is what stands in for the CSRF token the UI cannot send.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from herald.api.auth import Principal, Requires
from herald.users import Action

__all__ = ["MAX_CODEC_BYTES", "codec_router"]

MAX_CODEC_BYTES = 4 << 20  # Temporal's own payload limit is 2 MB per payload
_ALLOWED_HEADERS = "Content-Type, Authorization, X-Namespace"
Reader = Annotated[Principal, Depends(Requires(Action.READ, csrf=False))]


def _cors_headers(origin: str | None, allowed: frozenset[str]) -> dict[str, str]:
    if origin is None or origin not in allowed:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def codec_router(codec: PayloadCodec, origins: list[str]) -> APIRouter:
    """The codec endpoints over `codec`, answering CORS for `origins` only."""
    allowed = frozenset(origin.strip().rstrip("/") for origin in origins if origin.strip())
    router = APIRouter(prefix="/codec", tags=["codec"])

    async def convert(request: Request, *, decode: bool) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="this origin may not use the codec (HERALD_CODEC_CORS_ORIGINS)",
            )
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail="send application/json"
            )
        body = await request.body()
        if len(body) > MAX_CODEC_BYTES:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="payloads too large")
        payloads = Payloads()
        try:
            json_format.Parse(body, payloads)
        except json_format.ParseError as err:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=f"not a JSON Payloads message: {str(err)[:200]}",
            ) from None
        try:
            items = list(payloads.payloads)
            converted = await (codec.decode(items) if decode else codec.encode(items))
        except Exception:  # noqa: BLE001 - a wrong key or tampered data; say which, not how
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail="a payload cannot be decoded (unknown key id or altered data)",
            ) from None
        answer = json_format.MessageToJson(Payloads(payloads=converted))
        return Response(
            answer, media_type="application/json", headers=_cors_headers(origin, allowed)
        )

    @router.post("/decode", response_class=Response)
    async def decode(request: Request, principal: Reader) -> Response:
        """Decrypt payloads for display (Temporal Web UI / CLI remote codec)."""
        del principal  # required: read access to incidents
        return await convert(request, decode=True)

    @router.post("/encode", response_class=Response)
    async def encode(request: Request, principal: Reader) -> Response:
        """Encrypt payloads (the UI encodes what a person types, e.g. a signal's input)."""
        del principal
        return await convert(request, decode=False)

    @router.options("/{operation}", include_in_schema=False)
    async def preflight(operation: str, request: Request) -> Response:
        """CORS preflight: allowed origins only (a preflight never carries credentials)."""
        headers = _cors_headers(request.headers.get("origin"), allowed)
        if operation not in ("decode", "encode") or not headers:
            return Response(status_code=status.HTTP_403_FORBIDDEN)
        headers |= {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": _ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        }
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)

    return router
