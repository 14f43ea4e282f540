"""What makes a long incident page scannable and its forms honest: the summary strip's
delivery share, the timeline's newest rows with a filter by kind, the facts as editable
text and what an update changed, and why a person cannot approve a draft.

Plain data, like `views`: templates lay it out, tests check the numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from herald.console.views import ChannelProgress
from herald.lifecycle.errors import same_person
from herald.models import Draft, IncidentFacts, IncidentStatus
from herald.models.incident import TimelineEvent
from herald.models.messages import UpdateFactsResult
from herald.models.vocabulary import DraftState

__all__ = [
    "TIMELINE_ROWS",
    "DeliveryShare",
    "FactsChange",
    "TimelineView",
    "approve_block",
    "delivery_share",
    "facts_change",
    "facts_text",
    "timeline",
]

# Rows the incident page shows before "show all": a long campaign logs hundreds of events.
TIMELINE_ROWS = 50


@dataclass(frozen=True)
class DeliveryShare:
    """How far the campaigns got: people finished with (sent or settled) of those targeted."""

    done: int
    targeted: int

    @property
    def percent(self) -> int:
        """Whole percent, rounded down (100 only when every person is done)."""
        return self.done * 100 // self.targeted if self.targeted else 0


def delivery_share(rows: list[ChannelProgress]) -> DeliveryShare | None:
    """The campaigns' share done over every channel; None before any campaign started."""
    targeted = sum(row.targeted for row in rows)
    if not targeted:
        return None
    return DeliveryShare(done=sum(row.done for row in rows), targeted=targeted)


@dataclass(frozen=True)
class TimelineView:
    """The timeline rows to show (newest first), the kinds to filter by, and the counts."""

    events: list[TimelineEvent]
    kinds: list[str]
    kind: str
    matching: int
    total: int
    show_all: bool

    @property
    def truncated(self) -> bool:
        """Whether older matching rows were left out."""
        return len(self.events) < self.matching


def timeline(current: IncidentStatus, *, kind: str = "", show_all: bool = False) -> TimelineView:
    """The newest `TIMELINE_ROWS` events (all with `show_all`), of one kind if given.

    An unknown kind shows nothing rather than everything: the filter said what it wants.
    """
    kinds = sorted({event.kind for event in current.timeline})
    matching = [e for e in reversed(current.timeline) if not kind or e.kind == kind]
    shown = matching if show_all else matching[:TIMELINE_ROWS]
    return TimelineView(
        events=shown,
        kinds=kinds,
        kind=kind,
        matching=len(matching),
        total=len(current.timeline),
        show_all=show_all,
    )


def facts_text(facts: IncidentFacts) -> str:
    """The facts as JSON to edit in a textarea: what differs from the defaults, indented,
    so that parsing the text back gives the same facts."""
    data = facts.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class FactsChange:
    """What an update of the facts did, as the workflow answered and as the obligations
    moved (ids before and after)."""

    result: UpdateFactsResult
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)


def facts_change(
    before: IncidentStatus, after: IncidentStatus, result: UpdateFactsResult
) -> FactsChange:
    """Obligations that appeared or went away with the new facts, and those now open."""
    old = {o.id for o in before.obligations}
    new = {o.id for o in after.obligations}
    reopened = set(after.open_obligations) - set(before.open_obligations)
    return FactsChange(
        result=result,
        added=sorted(new - old),
        removed=sorted(old - new),
        opened=sorted(reopened & old),
    )


def approve_block(draft: Draft, actor: str) -> str | None:
    """Why `actor` cannot approve the draft's current version, or None when they may.

    The workflow enforces these rules (four eyes, one approval per person, nothing to
    approve twice); the page says them up front instead of offering a button that fails.
    """
    version = f"v{draft.version}"
    if draft.state is DraftState.APPROVED:
        return f"{version} is approved: nothing is left to approve."
    who = same_person(actor)
    if who == same_person(draft.author):
        return f"You wrote {version}; four eyes: someone else must approve it."
    mine = next((a for a in draft.approvals if same_person(a.approver) == who), None)
    if mine is not None:
        when = mine.at.strftime("%Y-%m-%d %H:%M UTC")
        return f"You approved {version} at {when}; a different person gives the next approval."
    if draft.state is DraftState.CHANGES_REQUESTED:
        return f"Changes were requested on {version}: approve it once a new version is saved."
    return None
