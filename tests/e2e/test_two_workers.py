"""Scale-out is configuration: two workers on one task queue share a campaign correctly.

Both workers poll the same queue on the real Temporal dev server and share the ledger (one
database: SQLite, and a real PostgreSQL server as two machines would share it). The
campaign's batches spread over both, and every person is notified exactly once.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.models import Channel
from herald.models.drafts import RECIPIENT_NAME_TOKEN, content_hash
from herald.models.messages import ApprovedMessage, CampaignSpec, NotificationCampaignInput
from herald.population import open_population
from herald.settings import Settings
from herald.store.db import make_engine
from herald.store.ledger import Ledger
from herald.temporal import data_converter
from tests.conftest import herald_client
from worker import build_worker
from workflows.campaign import NotificationCampaignWorkflow

PEOPLE = 1_000


def _population(path: Path) -> Path:
    rows = ["id,name,email,jurisdiction,language"]
    rows += [f"P{n:05d},Person {n},p{n}@example.org,FR,fr" for n in range(1, PEOPLE + 1)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The workers' settings, with the ledger in SQLite or in a real PostgreSQL server."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_db_url")
        return settings.model_copy(update={"database_url": url})
    return settings


async def test_two_workers_share_a_campaign_and_notify_each_person_once(
    local_env: WorkflowEnvironment, shared_settings: Settings, tmp_path: Path
) -> None:
    settings = shared_settings
    client = herald_client(local_env, settings)
    # A second connection, as a second machine would have (one process may not run two
    # workers for one queue on one connection).
    other = await Client.connect(
        local_env.client.service_client.config.target_host,
        namespace=local_env.client.namespace,
        data_converter=data_converter(settings),
        identity="second-worker",
    )
    queue = f"two-workers-{uuid.uuid4().hex[:8]}"
    body = f"Bonjour {RECIPIENT_NAME_TOKEN}, un incident de sécurité vous concerne."
    message = ApprovedMessage(
        draft_id="gdpr-individuals.email.fr",
        channel=Channel.EMAIL,
        language="fr",
        subject="Incident de sécurité",
        body=body,
        content_hash=content_hash("Incident de sécurité", body),
    )
    spec = CampaignSpec(
        incident_id="INC-SCALE-1",
        obligation_id="gdpr-individuals",
        channel=Channel.EMAIL,
        channel_order=[Channel.EMAIL],
        jurisdictions=["FR"],
        messages=[message],
        default_language="fr",
    )
    source = open_population(_population(tmp_path / "people.csv"))
    async with (
        # Two activity slots each: the four batches a campaign runs at once cannot all land
        # on one worker, so the test sees them shared every time.
        build_worker(client, settings, task_queue=queue, max_activities=2),
        build_worker(other, settings, task_queue=queue, max_activities=2),
    ):
        handle = await client.start_workflow(
            NotificationCampaignWorkflow.run,
            NotificationCampaignInput(spec=spec, source=source, batch_rows=50),
            id=f"scale-{uuid.uuid4()}",
            task_queue=queue,
        )
        result = await handle.result()
        history = await handle.fetch_history()
    assert result.summary.sent == PEOPLE and result.summary.failed == 0
    ledger = Ledger(make_engine(settings.db_url))
    counts = ledger.counts("INC-SCALE-1")
    assert counts["sent"] == PEOPLE and sum(counts.values()) == PEOPLE
    assert len(list((settings.outbox_dir / "INC-SCALE-1" / "email").glob("*.eml"))) == PEOPLE
    # The batches ran on both workers (two polling identities in the history).
    identities = {
        event.activity_task_started_event_attributes.identity
        for event in history.events
        if event.HasField("activity_task_started_event_attributes")
    }
    assert len(identities) == 2, identities
