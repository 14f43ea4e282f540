"""The delivery ledger: one row per incident x person x channel, so no one is notified twice.

A row moves through these states:

    pending ──claim──▶ sending ──mark_sent──▶ sent (──▶ delivered / bounced, from providers)
       ▲                  │
       │                  └──mark_failed──▶ failed (retryable: claimable again;
       │                                             permanent: never claimed again)
       └──reconcile_sending (crash: the provider/outbox does not have it)

`claim` and `claim_many` are the only way into `sending`, and they use a conditional UPDATE
whose row count (or RETURNING) says who won, so two workers racing over the same people
never both send. Rows left in `sending` by a crash are resolved by `reconcile_sending`,
which asks the channel whether the message exists instead of sending it again.

A send-batch activity (which Temporal may retry after a crash) therefore does:

1. `reconcile_sending(..., person_ids=<the batch>)` for rows a previous attempt left in
   `sending` (add `older_than` if that attempt might still be running somewhere);
2. `claim_many(...)` and send only to the ids it returns;
3. `mark_sent_many(...)` / `mark_failed(...)` with each outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from herald.channels.base import make_idempotency_key
from herald.models.vocabulary import Channel, DeliveryState
from herald.store.tables import KEY_COLUMNS, MAX_ERROR_LENGTH, Delivery

__all__ = ["DeliveryRecord", "Ledger", "Reconciled"]

# Keeps IN lists well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500


@dataclass(frozen=True)
class DeliveryRecord:
    """A snapshot of one ledger row, safe to use after the connection is gone."""

    incident_id: str
    person_id: str
    channel: Channel
    state: DeliveryState
    provider_message_id: str | None
    attempts: int
    last_error: str | None
    permanent_failure: bool
    content_hash: str
    updated_at: datetime


class Reconciled(NamedTuple):
    """What `reconcile_sending` did: rows confirmed sent, put back to pending, held unknown."""

    sent: int
    reset: int
    unknown: int = 0


# pending, or failed for a reason a retry can fix.
_CLAIMABLE: ColumnElement[bool] = or_(
    Delivery.state == DeliveryState.PENDING,
    and_(Delivery.state == DeliveryState.FAILED, Delivery.permanent_failure.is_(False)),
)
# States a send outcome may overwrite; sent, delivered and bounced are final for the sender.
# Spelled as ORs, not IN: an expanding IN cannot be used in executemany (mark_sent_many).
# A permanent failure is final too: a provider's "failed" receipt can overtake the sender's
# own `mark_sent`, and must not be turned back into "sent".
_OPEN: ColumnElement[bool] = or_(
    Delivery.state == DeliveryState.PENDING,
    Delivery.state == DeliveryState.SENDING,
    and_(Delivery.state == DeliveryState.FAILED, Delivery.permanent_failure.is_(False)),
    Delivery.state == DeliveryState.UNKNOWN,
)
# What makes a person's contact point on a channel useless: fall back to the next channel.
_DEAD: ColumnElement[bool] = or_(
    Delivery.state == DeliveryState.BOUNCED,
    and_(Delivery.state == DeliveryState.FAILED, Delivery.permanent_failure.is_(True)),
)
_COLUMNS = (
    Delivery.incident_id,
    Delivery.person_id,
    Delivery.channel,
    Delivery.state,
    Delivery.provider_message_id,
    Delivery.attempts,
    Delivery.last_error,
    Delivery.permanent_failure,
    Delivery.content_hash,
    Delivery.updated_at,
)


class Ledger:
    """Claims and outcomes of deliveries, safe for several workers sharing one database."""

    def __init__(self, engine: Engine) -> None:
        """Use `engine` (from `herald.store.db.make_engine`; the schema must exist)."""
        self._engine = engine

    # ---- claiming ----------------------------------------------------------------------

    def claim(self, incident_id: str, person_id: str, channel: Channel, content_hash: str) -> bool:
        """Take the right to send one message now.

        Creates the row if missing, then moves it from pending or retryable-failed to
        sending. Returns False when the row is sending (another worker has it, or a crash left
        it: see `reconcile_sending`), sent, delivered, bounced or permanently failed.
        """
        return person_id in self.claim_many(incident_id, channel, [(person_id, content_hash)])

    def claim_many(
        self, incident_id: str, channel: Channel, items: Iterable[tuple[str, str]]
    ) -> set[str]:
        """`claim` for a batch, in one transaction.

        Args:
            incident_id: The incident.
            channel: The channel of every message in the batch.
            items: (person id, content hash of the message to send) pairs.

        Returns:
            The person ids this caller may send to now; the others were already claimed or
            done.
        """
        wanted = dict(items)
        if not wanted:
            return set()
        _check_keys(incident_id, wanted)
        # In key order: on PostgreSQL each row is locked as it is inserted or updated, and two
        # transactions taking the same rows in different orders could deadlock.
        wanted = dict(sorted(wanted.items()))
        now = _now()
        claimed: set[str] = set()
        with self._engine.begin() as conn:
            # Writing first takes SQLite's write lock at once, so the busy timeout applies
            # instead of a read-then-write upgrade failing with "database is locked".
            # New rows are inserted already claimed (the common case of a first run: one
            # statement instead of two); rows that existed go through the conditional UPDATE.
            fresh = self._insert_missing(
                conn,
                [
                    {
                        "incident_id": incident_id,
                        "person_id": person_id,
                        "channel": channel,
                        "state": DeliveryState.SENDING,
                        "attempts": 1,
                        "permanent_failure": False,
                        "content_hash": digest,
                        "idempotency_key": make_idempotency_key(incident_id, person_id, channel),
                        "updated_at": now,
                    }
                    for person_id, digest in wanted.items()
                ],
            )
            claimed.update(fresh)
            self._lock_in_key_order(
                conn, incident_id, channel, [pid for pid in wanted if pid not in fresh]
            )
            by_hash: dict[str, list[str]] = defaultdict(list)
            for person_id, digest in wanted.items():
                if person_id not in fresh:
                    by_hash[digest].append(person_id)
            for digest, person_ids in by_hash.items():
                for chunk in _chunks(person_ids):
                    stmt = (
                        update(Delivery)
                        .where(_key(incident_id, channel), Delivery.person_id.in_(chunk))
                        .where(_CLAIMABLE)
                        .values(
                            state=DeliveryState.SENDING,
                            attempts=Delivery.attempts + 1,
                            content_hash=digest,
                            updated_at=now,
                        )
                    )
                    claimed.update(self._update_returning_ids(conn, stmt, chunk))
        return claimed

    # ---- outcomes ----------------------------------------------------------------------

    def mark_sent(
        self, incident_id: str, person_id: str, channel: Channel, provider_message_id: str | None
    ) -> bool:
        """Record that the provider accepted the message. False if the row was already final."""
        stmt = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == person_id)
            .where(_OPEN)
            .values(
                state=DeliveryState.SENT,
                provider_message_id=provider_message_id,
                last_error=None,
                permanent_failure=False,
                updated_at=_now(),
            )
        )
        with self._engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def mark_sent_many(
        self, incident_id: str, channel: Channel, sent: Sequence[tuple[str, str | None]]
    ) -> None:
        """`mark_sent` for a batch of (person id, provider message id), in one transaction."""
        if not sent:
            return
        # Rows are locked in person-id order, as `claim_many` locks them, so two writers over
        # the same people on PostgreSQL never wait on each other in a circle.
        sent = sorted(sent, key=lambda item: item[0])
        stmt = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == bindparam("b_person"))
            .where(_OPEN)
            .values(
                state=DeliveryState.SENT,
                provider_message_id=bindparam("b_provider_id"),
                last_error=None,
                permanent_failure=False,
                updated_at=_now(),
            )
        )
        # A batch provider (SendGrid) gives one message id to a whole request: those rows
        # are marked by one UPDATE ... IN instead of one statement per person.
        by_id: dict[str | None, list[str]] = defaultdict(list)
        for pid, mid in sent:
            by_id[mid].append(pid)
        singles = [
            {"b_person": pids[0], "b_provider_id": mid}
            for mid, pids in by_id.items()
            if len(pids) == 1
        ]
        now = _now()
        with self._engine.begin() as conn:
            if singles:
                conn.execute(stmt, singles)
            for mid, pids in by_id.items():
                if len(pids) == 1:
                    continue
                for chunk in _chunks(pids):
                    conn.execute(
                        update(Delivery)
                        .where(_key(incident_id, channel), Delivery.person_id.in_(chunk))
                        .where(_OPEN)
                        .values(
                            state=DeliveryState.SENT,
                            provider_message_id=mid,
                            last_error=None,
                            permanent_failure=False,
                            updated_at=now,
                        )
                    )

    def mark_failed(
        self, incident_id: str, person_id: str, channel: Channel, *, error: str, permanent: bool
    ) -> bool:
        """Record a failed send; a retryable failure makes the row claimable again.

        Args:
            incident_id: The incident.
            person_id: The person.
            channel: The channel.
            error: Why, without personal data (it is stored and shown); truncated.
            permanent: True when retrying cannot help (invalid number, unsubscribed).

        Returns:
            False if the row was missing or already final (sent, delivered, bounced).
        """
        stmt = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == person_id)
            .where(_OPEN)
            .values(
                state=DeliveryState.FAILED,
                last_error=_error_text(error),
                permanent_failure=permanent,
                updated_at=_now(),
            )
        )
        with self._engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def release(self, incident_id: str, channel: Channel, person_ids: Sequence[str]) -> None:
        """Put claimed rows that were certainly not sent back to pending (the provider refused
        the whole request, or the attempt gave up before sending them)."""
        if not person_ids:
            return
        stmt = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == bindparam("b_person"))
            .where(Delivery.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, updated_at=_now())
        )
        with self._engine.begin() as conn:  # person-id order: see mark_sent_many
            conn.execute(stmt, [{"b_person": pid} for pid in sorted(person_ids)])

    def mark_failed_many(
        self, incident_id: str, channel: Channel, failures: Sequence[tuple[str, str]]
    ) -> None:
        """Record permanent refusals (person id, reason without personal data) in one go."""
        if not failures:
            return
        stmt = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == bindparam("b_person"))
            .where(_OPEN)
            .values(
                state=DeliveryState.FAILED,
                last_error=bindparam("b_error"),
                permanent_failure=True,
                updated_at=_now(),
            )
        )
        params = [
            {"b_person": pid, "b_error": _error_text(error)}
            for pid, error in sorted(failures, key=lambda item: item[0])  # see mark_sent_many
        ]
        with self._engine.begin() as conn:
            conn.execute(stmt, params)

    def dead_channels(
        self, incident_id: str, person_ids: Sequence[str], channels: Collection[Channel]
    ) -> dict[str, set[Channel]]:
        """Per person, the channels among `channels` that cannot reach them: the provider
        refused the contact point for good or it bounced (the fallback order skips them)."""
        if not person_ids or not channels:
            return {}
        dead: dict[str, set[Channel]] = defaultdict(set)
        query = select(Delivery.person_id, Delivery.channel).where(
            Delivery.incident_id == incident_id,
            Delivery.channel.in_(list(channels)),
            _DEAD,
        )
        with self._engine.connect() as conn:
            for chunk in _chunks(list(person_ids)):
                for person_id, channel in conn.execute(query.where(Delivery.person_id.in_(chunk))):
                    dead[person_id].add(Channel(channel))
        return dict(dead)

    # ---- crash recovery ----------------------------------------------------------------

    def reconcile_sending(
        self,
        incident_id: str,
        channel: Channel,
        is_delivered: Callable[[str], bool | None],
        *,
        person_ids: Collection[str] | None = None,
        older_than: datetime | None = None,
    ) -> Reconciled:
        """Resolve rows left in `sending` (a worker died between claim and outcome).

        Each such row becomes sent if `is_delivered(person_id)` says the provider or outbox
        has the message, pending again (to be claimed and sent normally) if it says the
        provider does not, and `unknown` if it returns None (the provider cannot tell): such a
        row is held for a person to decide (`resend_unknown`), never sent again on its own.
        Nothing is sent here. Limit the scope to rows no live worker can still hold: the
        person ids of the batch being retried, and/or rows not updated since `older_than`.

        Args:
            incident_id: The incident.
            channel: The channel.
            is_delivered: Asks the channel whether the message to this person exists.
            person_ids: Only these people (e.g. the batch being retried).
            older_than: Only rows whose last update is before this instant.

        Returns:
            How many rows were confirmed sent, reset to pending, or held as unknown.
        """
        query = select(Delivery.person_id).where(
            _key(incident_id, channel), Delivery.state == DeliveryState.SENDING
        )
        if older_than is not None:
            query = query.where(Delivery.updated_at < _utc(older_than))
        stuck: list[str] = []
        with self._engine.connect() as conn:
            if person_ids is None:
                stuck.extend(conn.execute(query).scalars())
            else:
                for chunk in _chunks(list(person_ids)):
                    stuck.extend(conn.execute(query.where(Delivery.person_id.in_(chunk))).scalars())
        if not stuck:
            return Reconciled(0, 0, 0)
        # Ask the channel outside any transaction: it may be a slow provider lookup.
        answers = {person_id: is_delivered(person_id) for person_id in stuck}
        delivered = [pid for pid, answer in answers.items() if answer is True]
        reset = [pid for pid, answer in answers.items() if answer is False]
        unknown = [pid for pid, answer in answers.items() if answer is None]
        resolve = (
            update(Delivery)
            .where(_key(incident_id, channel), Delivery.person_id == bindparam("b_person"))
            # Still sending: a worker that finished meanwhile keeps its own outcome.
            .where(Delivery.state == DeliveryState.SENDING)
        )
        if older_than is not None:
            # Re-checked here: a row a live attempt touched since the read stays its own.
            resolve = resolve.where(Delivery.updated_at < _utc(older_than))
        now = _now()
        with self._engine.begin() as conn:
            if delivered:
                conn.execute(
                    resolve.values(state=DeliveryState.SENT, last_error=None, updated_at=now),
                    [{"b_person": person_id} for person_id in delivered],
                )
            if reset:
                conn.execute(
                    resolve.values(state=DeliveryState.PENDING, updated_at=now),
                    [{"b_person": person_id} for person_id in reset],
                )
            if unknown:
                conn.execute(
                    resolve.values(
                        state=DeliveryState.UNKNOWN,
                        last_error="interrupted mid-send; the provider cannot say if it has it",
                        updated_at=now,
                    ),
                    [{"b_person": person_id} for person_id in unknown],
                )
        return Reconciled(sent=len(delivered), reset=len(reset), unknown=len(unknown))

    def resend_unknown(self, incident_id: str, channel: Channel | None = None) -> int:
        """A person's decision: send the rows held as `unknown` again (they become pending).

        Returns how many rows were released. The next campaign run sends them.
        """
        stmt = update(Delivery).where(
            Delivery.incident_id == incident_id, Delivery.state == DeliveryState.UNKNOWN
        )
        if channel is not None:
            stmt = stmt.where(Delivery.channel == channel)
        with self._engine.begin() as conn:
            return conn.execute(
                stmt.values(state=DeliveryState.PENDING, updated_at=_now())
            ).rowcount

    # ---- reading -----------------------------------------------------------------------

    def get(self, incident_id: str, person_id: str, channel: Channel) -> DeliveryRecord | None:
        """The row for one person and channel, if any."""
        query = select(*_COLUMNS).where(_key(incident_id, channel), Delivery.person_id == person_id)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _record(row._mapping)

    def rows_in_state(
        self,
        incident_id: str,
        state: DeliveryState,
        *,
        channel: Channel | None = None,
        limit: int | None = None,
    ) -> list[DeliveryRecord]:
        """Rows of an incident in one state (optionally one channel), oldest update first."""
        query = select(*_COLUMNS).where(
            Delivery.incident_id == incident_id, Delivery.state == state
        )
        if channel is not None:
            query = query.where(Delivery.channel == channel)
        query = query.order_by(Delivery.updated_at, Delivery.id).limit(limit)
        with self._engine.connect() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]

    def counts(self, incident_id: str, channel: Channel | None = None) -> dict[str, int]:
        """Number of rows per state (every state present, zero included)."""
        query = select(Delivery.state, func.count()).where(Delivery.incident_id == incident_id)
        if channel is not None:
            query = query.where(Delivery.channel == channel)
        result = {state.value: 0 for state in DeliveryState}
        with self._engine.connect() as conn:
            for state, number in conn.execute(query.group_by(Delivery.state)):
                result[DeliveryState(state).value] = number
        return result

    # ---- helpers -----------------------------------------------------------------------

    @staticmethod
    def _insert_missing(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
        """INSERT the rows, skipping those whose key already exists; return the person ids
        inserted. Where the database cannot say which, the rows are inserted as pending
        instead (and the caller's conditional UPDATE claims them)."""
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert_fn = sqlite_insert if dialect == "sqlite" else pg_insert
            stmt = insert_fn(Delivery).on_conflict_do_nothing(index_elements=KEY_COLUMNS)
            if conn.dialect.insert_executemany_returning:
                result = conn.execute(stmt.returning(Delivery.person_id), rows)
                return set(result.scalars())
            conn.execute(stmt, [_as_pending(row) for row in rows])
            return set()
        # Portable but slower: one savepoint per row.
        for row in rows:
            try:
                with conn.begin_nested():
                    conn.execute(insert(Delivery), _as_pending(row))
            except IntegrityError:
                pass
        return set()

    @staticmethod
    def _lock_in_key_order(
        conn: Connection, incident_id: str, channel: Channel, person_ids: list[str]
    ) -> None:
        """Lock existing rows in person-id order before the UPDATEs that claim them.

        The claiming UPDATEs run per content hash and per chunk, and PostgreSQL locks rows
        in whatever order a plan visits them; locking them all first, in one global order,
        keeps two overlapping batches from deadlocking. SQLite locks the whole database.
        """
        dialect = conn.dialect.name
        if dialect == "sqlite" or not person_ids:
            return
        # Python's order (code points) is PostgreSQL's "C" collation: with the ids sorted by
        # the caller, the chunks too come in one global order, whatever the database's locale.
        order = Delivery.person_id.collate("C") if dialect == "postgresql" else Delivery.person_id
        for chunk in _chunks(person_ids):
            conn.execute(
                select(Delivery.id)
                .where(_key(incident_id, channel), Delivery.person_id.in_(chunk))
                .order_by(order)
                .with_for_update()
            ).all()

    @staticmethod
    def _update_returning_ids(conn: Connection, stmt: Any, person_ids: list[str]) -> set[str]:
        """Run a conditional UPDATE over `person_ids`; return the ids it changed."""
        if conn.dialect.update_returning:
            return set(conn.execute(stmt.returning(Delivery.person_id)).scalars())
        # Without RETURNING, one statement per id tells who was updated by its row count.
        won = set()
        for person_id in person_ids:
            single = stmt.where(Delivery.person_id == person_id)
            if conn.execute(single).rowcount == 1:
                won.add(person_id)
        return won


def _as_pending(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "state": DeliveryState.PENDING, "attempts": 0}


def _key(incident_id: str, channel: Channel) -> ColumnElement[bool]:
    return and_(Delivery.incident_id == incident_id, Delivery.channel == channel)


def _check_keys(incident_id: str, wanted: dict[str, str]) -> None:
    """Refuse, on every database, key values the ledger's columns cannot hold.

    PostgreSQL fails the whole batch on a value longer than its column or holding NUL, where
    SQLite would store it: refusing here makes a run on SQLite show what PostgreSQL would
    do. The error names the field and the batch position, never the value (a person id may
    be personal data).
    """
    _check_value("incident id", incident_id, "incident_id")
    for position, (person_id, digest) in enumerate(wanted.items(), start=1):
        _check_value(f"item {position} of the batch: person id", person_id, "person_id")
        _check_value(f"item {position} of the batch: content hash", digest, "content_hash")


def _check_value(what: str, value: str, column: str) -> None:
    limit = cast(String, Delivery.__table__.c[column].type).length or 0
    if len(value) > limit or "\x00" in value:
        raise ValueError(f"{what} must be at most {limit} characters, without NUL")


def _error_text(error: str) -> str:
    # PostgreSQL text cannot hold NUL (a provider's error body might); the column has a limit.
    return error.replace("\x00", "\ufffd")[:MAX_ERROR_LENGTH]


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite stores DateTime without an offset, so every stored instant must be UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _record(row: Any) -> DeliveryRecord:
    values = dict(row)
    values["channel"] = Channel(values["channel"])
    values["state"] = DeliveryState(values["state"])
    values["updated_at"] = _utc(values["updated_at"])
    return DeliveryRecord(**values)
