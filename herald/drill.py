"""`herald drill`: rehearse an incident's deadlines on Temporal's time-skipping server.

The same workflows and activities as a real incident, on a test server whose clock Herald
moves: a 30-day clock plays in seconds (or at `speed` simulated seconds per real second),
and every reminder, escalation, overdue notice and report phase fires at its real instant.
The drill plays the people: two drill approvers approve every draft; with `file_after`,
the commander files every approved report that long after awareness — giving the reasons
for the delay when that is late, as the law requires — so chained phases (NIS2's final
report, Brazil's supplement) come due too. Nothing leaves the machine: messages go to the
drill's own outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.testing import WorkflowEnvironment

from herald.client import IncidentClient
from herald.demo import APPROVERS, shifted, wait_for
from herald.intake import new_incident
from herald.models import (
    Draft,
    DraftState,
    IncidentFacts,
    IncidentStatus,
    OrganisationProfile,
    Phase,
    ReportStatus,
)
from herald.models.incident import TimelineEvent
from herald.models.messages import (
    ApproveDraftInput,
    RecordRegulatorStatusInput,
    UpdateFactsInput,
)
from herald.reminders import ReminderPolicy
from herald.settings import Settings
from herald.temporal import data_converter, test_server_path

COMMANDER = "drill.commander"
LATE_REASONS = "Drill: this filing was made after the deadline on purpose, to rehearse it."
MAX_STEPS = 2_000


@dataclass
class DrillResult:
    """What a drill saw: every event in time order, and each report at the end."""

    incident_id: str
    started_at: datetime
    events: list[TimelineEvent] = field(default_factory=list)
    status: IncidentStatus | None = None
    outbox: Path | None = None


async def run_drill(
    facts: IncidentFacts,
    settings: Settings,
    *,
    on_event: Callable[[TimelineEvent], None],
    population: Path | None = None,
    profile: OrganisationProfile | None = None,
    speed: float = 0.0,
    horizon: timedelta | None = None,
    file_after: timedelta | None = None,
    reminders: ReminderPolicy | None = None,
    approve: bool = True,
) -> DrillResult:
    """Play one incident on a fresh time-skipping server and report what fired when.

    Args:
        facts: the incident; its clock is moved to start when the drill starts.
        settings: where the drill's outbox and database live (use a scratch home).
        on_event: called with each timeline event as it happens, in time order.
        population: affected people, for notices (optional).
        profile: the organisation profile (contact point, team, backups).
        speed: simulated seconds per real second; 0 plays as fast as possible.
        horizon: how long to play; by default one day past the last report deadline.
        file_after: file every approved report this long after awareness (never if None).
        reminders: the reminder policy (default: the settings').
        approve: whether the drill approvers approve every draft.
    """
    from worker import build_worker

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path(), runtime=_quiet_runtime()
    )
    try:
        config = env.client.config()
        config["data_converter"] = data_converter(settings)
        client = Client(**config)
        start = await env.get_current_time()
        incident_id = f"INC-DRILL-{start:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"
        task_queue = f"{settings.task_queue}-drill-{uuid.uuid4().hex[:8]}"
        incidents = IncidentClient(client, task_queue=task_queue)
        inp = new_incident(
            incident_id=incident_id,
            facts=shifted(facts, start),
            population=population,
            profile=profile,
            commander=COMMANDER,
            reminders=reminders or settings.reminder_policy(),
        )
        result = DrillResult(incident_id=incident_id, started_at=start)
        async with build_worker(client, settings, task_queue=task_queue):
            await incidents.start(inp)
            status = await wait_for(incidents, incident_id, _settled)
            end = start + (horizon or _default_horizon(status, start))
            step = max((end - start) / MAX_STEPS, timedelta(minutes=5))
            seen: set[tuple[datetime, str, str, str]] = set()
            while True:
                # The people: approve what is new, file what is due, as a team would.
                if approve:
                    status = await incidents.status(incident_id)
                    await approve_pending(incidents, incident_id, status.drafts)
                now = await env.get_current_time()
                if file_after is not None and now >= start + file_after:
                    await _file_reports(incidents, incident_id, approve, file_after, now)
                status = await incidents.status(incident_id)
                # A child's event can arrive late and take its place by time: compare by
                # content, not by position.
                for event in status.timeline:
                    key = (event.at, event.kind, event.detail, event.actor)
                    if key not in seen:
                        seen.add(key)
                        on_event(event)
                        result.events.append(event)
                if now >= end:
                    break
                await env.sleep(min(step, end - now))
                if speed > 0:
                    await asyncio.sleep(min(step, end - now).total_seconds() / speed)
            result.status = status
            result.outbox = settings.outbox_dir / incident_id
            await incidents.handle(incident_id).terminate("drill over")
        return result
    finally:
        await env.shutdown()


def _quiet_runtime() -> Runtime:
    """A runtime whose core logs go to Python logging (HERALD_LOG_LEVEL), not to stdout,
    which `--json` keeps for its document. The test server's own version warnings are
    expected here."""
    logs = LoggingConfig(
        filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    return Runtime(telemetry=TelemetryConfig(logging=logs))


def _settled(status: IncidentStatus) -> bool:
    return status.phase not in (Phase.DETECTED, Phase.ASSESSING, Phase.DRAFTING)


def _default_horizon(status: IncidentStatus, start: datetime) -> timedelta:
    dues = [r.due_at for r in status.reports if r.due_at]
    last = max(dues, default=start + timedelta(days=1))
    return max(last - start, timedelta(hours=1)) + timedelta(days=1)


async def approve_pending(
    incidents: IncidentClient, incident_id: str, drafts: Iterable[Draft]
) -> int:
    """Both drill approvers approve each of `drafts` that can be approved; how many were.

    A draft re-rendered since it was read is skipped: the next round reads it again.
    """
    approved = 0
    for draft in drafts:
        pending = draft.state is DraftState.PENDING_APPROVAL
        if not pending or draft.missing_elements or draft.problems:
            continue
        given = {approval.approver for approval in draft.approvals}
        try:
            for approver in [a for a in APPROVERS if a not in given]:
                await incidents.approve(
                    incident_id,
                    ApproveDraftInput(
                        draft_id=draft.id, approver=approver, content_hash=draft.content_hash
                    ),
                )
        except WorkflowUpdateFailedError:
            continue
        approved += 1
    return approved


async def _file_reports(
    incidents: IncidentClient, incident_id: str, approve: bool, after: timedelta, now: datetime
) -> None:
    """File each approved report `after` its own clock started (a chained phase, such as
    NIS2's final report, counts from the filing before it); a late one first gets its
    reasons and a new approval."""
    status = await incidents.status(incident_id)
    late = [r for r in status.reports if r.overdue and r.status is ReportStatus.DRAFTED]
    if late and not status.facts.details.delay_reasons:
        details = status.facts.details.model_copy(update={"delay_reasons": LATE_REASONS})
        await incidents.update_facts(
            incident_id,
            UpdateFactsInput(
                facts=status.facts.model_copy(update={"details": details}), actor=COMMANDER
            ),
        )
        status = await wait_for(incidents, incident_id, _settled)
        if approve:
            await approve_pending(incidents, incident_id, status.drafts)
        status = await incidents.status(incident_id)
    for report in status.reports:
        started = report.clock_started_at  # None: a chained phase still waits for its turn
        if report.status is ReportStatus.APPROVED and started and now >= started + after:
            with contextlib.suppress(WorkflowUpdateFailedError):  # filed meanwhile by email
                await incidents.record_status(
                    incident_id,
                    RecordRegulatorStatusInput(
                        report_id=report.id,
                        status=ReportStatus.SUBMITTED,
                        actor=COMMANDER,
                        reference=f"DRILL-{report.id.upper()}",
                    ),
                )
