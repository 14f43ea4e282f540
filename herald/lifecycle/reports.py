"""Regulator report tracking: allowed status moves, filing, lateness, reopening."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from herald.lifecycle.errors import SYSTEM_ACTOR, LifecycleError
from herald.models import (
    FILED_STATUSES,
    STATUS_TRANSITIONS,
    Draft,
    IncidentInput,
    RegulatorReport,
    ReportStatus,
    StatusChange,
    Waiver,
)
from herald.models.messages import RecordRegulatorStatusInput


class ReportTracking:
    """The report half of IncidentState (a mixin: the fields live on the model)."""

    if TYPE_CHECKING:
        # Fields of IncidentState, which this mixin is part of.
        inp: IncidentInput
        facts_version: int
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

    def check_status(self, inp: RecordRegulatorStatusInput) -> RegulatorReport:
        """Refuse a status that does not follow the report's allowed transitions."""
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
        """Record a status reported by a person or the authority."""
        report = self.check_status(inp)
        self._set_report_status(report, inp.status, now, inp.actor, inp.reference, inp.note)
        return report

    def _set_report_status(
        self,
        report: RegulatorReport,
        status: ReportStatus,
        now: datetime,
        actor: str,
        reference: str | None = None,
        note: str = "",
    ) -> None:
        report.status = status
        if reference:
            report.reference = reference
        if status is ReportStatus.SUBMITTED:
            report.submitted_at = now
            # Deadlines chained to this filing (NIS2's final report, Brazil's supplement)
            # resolve from it when obligations are judged again.
            self.notified_at[report.id] = now
            report.late = bool(report.due_at and now > report.due_at)
        report.history.append(
            StatusChange(status=status, at=now, actor=actor, reference=reference, note=note)
        )
        late = " (late)" if status is ReportStatus.SUBMITTED and report.late else ""
        self.log(now, actor, f"report.{status}", f"{report.id}{late}")
