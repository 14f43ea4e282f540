"""What the adapters that build email or name files by key share (outbox, SMTP, letters).

The outbox writes each email as an `.eml` file and the SMTP adapter hands the same MIME
message to a relay, so both take the line-length policy, the body encoding and the
Message-ID rule from here: an `.eml` in the outbox then shows what the relay would have
received. Both guard their headers here against a value that would add a header of its
own (a line break, or an encoded word that decodes to one, CVE-2024-6923): the outbox
neutralises it (`header`), SMTP refuses the message (`headers_intact`). The digest of the
idempotency key names the outbox's files and the print house's PDFs as well as Message-IDs,
and both keep their files under an incident folder whose name must be one safe path
component (`safe_component`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

__all__ = [
    "EMAIL_POLICY",
    "MAX_LINE_OCTETS",
    "date_now",
    "digest",
    "header",
    "headers_intact",
    "message_id",
    "safe_component",
    "set_body",
]

# RFC 5322 2.1.1: a line holds at most 998 octets before its CRLF.
MAX_LINE_OCTETS = 998
# RFC 5322's hard limit instead of the 78-column default: folding a 64-character hash header
# makes the stdlib parser read it back with a leading space. LF line ends, as files have;
# SMTP clones it with CRLF.
EMAIL_POLICY = policy.default.clone(max_line_length=MAX_LINE_OCTETS)
# Same shape as IncidentInput.incident_id: safe as one path component.
_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@lru_cache(maxsize=1024)
def header(name: str, value: str) -> BaseHeader:
    """A parsed header that refuses line breaks and cannot smuggle any in, cached.

    Parsing dominates the cost of an `.eml`, and a campaign repeats the same From, Subject,
    Date (per second) and X-Herald values for every recipient, hence the cache.

    Raises:
        ValueError: `value` holds a line break (it would start a header of its own).
    """
    # EmailMessage refuses line breaks only in values it parses itself; keep that guard.
    if "\n" in value or "\r" in value:
        raise ValueError(f"{name} may not contain a line break")
    # Python before 3.11.10 decodes RFC 2047 words ("=?utf-8?q?...=0A...?=") and writes the
    # decoded line breaks out raw (CVE-2024-6923): never let a value hold an encoded word.
    value = value.replace("=?", "= ?")
    parsed: BaseHeader = EMAIL_POLICY.header_factory(name, value)
    return parsed


def headers_intact(data: bytes, names: frozenset[bytes]) -> bool:
    """Whether the header block of `data` (CRLF line ends) holds only `names`, each once.

    `names` are lower case. This is the guard for a builder that sets header values as
    they are instead of through `header` (SMTP refuses what the outbox neutralises): a
    value that the stdlib wrote out with a line break in it (CVE-2024-6923) shows up as a
    header that was never set, or as one set twice, and the message is refused rather
    than sent with a header the approvers never saw.
    """
    seen: set[bytes] = set()
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if b"\r" in line or b"\n" in line:
            return False
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation
        name = line.partition(b":")[0].lower()
        if name not in names or name in seen:
            return False
        seen.add(name)
    return True


def date_now() -> str:
    """The Date header for a message made now, to the whole second.

    Whole seconds, so that `header` finds the Date of every message of the same second in
    its cache; a Date has no use for a fraction.
    """
    return format_datetime(datetime.now(UTC).replace(microsecond=0))


def set_body(msg: EmailMessage, text: str, html: str | None = None) -> None:
    """Make `text` the body of `msg`, with `html` as its HTML alternative if given.

    The text goes out as 8bit where the message's policy allows it, so it stays readable in
    an editor and on the wire. A line over 998 octets (RFC 5322's limit), or a 7bit policy
    (a relay without 8BITMIME), leaves the encoding to the stdlib: quoted-printable or
    base64, which every reader decodes. Setting content drops the Content-* headers set
    before it, so set Content-Language after this.
    """
    fits = all(len(line.encode()) <= MAX_LINE_OCTETS for line in text.splitlines())
    msg.set_content(text, cte="8bit" if fits and msg.policy.cte_type == "8bit" else None)
    if html is not None:
        msg.add_alternative(html, subtype="html")


def digest(key: str) -> str:
    """32 hex characters of the SHA-256 of an idempotency key.

    What names a message's file and its Message-ID: the same on every retry, so a resend
    finds its earlier file or keeps its Message-ID, and free of names and addresses, as
    the key is a hash too.
    """
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def message_id(key: str, domain: str) -> str:
    """The Message-ID of the message with idempotency key `key`, sent from `domain`.

    Derived from the key, so a resent message keeps its Message-ID and a recipient's mail
    client shows one notice even if a lost acknowledgement made it arrive twice.
    """
    return f"<{digest(key)}@{domain}>"


def safe_component(value: str) -> str:
    """`value` if it is safe as one folder name: the shape of an incident id.

    Ids come from outside (an API call, a file), and one such as '..', 'a/b' or '' would
    put files outside the adapter's folder or in another incident's.

    Raises:
        ValueError: `value` is not 1 to 64 letters, digits, '.', '_' or '-' starting with
            a letter or digit (the message does not quote it).
    """
    if not _SAFE_COMPONENT.fullmatch(value):
        raise ValueError("not a safe folder name (letters, digits, '.', '_', '-')")
    return value
