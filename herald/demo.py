"""`herald demo`: a whole sample incident, end to end, on the embedded Temporal server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client

from herald.client import IncidentClient
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import (
    DraftState,
    IncidentFacts,
    IncidentStatus,
    Phase,
    RegulatorReport,
    ReportStatus,
)
from herald.models.messages import (
    ApproveDraftInput,
    CloseIncidentInput,
    RecordRegulatorStatusInput,
)
from herald.profiles import SampleIncident, load_profile
from herald.settings import PROJECT_ROOT, Settings
from herald.temporal import EmbeddedTemporal, connect, free_port, port_open

EXAMPLES = PROJECT_ROOT / "examples"
EXAMPLE = SampleIncident(
    profile=EXAMPLES / "profile.yaml",
    facts=EXAMPLES / "facts.json",
    population=EXAMPLES / "population.csv",
)
COMMANDER = "casey.commander"
# Two approvers from legal and privacy: the four-eyes rule needs two people who did not
# write the drafts.
APPROVERS = ("alice.legal", "bob.privacy")


@dataclass
class DemoResult:
    """What the demo prints at the end (`--json` keys are a public contract)."""

    incident_id: str
    phase: Phase
    outbox: Path
    status: IncidentStatus
    evidence: Path | None = None


def shifted(facts: IncidentFacts, to: datetime) -> IncidentFacts:
    """The facts moved in time so that awareness is at `to`; every instant moves alike."""
    shift = to - facts.aware_at
    moved: dict[str, object] = {
        name: getattr(facts, name) + shift
        for name in ("aware_at", "discovered_at", "determined_at", "ransom_paid_at")
        if getattr(facts, name) is not None
    }
    if facts.details.ended_at is not None:
        moved["details"] = facts.details.model_copy(
            update={"ended_at": facts.details.ended_at + shift}
        )
    return facts.model_copy(update=moved)


def as_if_recent(
    facts: IncidentFacts, *, aware_ago: timedelta = timedelta(hours=2)
) -> IncidentFacts:
    """The sample facts moved in time so that awareness was `aware_ago` before now.

    The sample's instants are fixed (the `herald obligations` contract depends on them); the
    demo replays them as a live incident, so its deadlines lie ahead and nothing is late.
    """
    return shifted(facts, datetime.now(UTC) - aware_ago)


async def wait_for(
    incidents: IncidentClient,
    incident_id: str,
    predicate: Callable[[IncidentStatus], bool],
    *,
    timeout_s: float = 120.0,
) -> IncidentStatus:
    """Poll the status query until `predicate` holds (the demo and the drill play people,
    who poll too)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        status = await incidents.status(incident_id)
        if predicate(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the demo incident is stuck in phase {status.phase}")
        await asyncio.sleep(0.1)


async def _see_it_through(
    incidents: IncidentClient,
    incident_id: str,
    log: Callable[[str], None],
    *,
    timeout_s: float = 180.0,
) -> None:
    """Play the people until the incident can be closed: file and acknowledge each report
    once it is ready, and approve drafts that appear on the way (delivery can change the
    obligations: people no channel reached call for substitute notice)."""
    from herald.drill import approve_pending

    handled: set[str] = set()
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        status = await incidents.status(incident_id)
        if status.closable:
            return
        fresh = [d for d in status.drafts if d.state is DraftState.PENDING_APPROVAL]
        if fresh and await approve_pending(incidents, incident_id, fresh):
            log(f"approved {', '.join(d.id for d in fresh)} as {' and '.join(APPROVERS)}")
        for report in status.reports:
            if report.id in handled or not _filed_or_ready(report):
                continue
            # An authority that takes email got the approved report from Herald itself.
            steps = [(ReportStatus.SUBMITTED, f"DEMO-{report.id.upper()}")]
            for step, reference in [
                *(steps if report.filing_email is None else []),
                (ReportStatus.ACKNOWLEDGED, None),
            ]:
                await incidents.record_status(
                    incident_id,
                    RecordRegulatorStatusInput(
                        report_id=report.id, status=step, actor=COMMANDER, reference=reference
                    ),
                )
            handled.add(report.id)
            log(f"report {report.id} submitted to {report.authority} and acknowledged")
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the demo incident is stuck in phase {status.phase}")
        await asyncio.sleep(0.1)


def _filed_or_ready(report: RegulatorReport) -> bool:
    """Approved, for a person to file; or already filed by Herald, by email."""
    if report.filing_email is not None:
        return report.status is ReportStatus.SUBMITTED
    return report.status is ReportStatus.APPROVED


async def drive_incident(
    client: Client,
    settings: Settings,
    *,
    log: Callable[[str], None],
    evidence: Path | None = None,
    sample: SampleIncident | None = None,
) -> DemoResult:
    """Start the sample incident and play every human role until it is closed; with
    `evidence`, write the closed incident's evidence pack there.

    Args:
        client: a connected client.
        settings: where the outbox, database and keys live.
        log: prints a line for the person watching.
        evidence: where to write the evidence pack, if wanted.
        sample: an organisation's sample incident (default: examples/).
    """
    from worker import build_worker

    sample = sample or EXAMPLE
    incident_id = datetime.now(UTC).strftime("INC-DEMO-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:4]
    # The deployment's own queue: `herald dev` afterwards has workers on it, so the console
    # can show (query) the closed demo incident.
    task_queue = settings.task_queue
    incidents = IncidentClient(client, task_queue=task_queue)
    inp = new_incident(
        incident_id=incident_id,
        facts=as_if_recent(load_facts(sample.facts)),
        population=sample.population,
        profile=load_profile(sample.profile),
        commander=COMMANDER,
        approvals_required=2,
        sms_max_segments=settings.sms_max_segments,
        reminders=settings.reminder_policy(),
        search_attributes=settings.search_attributes,
    )
    async with build_worker(client, settings, task_queue=task_queue):
        await incidents.start(inp)
        log(f"started incident {incident_id} as {COMMANDER}")
        status = await wait_for(
            incidents, incident_id, lambda s: s.phase is Phase.AWAITING_APPROVAL
        )
        assessment = status.assessment
        if assessment is not None:
            log(
                f"assessed {assessment.total} people ({assessment.rejected} rows rejected), "
                f"risk {assessment.risk}"
            )
        log(f"{len(status.obligations)} obligations, {len(status.drafts)} drafts to approve")
        for draft in status.drafts:
            for approver in APPROVERS:
                await incidents.approve(
                    incident_id,
                    ApproveDraftInput(
                        draft_id=draft.id, approver=approver, content_hash=draft.content_hash
                    ),
                )
            log(f"approved {draft.id} v{draft.version} as {' and '.join(APPROVERS)}")
        await _see_it_through(incidents, incident_id, log)
        await incidents.close(incident_id, CloseIncidentInput(actor=COMMANDER, note="demo done"))
        await incidents.handle(incident_id).result()
        status = await incidents.status(incident_id)
        if evidence is not None:
            # Queries on a closed workflow need a worker to replay it: this one still runs.
            from herald.evidence.pack import write_pack

            record = await incidents.evidence(incident_id)
            pack = await asyncio.to_thread(write_pack, record, evidence)
            log(f"evidence pack written to {evidence} (root {pack.root})")
    return DemoResult(
        incident_id=incident_id,
        phase=status.phase,
        outbox=settings.outbox_dir / incident_id,
        status=status,
        evidence=evidence,
    )


async def run_demo(
    settings: Settings,
    *,
    log: Callable[[str], None],
    evidence: Path | None = None,
    sample: SampleIncident | None = None,
) -> DemoResult:
    """Use the Temporal server `herald dev` runs if there is one, else start an embedded one."""
    settings.ensure_home()
    if settings.temporal_address or port_open("127.0.0.1", settings.temporal_port):
        client = await connect(settings)
        log("using the running Temporal server")
        return await drive_incident(client, settings, log=log, evidence=evidence, sample=sample)
    server = EmbeddedTemporal(settings, port=free_port(), ui_port=None)
    server.start()
    log(f"embedded Temporal dev server on {server.address} (data: {settings.temporal_db})")
    try:
        settings.temporal_port = server.port
        client = await connect(settings)
        return await drive_incident(client, settings, log=log, evidence=evidence, sample=sample)
    finally:
        server.stop()
