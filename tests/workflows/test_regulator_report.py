"""RegulatorReportWorkflow in the time-skipping environment: reminders, overdue, filing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email import message_from_bytes
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.regulators import RegulatorActivities
from herald.channels.outbox import OutboxChannel
from herald.models import RegulatorReport
from herald.models.messages import (
    DeadlineMovedSignal,
    RegulatorReportInput,
    ReportFiledSignal,
)
from herald.settings import Settings
from tests.conftest import herald_client
from workflows.regulator_report import RegulatorReportWorkflow

HOUR = 3600


def _worker(client: Client, settings: Settings, task_queue: str) -> Worker:
    activities = RegulatorActivities(OutboxChannel(settings.outbox_dir))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[RegulatorReportWorkflow],
        activities=[activities.send_reminder, activities.file_regulator_report],
        activity_executor=ThreadPoolExecutor(2),
    )


async def _start(
    env: WorkflowEnvironment, settings: Settings, task_queue: str, hours: int
) -> tuple[Client, WorkflowHandle[Any, Any], datetime]:
    client = herald_client(env, settings)
    now = await env.get_current_time()
    report = RegulatorReport(
        id="gdpr-regulator-ie",
        regime="gdpr",
        authority="Data Protection Commission (IE)",
        due_at=now + timedelta(hours=hours),
    )
    inp = RegulatorReportInput(
        incident_id="INC-T1",
        report=report,
        team_contacts=["commander@example.org"],
        reminder_offsets_s=[24 * HOUR, 6 * HOUR, HOUR],
    )
    handle = await client.start_workflow(
        RegulatorReportWorkflow.run, inp, id=f"report-{uuid.uuid4()}", task_queue=task_queue
    )
    assert report.due_at is not None
    return client, handle, report.due_at


async def test_72h_deadline_reminds_then_marks_overdue(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    client, handle, due = await _start(env, settings, task_queue, hours=72)
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=47))
        report = await handle.query(RegulatorReportWorkflow.report)
        assert report.reminders_sent == [] and not report.overdue

        await env.sleep(timedelta(hours=2))  # 49 h: past the 24-hours-before reminder
        report = await handle.query(RegulatorReportWorkflow.report)
        assert len(report.reminders_sent) == 1
        assert report.reminders_sent[0] >= due - timedelta(hours=24)
        assert not report.overdue

        await env.sleep(timedelta(hours=24))  # 73 h: every reminder fired, deadline passed
        report = await handle.query(RegulatorReportWorkflow.report)
        assert len(report.reminders_sent) == 3
        assert report.overdue

        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time(), reference="DPC-1"),
        )
        result = await handle.result()
    assert result.late
    reminders = sorted((settings.outbox_dir / "INC-T1" / "reminders").glob("*.eml"))
    assert len(reminders) == 4  # three reminders and one overdue notice
    subjects = [message_from_bytes(p.read_bytes())["Subject"] for p in reminders]
    assert sum(s.startswith("OVERDUE") for s in subjects) == 1
    assert all(
        message_from_bytes(p.read_bytes())["To"] == "commander@example.org" for p in reminders
    )


async def test_filed_in_time_is_not_late_and_stops_reminders(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    client, handle, _ = await _start(env, settings, task_queue, hours=72)
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=10))
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time(), reference="DPC-2"),
        )
        result = await handle.result()
    assert not result.late
    assert result.reminders_sent == []


async def test_moved_deadline_rearms_reminders(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    client, handle, due = await _start(env, settings, task_queue, hours=72)
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=50))
        assert len((await handle.query(RegulatorReportWorkflow.report)).reminders_sent) == 1
        # New facts push the deadline 48 hours later: no overdue at 73 h, reminders re-armed.
        await handle.signal(
            RegulatorReportWorkflow.deadline_moved,
            DeadlineMovedSignal(due_at=due + timedelta(hours=48)),
        )
        await env.sleep(timedelta(hours=23))
        report = await handle.query(RegulatorReportWorkflow.report)
        assert not report.overdue
        assert report.due_at == due + timedelta(hours=48)
        await env.sleep(timedelta(hours=48))
        report = await handle.query(RegulatorReportWorkflow.report)
        assert report.overdue
        assert len(report.reminders_sent) == 4  # one before the move, three after
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time()),
        )
        assert (await handle.result()).late
