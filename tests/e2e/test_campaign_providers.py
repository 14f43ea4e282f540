"""Campaigns through the real provider adapters, on the real Temporal dev server.

The official SendGrid and Twilio SDKs send to the local provider peer
(`herald.benchmarks.peer`), which counts every recipient it receives: what arrived there,
not Herald's own ledger, shows that nobody was missed or notified twice. The fallback test
runs an email campaign and then an SMS campaign over the same people, as the incident's
campaign runner does, and checks that SMS reached exactly those whose email failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.benchmarks.setup import LocalPeer, peer_providers
from herald.channels.config import ProviderSettings
from herald.models import Channel, DeliverySummary
from herald.models.drafts import RECIPIENT_NAME_TOKEN, content_hash
from herald.models.messages import ApprovedMessage, CampaignSpec, NotificationCampaignInput
from herald.population import open_population
from herald.settings import Settings
from herald.store.db import make_engine
from herald.store.ledger import Ledger
from tests.conftest import herald_client
from worker import build_worker
from workflows.campaign import NotificationCampaignWorkflow

INCIDENT = "INC-PROVIDERS-1"


@pytest.fixture(scope="module")
def peer() -> Iterator[LocalPeer]:
    with LocalPeer() as running:
        yield running


def _message(channel: Channel) -> ApprovedMessage:
    subject = "Security incident" if channel is Channel.EMAIL else None
    body = f"Dear {RECIPIENT_NAME_TOKEN}, a security incident affected your account."
    return ApprovedMessage(
        draft_id=f"us-ca-individuals.{channel.value}.en",
        channel=channel,
        language="en",
        subject=subject,
        body=body,
        content_hash=content_hash(subject or "", body),
    )


def _spec(channel: Channel, order: list[Channel]) -> CampaignSpec:
    return CampaignSpec(
        incident_id=INCIDENT,
        obligation_id="us-ca-individuals",
        channel=channel,
        channel_order=order,
        jurisdictions=["US-CA"],
        messages=[_message(channel)],
    )


async def _campaign(
    client: Client, settings: Settings, providers: ProviderSettings, spec: CampaignSpec, csv: Path
) -> DeliverySummary:
    queue = f"providers-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, settings, task_queue=queue, providers=providers):
        result = await client.execute_workflow(
            NotificationCampaignWorkflow.run,
            NotificationCampaignInput(spec=spec, source=open_population(csv), batch_rows=40),
            id=f"campaign-{uuid.uuid4()}",
            task_queue=queue,
        )
    return result.summary


async def test_sendgrid_campaign_reaches_everyone_once_on_postgresql(
    local_env: WorkflowEnvironment,
    settings: Settings,
    postgres_db_url: str,
    peer: LocalPeer,
    tmp_path: Path,
) -> None:
    settings = settings.model_copy(update={"database_url": postgres_db_url})
    csv = tmp_path / "people.csv"
    rows = ["id,name,email,jurisdiction,language"]
    rows += [f"P{n:04d},Person {n},p{n}@example.com,US-CA,en" for n in range(250)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    peer.reset()
    providers = peer_providers(peer.url, settings.home, Channel.EMAIL, None)
    client = herald_client(local_env, settings)

    summary = await _campaign(
        client, settings, providers, _spec(Channel.EMAIL, [Channel.EMAIL]), csv
    )
    # A second run of the same campaign (a retry, a re-approval) sends nothing new.
    again = await _campaign(client, settings, providers, _spec(Channel.EMAIL, [Channel.EMAIL]), csv)

    received = peer.stats()
    assert (received["unique"], received["duplicates"]) == (250, 0)
    assert (summary.sent, summary.failed) == (250, 0)
    assert (again.sent, again.already_sent) == (0, 250)
    counts = Ledger(make_engine(settings.db_url)).counts(INCIDENT, Channel.EMAIL)
    assert counts["sent"] == 250


async def test_people_whose_email_fails_are_reached_by_sms(
    local_env: WorkflowEnvironment, settings: Settings, peer: LocalPeer, tmp_path: Path
) -> None:
    csv = tmp_path / "people.csv"
    rows = ["id,name,email,phone,jurisdiction,language"]
    for n in range(60):
        # Every third address is at a reserved domain no mail reaches: refused before sending.
        domain = "example.invalid" if n % 3 == 0 else "example.com"
        rows.append(f"P{n:04d},Person {n},p{n}@{domain},+1415{2000000 + n:07d},US-CA,en")
    # Only a phone: SMS is their first channel.
    rows += [f"Q{n:04d},Phone {n},,+1415{3000000 + n:07d},US-CA,en" for n in range(5)]
    # No contact point at all: counted as unreachable by the last channel's campaign.
    rows.append("R0001,Nobody,,,US-CA,en")
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    order = [Channel.EMAIL, Channel.SMS]
    email_providers = peer_providers(peer.url, settings.home, Channel.EMAIL, None)
    sms_providers = peer_providers(peer.url, settings.home, Channel.SMS, None)
    client = herald_client(local_env, settings)
    peer.reset()

    by_email = await _campaign(client, settings, email_providers, _spec(Channel.EMAIL, order), csv)
    by_sms = await _campaign(client, settings, sms_providers, _spec(Channel.SMS, order), csv)

    assert (by_email.sent, by_email.failed, by_email.unreachable) == (40, 20, 0)
    assert (by_sms.sent, by_sms.failed, by_sms.unreachable, by_sms.undeliverable) == (25, 0, 1, 0)
    received = peer.stats()
    assert (received["unique"], received["duplicates"]) == (65, 0)
    ledger = Ledger(make_engine(settings.db_url))
    refused = ledger.get(INCIDENT, "P0000", Channel.EMAIL)
    assert refused is not None and refused.permanent_failure
    assert refused.last_error is not None and "example.invalid" not in refused.last_error
    assert ledger.get(INCIDENT, "P0001", Channel.SMS) is None  # email reached them
