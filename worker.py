"""The Herald worker: every workflow and activity on one task queue, with the codec.

Run standalone with `python worker.py` or `herald worker` (against HERALD_TEMPORAL_ADDRESS),
or embedded by `herald dev` and `herald demo`.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import CHUNK, DeliveryActivities
from activities.notices import NoticeActivities
from activities.obligations import ObligationActivities
from activities.population import PopulationActivities
from activities.register import RegisterActivities
from activities.regulators import RegulatorActivities
from herald.channels.config import ProviderSettings
from herald.channels.outbox import OutboxChannel
from herald.channels.queues import DELIVERY_CHANNELS, channel_queue
from herald.channels.registry import build_adapters
from herald.secrets import SecretsError, require_secrets
from herald.settings import Settings, get_settings
from herald.store.db import create_schema, make_engine
from herald.store.ledger import Ledger
from herald.store.register import Register
from herald.temporal import connect
from workflows.campaign import NotificationCampaignWorkflow
from workflows.incident import IncidentWorkflow
from workflows.regulator_report import RegulatorReportWorkflow

WORKFLOWS = [IncidentWorkflow, NotificationCampaignWorkflow, RegulatorReportWorkflow]
MAX_ACTIVITY_THREADS = 16


class HeraldWorker:
    """The workers of one process: the main queue and one queue per delivery channel.

    Used like a temporalio `Worker`: `async with` runs them in the background, `run()` runs
    them until shutdown.
    """

    def __init__(self, workers: list[Worker]) -> None:
        """Hold `workers` (the main one first)."""
        self.workers = workers

    async def __aenter__(self) -> HeraldWorker:
        """Start every worker."""
        for worker in self.workers:
            await worker.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Shut every worker down (the last started first)."""
        for worker in reversed(self.workers):
            await worker.__aexit__(None, None, None)

    async def run(self) -> None:
        """Run every worker until one stops or fails."""
        await asyncio.gather(*(worker.run() for worker in self.workers))


def build_worker(
    client: Client,
    settings: Settings,
    *,
    task_queue: str | None = None,
    max_activities: int = MAX_ACTIVITY_THREADS,
    providers: ProviderSettings | None = None,
) -> HeraldWorker:
    """Workers with Herald's workflows and activities, bound to the settings' storage.

    Args:
        client: a connected client (with Herald's data converter).
        settings: where the database, outbox and templates are.
        task_queue: the main queue; defaults to the settings' queue. Each delivery channel
            gets `<task_queue>.<channel>` (herald.channels.queues).
        max_activities: activities each queue runs at once (a machine's share of the load).
        providers: which provider delivers each channel; defaults to the environment's.
    """
    settings.ensure_home()
    providers = providers or ProviderSettings()
    queue = task_queue or settings.task_queue
    engine = make_engine(settings.db_url)
    create_schema(engine)
    adapters = build_adapters(settings, providers)
    outbox = OutboxChannel(settings.outbox_dir)
    population = PopulationActivities()
    obligations = ObligationActivities(settings)
    rates = {channel: providers.rate(channel) for channel in DELIVERY_CHANNELS}
    delivery = DeliveryActivities(ledger=Ledger(engine), adapters=adapters, rates=rates)
    regulators = RegulatorActivities(outbox)
    notices = NoticeActivities(outbox)
    register = RegisterActivities(Register(engine))
    executor = ThreadPoolExecutor(max_activities * (1 + len(DELIVERY_CHANNELS)))
    main = Worker(
        client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=[
            population.assess_population,
            population.count_population,
            obligations.evaluate_obligations,
            obligations.render_drafts,
            # Campaigns recorded before channel queues existed send from the main queue.
            delivery.send_notice_batch,
            regulators.file_regulator_report,
            regulators.send_reminder,
            notices.publish_notice,
            register.record_register_entry,
        ],
        activity_executor=executor,
        max_concurrent_activities=max_activities,
    )
    channel_workers = [
        Worker(
            client,
            task_queue=channel_queue(queue, channel),
            activities=[delivery.send_notice_batch],
            activity_executor=executor,
            max_concurrent_activities=max_activities,
            # Each batch paces its own messages at the rate (herald.channels.pacing); the
            # server-side limit only spaces batch starts, one per CHUNK messages' worth of
            # time, so workers that join a rate-limited campaign do not all start at once.
            max_task_queue_activities_per_second=(
                rate / CHUNK if (rate := providers.rate(channel)) else None
            ),
        )
        for channel in DELIVERY_CHANNELS
    ]
    return HeraldWorker([main, *channel_workers])


async def main() -> None:
    """Check the secrets, connect to the configured Temporal and run until interrupted."""
    settings = get_settings()
    require_secrets(settings, ProviderSettings())  # herald.secrets: refuses before connecting
    client = await connect(settings)
    await build_worker(client, settings).run()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except SecretsError as err:
        raise SystemExit(f"error: {err}") from None
