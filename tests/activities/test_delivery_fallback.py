"""Fallback across channels: each campaign of the order email → SMS → letter serves the people
whom no earlier channel can reach any more, and only the last one counts who is left.

Real ledger, real outbox; the adapters only script which recipients a provider refuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from herald.channels import OutboxChannel, make_idempotency_key
from herald.models import DeliveryState
from herald.receipts import Outcome, Receipt
from herald.store import Ledger
from herald.store.receipts import record_receipts
from tests.activities.delivery_support import (
    ADDRESS,
    EMAIL,
    INC,
    LETTER,
    SMS,
    Attempt,
    Population,
    Row,
    ScriptedOutbox,
    outbox_files,
    population_of,
    state,
    summary_of,
)

ORDER3 = [EMAIL, SMS, LETTER]


def _person(
    person_id: str, *, email: bool = False, phone: str = "", postal: str = "", story: str
) -> Row:
    number = person_id[1:]
    return Row(
        id=person_id,
        name=f"Person {number}",
        email=f"person{number}@example.org" if email else "",
        phone=phone,
        jurisdiction="FR",
        language="en",
        first=story,
        postal=postal,
    )


# Who has which contact point, and what becomes of them (the `first` label).
PEOPLE = [
    _person("A01", email=True, phone="+33600000101", postal=ADDRESS, story="email refused"),
    _person("A02", email=True, phone="+33600000102", story="email refused"),
    _person("A03", email=True, phone="+33600000103", story="email bounced"),
    _person("A04", email=True, phone="+33600000104", postal=ADDRESS, story="emailed"),
    _person("A05", phone="+33600000105", story="phone only"),
    _person("A06", email=True, postal=ADDRESS, story="email refused, no phone"),
    _person("A07", email=True, story="email refused, nothing else"),
    _person("A08", story="no contact point"),
    _person("A09", email=True, phone="+33600000109", postal=ADDRESS, story="both refused"),
    _person("A10", email=True, phone="+33600000110", story="both refused, no letter"),
    _person("A11", postal=ADDRESS, story="letter only"),
    _person("A12", email=True, postal=" , ", story="email refused, blank address"),
    _person("A13", story="no contact point"),
    Row("D01", "Dieter", "dieter@example.de", "+4915112345678", "DE", "de", "not covered"),
]
EMAIL_REFUSED = {"A01", "A02", "A06", "A07", "A09", "A10", "A12"}
SMS_REFUSED = {"A09", "A10"}


@pytest.fixture
def population(tmp_path: Path) -> Population:
    return population_of(tmp_path / "population.csv", PEOPLE)


def _bounce(engine: Engine, person_id: str) -> None:
    """The provider's receipt: the email to this person bounced after it was accepted."""
    key = make_idempotency_key(INC, person_id, EMAIL)
    receipt = Receipt(
        idempotency_key=key, channel=EMAIL, outcome=Outcome.BOUNCED, event_id=f"bounce-{key}"
    )
    assert record_receipts(engine, [receipt])


def test_each_channel_serves_whom_the_earlier_ones_could_not_reach(
    population: Population, ledger: Ledger, engine: Engine, outbox: OutboxChannel
) -> None:
    mailer = ScriptedOutbox(outbox, max_batch=10, refuse=EMAIL_REFUSED)
    by_email = Attempt().send(ledger, mailer, population, channel=EMAIL, order=ORDER3)
    _bounce(engine, "A03")
    texter = ScriptedOutbox(outbox, refuse=SMS_REFUSED)
    by_sms = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)
    printer = ScriptedOutbox(outbox, max_batch=50)
    by_letter = Attempt().send(ledger, printer, population, channel=LETTER, order=ORDER3)

    assert sorted(mailer.sent) == ["A03", "A04"]
    assert by_email == summary_of(EMAIL, targeted=9, sent=2, failed=7)
    # Exactly the people whose email failed for good (refused, bounced), and the phone-only.
    assert sorted(texter.sent) == ["A01", "A02", "A03", "A05"]
    assert sorted(texter.refused) == sorted(SMS_REFUSED)
    assert by_sms == summary_of(SMS, targeted=6, sent=4, failed=2)
    # A12's blank address never reaches the printer: refused before sending.
    assert sorted(printer.sent) == ["A06", "A09", "A11"]
    assert by_letter == summary_of(
        LETTER, targeted=4, sent=3, failed=1, unreachable=2, undeliverable=3
    )
    assert len(outbox_files(outbox, LETTER)) == 3
    # Served once, on one channel: A01 got the SMS, so no letter despite an address.
    assert state(ledger, "A01", LETTER) is None
    assert state(ledger, "A04", SMS) is None and state(ledger, "A04", LETTER) is None
    assert {state(ledger, "D01", channel) for channel in ORDER3} == {None}


def test_only_the_last_channel_counts_the_unreachable_and_undeliverable(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    refusing = ScriptedOutbox(outbox, max_batch=10, refuse=EMAIL_REFUSED)
    Attempt().send(ledger, refusing, population, channel=EMAIL, order=ORDER3)
    texting = ScriptedOutbox(outbox, refuse=SMS_REFUSED)
    Attempt().send(ledger, texting, population, channel=SMS, order=ORDER3)

    # In the order email → SMS, SMS is last: A07 (email only) and A09, A10 (SMS refused
    # too) are undeliverable, and so are A06 and A12 (their letter is not in this order);
    # A08, A13 and A11 (letter only) are unreachable.
    two = Attempt().send(ledger, ScriptedOutbox(outbox), population, channel=SMS)
    three = Attempt().send(ledger, ScriptedOutbox(outbox), population, channel=SMS, order=ORDER3)

    assert (two.unreachable, two.undeliverable) == (3, 5)
    assert (three.unreachable, three.undeliverable) == (0, 0)
    # Running the last campaign again counts the same people, not twice as many.
    again = Attempt().send(ledger, ScriptedOutbox(outbox), population, channel=SMS)
    assert again == two


def test_a_person_whose_email_was_not_tried_yet_is_left_to_the_email_campaign(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    texter = ScriptedOutbox(outbox)

    by_sms = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)

    assert texter.sent == ["A05"]
    assert by_sms == summary_of(SMS, targeted=1, sent=1)
    for person_id in ("A01", "A02", "A03", "A04", "A09", "A10"):
        assert state(ledger, person_id, SMS) is None
    # Once the email campaign ran, a new run of the SMS one picks up its refusals.
    mailer = ScriptedOutbox(outbox, max_batch=10, refuse={"A02"})
    Attempt().send(ledger, mailer, population, channel=EMAIL, order=ORDER3)
    again = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)
    assert texter.sent == ["A05", "A02"]
    assert again == summary_of(SMS, targeted=2, sent=1, already_sent=1)


def test_a_bounce_after_the_sms_campaign_ran_is_served_by_its_next_run(
    population: Population, ledger: Ledger, engine: Engine, outbox: OutboxChannel
) -> None:
    mailer = ScriptedOutbox(outbox, max_batch=10, refuse={"A01"})
    Attempt().send(ledger, mailer, population, channel=EMAIL, order=ORDER3)
    texter = ScriptedOutbox(outbox)
    first = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)
    assert texter.sent == ["A01", "A05"] and first.sent == 2

    _bounce(engine, "A04")  # its email had been accepted, then bounced
    again = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)

    assert texter.sent == ["A01", "A05", "A04"]
    assert again == summary_of(SMS, targeted=3, sent=1, already_sent=2)
    assert state(ledger, "A04") is DeliveryState.BOUNCED


def test_an_invalid_email_address_is_failed_unsent_and_the_sms_campaign_serves_the_person(
    tmp_path: Path, ledger: Ledger, outbox: OutboxChannel
) -> None:
    # Both addresses pass the population's shape check; the send-time check refuses them.
    rows = [
        Row("V01", "Val", "val..ley@example.org", "+33600000201", "FR", "en", "bad email"),
        Row("V02", "Vic", "vic@example.org", "+33600000202", "FR", "en", "emailed"),
        Row("V03", "Viv", "viv@example.invalid", "", "FR", "en", "bad email, no phone"),
        Row("V04", "Vlad", "", "+33123456789", "FR", "en", "landline", ADDRESS),
    ]
    population = population_of(tmp_path / "invalid.csv", rows)
    mailer = ScriptedOutbox(outbox, max_batch=10)

    by_email = Attempt().send(ledger, mailer, population, channel=EMAIL, order=ORDER3)

    assert mailer.calls == [["V02"]]  # the invalid addresses never reached the provider
    assert by_email == summary_of(EMAIL, targeted=3, sent=1, failed=2)
    for person_id, reason in [("V01", "two dots in a row"), ("V03", "reserved name")]:
        record = ledger.get(INC, person_id, EMAIL)
        assert record is not None
        assert record.state is DeliveryState.FAILED and record.permanent_failure
        assert record.last_error is not None and reason in record.last_error
        assert "example" not in record.last_error and "val." not in record.last_error

    texter = ScriptedOutbox(outbox)
    by_sms = Attempt().send(ledger, texter, population, channel=SMS, order=ORDER3)
    printer = ScriptedOutbox(outbox)
    by_letter = Attempt().send(ledger, printer, population, channel=LETTER, order=ORDER3)

    # V01 falls back to SMS; V04's landline cannot take a text, so a letter goes instead.
    assert texter.sent == ["V01"]
    assert by_sms == summary_of(SMS, targeted=2, sent=1, failed=1)
    record = ledger.get(INC, "V04", SMS)
    assert record is not None and record.last_error == "phone: a landline, which cannot receive SMS"
    assert printer.sent == ["V04"]
    assert by_letter == summary_of(LETTER, targeted=1, sent=1, undeliverable=1)  # V03
