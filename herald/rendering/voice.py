"""Voice notices: the approved call script as TwiML for a Twilio call.

The script is the content people approve; TwiML is only how Twilio reads it out. Each
paragraph becomes one `<Say>` with a pause after it, and the whole message is read twice
(people often miss the start of a call). Headings are read as sentences; list items one by
one. All text is XML-escaped: a script can never add TwiML verbs of its own.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.rendering import structure
from herald.rendering.l10n import canonical_language

# Twilio <Say> language codes for the languages Herald writes notices in (Polly and Google
# voices cover all of them); anything else is read with the English voice.
SAY_LANGUAGE: dict[str, str] = {
    "en": "en-US",
    "en-GB": "en-GB",
    "de": "de-DE",
    "fr": "fr-FR",
    "es": "es-ES",
    "pt": "pt-BR",
    "ja": "ja-JP",
    "ko": "ko-KR",
    "zh-CN": "cmn-CN",
}
PAUSE_SECONDS = 1
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def say_language(language: str) -> str:
    """The `<Say language>` code for a notice language."""
    canonical = canonical_language(language)
    if canonical in SAY_LANGUAGE:
        return SAY_LANGUAGE[canonical]
    return SAY_LANGUAGE.get(canonical.split("-")[0], SAY_LANGUAGE["en"])


def sentences(script: str) -> list[str]:
    """What is said, in order: one entry per heading, paragraph or list item."""
    spoken: list[str] = []
    for block in structure.parse(script):
        parts = block.lines if block.kind == "list" else (block.text,)
        spoken += [" ".join(part.split()) for part in parts if part.strip()]
    return spoken


def twiml(script: str, language: str, *, recipient_name: str | None = None) -> str:
    """The TwiML document that reads a call script twice.

    Args:
        script: the approved voice script.
        language: its language.
        recipient_name: filled into the recipient token (a sample keeps the token).

    Returns:
        A complete `<Response>` document.
    """
    text = script.replace(RECIPIENT_NAME_TOKEN, recipient_name) if recipient_name else script
    # XML 1.0 has no place for control characters (a pasted terminal colour code, a BEL in
    # a name): they would make the whole call document unparseable.
    text = _XML_INVALID.sub(" ", text)
    lang = escape(say_language(language), {'"': "&quot;"})
    said = "".join(
        f'<Say language="{lang}">{escape(line)}</Say><Pause length="{PAUSE_SECONDS}"/>'
        for line in sentences(text)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{said}{said}</Response>\n'
