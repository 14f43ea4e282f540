"""Record the histories the replay test replays: `python -m tests.replay.record`.

Runs one incident through nearly every path on the time-skipping server (population,
approvals, a revision, new facts, campaigns, reminders and escalation, an overdue report
filed late with its reasons, a follow-up phase, closure) and writes the history of the
incident and of every child workflow to `tests/replay/histories/`. Payloads are encrypted
with the fixed key below, which exists only for these recordings (no real data is in them).

Record again only on purpose: when a change is meant to break replay of running incidents,
it must come with `workflow.patched` (see docs/architecture.md, "Replay safety"), and the
old histories must still replay.
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.client import IncidentClient
from herald.demo import shifted, wait_for
from herald.drill import approve_pending
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import Phase, ReportStatus
from herald.models.messages import (
    AddReportPhaseInput,
    CloseIncidentInput,
    RecordRegulatorStatusInput,
    ReviseDraftInput,
    UpdateFactsInput,
)
from herald.profiles import load_profile
from herald.reminders import ReminderPolicy
from herald.settings import Settings
from herald.temporal import data_converter, test_server_path
from tests.conftest import EXAMPLES

HERE = Path(__file__).parent / "histories"
REPLAY_KEY = "replay:" + base64.b64encode(b"herald-replay-recordings-key-32b").decode()
INCIDENT = "INC-REPLAY-1"


def settings(home: Path) -> Settings:
    """Settings whose codec uses the recordings' key."""
    return Settings(home=home, codec_keys=REPLAY_KEY)


async def record() -> None:
    """Play the incident and write every history."""
    from worker import build_worker

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path()
    )
    home = Path(tempfile.mkdtemp(prefix="herald-replay-"))
    config = settings(home)
    client_config = env.client.config()
    client_config["data_converter"] = data_converter(config)
    client = Client(**client_config)
    incidents = IncidentClient(client, task_queue="replay")
    start = await env.get_current_time()
    try:
        async with build_worker(client, config, task_queue="replay"):
            inp = new_incident(
                incident_id=INCIDENT,
                facts=shifted(load_facts(EXAMPLES / "facts.json"), start),
                population=EXAMPLES / "population.csv",
                profile=load_profile(EXAMPLES / "profile.yaml"),
                commander="casey.commander",
                team=["team@example.org"],
                reminders=ReminderPolicy(backups=["cto@example.org"]),
            )
            await incidents.start(inp)
            status = await wait_for(
                incidents, INCIDENT, lambda s: s.phase is Phase.AWAITING_APPROVAL
            )
            sms = next(d for d in status.drafts if d.id == "us-ca-individuals.sms.en")
            await incidents.revise(
                INCIDENT,
                ReviseDraftInput(
                    draft_id=sms.id, author="dana", subject=None, body=sms.body + " Thank you."
                ),
            )
            facts = status.facts.model_copy(update={"remediation": "Tokens revoked; rebuilt."})
            await incidents.update_facts(
                INCIDENT, UpdateFactsInput(facts=facts, actor="casey.commander")
            )
            await wait_for(incidents, INCIDENT, lambda s: s.phase is Phase.AWAITING_APPROVAL)
            # Leave the GDPR report unapproved: its reminders fire, nobody acknowledges the
            # first (escalation), it goes overdue and must then give its reasons.
            drafts = (await incidents.status(INCIDENT)).drafts
            await approve_pending(
                incidents, INCIDENT, [d for d in drafts if d.obligation_id != "gdpr-regulator-de"]
            )
            await env.sleep(timedelta(hours=73))
            status = await incidents.status(INCIDENT)
            details = status.facts.details.model_copy(
                update={"delay_reasons": "Recorded for the replay tests: filed late on purpose."}
            )
            await incidents.update_facts(
                INCIDENT,
                UpdateFactsInput(
                    facts=status.facts.model_copy(update={"details": details}),
                    actor="casey.commander",
                ),
            )
            await wait_for(incidents, INCIDENT, lambda s: s.phase is not Phase.DRAFTING)
            await approve_pending(incidents, INCIDENT, (await incidents.status(INCIDENT)).drafts)
            status = await wait_for(
                incidents,
                INCIDENT,
                lambda s: (
                    all(r.status is ReportStatus.APPROVED for r in s.reports)
                    and all(d.completed for d in s.deliveries)
                ),
            )
            for report in status.reports:
                await incidents.record_status(
                    INCIDENT,
                    RecordRegulatorStatusInput(
                        report_id=report.id,
                        status=ReportStatus.SUBMITTED,
                        actor="casey.commander",
                        reference=f"REF-{report.id}",
                    ),
                )
            await incidents.add_phase(
                INCIDENT,
                AddReportPhaseInput(
                    report_id="gdpr-regulator-de", phase="supplement", actor="casey.commander"
                ),
            )
            await wait_for(
                incidents,
                INCIDENT,
                lambda s: any(d.obligation_id.endswith("-supplement") for d in s.drafts),
            )
            await approve_pending(incidents, INCIDENT, (await incidents.status(INCIDENT)).drafts)
            await wait_for(
                incidents,
                INCIDENT,
                lambda s: (
                    bool(s.reports)
                    and all(
                        r.status in (ReportStatus.APPROVED, ReportStatus.SUBMITTED)
                        for r in s.reports
                    )
                ),
            )
            await incidents.record_status(
                INCIDENT,
                RecordRegulatorStatusInput(
                    report_id="gdpr-regulator-de-supplement",
                    status=ReportStatus.SUBMITTED,
                    actor="casey.commander",
                ),
            )
            await wait_for(incidents, INCIDENT, lambda s: s.closable)
            await incidents.close(INCIDENT, CloseIncidentInput(actor="casey.commander"))
            await incidents.handle(INCIDENT).result()
            await _write_all(client)
    finally:
        await env.shutdown()


async def _write_all(client: Client) -> None:
    """The incident's history and its children's (found in it: the test server cannot list)."""
    HERE.mkdir(parents=True, exist_ok=True)
    incident = await client.get_workflow_handle(INCIDENT).fetch_history()
    children = [
        event.start_child_workflow_execution_initiated_event_attributes
        for event in incident.events
        if event.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    runs = [("IncidentWorkflow", INCIDENT)] + [
        (child.workflow_type.name, child.workflow_id) for child in children
    ]
    for name, workflow_id in runs:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        path = HERE / f"{name}.{workflow_id}.json"
        path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
        print(f"recorded {path.name}: {len(history.events)} events")  # noqa: T201 (a script)


if __name__ == "__main__":
    asyncio.run(record())
