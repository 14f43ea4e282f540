"""Activities for regulator reports: filing or packaging the report, reminding the team."""

from __future__ import annotations

from temporalio import activity

from herald.channels.outbox import OutboxChannel
from herald.models.messages import (
    FileRegulatorReportInput,
    FileRegulatorReportResult,
    SendReminderInput,
    SendReminderResult,
)
from herald.rendering import layout
from herald.rendering.context import is_us_regime


class RegulatorActivities:
    """Writes filings for the authority and reminders for the team."""

    def __init__(self, outbox: OutboxChannel) -> None:
        """Bind to the outbox (the default channel without provider credentials)."""
        self._outbox = outbox

    @activity.defn
    def file_regulator_report(self, inp: FileRegulatorReportInput) -> FileRegulatorReportResult:
        """File the approved report by email with a PDF, or prepare it for the portal.

        The PDF is printed from the approved text (the same layout as letters), so what the
        authority receives is what two people approved; its hash is in the email.
        """
        report, message = inp.report, inp.message
        pdf = layout.letter_pdf(
            layout.letter_html(
                body=message.body,
                language=message.language,
                entity_name=inp.sender_name or inp.incident_id,
                sender_address=inp.sender_address,
                incident_id=inp.incident_id,
                recipient_name=report.authority,
                recipient_address=report.contact,
                us_letter=is_us_regime(report.regime),
            )
        )
        subject = message.subject or f"Personal data breach notification ({report.id})"
        address = report.filing_email if inp.may_email else None
        how = address or report.contact or report.authority
        cover = (
            f"To: {report.authority}\n"
            f"{'Sent to' if address else 'Submit via'}: {how}\n"
            f"Approved version hash: {message.content_hash}\n"
            f"The report is attached as {report.id}.pdf.\n\n{message.body}"
        )
        path = self._outbox.write_document(
            inp.incident_id,
            folder="reports",
            name=report.id,
            to=[address or how],
            subject=subject,
            body=cover,
            attachments=[(f"{report.id}.pdf", pdf, "application/pdf")],
        )
        # The portal route: the person filing uploads this PDF.
        (path.parent / f"{path.stem}.pdf").write_bytes(pdf)
        reference = self._outbox.message_id(path) if address else None
        return FileRegulatorReportResult(
            location=str(path), emailed=address is not None, reference=reference
        )

    @activity.defn
    def send_reminder(self, inp: SendReminderInput) -> SendReminderResult:
        """Remind the team of a deadline, tell them it passed, or escalate to the backups."""
        report = inp.report
        due = report.due_at.isoformat() if report.due_at else "no fixed deadline"
        phase = f" ({report.phase})" if report.phase and report.phase != "initial" else ""
        if inp.kind == "overdue":
            subject = f"OVERDUE: report{phase} to {report.authority} was due {due}"
            lead = (
                "The deadline has passed without a recorded submission. File now: the report "
                "must give the reasons for the delay (update the facts' details.delay_reasons "
                "or revise the draft), and will be recorded as late."
            )
        elif inp.kind == "escalation":
            subject = f"ESCALATION: nobody acknowledged the reminder for {report.authority}"
            lead = (
                "You are the named backup. The last reminder for this report was not "
                "acknowledged; please make sure the report is filed before the deadline."
            )
        else:
            remaining = report.due_at - inp.at if report.due_at else None
            subject = f"Reminder ({inp.label}): report{phase} to {report.authority} due {due}"
            lead = f"Time left: {remaining}." if remaining is not None else ""
        body = (
            f"Incident {inp.incident_id}\nReport {report.id} ({report.regime}{phase}) to "
            f"{report.authority}\nStatus: {report.status}\nDue: {due}\n\n{lead}\n\n"
            f"Acknowledge this reminder with:\n  herald reports ack {inp.incident_id} "
            f"{report.id} --as YOU\n"
            f"Record the filing with:\n  herald reports set-status {inp.incident_id} "
            f"{report.id} submitted --reference REF [--receipt FILE]\n"
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
