"""Activities for regulator reports: packaging the filing and reminding the team."""

from __future__ import annotations

from temporalio import activity

from herald.channels.outbox import OutboxChannel
from herald.models.messages import (
    FileRegulatorReportInput,
    FileRegulatorReportResult,
    SendReminderInput,
    SendReminderResult,
)


class RegulatorActivities:
    """Writes filings for the authority and reminders for the team."""

    def __init__(self, outbox: OutboxChannel) -> None:
        """Bind to the outbox (the default channel without provider credentials)."""
        self._outbox = outbox

    @activity.defn
    def file_regulator_report(self, inp: FileRegulatorReportInput) -> FileRegulatorReportResult:
        """Package the approved report for the authority (email or the portal's content)."""
        report, message = inp.report, inp.message
        how = report.contact or report.authority
        body = (
            f"To: {report.authority}\nSubmit via: {how}\n"
            f"Approved version hash: {message.content_hash}\n\n{message.body}"
        )
        path = self._outbox.write_document(
            inp.incident_id,
            folder="reports",
            name=report.id,
            to=[how],
            subject=message.subject or f"Personal data breach notification ({report.id})",
            body=body,
        )
        return FileRegulatorReportResult(location=str(path))

    @activity.defn
    def send_reminder(self, inp: SendReminderInput) -> SendReminderResult:
        """Remind the team of a deadline, or tell them it has passed."""
        report = inp.report
        due = report.due_at.isoformat() if report.due_at else "no fixed deadline"
        if inp.kind == "overdue":
            subject = f"OVERDUE: report to {report.authority} was due {due}"
            lead = (
                "The deadline has passed without a recorded submission. File now and give "
                "the reasons for the delay in the report."
            )
        else:
            remaining = report.due_at - inp.at if report.due_at else None
            subject = f"Reminder: report to {report.authority} due {due}"
            lead = f"Time left: {remaining}." if remaining is not None else ""
        body = (
            f"Incident {inp.incident_id}\nReport {report.id} ({report.regime}) to "
            f"{report.authority}\nStatus: {report.status}\nDue: {due}\n\n{lead}\n\n"
            f"Record the filing with:\n  herald reports set-status {inp.incident_id} "
            f"{report.id} submitted --reference REF\n"
        )
        self._outbox.write_document(
            inp.incident_id,
            folder="reminders",
            name=f"{report.id}-{inp.kind}-{inp.at.strftime('%Y%m%dT%H%M%S')}",
            to=inp.recipients or ["incident-team"],
            subject=subject,
            body=body,
        )
        return SendReminderResult(delivered_to=len(inp.recipients))
