"""`herald incident watch`: what the progress view shows, from campaign summaries and the
delivery ledger's counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from herald.cli.watch import (
    ChannelProgress,
    awaiting_notices,
    channel_progress,
    plain_lines,
    render,
    sending_over,
)
from herald.models import (
    Audience,
    Channel,
    DeliverySummary,
    Draft,
    DraftState,
    Phase,
    ReceiptCounts,
)

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def running(obligation: str, channel: Channel) -> DeliverySummary:
    """A campaign as the incident lists it while it sends: no totals yet."""
    return DeliverySummary(obligation_id=obligation, channel=channel)


def finished(obligation: str, channel: Channel, **counts: int) -> DeliverySummary:
    return DeliverySummary(obligation_id=obligation, channel=channel, completed=True, **counts)


def ledger(**states: int) -> dict[str, int]:
    return {
        "pending": 0,
        "sending": 0,
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "bounced": 0,
        "unknown": 0,
    } | states


def test_a_running_campaign_counts_ledger_rows_against_the_contactable() -> None:
    [email] = channel_progress(
        [running("gdpr-individuals", Channel.EMAIL)],
        {"email": ledger(sent=900, delivered=80, bounced=20, failed=5, sending=50)},
        contactable={"email": 4000, "sms": 3000},
    )

    assert email == ChannelProgress(
        channel="email", sent=1000, failed=5, total=4000, estimated=True, campaigns=1
    )
    assert not email.done and email.processed == 1005


def test_ledger_rows_beyond_the_estimate_raise_the_total() -> None:
    [sms] = channel_progress(
        [running("o1", Channel.SMS)], {"sms": ledger(sent=30, pending=20)}, contactable={}
    )

    assert sms.total == 50 and sms.estimated


def test_completed_campaigns_show_their_own_totals_summed_over_obligations() -> None:
    progress = channel_progress(
        [
            finished("o2", Channel.SMS, targeted=10, sent=9, failed=1),
            finished("o1", Channel.EMAIL, targeted=100, sent=90, already_sent=8, failed=2),
            finished("o2", Channel.EMAIL, targeted=50, sent=50),
        ],
        # The ledger may lag or hold other rows; a completed channel does not read it.
        {"email": ledger(sent=1)},
        contactable={"email": 10_000},
        receipts=[ReceiptCounts(channel=Channel.EMAIL, delivered=120, bounced=3)],
    )

    assert [p.channel for p in progress] == ["email", "sms"]  # channel order, not arrival
    email, sms = progress
    assert email == ChannelProgress(
        channel="email",
        sent=148,
        failed=2,
        total=150,
        estimated=False,
        campaigns=2,
        completed=2,
        delivered=120,
        bounced=3,
    )
    assert email.done and sms.done and sms.total == 10


def test_one_campaign_still_running_keeps_the_channel_live() -> None:
    [email] = channel_progress(
        [finished("o1", Channel.EMAIL, targeted=100, sent=100), running("o2", Channel.EMAIL)],
        {"email": ledger(sent=130)},
        contactable={"email": 400},
    )

    assert (email.sent, email.total, email.completed, email.campaigns) == (130, 400, 1, 2)
    assert not email.done


def test_the_bar_fills_with_the_share_of_people_with_an_outcome() -> None:
    quarter = ChannelProgress(channel="email", sent=240, failed=10, total=1000, campaigns=1)
    complete = ChannelProgress(
        channel="sms", sent=7, total=7, estimated=False, campaigns=1, completed=1
    )

    header, email, sms = render("INC-1", Phase.NOTIFYING, [quarter, complete], width=20)

    assert header == "INC-1: notifying"
    assert email == "  email  █████░░░░░░░░░░░░░░░  240/~1,000 sent, 10 failed · sending (0/1 done)"
    assert sms == "  sms    ████████████████████  7/7 sent · done"


def test_a_channel_whose_people_went_elsewhere_shows_full_when_done() -> None:
    # Fewer people than contactable: the fallback order sent the rest on another channel.
    done = ChannelProgress(
        channel="sms", sent=3, total=3, estimated=False, campaigns=1, completed=1
    )
    empty = ChannelProgress(channel="sms", campaigns=1)

    assert "█" * 10 in render("I", Phase.REPORTING, [done], width=10)[1]
    assert "░" * 10 + "  0/~0 sent" in render("I", Phase.NOTIFYING, [empty], width=10)[1]


def test_before_any_campaign_the_view_says_why() -> None:
    assert render("INC-1", Phase.AWAITING_APPROVAL, []) == [
        "INC-1: awaiting_approval, no campaign yet (drafts must be approved)"
    ]
    assert render("INC-1", Phase.MONITORING, []) == ["INC-1: monitoring, no campaign"]


def test_plain_output_prints_only_changes_without_control_codes() -> None:
    first = [ChannelProgress(channel="email", sent=10, total=100, campaigns=1)]
    later = [
        ChannelProgress(channel="email", sent=10, total=100, campaigns=1),
        ChannelProgress(channel="sms", sent=1, total=5, campaigns=1),
    ]

    lines, seen = plain_lines("INC-1", Phase.NOTIFYING, first, {})
    assert lines == ["INC-1: notifying", "email: 10/~100 sent · sending (0/1 done)"]
    again, seen = plain_lines("INC-1", Phase.NOTIFYING, first, seen)
    assert again == []
    more, seen = plain_lines("INC-1", Phase.NOTIFYING, later, seen)
    assert more == ["sms: 1/~5 sent · sending (0/1 done)"]
    end, _ = plain_lines("INC-1", Phase.REPORTING, later, seen)
    assert end == ["INC-1: reporting"]
    assert not any(CONTROL.search(line) or "█" in line for line in lines + more + end)


def test_watching_ends_when_sending_is_over() -> None:
    live = [finished("o1", Channel.EMAIL, targeted=1, sent=1), running("o1", Channel.SMS)]
    done = [finished("o1", Channel.EMAIL, targeted=1, sent=1)]

    assert not sending_over(Phase.NOTIFYING, live)
    assert sending_over(Phase.REPORTING, done)
    assert not sending_over(Phase.AWAITING_APPROVAL, [])  # campaigns are still to come
    assert sending_over(Phase.MONITORING, [])  # none will come: no individual notices
    assert sending_over(Phase.CLOSED, live)


def draft(obligation: str, audience: Audience, state: DraftState) -> Draft:
    return Draft(
        id=f"{obligation}.{audience}",
        obligation_id=obligation,
        audience=audience,
        channel=Channel.EMAIL if audience is Audience.INDIVIDUALS else Channel.REPORT,
        language="en",
        body="text",
        content_hash="h",
        author="rory",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        state=state,
    )


def test_notices_still_to_approve_keep_the_watch_going() -> None:
    drafts = [
        draft("gdpr-individuals", Audience.INDIVIDUALS, DraftState.PENDING_APPROVAL),
        draft("ccpa-individuals", Audience.INDIVIDUALS, DraftState.CHANGES_REQUESTED),
        draft("waived-individuals", Audience.INDIVIDUALS, DraftState.PENDING_APPROVAL),
        draft("us-ca-individuals", Audience.INDIVIDUALS, DraftState.APPROVED),
        draft("gdpr-regulator", Audience.REGULATOR, DraftState.PENDING_APPROVAL),
    ]
    # A waived obligation's notice will never be sent: not waited for.
    still_open = ["gdpr-individuals", "ccpa-individuals", "us-ca-individuals", "gdpr-regulator"]
    done = [finished("us-ca-individuals", Channel.EMAIL, targeted=1, sent=1)]

    assert awaiting_notices(drafts, still_open) == 2
    assert not sending_over(Phase.AWAITING_APPROVAL, done, awaiting=2)
    assert sending_over(Phase.CLOSED, done, awaiting=2)
    assert render("INC-1", Phase.AWAITING_APPROVAL, [], awaiting=2) == [
        "INC-1: awaiting_approval, 2 notice draft(s) await approval"
    ]
