"""`herald bench delivery`: one real campaign through Temporal against the local provider peer.

Measures what the issue asks for: recipients, seconds, messages per second, peak RSS of the
Herald process (worker and client; the Temporal server and the peer are separate processes),
the largest workflow history of the campaign's runs, and duplicates and misses as counted by
the peer, which is the receiving side. `--baseline naive` then sends the same messages as a
plain loop of one SDK call per person, for comparison.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from herald.benchmarks.naive import naive_loop
from herald.benchmarks.setup import JURISDICTION, LocalPeer, peer_providers, write_population
from herald.models import Channel
from herald.models.drafts import RECIPIENT_NAME_TOKEN, content_hash
from herald.models.messages import (
    ApprovedMessage,
    CampaignSpec,
    NotificationCampaignInput,
    NotificationCampaignResult,
)
from herald.population import open_population
from herald.settings import Settings
from herald.store.db import make_engine
from herald.store.ledger import Ledger
from herald.temporal import EmbeddedTemporal, connect, free_port

__all__ = [
    "DeliveryBenchResult",
    "campaign_input",
    "campaign_workflow_id",
    "run_delivery_bench",
    "start_campaign",
]

BENCH_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
INCIDENT = "INC-BENCH-1"


@dataclass
class DeliveryBenchResult:
    """What one run measured (the `--json` keys of design.md's contract come first)."""

    recipients: int
    seconds: float
    per_second: float
    peak_rss_mb: float
    max_history_events: int
    duplicates: int
    missed: int
    channel: str
    rate_limit: float | None
    ledger_sent: int
    campaign_runs: int
    baseline: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object `--json` prints."""
        return asdict(self)


def approved_message(channel: Channel) -> ApprovedMessage:
    """A short notice of the kind Herald approves, with the recipient's name token."""
    subject: str | None = "Important: a security incident affecting your account"
    if channel is Channel.SMS:
        subject = None
        body = f"{RECIPIENT_NAME_TOKEN}: Herald Bench Inc had a security incident. See email."
    else:
        body = (
            f"Dear {RECIPIENT_NAME_TOKEN},\n\nWe are writing to tell you about a security "
            "incident that affected your account. What happened, what we are doing and what "
            "you can do are set out below.\n"
        )
    return ApprovedMessage(
        draft_id=f"bench.{channel.value}.en",
        channel=channel,
        language="en",
        subject=subject,
        body=body,
        link="https://herald-bench.example/notice" if channel is Channel.PUSH else None,
        content_hash=content_hash(subject or "", body),
    )


def run_delivery_bench(
    recipients: int,
    channel: Channel,
    *,
    rate: float | None = None,
    baseline: str | None = None,
    workdir: Path | None = None,
) -> DeliveryBenchResult:
    """Run the benchmark in a fresh HERALD_HOME (a temporary folder unless `workdir`)."""
    home = workdir or Path(tempfile.mkdtemp(prefix="herald-bench-"))
    settings = Settings(home=home)
    settings.ensure_home()
    population = home / "population.csv"
    write_population(population, recipients)
    with LocalPeer() as peer:
        providers = peer_providers(peer.url, home, channel, rate)
        server = EmbeddedTemporal(settings, port=free_port(), ui_port=None)
        settings.temporal_port = server.port
        with server:
            result = asyncio.run(_campaign(settings, providers, population, channel))
        seconds, max_events, runs = result
        received = peer.stats()
        ledger_sent = Ledger(make_engine(settings.db_url)).counts(INCIDENT, channel)["sent"]
        outcome = DeliveryBenchResult(
            recipients=recipients,
            seconds=round(seconds, 3),
            per_second=round(recipients / seconds, 1) if seconds else 0.0,
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            max_history_events=max_events,
            duplicates=received["duplicates"],
            missed=recipients - received["unique"],
            channel=channel.value,
            rate_limit=rate,
            ledger_sent=ledger_sent,
            campaign_runs=runs,
        )
        if baseline == "naive":
            peer.reset()
            outcome.baseline = naive_loop(population, channel, providers, approved_message(channel))
            outcome.baseline["received"] = peer.stats()["unique"]
    return outcome


def campaign_input(population: Path, channel: Channel) -> NotificationCampaignInput:
    """The benchmark's campaign: one approved notice to everyone in `population` on `channel`
    (no fallback channel, so every recipient is the peer's to count)."""
    spec = CampaignSpec(
        incident_id=INCIDENT,
        obligation_id="bench-individuals",
        channel=channel,
        channel_order=[channel],
        jurisdictions=[JURISDICTION],
        messages=[approved_message(channel)],
        sender_name="Herald Bench Inc",
    )
    return NotificationCampaignInput(spec=spec, source=open_population(population))


def campaign_workflow_id(channel: Channel) -> str:
    """The campaign's workflow id (one campaign per channel and benchmark home)."""
    return f"{INCIDENT}.campaign.{channel.value}"


async def start_campaign(
    client: Client, task_queue: str, population: Path, channel: Channel
) -> WorkflowHandle[Any, NotificationCampaignResult]:
    """Start the benchmark's campaign on `task_queue`; whoever serves that queue runs it."""
    from workflows.campaign import NotificationCampaignWorkflow

    return await client.start_workflow(
        NotificationCampaignWorkflow.run,
        campaign_input(population, channel),
        id=campaign_workflow_id(channel),
        task_queue=task_queue,
    )


async def _campaign(
    settings: Settings, providers: Any, population: Path, channel: Channel
) -> tuple[float, int, int]:
    from worker import build_worker

    client = await connect(settings)
    queue = f"bench-{time.time_ns()}"
    workflow_id = campaign_workflow_id(channel)
    async with build_worker(client, settings, task_queue=queue, providers=providers):
        started = time.perf_counter()
        handle = await start_campaign(client, queue, population, channel)
        await handle.result()
        seconds = time.perf_counter() - started
    # Follow the continue-as-new chain from the first run: every run's history counts.
    largest, runs = 0, 0
    run_id: str | None = handle.first_execution_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        largest, runs = max(largest, len(history.events)), runs + 1
        last = history.events[-1]
        attributes = last.workflow_execution_continued_as_new_event_attributes
        run_id = (
            attributes.new_execution_run_id
            if last.HasField("workflow_execution_continued_as_new_event_attributes")
            else None
        )
    return seconds, largest, runs
