"""The Herald worker: every workflow and activity on one task queue, with the codec.

Run standalone with `python worker.py` or `herald worker` (against HERALD_TEMPORAL_ADDRESS),
or embedded by `herald dev` and `herald demo`.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.notices import NoticeActivities
from activities.obligations import ObligationActivities
from activities.population import PopulationActivities
from activities.register import RegisterActivities
from activities.regulators import RegulatorActivities
from herald.channels.outbox import OutboxChannel
from herald.models import Channel
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


def build_worker(
    client: Client,
    settings: Settings,
    *,
    task_queue: str | None = None,
    max_activities: int = MAX_ACTIVITY_THREADS,
) -> Worker:
    """A worker with Herald's workflows and activities, bound to the settings' storage.

    Args:
        client: a connected client (with Herald's data converter).
        settings: where the database, outbox and templates are.
        task_queue: defaults to the settings' queue.
        max_activities: activities this worker runs at once (a machine's share of the load).
    """
    settings.ensure_home()
    engine = make_engine(settings.db_url)
    create_schema(engine)
    outbox = OutboxChannel(settings.outbox_dir)
    adapters = dict.fromkeys(Channel, outbox)
    population = PopulationActivities()
    obligations = ObligationActivities(settings)
    delivery = DeliveryActivities(ledger=Ledger(engine), adapters=adapters)
    regulators = RegulatorActivities(outbox)
    notices = NoticeActivities(outbox)
    register = RegisterActivities(Register(engine))
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            population.assess_population,
            population.count_population,
            obligations.evaluate_obligations,
            obligations.render_drafts,
            delivery.send_notice_batch,
            regulators.file_regulator_report,
            regulators.send_reminder,
            notices.publish_notice,
            register.record_register_entry,
        ],
        activity_executor=ThreadPoolExecutor(max_activities),
        max_concurrent_activities=max_activities,
    )


async def main() -> None:
    """Connect to the configured Temporal and run until interrupted."""
    settings = get_settings()
    client = await connect(settings)
    await build_worker(client, settings).run()


if __name__ == "__main__":
    asyncio.run(main())
