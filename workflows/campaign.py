"""NotificationCampaignWorkflow: one approved notice delivered over one channel."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.delivery import DeliveryActivities
    from activities.population import PopulationActivities
    from herald.channels.queues import channel_queue
    from herald.models import Channel, DeliverySummary
    from herald.models.messages import (
        CountPopulationInput,
        NotificationCampaignInput,
        NotificationCampaignResult,
        SendNoticeBatchInput,
    )

# Batches in flight at once: enough to overlap provider latency, few enough that a crash
# re-runs little (each batch resumes from its heartbeat cursor, and the ledger skips rows
# already sent).
PARALLEL_BATCHES = 4
# Continue-as-new well before the history grows large, whatever the server suggests.
BATCHES_PER_RUN = 400

# Histories recorded before channel queues existed ran their batches on the main queue.
CHANNEL_QUEUES_PATCH = "channel-task-queues"


def delivery_queue(main_queue: str, channel: Channel) -> str:
    """The task queue a channel's batches run on: one per provider channel, so each has its
    own workers and rate limit (`max_task_queue_activities_per_second`)."""
    if not workflow.patched(CHANNEL_QUEUES_PATCH):
        return main_queue
    return channel_queue(main_queue, channel)


_BATCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


@workflow.defn
class NotificationCampaignWorkflow:
    """Partitions the population into row ranges and sends each range in a batch activity.

    The population itself never enters the history: batches read their own slice of the
    file, and the ledger decides who still needs the message, so nobody is sent twice.
    """

    @workflow.run
    async def run(self, inp: NotificationCampaignInput) -> NotificationCampaignResult:
        total = inp.total_rows
        if total is None:
            counted = await workflow.execute_activity_method(
                PopulationActivities.count_population,
                CountPopulationInput(source=inp.source),
                start_to_close_timeout=timedelta(minutes=10),
            )
            total = counted.rows
        summary = inp.partial or DeliverySummary(
            obligation_id=inp.spec.obligation_id, channel=inp.spec.channel
        )
        row, batches = inp.next_row, 0
        queue = delivery_queue(workflow.info().task_queue, inp.spec.channel)
        while row <= total:
            ranges: list[tuple[int, int]] = []
            while row <= total and len(ranges) < PARALLEL_BATCHES:
                end = min(row + inp.batch_rows - 1, total)
                ranges.append((row, end))
                row = end + 1
            results = await asyncio.gather(
                *(
                    workflow.execute_activity_method(
                        DeliveryActivities.send_notice_batch,
                        SendNoticeBatchInput(
                            spec=inp.spec, source=inp.source, start_row=start, end_row=end
                        ),
                        task_queue=queue,
                        start_to_close_timeout=timedelta(hours=2),
                        heartbeat_timeout=timedelta(minutes=1),
                        retry_policy=_BATCH_RETRY,
                    )
                    for start, end in ranges
                )
            )
            for result in results:
                summary = summary.add(result.summary)
            batches += len(ranges)
            if row <= total and (
                batches >= BATCHES_PER_RUN or workflow.info().is_continue_as_new_suggested()
            ):
                workflow.continue_as_new(
                    inp.model_copy(
                        update={"next_row": row, "total_rows": total, "partial": summary}
                    )
                )
        return NotificationCampaignResult(summary=summary.model_copy(update={"completed": True}))
