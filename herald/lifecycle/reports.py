"""Regulator report tracking: allowed status moves, filing, lateness, reopening."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from herald.lifecycle.errors import SYSTEM_ACTOR, LifecycleError
from herald.models import (
    FILED_STATUSES,
    STATUS_TRANSITIONS,
    Draft,
    IncidentFacts,
    IncidentInput,
    RegulatorReport,
    ReportStatus,
    StatusChange,
    Waiver,
)
from herald.models.messages import RecordRegulatorStatusInput
from herald.models.reports import ReceiptRef


class ReportTracking:
    """The report half of IncidentState (a mixin: the fields live on the model)."""

    if TYPE_CHECKING:
        # Fields of IncidentState, which this mixin is part of.
        inp: IncidentInput
        facts_version: int
        facts: IncidentFacts
        drafts: dict[str, Draft]
        reports: dict[str, RegulatorReport]
        waivers: dict[str, Waiver]
        notified_at: dict[str, datetime]

        def log(self, now: datetime, actor: str, kind: str, detail: str = "") -> None: ...

    def _reopen(self, report: RegulatorReport, now: datetime) -> None:
        report.status = ReportStatus.DRAFTED
        report.history.append(
            StatusChange(status=ReportStatus.DRAFTED, at=now, actor=SYSTEM_ACTOR, note="reopened")
        )
        self.log(now, SYSTEM_ACTOR, "report.reopened", f"{report.id}: its draft changed")

    def reports_needing_clock(self) -> list[RegulatorReport]:
        """Reports whose deadline still has to be kept (not filed, waived or withdrawn)."""
        return [
            report
            for report in self.reports.values()
            if report.status not in FILED_STATUSES
            and not report.withdrawn
            and report.id not in self.waivers
        ]

    def check_acknowledge(self, report_id: str) -> RegulatorReport:
        """A reminder can be acknowledged only for a report whose clock still runs."""
        report = self.reports.get(report_id)
        if report is None:
            raise LifecycleError(f"no regulator report {report_id!r} in this incident")
        if report not in self.reports_needing_clock():
            raise LifecycleError(f"report {report_id} has no running deadline to acknowledge")
        if not report.reminders_sent and not report.overdue:
            raise LifecycleError(f"no reminder for report {report_id} has gone out yet")
        return report

    def check_status(self, inp: RecordRegulatorStatusInput, now: datetime) -> RegulatorReport:
        """Refuse a status that does not follow the report's allowed transitions, or that
        claims to have happened in the future or before the incident began."""
        if inp.occurred_at is not None:
            began = self.facts.clock_start()
            if inp.occurred_at > now:
                raise LifecycleError("--at: a status cannot be recorded as happening later")
            if inp.occurred_at < began:
                raise LifecycleError(
                    f"--at: {inp.occurred_at.isoformat()} is before the incident "
                    f"({began.isoformat()})"
                )
        report = self.reports.get(inp.report_id)
        if report is None:
            raise LifecycleError(f"no regulator report {inp.report_id!r} in this incident")
        if report.withdrawn or report.id in self.waivers:
            raise LifecycleError(f"report {report.id} is no longer required (withdrawn or waived)")
        if inp.status is ReportStatus.APPROVED:
            raise LifecycleError(
                f"a report is approved by approving its draft ({report.id}), not by a status"
            )
        if inp.status not in STATUS_TRANSITIONS[report.status]:
            allowed = ", ".join(sorted(STATUS_TRANSITIONS[report.status])) or "none"
            hint = (
                " (its draft must be approved first)"
                if report.status is ReportStatus.DRAFTED
                else ""
            )
            raise LifecycleError(
                f"report {report.id} is {report.status}; it can move to: {allowed}{hint}"
            )
        return report

    def record_status(self, inp: RecordRegulatorStatusInput, now: datetime) -> RegulatorReport:
        """Record a status reported by a person or the authority (with its receipt)."""
        report = self.check_status(inp, now)
        self._set_report_status(
            report,
            inp.status,
            now,
            inp.actor,
            inp.reference,
            inp.note,
            occurred_at=inp.occurred_at,
            receipt=inp.receipt,
        )
        return report

    def record_emailed(
        self, report_id: str, reference: str | None, location: str, now: datetime
    ) -> bool:
        """Herald emailed the approved report to the authority: that is its submission.

        Returns:
            Whether it was recorded (False when the report moved on meanwhile).
        """
        report = self.reports.get(report_id)
        if report is None or report.status is not ReportStatus.APPROVED:
            return False
        note = f"emailed with the approved report as PDF ({location})"
        self._set_report_status(report, ReportStatus.SUBMITTED, now, SYSTEM_ACTOR, reference, note)
        return True

    def _set_report_status(
        self,
        report: RegulatorReport,
        status: ReportStatus,
        now: datetime,
        actor: str,
        reference: str | None = None,
        note: str = "",
        *,
        occurred_at: datetime | None = None,
        receipt: ReceiptRef | None = None,
    ) -> None:
        report.status = status
        if reference:
            report.reference = reference
        when = occurred_at or now
        if status is ReportStatus.SUBMITTED:
            report.submitted_at = when
            # Deadlines chained to this filing (NIS2's final report, Brazil's supplement)
            # resolve from it when obligations are judged again.
            self.notified_at[report.id] = when
            report.late = bool(report.due_at and when > report.due_at)
        report.history.append(
            StatusChange(
                status=status,
                at=now,
                actor=actor,
                reference=reference,
                note=note,
                occurred_at=occurred_at,
                receipt=receipt,
            )
        )
        late = " (late)" if status is ReportStatus.SUBMITTED and report.late else ""
        self.log(now, actor, f"report.{status}", f"{report.id}{late}")
