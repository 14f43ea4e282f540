"""RegulatorReportWorkflow in the time-skipping environment: reminders, overdue, filing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.regulators import RegulatorActivities
from herald.channels.outbox import OutboxChannel
from herald.models import Channel, RegulatorReport
from herald.models.messages import (
    ApprovedMessage,
    DeadlineMovedSignal,
    RegulatorReportInput,
    ReminderAcknowledgedSignal,
    ReportApprovedSignal,
    ReportFiledSignal,
)
from herald.reminders import ReminderPolicy
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


# The schedule these tests were written for: leads only (the default adds 50%).
LEADS_ONLY = ReminderPolicy(fractions=[], before_s=[24 * HOUR, 6 * HOUR, HOUR])


async def _start(
    env: WorkflowEnvironment,
    settings: Settings,
    task_queue: str,
    hours: float,
    policy: ReminderPolicy = LEADS_ONLY,
    contact: str = "",
) -> tuple[Client, WorkflowHandle[Any, Any], datetime]:
    client = herald_client(env, settings)
    now = await env.get_current_time()
    report = RegulatorReport(
        id="gdpr-regulator-ie",
        regime="gdpr",
        authority="Data Protection Commission (IE)",
        contact=contact,
        due_at=now + timedelta(hours=hours),
        clock_started_at=now,
    )
    inp = RegulatorReportInput(
        incident_id="INC-T1",
        report=report,
        team_contacts=["commander@example.org"],
        reminders=policy,
        sender_name="Example GmbH",
        sender_address="Friedrichstraße 100, 10117 Berlin",
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


def _seconds(delta: timedelta) -> int:
    """Whole seconds: the time-skipping server fires timers a few milliseconds late."""
    return round(delta.total_seconds())


def _subjects(settings: Settings) -> list[str]:
    folder = settings.outbox_dir / "INC-T1" / "reminders"
    return [
        str(message_from_bytes(path.read_bytes())["Subject"])
        for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    ]


async def test_default_schedule_reminds_at_half_time_and_before_the_deadline(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    start = await env.get_current_time()
    client, handle, due = await _start(env, settings, task_queue, 72, ReminderPolicy())
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=73))
        report = await handle.query(RegulatorReportWorkflow.report)
        # 50% of 72 h, then 24 h, 6 h and 1 h before the deadline: at the instant, each.
        offsets = [round((at - start).total_seconds() / HOUR, 2) for at in report.reminders_sent]
        assert offsets == [36.0, 48.0, 66.0, 71.0]
        assert report.overdue
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time(), reference="DPC-9"),
        )
        assert (await handle.result()).late
    labels = [s.split(")")[0].split("(")[1] for s in _subjects(settings) if s.startswith("Rem")]
    assert labels == ["50%", "24h before", "6h before", "1h before"]


async def test_a_one_hour_clock_still_gets_its_half_time_reminder(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    start = await env.get_current_time()
    client, handle, due = await _start(env, settings, task_queue, 1, ReminderPolicy())
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(minutes=61))
        report = await handle.query(RegulatorReportWorkflow.report)
        # 24 h, 6 h and 1 h before a 1-hour deadline are all at or before the start.
        assert [_seconds(at - start) for at in report.reminders_sent] == [1800]
        assert report.overdue
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time()),
        )
        await handle.result()


async def test_an_unacknowledged_reminder_goes_to_the_backups(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    policy = ReminderPolicy(
        fractions=[], before_s=[6 * HOUR, HOUR], escalate_after_s=1800, backups=["cto@example.org"]
    )
    start = await env.get_current_time()
    client, handle, _ = await _start(env, settings, task_queue, 24, policy)
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=18, minutes=10))  # the 6-hours-before reminder
        await handle.signal(
            RegulatorReportWorkflow.reminder_acknowledged,
            ReminderAcknowledgedSignal(actor="casey", at=await env.get_current_time()),
        )
        await env.sleep(timedelta(hours=5))  # 23:10: the 1-hour reminder, not acknowledged
        await env.sleep(timedelta(minutes=40))  # 23:50: escalated at 23:30
        report = await handle.query(RegulatorReportWorkflow.report)
        assert [_seconds(at - start) for at in report.escalations] == [23 * HOUR + 1800]
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time()),
        )
        await handle.result()
    folder = settings.outbox_dir / "INC-T1" / "reminders"
    escalations = [message_from_bytes(p.read_bytes()) for p in folder.glob("*-escalation-*.eml")]
    assert [str(m["To"]) for m in escalations] == ["cto@example.org"]
    assert str(escalations[0]["Subject"]).startswith("ESCALATION")


async def test_an_authority_that_takes_email_is_sent_the_approved_pdf(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    client, handle, _ = await _start(
        env, settings, task_queue, 72, contact="breach@authority.example"
    )
    body = "Data breach report\n==================\n\nWhat happened\n-------------\nX.\n"
    approved = ApprovedMessage(
        draft_id="gdpr-regulator-ie.report.en",
        channel=Channel.REPORT,
        language="en",
        subject="Data breach report",
        body=body,
        content_hash="a" * 64,
    )
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=2))
        await handle.signal(
            RegulatorReportWorkflow.report_approved, ReportApprovedSignal(message=approved)
        )
        result = await handle.result()  # filing by email ends the clock
    assert not result.late
    filed = settings.outbox_dir / "INC-T1" / "reports" / "gdpr-regulator-ie.eml"
    message = message_from_bytes(filed.read_bytes(), policy=policy.default)
    assert str(message["To"]) == "breach@authority.example"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "gdpr-regulator-ie.pdf"
    content = attachment.get_content()
    assert isinstance(content, bytes) and content.startswith(b"%PDF-")
    assert (filed.parent / "gdpr-regulator-ie.pdf").read_bytes().startswith(b"%PDF-")


async def test_a_moved_deadline_does_not_fire_its_past_reminders_at_once(
    time_skipping_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    env = time_skipping_env
    start = await env.get_current_time()
    client, handle, due = await _start(env, settings, task_queue, 72, ReminderPolicy())
    async with _worker(client, settings, task_queue):
        await env.sleep(timedelta(hours=50))  # 50% (36 h) and 24h-before (48 h) have fired
        await handle.signal(
            RegulatorReportWorkflow.deadline_moved,
            DeadlineMovedSignal(due_at=start + timedelta(hours=60), clock_started_at=start),
        )
        await env.sleep(timedelta(hours=11))
        report = await handle.query(RegulatorReportWorkflow.report)
        # Of the new deadline's moments, only those still ahead at the move fire: 6 h and
        # 1 h before (54 h, 59 h); its 50% (30 h) and 24h-before (36 h) are not replayed.
        offsets = [_seconds(at - start) // 3600 for at in report.reminders_sent]
        assert offsets == [36, 48, 54, 59]
        assert report.overdue
        await handle.signal(
            RegulatorReportWorkflow.report_filed,
            ReportFiledSignal(at=await env.get_current_time()),
        )
        await handle.result()
