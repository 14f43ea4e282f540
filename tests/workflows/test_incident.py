"""IncidentWorkflow in the time-skipping environment, with the real activities."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from herald.client import IncidentClient
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import (
    Audience,
    Channel,
    Draft,
    DraftState,
    IncidentFacts,
    IncidentInput,
    IncidentStatus,
    Phase,
    ReportStatus,
)
from herald.models.messages import (
    ApproveDraftInput,
    CloseIncidentInput,
    RecordRegulatorStatusInput,
    UpdateFactsInput,
)
from herald.profiles import load_profile
from herald.settings import Settings
from herald.store.db import make_engine
from herald.store.ledger import Ledger
from herald.store.register import Register
from tests.conftest import EXAMPLES, herald_client
from worker import build_worker


async def _until(
    incidents: IncidentClient, incident_id: str, predicate: Callable[[IncidentStatus], bool]
) -> IncidentStatus:
    for _ in range(600):
        status = await incidents.status(incident_id)
        if predicate(status):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition never held; phase {status.phase}")


def _facts_at(aware_at: datetime) -> IncidentFacts:
    facts = load_facts(EXAMPLES / "facts.json")
    return facts.model_copy(
        update={"aware_at": aware_at, "discovered_at": aware_at - timedelta(hours=2)}
    )


async def _approve_all(incidents: IncidentClient, incident_id: str) -> None:
    status = await incidents.status(incident_id)
    for draft in status.drafts:
        for approver in ("alice.legal", "bob.privacy"):
            await incidents.approve(
                incident_id,
                ApproveDraftInput(
                    draft_id=draft.id, approver=approver, content_hash=draft.content_hash
                ),
            )


def _incident(facts: IncidentFacts, incident_id: str) -> IncidentInput:
    return new_incident(
        incident_id=incident_id,
        facts=facts,
        population=EXAMPLES / "population.csv",
        profile=load_profile(EXAMPLES / "profile.yaml"),
        commander="casey.commander",
        team=["team@example.org"],
    )


def _campaigns_of(status: IncidentStatus) -> set[tuple[str, Channel]]:
    """Obligation x channel of every individual notice: one campaign each."""
    return {
        (d.obligation_id, d.channel) for d in status.drafts if d.audience is Audience.INDIVIDUALS
    }


async def test_incident_runs_to_closure_with_four_eyes(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    client = herald_client(time_skipping_env, settings)
    incidents = IncidentClient(client, task_queue=task_queue)
    facts = _facts_at(await time_skipping_env.get_current_time())
    async with build_worker(client, settings, task_queue=task_queue):
        incident_id = await incidents.start(_incident(facts, "INC-WF-1"))
        status = await _until(incidents, incident_id, lambda s: s.phase is Phase.AWAITING_APPROVAL)
        assert status.assessment is not None and status.assessment.rejected == 2
        ids = {o.id for o in status.obligations}
        assert {"gdpr-regulator-de", "gdpr-individuals", "us-ca-individuals"} <= ids
        # The facts estimate 650 Californians; the population file has far fewer than 501,
        # so once it is read the Attorney General notice no longer applies.
        assert "us-ca-regulator" not in ids
        draft = next(d for d in status.drafts if d.id == "us-ca-individuals.email.en")
        approve = ApproveDraftInput(
            draft_id=draft.id, approver="herald", content_hash=draft.content_hash
        )
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await incidents.approve(incident_id, approve)
        assert "cannot approve" in str(refused.value.cause)
        stale = approve.model_copy(update={"approver": "alice.legal", "content_hash": "0" * 64})
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await incidents.approve(incident_id, stale)
        assert "changed since you read it" in str(refused.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await incidents.close(incident_id, CloseIncidentInput(actor="casey.commander"))
        assert "neither met nor waived" in str(refused.value.cause)

        await _approve_all(incidents, incident_id)
        status = await _until(
            incidents,
            incident_id,
            lambda s: (
                # Every notice's campaigns have started (obligations are approved one after
                # another) and finished.
                {(d.obligation_id, d.channel) for d in s.deliveries} == _campaigns_of(s)
                and all(d.completed for d in s.deliveries)
                and all(r.status is ReportStatus.APPROVED for r in s.reports)
            ),
        )
        assert all(d.state is DraftState.APPROVED for d in status.drafts)
        sent = sum(d.sent for d in status.deliveries)
        assessment = status.assessment
        assert assessment is not None
        assert sent == assessment.total - assessment.unreachable
        ledger = Ledger(make_engine(settings.db_url))
        assert ledger.counts(incident_id)["sent"] == sent
        outbox = settings.outbox_dir / incident_id
        files = [p for c in ("email", "sms", "letter") for p in (outbox / c).glob("*")]
        assert len(files) == sent
        eml = next((outbox / "email").glob("*.eml")).read_text()
        assert "[[recipient_name]]" not in eml

        for report in status.reports:
            await incidents.record_status(
                incident_id,
                RecordRegulatorStatusInput(
                    report_id=report.id,
                    status=ReportStatus.SUBMITTED,
                    actor="casey.commander",
                    reference=f"REF-{report.id}",
                ),
            )
        status = await _until(incidents, incident_id, lambda s: s.closable)
        await incidents.close(incident_id, CloseIncidentInput(actor="casey.commander"))
        result = await incidents.handle(incident_id).result()
        # Closing waits for filed reports to be written out, each with its PDF.
        assert sorted(p.suffix for p in (outbox / "reports").glob("gdpr-regulator-de.*")) == [
            ".eml",
            ".pdf",
        ]
        kinds = [e.kind for e in (await incidents.status(incident_id)).timeline]
    assert result.phase is Phase.CLOSED
    assert all(r.submitted_at and not r.late for r in result.reports)
    # The breach register keeps the incident, closed, with every regime's reasoning.
    entry = Register(make_engine(settings.db_url)).get(incident_id)
    assert entry is not None and entry.closed_at == result.closed_at
    assert entry.phase == "closed" and entry.notification_required
    assert {d.regime for d in entry.decisions} >= {"gdpr", "us-ca", "cn-pipl"}
    assert all(status.startswith("submitted") for status in entry.reports.values())
    assert kinds[0] == "incident.started" and kinds[-1] == "incident.closed"
    assert "campaign.completed" in kinds and "report.submitted" in kinds


async def test_new_facts_move_deadlines_and_rerender_drafts(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    client = herald_client(time_skipping_env, settings)
    incidents = IncidentClient(client, task_queue=task_queue)
    now = await time_skipping_env.get_current_time()
    async with build_worker(client, settings, task_queue=task_queue):
        incident_id = await incidents.start(_incident(_facts_at(now), "INC-WF-2"))
        before = await _until(incidents, incident_id, lambda s: s.phase is Phase.AWAITING_APPROVAL)
        due = {r.id: r.due_at for r in before.reports}
        later = _facts_at(now + timedelta(hours=5)).model_copy(
            update={"description": "New finding: the export also covered the archive table."}
        )
        result = await incidents.update_facts(
            incident_id, UpdateFactsInput(facts=later, actor="casey.commander")
        )
        assert "gdpr-regulator-de" in result.deadlines_moved
        assert result.drafts_changed
        after = await incidents.status(incident_id)
        report = next(r for r in after.reports if r.id == "gdpr-regulator-de")
        old_due = due["gdpr-regulator-de"]
        assert old_due is not None and report.due_at == old_due + timedelta(hours=5)
        changed = next(d for d in after.drafts if d.id == result.drafts_changed[0])
        assert changed.version == 2 and changed.approvals == []
        assert after.facts_version == 2
        # The new facts carry no contact point; the profile still supplies it.
        assert after.facts.entity.contact is not None
        assert all(not d.missing_elements for d in after.drafts)
        await incidents.handle(incident_id).terminate("test done")


async def test_report_goes_overdue_inside_a_live_incident(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    client = herald_client(time_skipping_env, settings)
    incidents = IncidentClient(client, task_queue=task_queue)
    now = await time_skipping_env.get_current_time()
    async with build_worker(client, settings, task_queue=task_queue):
        incident_id = await incidents.start(_incident(_facts_at(now), "INC-WF-3"))
        await _until(incidents, incident_id, lambda s: s.phase is Phase.AWAITING_APPROVAL)
        await time_skipping_env.sleep(timedelta(hours=73))
        status = await _until(
            incidents,
            incident_id,
            lambda s: any(r.overdue for r in s.reports if r.id == "gdpr-regulator-de"),
        )
        report = next(r for r in status.reports if r.id == "gdpr-regulator-de")
        assert len(report.reminders_sent) == 4  # 50%, 24 h, 6 h and 1 h before
        assert "report.overdue" in [e.kind for e in status.timeline]
        reminders = list((settings.outbox_dir / incident_id / "reminders").glob("*.eml"))
        assert any("OVERDUE" in p.read_text() for p in reminders)

        # Late: the report must now give the reasons for the delay before it is approved.
        status = await _until(
            incidents,
            incident_id,
            lambda s: "delay_reasons" in _draft(s, "gdpr-regulator-de.report.en").missing_elements,
        )
        reasons = "Forensic triage took four days: the affected backups were offline."
        facts = status.facts.model_copy(
            update={"details": status.facts.details.model_copy(update={"delay_reasons": reasons})}
        )
        await incidents.update_facts(
            incident_id, UpdateFactsInput(facts=facts, actor="casey.commander")
        )
        status = await incidents.status(incident_id)
        filing = _draft(status, "gdpr-regulator-de.report.en")
        assert not filing.missing_elements
        assert "Reasons for the delay" in filing.body and reasons in filing.body
        for approver in ("alice.legal", "bob.privacy"):
            await incidents.approve(
                incident_id,
                ApproveDraftInput(
                    draft_id=filing.id, approver=approver, content_hash=filing.content_hash
                ),
            )
        await _until(
            incidents,
            incident_id,
            lambda s: (
                next(r for r in s.reports if r.id == "gdpr-regulator-de").status
                is ReportStatus.APPROVED
            ),
        )
        result = await incidents.record_status(
            incident_id,
            RecordRegulatorStatusInput(
                report_id="gdpr-regulator-de",
                status=ReportStatus.SUBMITTED,
                actor="casey.commander",
                reference="BfDI-2026-1",
            ),
        )
        assert result.report.late
        await incidents.handle(incident_id).terminate("test done")


def _draft(status: IncidentStatus, draft_id: str) -> Draft:
    return next(d for d in status.drafts if d.id == draft_id)


def test_example_facts_are_the_contract_shape() -> None:
    data = json.loads((EXAMPLES / "facts.json").read_text())
    assert {"aware_at", "entity", "affected", "data_categories"} <= data.keys()
