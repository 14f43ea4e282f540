"""The evidence pack over HTTP (`GET /api/incidents/{id}/evidence`): the same sealed zip as
`herald evidence ID`, built from the incident's `evidence` query and the receipt store.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from herald.api import operations as ops
from herald.api.auth import Reader
from herald.evidence.pack import MissingReceiptsError, build_pack, safe_name

__all__ = ["ROOT_HEADER", "router"]

router = APIRouter(tags=["evidence"])
# The pack's root hash, to be recorded apart from the zip (what `evidence verify --root` takes).
ROOT_HEADER = "X-Herald-Evidence-Root"


@router.get(
    "/api/incidents/{incident_id}/evidence",
    response_class=Response,
    responses={200: {"description": "the evidence pack", "content": {"application/zip": {}}}},
)
async def evidence_pack(
    incident_id: str,
    request: Request,
    principal: Reader,
    allow_missing_receipts: Annotated[
        bool, Query(description="build even when a recorded receipt is missing (listed)")
    ] = False,
) -> Response:
    """Everything an authority will ask for about one incident, in one sealed zip; the
    `X-Herald-Evidence-Root` header carries its root hash."""
    del principal
    with ops.api_errors(incident_id):
        record = await (await ops.connect(request)).evidence(incident_id)
    templates_dir = request.app.state.settings.templates_dir
    try:
        # Rendering the summary PDF takes a while: off the event loop.
        pack = await asyncio.to_thread(
            build_pack,
            record,
            allow_missing_receipts=allow_missing_receipts,
            templates_dir=templates_dir,
        )
    except MissingReceiptsError as err:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"{err} (allow_missing_receipts=true builds the pack and lists them)",
        ) from None
    filename = f"{safe_name(incident_id)}-evidence.zip"
    return Response(
        pack.data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            ROOT_HEADER: pack.root,
        },
    )
