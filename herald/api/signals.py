"""Receipts to the incident workflow: the `on_receipts` that `herald dev` and `herald serve`
give the app.

The incident's workflow id is its incident id; its `RECEIPTS_SIGNAL` signal takes a
`ReceiptCounts`. The signal is sent by name, so the API process imports no workflow code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.service import RPCError, RPCStatusCode

from herald.client import IncidentClient
from herald.models.delivery import RECEIPTS_SIGNAL, ReceiptCounts

__all__ = ["SIGNAL_TIMEOUT", "WorkflowSignaller"]

log = logging.getLogger(__name__)

# Bounds one signal, so a slow Temporal cannot hold the API's shutdown for long.
SIGNAL_TIMEOUT = timedelta(seconds=10)


class WorkflowSignaller:
    """Signals each incident's workflow with what receipts changed.

    The client is made on first use (and again after a failed connection), so an API started
    while Temporal is down still records receipts in the ledger; the failed signals are
    logged by the webhook layer.
    """

    def __init__(self, connect: Callable[[], Awaitable[IncidentClient]]) -> None:
        """Use `connect` to get a connected client (called on the first receipt)."""
        self._connect = connect
        self._client: IncidentClient | None = None
        self._lock = asyncio.Lock()

    async def _incidents(self) -> IncidentClient:
        async with self._lock:
            if self._client is None:
                self._client = await self._connect()
            return self._client

    async def __call__(self, incident_id: str, counts: ReceiptCounts) -> None:
        """Signal `counts` to the workflow of `incident_id`.

        A closed incident (late bounces arrive after closure) is not an error: the ledger
        holds the receipts, and there is no workflow left to tell.
        """
        incidents = await self._incidents()
        handle = incidents.client.get_workflow_handle(incident_id)
        try:
            await handle.signal(RECEIPTS_SIGNAL, counts, rpc_timeout=SIGNAL_TIMEOUT)
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            log.info("receipts: incident %s has no running workflow; not signalled", incident_id)
