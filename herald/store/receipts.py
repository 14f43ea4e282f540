"""Provider receipts into the delivery ledger: the last step of a row's life.

    sending ─┐
    sent ────┼──receipt──▶ delivered / bounced / failed (permanent)
    unknown ─┘                 │
                 delivered ──▶ bounced   (email only: an asynchronous bounce)

Rules, and why:

- A receipt moves a row only from `sending`, `sent` or `unknown`. A receipt can overtake the
  sender's own `mark_sent` (fast providers call back within a second), so `sending` is
  accepted; `Ledger.mark_sent*` never overwrites delivered or bounced rows. `unknown` (a crash
  mid-send the provider could not resolve) is accepted because a receipt is exactly the
  proof that the provider had the message: leaving the row unknown invites a person to send
  it again.
- `delivered`, `bounced` and receipt-`failed` rows are final. The one exception: an email
  reported delivered may bounce later (the receiving server accepted it, then returned it),
  and a notice that did not arrive must let the campaign fall back to the next channel, so
  `delivered → bounced` is allowed for email. Both transitions are then counted once each.
- Receipt failures are `permanent_failure=True`: the provider tried and could not deliver,
  so the row is never claimed again on this channel (`Ledger.dead_channels` sees it).
- Duplicates (the same event twice in a batch, or a batch re-posted) find the row already
  moved and change nothing; only real transitions are counted.
- Every transition is a conditional UPDATE whose WHERE holds the allowed source states, so
  two requests (or a request and a sender) racing over one row cannot both win it.
- Receipts for keys the ledger does not have (mail sent before this ledger existed, another
  environment sharing the provider account) are ignored and logged by count only.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, update

from herald.models.delivery import ReceiptCounts
from herald.models.vocabulary import Channel, DeliveryState
from herald.receipts import Outcome, Receipt
from herald.store.tables import MAX_ERROR_LENGTH, Delivery

__all__ = ["record_receipts"]

log = logging.getLogger(__name__)

_CHUNK = 500
_NO_TIME = datetime.min.replace(tzinfo=UTC)
_TARGET = {
    Outcome.DELIVERED: DeliveryState.DELIVERED,
    Outcome.BOUNCED: DeliveryState.BOUNCED,
    Outcome.FAILED: DeliveryState.FAILED,
}
# Spelled as ORs, like the ledger's own conditions.
_UNFINISHED: ColumnElement[bool] = or_(
    Delivery.state == DeliveryState.SENDING,
    Delivery.state == DeliveryState.SENT,
    Delivery.state == DeliveryState.UNKNOWN,
)


def _sources(receipt: Receipt) -> ColumnElement[bool]:
    """The states a row may be in for this receipt to move it."""
    if receipt.outcome is Outcome.BOUNCED and receipt.channel is Channel.EMAIL:
        return or_(_UNFINISHED, Delivery.state == DeliveryState.DELIVERED)
    return _UNFINISHED


def _ordered(receipts: Sequence[Receipt]) -> list[Receipt]:
    """One receipt per event id, oldest first (receipts without a time first, in order)."""
    unique: dict[str, Receipt] = {}
    for receipt in receipts:
        unique.setdefault(receipt.event_id, receipt)
    return sorted(unique.values(), key=lambda r: r.occurred_at or _NO_TIME)


def record_receipts(engine: Engine, receipts: Sequence[Receipt]) -> list[tuple[str, ReceiptCounts]]:
    """Apply receipts to the ledger in one transaction.

    Args:
        engine: Herald's database (schema created).
        receipts: Parsed receipts, in any order, duplicates allowed.

    Returns:
        Per incident id and channel, what changed (only entries with a change), sorted by
        incident id then channel.
    """
    ordered = _ordered(receipts)
    if not ordered:
        return []
    counts: dict[tuple[str, Channel], Counter[Outcome]] = defaultdict(Counter)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        # Updates first: on SQLite the first write takes the lock, so the busy timeout applies.
        for receipt in ordered:
            for incident_id in _apply(conn, receipt, now):
                counts[(incident_id, receipt.channel)][receipt.outcome] += 1
        known = _known_keys(conn, {r.idempotency_key for r in ordered})
    moved = sum(sum(c.values()) for c in counts.values())
    unknown = sum(1 for r in ordered if r.idempotency_key not in known)
    if unknown:
        log.info("receipts: %d for messages not in the ledger ignored", unknown)
    unchanged = len(ordered) - unknown - moved
    if unchanged:
        log.debug("receipts: %d changed nothing (duplicate, or the row is final)", unchanged)
    return [
        (
            incident_id,
            ReceiptCounts(
                channel=channel,
                delivered=counter[Outcome.DELIVERED],
                bounced=counter[Outcome.BOUNCED],
                failed=counter[Outcome.FAILED],
            ),
        )
        for (incident_id, channel), counter in sorted(counts.items())
        if counter.total()
    ]


def _apply(conn: Connection, receipt: Receipt, now: datetime) -> list[str]:
    """Move the receipt's row if its state allows; return the incident id of each moved row."""
    condition = and_(
        Delivery.idempotency_key == receipt.idempotency_key,
        Delivery.channel == receipt.channel,
        _sources(receipt),
    )
    delivered = receipt.outcome is Outcome.DELIVERED
    reason = None if delivered else (receipt.reason or f"{receipt.outcome.value} (no reason given)")
    stmt = (
        update(Delivery)
        .where(condition)
        .values(
            state=_TARGET[receipt.outcome],
            # The sender's id wins; a receipt fills it in when it overtook mark_sent.
            provider_message_id=func.coalesce(
                Delivery.provider_message_id, receipt.provider_message_id
            ),
            last_error=None if reason is None else reason[:MAX_ERROR_LENGTH],
            permanent_failure=not delivered,
            updated_at=now,
        )
    )
    if conn.dialect.update_returning:
        return list(conn.execute(stmt.returning(Delivery.incident_id)).scalars())
    # Without RETURNING: read the incident first, then let the row count say who won.
    incidents = list(
        conn.execute(
            select(Delivery.incident_id).where(
                Delivery.idempotency_key == receipt.idempotency_key,
                Delivery.channel == receipt.channel,
            )
        ).scalars()
    )
    if not incidents or conn.execute(stmt).rowcount == 0:
        return []
    return incidents[:1]


def _known_keys(conn: Connection, keys: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(keys)):
        query = select(Delivery.idempotency_key).where(Delivery.idempotency_key.in_(chunk))
        found.update(conn.execute(query).scalars())
    return found


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
