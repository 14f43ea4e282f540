"""The campaigns of one incident: one child workflow run per obligation x channel.

Runs inside `IncidentWorkflow` (deterministic: tasks and child workflows only). Kept apart
so the incident's run loop reads as the steps of an incident, not the bookkeeping of its
children.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from herald.lifecycle import SYSTEM_ACTOR, IncidentState, campaign_key
    from herald.models import Channel, DeliverySummary
    from herald.models.messages import CampaignSpec, NotificationCampaignInput
    from workflows.campaign import NotificationCampaignWorkflow


class CampaignRunner:
    """Starts, re-runs and records the notification campaigns of one incident."""

    def __init__(self, state: IncidentState, changed: Callable[[bool], None]) -> None:
        """Record into `state`; call `changed(rejudge)` whenever something was recorded
        (`rejudge` when notices went out, so chained deadlines can resolve)."""
        self._state = state
        self._changed = changed
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._runs: dict[str, int] = {}

    def running(self) -> bool:
        """Whether any campaign is still sending."""
        return any(not task.done() for task in self._tasks.values())

    def start(self, obligation_id: str, channel: Channel) -> None:
        """Start the campaign, or a new run of it when its plan grew after the last run.

        A new run covers the whole plan: the ledger skips everyone already notified.
        """
        key = campaign_key(obligation_id, channel)
        running = self._tasks.get(key)
        spec = self._state.campaign_spec(obligation_id, channel)
        covered = set(self._state.campaign_scope.get(key, []))
        if running is not None and (not running.done() or set(spec.jurisdictions) <= covered):
            return
        self._runs[key] = self._runs.get(key, 0) + 1
        self._state.campaign_scope[key] = spec.jurisdictions
        self._tasks[key] = asyncio.create_task(self._run(key, spec, self._runs[key]))

    async def _run(self, key: str, spec: CampaignSpec, run: int) -> None:
        state = self._state
        assert state.inp.population is not None, "individual notices need a population"
        # Listed from the start (completed=False) so the status shows what is still running.
        state.deliveries[key] = DeliverySummary(
            obligation_id=spec.obligation_id, channel=spec.channel
        )
        state.log(workflow.now(), SYSTEM_ACTOR, "campaign.started", key)
        self._changed(False)
        try:
            result = await workflow.execute_child_workflow(
                NotificationCampaignWorkflow.run,
                NotificationCampaignInput(spec=spec, source=state.inp.population),
                id=f"{state.inp.incident_id}.campaign.{key}.{run}",
            )
        except ChildWorkflowError as err:
            # Recorded, not swallowed: the obligation stays open for a person to act on.
            state.log(workflow.now(), SYSTEM_ACTOR, "campaign.failed", f"{key}: {err.cause or err}")
            self._changed(False)
            return
        state.deliveries[key] = summary = result.summary
        state.log(
            workflow.now(),
            SYSTEM_ACTOR,
            "campaign.completed",
            f"{key}: {summary.sent} sent, {summary.already_sent} already sent, "
            f"{summary.failed} failed of {summary.targeted}",
        )
        self._changed(bool(state.record_notifications(workflow.now())))
