"""Every message is checked before it is sent; the answer names the field, never the value."""

from __future__ import annotations

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from herald.channels.base import OutgoingMessage, make_idempotency_key
from herald.channels.validate import MAX_ADDRESS_LINES, MAX_PUSH_TOKEN, problem
from herald.models import Channel, content_hash

BODY = "Dear [[recipient_name]],\n\nWe are writing to tell you about an incident.\n"


def message(channel: Channel, to: str, **overrides: object) -> OutgoingMessage:
    """A message as the send activity builds it (model_construct: no pydantic checks)."""
    fields: dict[str, object] = {
        "incident_id": "INC-2026-001",
        "person_id": "P0042",
        "channel": channel,
        "to": to,
        "recipient_name": "Zoé Martin",
        "greeting_name": "Zoé Martin",
        "subject": "Notice of a data breach",
        "body": BODY,
        "language": "en",
        "html": None,
        "link": None,
        "content_hash": content_hash("Notice of a data breach", BODY),
        "idempotency_key": make_idempotency_key("INC-2026-001", "P0042", channel),
    }
    fields.update(overrides)
    return OutgoingMessage.model_construct(**fields)  # type: ignore[arg-type]


def assert_names_no_value(found: str | None, *values: str) -> None:
    assert found is not None
    for value in values:
        assert value not in found, (found, value)


# ---- email --------------------------------------------------------------------------------

GOOD_EMAILS = [
    "zoe.martin@example.org",
    "zoe.martin+breach-2026@example.org",  # plus-addressing
    "o'brien@example.ie",
    "first_last-99@mail.example.co.uk",
    "ZOE.MARTIN@EXAMPLE.ORG",
    "user@bücher.de",  # IDN domain
    "user@xn--bcher-kva.de",  # the same domain in IDNA form
    "münchen@example.de",  # Unicode local part (SMTPUTF8)
    "用户@例子.广告",  # Chinese address, Chinese domain and TLD
    "δοκιμή@παράδειγμα.δοκιμή",
    "x" * 64 + "@example.org",  # the longest local part RFC 5321 allows
    "a@b.co",
    "user@my-company.example.com",
    "postmaster@example.org",
]

# (address, the reason in the problem)
BAD_EMAILS = [
    ("zoe.martin.example.org", "no @"),
    ("@example.org", "nothing before the @"),
    ("zoe.martin@", "nothing after the @"),
    ("zoe.martin@localhost", "the domain has no dot"),
    ("zoe.martin@examplecom", "the domain has no dot"),
    ("zoe.martin@example.org.", "it ends with a dot"),  # trailing dot of a FQDN
    ("zoe.martin.@example.org", "a dot in the wrong place"),
    (".zoe.martin@example.org", "a dot in the wrong place"),
    ("zoe..martin@example.org", "two dots in a row"),
    ("zoe.martin@example..org", "two dots in a row"),
    ('"zoe martin"@example.org', "a quoted part before the @"),
    ('"zoe@evil.example"@example.org', "a quoted part before the @"),
    ("Zoe Martin <zoe.martin@example.org>", "a display name or angle brackets around it"),
    ("zoe martin@example.org", "characters not allowed before the @"),
    ("zoe.martin@exa_mple.org", "characters not allowed in the domain"),
    ("zoe.martin@example.org\r\nBcc: all@example.org", "characters not allowed in the domain"),
    ("zoe.martin@-example.org", "a hyphen in the wrong place"),
    ("zoe.martin@example.test", "the domain is a reserved name that receives no mail"),
    ("zoe.martin@printer.local", "the domain is a reserved name that receives no mail"),
    ("zoe.martin@example.invalid", "the domain is a reserved name that receives no mail"),
    ("zoe.martin@[192.0.2.1]", "an IP address instead of a domain"),
    ("zoe.martin@192.0.2.1", "the domain has no valid top-level domain"),
    ("x" * 65 + "@example.org", "too long"),
    ("zoe@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 60 + ".org", "too long"),
    ("zoe@martin@example.org", "characters not allowed in the domain"),
]


@pytest.mark.parametrize("address", GOOD_EMAILS)
def test_real_world_addresses_pass(address: str) -> None:
    assert problem(message(Channel.EMAIL, address)) is None
    # Again, now that the domain is known good (the shortcut path).
    assert problem(message(Channel.EMAIL, address)) is None


@pytest.mark.parametrize(("address", "reason"), BAD_EMAILS)
def test_bad_addresses_are_named_without_their_value(address: str, reason: str) -> None:
    # A good address at the same domain first, so a shortcut for known domains is tried.
    problem(message(Channel.EMAIL, "someone.else@example.org"))
    found = problem(message(Channel.EMAIL, address))
    assert found == f"email: not a valid address ({reason})"
    local, _, domain = address.rpartition("@")
    assert_names_no_value(found, address, *(part for part in (local, domain) if len(part) > 3))


def test_report_channel_is_checked_as_email() -> None:
    assert problem(message(Channel.REPORT, "dpo@authority.example.eu")) is None
    assert problem(message(Channel.REPORT, "dpo@authority")) is not None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (None, "subject: missing"),
        ("", "subject: empty"),
        ("  \t ", "subject: empty"),
        ("Notice\r\nBcc: everyone@example.org", "subject: contains a line break"),
        ("Notice\n", "subject: contains a line break"),
    ],
)
def test_email_needs_a_one_line_subject(subject: str | None, expected: str) -> None:
    assert problem(message(Channel.EMAIL, "zoe@example.org", subject=subject)) == expected


def test_other_channels_need_no_subject() -> None:
    assert problem(message(Channel.SMS, "+4915112345678", subject=None)) is None


@settings(max_examples=400, deadline=None)
@given(
    local=st.text(
        alphabet=st.sampled_from("abcXYZ09.+-_'!#~\"@ é()<>,;:\\[]\t"), min_size=0, max_size=70
    ),
    domain=st.sampled_from(["example.org", "bücher.de", "example.test", "example", "EXAMPLE.ORG"]),
)
def test_agrees_with_email_validator_with_or_without_the_shortcut(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    try:
        validate_email(address, check_deliverability=False, strict=True)
        expected_ok = True
    except EmailNotValidError:
        expected_ok = False
    assert (problem(message(Channel.EMAIL, address)) is None) is expected_ok
    # Warm the domain, then the same address must get the same answer.
    problem(message(Channel.EMAIL, f"warm@{domain}"))
    assert (problem(message(Channel.EMAIL, address)) is None) is expected_ok


@pytest.mark.parametrize(
    "labels",
    [
        ["ünïcödé-straße-bücher-verlag-mönchengladbach"] * 4,  # IDNA form much longer
        ["example-domain-for-length-tests-at-the-limit-xyz"] * 4,  # ASCII: one form
    ],
)
def test_length_limit_holds_with_a_known_domain(labels: list[str]) -> None:
    # The shortcut for known domains must apply the 254-octet limit to the longest form of
    # the address (IDNA for an IDN domain), exactly as email_validator does.
    domain = ".".join(f"{label}{n}" for n, label in enumerate(labels)) + ".de"
    outcomes = set()
    for length in range(1, 65):
        address = "z" * length + "@" + domain
        try:
            validate_email(address, check_deliverability=False, strict=True)
            expected_ok = True
        except EmailNotValidError:
            expected_ok = False
        problem(message(Channel.EMAIL, f"z@{domain}"))  # known domain from here on
        assert (problem(message(Channel.EMAIL, address)) is None) is expected_ok, length
        outcomes.add(expected_ok)
    assert outcomes == {True, False}  # the limit falls inside the range tried


# ---- phone --------------------------------------------------------------------------------

MOBILES = [
    "+14155552671",  # US: fixed line or mobile (cannot tell), fine for SMS
    "+12125550123",
    "+8613800138000",  # CN mobile
    "+8615912345678",
    "+4915112345678",  # DE mobile
    "+4917612345678",
    "+447911123456",  # GB mobile
    "+447400123456",
    "+33612345678",  # FR mobile
]
LANDLINES = [
    "+861012345678",  # Beijing
    "+862112345678",  # Shanghai
    "+4930123456",  # Berlin
    "+49891234567",  # Munich
    "+442071838750",  # London
    "+441614960000",  # Manchester
]
# (number, reason)
BAD_NUMBERS = [
    ("004915112345678", "not in E.164 form"),  # international prefix instead of +
    ("+49 151 12345678", "not in E.164 form"),  # formatting
    ("+49-151-12345678", "not in E.164 form"),
    ("+4915112345678 ", "not in E.164 form"),
    ("015112345678", "not in E.164 form"),  # national form
    ("+0015112345678", "not in E.164 form"),
    ("+141555", "not in E.164 form"),  # too short
    ("+4915112345678901", "not in E.164 form"),  # more than 15 digits
    ("+٤٤٧٩١١١٢٣٤٥٦", "not in E.164 form"),  # Arabic-Indic digits
    ("+4915112345678\n", "not in E.164 form"),
    ("+11234567890", "not a valid E.164 number for its country"),  # no area code 123
    ("+999123456789", "not a valid E.164 number for its country"),  # no such country code
    ("+8612345", "not a valid E.164 number for its country"),
    ("+44791112345", "not a valid E.164 number for its country"),  # a digit short
    ("+3361234567899", "not a valid E.164 number for its country"),
]


@pytest.mark.parametrize("number", MOBILES)
def test_mobiles_take_sms_and_calls(number: str) -> None:
    assert problem(message(Channel.SMS, number)) is None
    assert problem(message(Channel.VOICE, number)) is None


@pytest.mark.parametrize("number", LANDLINES)
def test_landlines_take_calls_but_not_sms(number: str) -> None:
    assert problem(message(Channel.VOICE, number)) is None
    found = problem(message(Channel.SMS, number))
    assert found == "phone: a landline, which cannot receive SMS"
    assert_names_no_value(found, number, number[1:], number[-6:])


@pytest.mark.parametrize(("number", "reason"), BAD_NUMBERS)
def test_bad_numbers_are_named_without_their_value(number: str, reason: str) -> None:
    for channel in (Channel.SMS, Channel.VOICE):
        found = problem(message(channel, number))
        assert found is not None and found.startswith(f"phone: {reason}"), found
        assert_names_no_value(found, number.strip(), number.strip()[-6:])


def _example_numbers() -> list[phonenumbers.PhoneNumber]:
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(11):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(example)
    return numbers


def test_validity_is_exactly_phonenumbers_is_valid_number() -> None:
    # Every region's example number of every type, and each with a digit more and less:
    # problem() answers from the number's type, which must agree with is_valid_number
    # (outside the 7 to 15 digits the population accepts, which it refuses first).
    checked = 0
    for example in _example_numbers():
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for candidate in (e164, e164 + "7", e164[:-1]):
            parsed = phonenumbers.parse(candidate, None)
            found = problem(message(Channel.VOICE, candidate))
            if not 7 <= len(candidate) - 1 <= 15:  # the population's E.164 length bounds
                assert found is not None and found.startswith("phone: not in E.164 form")
            elif phonenumbers.is_valid_number(parsed):
                assert found is None, candidate
            else:
                assert found is not None, candidate
            checked += 1
    assert checked > 3000


# ---- push, letter, body -------------------------------------------------------------------

FCM_TOKEN = (
    "fGd3kTq8RkOq1Jj0v5QpXb:APA91bH4nK2Jx-7L0mZc1QeYtR8uVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ0123"
    "456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789abcdefghijk"
)
APNS_TOKEN = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad"


@pytest.mark.parametrize("token", [FCM_TOKEN, APNS_TOKEN, "x", "t" * MAX_PUSH_TOKEN])
def test_push_tokens_that_pass(token: str) -> None:
    assert problem(message(Channel.PUSH, token)) is None


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", "push token: empty"),
        ("t" * (MAX_PUSH_TOKEN + 1), f"push token: longer than {MAX_PUSH_TOKEN} characters"),
        (FCM_TOKEN[:80] + " " + FCM_TOKEN[80:], "push token: contains whitespace"),
        (FCM_TOKEN + "\n", "push token: contains whitespace"),
        ("tökén-with-accents", "push token: contains whitespace"),
        ("token\x00nul", "push token: contains whitespace"),
    ],
)
def test_push_tokens_that_fail(token: str, expected: str) -> None:
    found = problem(message(Channel.PUSH, token))
    assert found is not None and found.startswith(expected), found
    assert_names_no_value(found, *(t for t in (token.strip(), FCM_TOKEN[:20]) if t))


@pytest.mark.parametrize(
    "address",
    [
        "12 rue de l'Exemple\n75011 Paris",
        "Friedrichstraße 100\r\n10117 Berlin\r\nDeutschland",
        "中国北京市朝阳区\n建国路88号\n100022",
        "107 Example Street\nApt 4\nLos Angeles, CA 90012\nUSA",
        "\n  Flat 2, 10 Downing Row  \n\nLondon SW1A 2AA\n\n",
        "\n".join(f"line {n}" for n in range(1, MAX_ADDRESS_LINES + 1)),
        # One line, as a CSV cell holds it: its commas separate the lines.
        "100 Example Avenue, Suite 1, Ontario, CA 91761, United States",
        # Chinese addresses are one line, province to house number.
        "浙江省杭州市余杭区文一西路101号",
    ],
)
def test_postal_addresses_that_pass(address: str) -> None:
    assert problem(message(Channel.LETTER, address)) is None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("   \n\t\n", "postal address: empty"),
        (" , ,", "postal address: empty"),
        ("", "postal address: empty"),
        (
            "\n".join(f"line {n}" for n in range(1, MAX_ADDRESS_LINES + 2)),
            f"postal address: more than {MAX_ADDRESS_LINES} lines",
        ),
    ],
)
def test_postal_addresses_that_fail(address: str, expected: str) -> None:
    found = problem(message(Channel.LETTER, address))
    assert found is not None and found.startswith(expected), found
    assert_names_no_value(found, "rue de l'Exemple", "line 1")


RECIPIENTS = {
    Channel.EMAIL: "zoe@example.org",
    Channel.REPORT: "dpo@authority.example.eu",
    Channel.SMS: "+447911123456",
    Channel.VOICE: "+442071838750",
    Channel.PUSH: FCM_TOKEN,
    Channel.LETTER: "12 rue de l'Exemple\n75011 Paris",
    Channel.WEB: "https://example.org/notice",
}


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("body", ["", " ", "\n\n", "\t \r\n", "\u3000\u00a0"])
def test_every_channel_refuses_an_empty_body(channel: Channel, body: str) -> None:
    assert problem(message(channel, RECIPIENTS[channel])) is None
    assert problem(message(channel, RECIPIENTS[channel], body=body)) == "body: empty"


def test_the_recipient_is_reported_before_the_body() -> None:
    found = problem(message(Channel.SMS, "+4930123456", body=""))
    assert found == "phone: a landline, which cannot receive SMS"
