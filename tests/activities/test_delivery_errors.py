"""send_notice_batch against a misbehaving provider, in provider-sized batches, paced.

Rate limits waited out or handed to Temporal, a refused configuration, a connection lost
mid-request and what reconciliation makes of it, SendGrid's partly sent batches; groups of
`max_batch`, when outcomes reach the ledger, and the per-channel rate.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

import activities.delivery
from herald.channels import OutboxChannel, OutgoingMessage
from herald.channels.base import ProviderConfigError, TransientSendError
from herald.channels.pacing import RateLimiter
from herald.models import DeliveryState
from herald.store import Ledger
from tests.activities.delivery_support import (
    EMAIL,
    INC,
    SMS,
    TINY_TIMEOUT,
    Attempt,
    Partial,
    Population,
    ScriptedOutbox,
    email_people,
    outbox_files,
    phone_people,
    population_of,
    state,
    states,
    summary_of,
)

PEOPLE = 7  # groups of 3: [E001-E003], [E004-E006], [E007]
IDS = [f"E{i:03d}" for i in range(1, PEOPLE + 1)]


@pytest.fixture
def population(tmp_path: Path) -> Population:
    return population_of(tmp_path / "population.csv", email_people(PEOPLE))


def _rate_limited(retry_after: float | None = 0.01) -> TransientSendError:
    return TransientSendError("provider rate limit (429)", retry_after=retry_after)


# ---- rate limits and refusals of the whole request --------------------------------------------


def test_rate_limit_with_retry_after_is_waited_out_and_nobody_gets_it_twice(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    provider = ScriptedOutbox(outbox, max_batch=3, script=[None, _rate_limited(), _rate_limited()])
    started = time.monotonic()

    summary = Attempt().send(ledger, provider, population)

    assert time.monotonic() - started >= 0.02
    assert provider.calls == [IDS[:3], IDS[3:6], IDS[3:6], IDS[3:6], IDS[6:]]
    assert provider.sent == IDS
    assert summary == summary_of(targeted=PEOPLE, sent=PEOPLE)
    assert states(ledger, IDS) == {DeliveryState.SENT}


def test_rate_limit_that_lasts_is_raised_and_the_unsent_rows_are_released(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    waits = activities.delivery.TRANSIENT_RETRIES
    provider = ScriptedOutbox(outbox, max_batch=3, script=[None] + [_rate_limited()] * (waits + 1))
    first = Attempt()

    with pytest.raises(TransientSendError, match="429"):
        first.send(ledger, provider, population)

    assert provider.calls == [IDS[:3]] + [IDS[3:6]] * (waits + 1)
    assert states(ledger, IDS[:3]) == {DeliveryState.SENT}
    assert states(ledger, IDS[3:]) == {DeliveryState.PENDING}  # nothing of them was sent

    # Temporal's retry sends the rest, without a lookup (nothing was in doubt).
    retry = ScriptedOutbox(outbox, max_batch=3)
    summary = Attempt(attempt=2, details=first.beats[-1]).send(ledger, retry, population)
    assert retry.sent == IDS[3:] and retry.lookups == []
    assert summary == summary_of(targeted=PEOPLE, sent=4, already_sent=3)


def test_transient_error_without_retry_after_is_left_to_temporal_at_once(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    provider = ScriptedOutbox(outbox, max_batch=3, script=[_rate_limited(None)])

    with pytest.raises(TransientSendError):
        Attempt().send(ledger, provider, population)

    assert provider.calls == [IDS[:3]]
    assert states(ledger, IDS) == {DeliveryState.PENDING}


def test_provider_config_error_stops_the_campaign_for_good_and_releases_the_rows(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    refused = ProviderConfigError("provider refused the API key (401)")
    provider = ScriptedOutbox(outbox, max_batch=3, script=[None, refused])

    with pytest.raises(ApplicationError) as caught:
        Attempt().send(ledger, provider, population)

    assert caught.value.type == "ProviderConfigError"
    assert caught.value.non_retryable is True
    assert "API key (401)" in str(caught.value) and "@" not in str(caught.value)
    assert provider.calls == [IDS[:3], IDS[3:6]]
    assert states(ledger, IDS[:3]) == {DeliveryState.SENT}
    assert states(ledger, IDS[3:]) == {DeliveryState.PENDING}


# ---- a request that dies: reconciliation ------------------------------------------------------


def _crash_mid_group(
    population: Population, ledger: Ledger, outbox: OutboxChannel, *, can_tell: bool
) -> Attempt:
    """Group 2 dies after the provider took E004: E004-E006 are in doubt."""
    crashing = ScriptedOutbox(outbox, max_batch=3, crash_after=4, can_tell=can_tell)
    first = Attempt()
    with pytest.raises(RuntimeError, match="connection lost"):
        first.send(ledger, crashing, population)
    assert crashing.sent == IDS[:4]
    assert states(ledger, IDS[:3]) == {DeliveryState.SENT}
    assert states(ledger, IDS[3:6]) == {DeliveryState.SENDING}
    assert state(ledger, IDS[6]) is DeliveryState.PENDING  # a later group: certainly unsent
    time.sleep(0.02)  # older than the retry's heartbeat timeout: left by a dead attempt
    return first


def test_a_request_that_dies_leaves_its_group_sending_and_the_retry_reconciles_it(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    first = _crash_mid_group(population, ledger, outbox, can_tell=True)
    retry = ScriptedOutbox(outbox, max_batch=3, can_tell=True)

    summary = Attempt(attempt=2, details=first.beats[-1], heartbeat_timeout=TINY_TIMEOUT).send(
        ledger, retry, population
    )

    assert retry.lookups == [IDS[3:6]]  # the rows in doubt, not the three already sent
    assert retry.sent == IDS[4:]  # E004 is in the outbox: recorded, not sent again
    assert states(ledger, IDS) == {DeliveryState.SENT}
    assert len(outbox_files(outbox)) == PEOPLE
    assert summary == summary_of(targeted=PEOPLE, sent=3, already_sent=4)


def test_rows_the_provider_cannot_account_for_are_held_unknown_until_a_person_resends(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    first = _crash_mid_group(population, ledger, outbox, can_tell=False)
    retry = ScriptedOutbox(outbox, max_batch=3, can_tell=False)

    summary = Attempt(attempt=2, details=first.beats[-1], heartbeat_timeout=TINY_TIMEOUT).send(
        ledger, retry, population
    )

    assert retry.lookups == [IDS[3:6]]
    assert retry.sent == [IDS[6]]  # never E004-E006: E004 has it, the others may
    assert states(ledger, IDS[3:6]) == {DeliveryState.UNKNOWN}
    assert summary == summary_of(targeted=PEOPLE, sent=1, already_sent=3, unknown=3)
    # A new run of the campaign does not send them either.
    again = Attempt().send(ledger, retry, population)
    assert retry.sent == [IDS[6]]
    assert again == summary_of(targeted=PEOPLE, already_sent=4, unknown=3)

    # A person decides to send them again; the next run does.
    assert ledger.resend_unknown(INC, EMAIL) == 3
    resent = Attempt().send(ledger, retry, population)
    assert retry.sent == [IDS[6], *IDS[3:6]]
    assert states(ledger, IDS) == {DeliveryState.SENT}
    assert resent == summary_of(targeted=PEOPLE, sent=3, already_sent=4)


# ---- a batch the provider settled in part (SendGrid) ------------------------------------------


def test_a_partly_sent_batch_is_recorded_and_only_the_rest_is_asked_again(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    provider = ScriptedOutbox(
        outbox, max_batch=3, refuse={"E002"}, script=[Partial(settled=2, retry_after=0.01)]
    )

    summary = Attempt().send(ledger, provider, population)

    assert provider.calls == [IDS[:3], IDS[2:3], IDS[3:6], IDS[6:]]
    assert provider.sent == ["E001", *IDS[2:]] and provider.refused == ["E002"]
    assert summary == summary_of(targeted=PEOPLE, sent=6, failed=1)
    assert state(ledger, "E002") is DeliveryState.FAILED


def test_a_partly_sent_batch_left_to_temporal_releases_only_the_unsettled_rows(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    provider = ScriptedOutbox(outbox, max_batch=3, script=[Partial(settled=2, retry_after=None)])
    first = Attempt()

    with pytest.raises(TransientSendError):
        first.send(ledger, provider, population)

    assert states(ledger, IDS[:2]) == {DeliveryState.SENT}
    assert states(ledger, IDS[2:]) == {DeliveryState.PENDING}
    assert first.beats == []  # failed on its first request: Temporal retries from the start
    retry = ScriptedOutbox(outbox, max_batch=3)
    summary = Attempt(attempt=2).send(ledger, retry, population)
    assert retry.sent == IDS[2:]
    assert summary == summary_of(targeted=PEOPLE, sent=5, already_sent=2)


# ---- groups and when their outcomes are written -----------------------------------------------


def test_a_batch_provider_gets_groups_of_max_batch_and_each_is_recorded_before_the_next(
    tmp_path: Path, ledger: Ledger, outbox: OutboxChannel
) -> None:
    population = population_of(tmp_path / "ten.csv", email_people(10))
    recorded: list[int] = []

    def before_call(messages: Sequence[OutgoingMessage]) -> None:
        recorded.append(ledger.counts(INC, EMAIL)["sent"])

    provider = ScriptedOutbox(outbox, max_batch=3, before_call=before_call)

    summary = Attempt().send(ledger, provider, population)

    assert [len(call) for call in provider.calls] == [3, 3, 3, 1]
    assert recorded == [0, 3, 6, 9]
    assert summary == summary_of(targeted=10, sent=10)


def test_a_one_at_a_time_provider_has_its_outcomes_written_every_200_messages(
    tmp_path: Path, ledger: Ledger, outbox: OutboxChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the count triggers a write here, not the clock (which would on a slow machine).
    monkeypatch.setattr(activities.delivery, "FLUSH_SECONDS", 3_600.0)
    every = activities.delivery.FLUSH_EVERY
    population = population_of(tmp_path / "many.csv", email_people(2 * every + 50))
    recorded: list[int] = []

    def before_call(messages: Sequence[OutgoingMessage]) -> None:
        recorded.append(ledger.counts(INC, EMAIL)["sent"])

    provider = ScriptedOutbox(outbox, before_call=before_call)

    summary = Attempt().send(ledger, provider, population)

    assert recorded == [0] * every + [every] * every + [2 * every] * 50
    assert ledger.counts(INC, EMAIL)["sent"] == summary.sent == 2 * every + 50


# ---- pacing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_batch", [1, 3])
def test_sends_are_paced_to_the_channel_rate(
    tmp_path: Path, ledger: Ledger, outbox: OutboxChannel, max_batch: int
) -> None:
    rate, people = 100.0, 30
    population = population_of(tmp_path / "phones.csv", phone_people(people))
    provider = ScriptedOutbox(outbox, max_batch=max_batch)
    started = time.monotonic()

    summary = Attempt().send(ledger, provider, population, channel=SMS, rates={SMS: rate})

    # A lower bound only: the first burst goes at once, then one message per 1/rate s.
    assert time.monotonic() - started >= (people - RateLimiter(rate).burst) / rate
    assert summary == summary_of(SMS, targeted=people, sent=people)
    assert all(len(call) <= max_batch for call in provider.calls)
