"""Request bodies are capped before any route (or sign-in check) reads them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from herald.api.limits import BodyLimit
from tests.api.stack import ApiStack


def _echo_app(limit: int) -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    app.add_middleware(BodyLimit, default=limit, larger={"/big": limit * 10})
    return app


async def _chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


async def test_a_declared_or_streamed_body_over_the_limit_is_413() -> None:
    app = _echo_app(1000)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        assert (await client.post("/echo", content=b"x" * 1000)).json() == {"read": 1000}
        declared = await client.post("/echo", content=b"x" * 1001)
        assert declared.status_code == 413 and "1,000 bytes" in declared.json()["detail"]
        streamed = await client.post("/echo", content=_chunks(5, 300))  # no Content-Length
        assert streamed.status_code == 413


async def test_the_live_app_refuses_a_huge_body_before_asking_who_sends_it(
    api: ApiStack,
) -> None:
    anonymous = api.client()
    huge = b"{" + b" " * (26 << 20) + b"}"
    answer = await anonymous.post("/api/intake/siem", content=huge)
    assert answer.status_code == 413
    # Unauthenticated and small: the usual 401.
    assert (await anonymous.post("/api/tokens", json={"name": "x"})).status_code == 401
