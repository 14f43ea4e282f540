"""Shapes the console draws from an incident's status: bar charts, delivery progress per
channel, diff lines and report rows. Plain data, so templates only lay it out and the
tests can check the numbers without parsing SVG.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from herald.lifecycle.phases import phases_for
from herald.models import FILED_STATUSES, Draft, IncidentStatus
from herald.models.assessment import Assessment
from herald.models.reports import STATUS_TRANSITIONS, RegulatorReport
from herald.models.vocabulary import Phase, ReportStatus, RiskLevel

__all__ = [
    "Bar",
    "Chart",
    "ChannelProgress",
    "DiffLine",
    "ReportRow",
    "by_category",
    "by_jurisdiction",
    "delivering",
    "diff_lines",
    "progress",
    "report_rows",
    "required_content",
    "severity",
]

CHART_WIDTH = 360  # px of the longest bar; labels sit left of the bars
BAR_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and width in the chart's coordinates."""

    label: str
    value: int
    width: int
    y: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart with its title (also the accessible name)."""

    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        """The SVG's height."""
        return max(1, len(self.bars)) * BAR_HEIGHT + 4

    @property
    def total(self) -> int:
        """Sum of the values (the data table's last row)."""
        return sum(bar.value for bar in self.bars)


def _chart(title: str, counts: Counter[str]) -> Chart:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    largest = max((value for _, value in ordered), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            width=max(1, round(value / largest * CHART_WIDTH)),
            y=i * BAR_HEIGHT,
        )
        for i, (label, value) in enumerate(ordered)
    ]
    return Chart(title=title, bars=bars)


def by_jurisdiction(assessment: Assessment) -> Chart:
    """People affected per jurisdiction."""
    return _chart(
        "People affected by jurisdiction",
        Counter({row.jurisdiction: row.count for row in assessment.jurisdictions}),
    )


def by_category(assessment: Assessment) -> Chart:
    """People per exposed data category, summed over jurisdictions."""
    counts: Counter[str] = Counter()
    for row in assessment.jurisdictions:
        counts.update(row.data_categories)
    return _chart("People affected by data category", counts)


def severity(current: IncidentStatus) -> RiskLevel | None:
    """The risk as judged (the assessment), else as the facts state it."""
    if current.assessment is not None:
        return current.assessment.risk
    return current.facts.risk


@dataclass(frozen=True)
class ChannelProgress:
    """One channel's campaign totals, with the provider receipts that came back."""

    channel: str
    targeted: int
    sent: int
    already_sent: int
    failed: int
    unreachable: int
    undeliverable: int
    unknown: int
    delivered: int
    bounced: int
    receipt_failed: int
    completed: bool

    @property
    def done(self) -> int:
        """People the campaign finished with, one way or another (the progress bar)."""
        return min(
            self.targeted,
            self.sent + self.already_sent + self.failed + self.unreachable + self.unknown,
        )


def progress(current: IncidentStatus) -> list[ChannelProgress]:
    """Per channel: what the campaigns did (summed over obligations) and the receipts."""
    rows: dict[str, dict[str, int]] = {}
    completed: dict[str, bool] = {}
    for summary in current.deliveries:
        row = rows.setdefault(summary.channel.value, Counter())
        for name in (
            "targeted",
            "sent",
            "already_sent",
            "failed",
            "unreachable",
            "undeliverable",
            "unknown",
        ):
            row[name] += getattr(summary, name)
        completed[summary.channel.value] = (
            completed.get(summary.channel.value, True) and summary.completed
        )
    receipts: dict[str, Counter[str]] = {}
    for counts in current.receipts:
        got = receipts.setdefault(counts.channel.value, Counter())
        got.update(delivered=counts.delivered, bounced=counts.bounced, failed=counts.failed)
    return [
        ChannelProgress(
            channel=channel,
            delivered=receipts.get(channel, Counter())["delivered"],
            bounced=receipts.get(channel, Counter())["bounced"],
            receipt_failed=receipts.get(channel, Counter())["failed"],
            completed=completed[channel],
            **row,
        )
        for channel, row in sorted(rows.items())
    ]


def delivering(current: IncidentStatus) -> bool:
    """Whether progress can still change soon: worth polling for."""
    if current.phase == Phase.CLOSED:
        return False
    if current.phase in (Phase.NOTIFYING, Phase.ASSESSING, Phase.DRAFTING):
        return True
    return any(not summary.completed for summary in current.deliveries)


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: `kind` is add, del, hunk, file or same."""

    kind: str
    mark: str
    text: str


def diff_lines(text: str) -> list[DiffLine]:
    """A unified diff split for display; the +/- mark stays visible beside the colour."""
    lines: list[DiffLine] = []
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            lines.append(DiffLine("file", line[:3], line[3:]))
        elif line.startswith("@@"):
            lines.append(DiffLine("hunk", "@@", line[2:]))
        elif line.startswith("+"):
            lines.append(DiffLine("add", "+", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("del", "−", line[1:]))
        else:
            lines.append(DiffLine("same", " ", line[1:]))
    return lines


def required_content(current: IncidentStatus, draft: Draft) -> list[tuple[str, bool]]:
    """(element, present) for each element the draft's obligation requires."""
    obligation = next((o for o in current.obligations if o.id == draft.obligation_id), None)
    required = list(obligation.required_content) if obligation else []
    required += [name for name in draft.missing_elements if name not in required]
    return [(name, name not in draft.missing_elements) for name in required]


@dataclass(frozen=True)
class ReportRow:
    """One regulator report on the tracker, with its incident."""

    incident_id: str
    report: RegulatorReport
    acknowledged_at: datetime | None
    next_statuses: list[ReportStatus]
    follow_ups: list[tuple[str, str]]
    acknowledgeable: bool

    @property
    def overdue(self) -> bool:
        """Past due and not filed."""
        return self.report.overdue


def report_rows(current: IncidentStatus) -> list[ReportRow]:
    """The incident's reports with their acknowledgement, the statuses they may take, the
    follow-up phases that may be opened, and whether a reminder waits for acknowledgement.

    These only choose which forms to offer; the workflow still decides every request.
    """
    rows = []
    ids = {report.id for report in current.reports}
    waived = {waiver.obligation_id for waiver in current.waivers}
    for report in current.reports:
        acks = [c.occurred_at or c.at for c in report.history if c.status == "acknowledged"]
        allowed = STATUS_TRANSITIONS.get(report.status, frozenset())
        filed = report.status in FILED_STATUSES
        running = not filed and not report.withdrawn and report.id not in waived
        rows.append(
            ReportRow(
                incident_id=current.incident_id,
                report=report,
                acknowledged_at=max(acks) if acks else None,
                # APPROVED comes from approving the report's draft, never from a form.
                next_statuses=[s for s in ReportStatus if s in allowed and s != "approved"],
                # A phase opened once is a report of its own (`{id}-{phase}`).
                follow_ups=sorted(
                    (phase, rule)
                    for phase, rule in phases_for(report.regime).items()
                    if f"{report.id}-{phase}" not in ids
                )
                if filed and not report.withdrawn
                else [],
                acknowledgeable=running and bool(report.reminders_sent or report.overdue),
            )
        )
    return rows
