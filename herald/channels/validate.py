"""What makes a message unsendable, checked before any adapter is asked to send it.

`problem` answers in words that name the field and the rule, never the value: its answer
goes into the delivery ledger (`last_error`), logs and workflow history, and the values are
personal data. A message with a problem is refused for good (retrying cannot fix an address),
so the campaign moves the person on to their next channel instead of bouncing at a provider.

It runs once per message of a campaign (a million times for a million people), so the
common case is kept cheap: an address with a plain ASCII local part at a domain already
seen valid is checked with one regular expression and a length sum instead of the full
`email_validator` pass (the domain check, IDNA included, is most of its cost, and a
population has few distinct domains).
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType

from herald.channels.base import OutgoingMessage, address_lines
from herald.models.vocabulary import Channel

__all__ = ["MAX_ADDRESS_LINES", "MAX_PUSH_TOKEN", "problem"]

# Lines of a postal address below the recipient's name: the letter layout's envelope
# window (40 mm, DIN 5008) holds the return line, the name and five lines at 11 pt; a
# sixth would print below the window, where the envelope hides it.
MAX_ADDRESS_LINES = 5
MAX_PUSH_TOKEN = 4096

# The population's E.164 shape (herald.population_checks), with ASCII digits only (`\d`
# would also take Arabic-Indic and other digits); phonenumbers then judges the number
# against its country's numbering plan.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# Printable ASCII without the space: FCM/APNs tokens are base64url, hex or ':'-joined.
_PUSH_TOKEN = re.compile(r"[\x21-\x7e]+")
# RFC 5322 dot-atom of ASCII atext, as email_validator's DOT_ATOM_TEXT: a local part that
# matches it (and is at most 64 characters) is valid whatever the rest of the address.
_ATEXT = r"[A-Za-z0-9_!#$%&'*+\-/=?^`{|}~]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_LOCAL_MAX = 64  # RFC 5321 4.5.3.1.1 (email_validator checks it in strict mode)
_ADDRESS_MAX = 254  # RFC 5321 path limit less the angle brackets (email_validator's limit)
# Domains email_validator accepted, each with the UTF-8 length of its longest form (as
# written, NFC-normalised, IDNA): the address length limit applies to all three. Bounded
# so a population of random domains cannot grow it without limit (cleared when full).
_GOOD_DOMAINS: dict[str, int] = {}
_GOOD_DOMAINS_MAX = 10_000

# email_validator's messages quote parts of the address ("invalid characters: '_'"), so
# they are never passed on: each is mapped, by a phrase it contains, to words of ours.
_EMAIL_REASONS: tuple[tuple[str, str], ...] = (
    ("must have an @-sign", "no @"),
    ("something before the @-sign", "nothing before the @"),
    ("something after the @-sign", "nothing after the @"),
    ("display name", "a display name or angle brackets around it"),
    ("quoting the part before", "a quoted part before the @"),
    ("should have a period", "the domain has no dot"),
    ("special-use or reserved", "the domain is a reserved name that receives no mail"),
    ("top-level domain", "the domain has no valid top-level domain"),
    ("bracketed ip address", "an IP address instead of a domain"),
    ("too long", "too long"),
    ("cannot end with a period", "it ends with a dot"),
    ("two periods in a row", "two dots in a row"),
    ("period", "a dot in the wrong place"),
    ("hyphen", "a hyphen in the wrong place"),
    ("before the @-sign", "characters not allowed before the @"),
    ("after the @-sign", "characters not allowed in the domain"),
)


def problem(message: OutgoingMessage) -> str | None:
    """What makes `message` unsendable on its channel, or None when it can be sent.

    Checks the recipient (email syntax without DNS, an E.164 number valid for its country
    and, for SMS, not a landline; a push token's shape; a postal address's lines), an
    email's subject, and that the body has text.

    Returns:
        e.g. "email: not a valid address (the domain has no dot)", "body: empty".
    """
    channel = message.channel
    if channel is Channel.EMAIL or channel is Channel.REPORT:
        found = _email_problem(message.to) or _subject_problem(message.subject)
    elif channel is Channel.SMS or channel is Channel.VOICE:
        found = _phone_problem(message.to, sms=channel is Channel.SMS)
    elif channel is Channel.PUSH:
        found = _push_problem(message.to)
    elif channel is Channel.LETTER:
        found = _letter_problem(message.to)
    else:
        found = None
    if found is not None:
        return found
    body = message.body
    if not body or body.isspace():
        return "body: empty"
    return None


def _email_problem(address: str) -> str | None:
    local, at, domain = address.rpartition("@")
    longest = _GOOD_DOMAINS.get(domain) if at else None
    # An ASCII dot-atom local part reads the same in every form, so with a domain already
    # accepted this is exactly the check validate_email would make.
    if (
        longest is not None
        and len(local) <= _LOCAL_MAX
        and len(local) + 1 + longest <= _ADDRESS_MAX
        and _DOT_ATOM.fullmatch(local)
    ):
        return None
    try:
        # strict: also the 64-character limit of the local part, which relays enforce.
        checked = validate_email(address, check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        return f"email: not a valid address ({_email_reason(str(exc))})"
    if len(_GOOD_DOMAINS) >= _GOOD_DOMAINS_MAX:
        _GOOD_DOMAINS.clear()
    forms = (domain, checked.domain, checked.ascii_domain)
    _GOOD_DOMAINS[domain] = max(len(form.encode()) for form in forms)
    return None


def _email_reason(text: str) -> str:
    lowered = text.lower()
    for phrase, reason in _EMAIL_REASONS:
        if phrase in lowered:
            return reason
    return "not accepted by the address checker"


def _subject_problem(subject: str | None) -> str | None:
    if subject is None:
        return "subject: missing"
    if not subject or subject.isspace():
        return "subject: empty"
    if "\n" in subject or "\r" in subject:
        return "subject: contains a line break"
    return None


def _phone_problem(number: str, *, sms: bool) -> str | None:
    if not _E164.fullmatch(number):
        return "phone: not in E.164 form (+ and 7 to 15 digits)"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return "phone: not a valid E.164 number for its country"
    # `is_valid_number` is, by its definition in phonenumbers, "the number's type in its
    # region's plan is known"; asking for the type once answers both questions for a
    # quarter less time (tests/unit/channels/test_validate.py checks they agree).
    kind = phonenumbers.number_type(parsed)
    if kind == PhoneNumberType.UNKNOWN:
        return "phone: not a valid E.164 number for its country"
    # Only numbers the plan marks as fixed line for sure: where mobile and fixed ranges
    # overlap (FIXED_LINE_OR_MOBILE, e.g. the US) a text may well arrive.
    if sms and kind == PhoneNumberType.FIXED_LINE:
        return "phone: a landline, which cannot receive SMS"
    return None


def _push_problem(token: str) -> str | None:
    if not token:
        return "push token: empty"
    if len(token) > MAX_PUSH_TOKEN:
        return f"push token: longer than {MAX_PUSH_TOKEN} characters"
    if not _PUSH_TOKEN.fullmatch(token):
        return "push token: contains whitespace or characters other than printable ASCII"
    return None


def _letter_problem(address: str) -> str | None:
    # One line is enough: Chinese, Japanese and Korean addresses are written as one line
    # (province to house number), and the recipient's name has its own line above.
    lines = len(address_lines(address))
    if lines == 0:
        return "postal address: empty"
    if lines > MAX_ADDRESS_LINES:
        return f"postal address: more than {MAX_ADDRESS_LINES} lines (the envelope window)"
    return None
