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
    from herald.models import Channel, DeliverySummary, ReceiptCounts
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
        # Campaigns to run again once their current run ends (a fallback became due).
        self._again: set[str] = set()
        # The last completed summary of each campaign, which a new run adds to.
        self._completed: dict[str, DeliverySummary] = {}

    def running(self) -> bool:
        """Whether any campaign is still sending."""
        return any(not task.done() for task in self._tasks.values())

    def start(self, obligation_id: str, channel: Channel, *, again: bool = False) -> None:
        """Start the campaign, or a new run of it when its plan grew after the last run (or
        `again`: people of earlier channels now need this one).

        A new run covers the whole plan: the ledger skips everyone already notified.
        """
        key = campaign_key(obligation_id, channel)
        running = self._tasks.get(key)
        spec = self._state.campaign_spec(obligation_id, channel)
        covered = set(self._state.campaign_scope.get(key, []))
        if running is not None and not running.done():
            if again:
                self._again.add(key)
            return
        if running is not None and set(spec.jurisdictions) <= covered and not again:
            return
        self._launch(key, spec)

    def _launch(self, key: str, spec: CampaignSpec) -> None:
        self._runs[key] = self._runs.get(key, 0) + 1
        self._state.campaign_scope[key] = spec.jurisdictions
        # Listed at once as not completed, so that no status read between this and the
        # child's start shows every campaign done while one is about to run again.
        self._state.deliveries[key] = DeliverySummary(
            obligation_id=spec.obligation_id, channel=spec.channel
        )
        self._tasks[key] = asyncio.create_task(self._run(key, spec, self._runs[key]))

    async def _run(self, key: str, spec: CampaignSpec, run: int) -> None:
        state = self._state
        assert state.inp.population is not None, "individual notices need a population"
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
        summary = result.summary
        earlier = self._completed.get(key)
        if earlier is not None:
            # A new run finds what earlier runs sent as "already sent": count it as sent by
            # this campaign, so the status shows the campaign's totals, not the last run's.
            carried = min(earlier.sent, summary.already_sent)
            summary = summary.model_copy(
                update={
                    "sent": summary.sent + carried,
                    "already_sent": summary.already_sent - carried,
                }
            )
        state.deliveries[key] = self._completed[key] = summary
        state.log(
            workflow.now(),
            SYSTEM_ACTOR,
            "campaign.completed",
            f"{key}: {summary.sent} sent, {summary.already_sent} already sent, "
            f"{summary.failed} failed of {summary.targeted}",
        )
        if summary.failed or summary.undeliverable:
            self.fall_back(spec.obligation_id, spec.channel)
        self._changed(bool(state.record_notifications(workflow.now())) or summary.undeliverable > 0)
        if key in self._again:
            self._again.discard(key)
            self._launch(key, state.campaign_spec(spec.obligation_id, spec.channel))

    def fall_back(self, obligation_id: str, failed: Channel) -> None:
        """Some people could not be reached on `failed`: run the obligation's later channels
        (which already ran) again, so each of them gets the next channel in the order."""
        order = self._state.campaign_spec(obligation_id, failed).channel_order
        if failed not in order:
            return
        for channel in order[order.index(failed) + 1 :]:
            if campaign_key(obligation_id, channel) in self._tasks:
                self.start(obligation_id, channel, again=True)

    def rerun(self, channel: Channel | None) -> None:
        """Run the campaigns of `channel` (None: all) again, for rows released to pending."""
        for obligation_id, started in self._started():
            if channel is None or started is channel:
                self.start(obligation_id, started, again=True)

    def receipts(self, counts: ReceiptCounts) -> None:
        """Bounces and failures reported after sending: fall back for the people concerned."""
        if not (counts.bounced or counts.failed):
            return
        for obligation_id, started in self._started():
            if started is counts.channel:
                self.fall_back(obligation_id, started)

    def _started(self) -> list[tuple[str, Channel]]:
        """(obligation id, channel) of every campaign started so far, in a stable order
        (read back from the campaign keys, `<obligation id>.<channel>`)."""
        keys = (key.rpartition(".") for key in sorted(self._tasks))
        return [(obligation_id, Channel(channel)) for obligation_id, _, channel in keys]
