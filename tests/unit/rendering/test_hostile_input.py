"""Hostile text is inert in every output: it never runs template code or becomes markup.

Every free-text field of the facts (and of a population row, filled in per person) carries
template syntax, HTML, TwiML and a `javascript:` link at once; the incident spans nine
regimes so that every channel is rendered: email (text and HTML parts), letter (HTML source
and printed PDF), SMS, push (FCM JSON), voice (TwiML), report and the public web page. Each
output must show the hostile text literally, as text, and contain no element, attribute or
link the layout did not put there itself.
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from herald.impact import judge
from herald.models import RECIPIENT_NAME_TOKEN, Audience, Channel, IncidentFacts, RenderedDraft
from herald.preview import (
    ALL_PERSONAL_CHANNELS,
    PreviewEntry,
    PreviewIndex,
    drafted_obligations,
    preview,
)
from herald.render import render_all
from herald.rendering import layout, voice

INCIDENT = "INC-HOSTILE-1"
NOTICE_DATE = date(2027, 6, 10)
SEVEN_TIMES_SEVEN = "@@{{ 7*7 }}@@"  # fenced, so "49" is looked for exactly where it would be
# A real address followed by an attribute breakout: only the address may become a link.
LINK = 'https://evil.example/x"onmouseover="alert(1)"javascript:alert(2)'
PAYLOADS = (
    SEVEN_TIMES_SEVEN,
    "{% include 'x' %}",
    "{{ ''.__class__.__mro__ }}",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><b>x</b>',
    "]]></Say><Dial>+15550100</Dial>",
    "</style><script>",
    RECIPIENT_NAME_TOKEN,
    "javascript:alert(1)",
    LINK,
)
HOSTILE = " ".join(PAYLOADS)
# Fields with a short maximum (entity and contact names) get the core of it.
SHORT = f'{SEVEN_TIMES_SEVEN} <script>alert(1)</script> "><b>x</b>'
LONG = "L" * 3000  # one unbreakable word, longer than any line
# Text that looks like the notice structure (a title, a list) must stay text too.
STRUCTURED = (
    f"{HOSTILE}\n\nFake title <b>x</b>\n==================\n\n- <img src=x onerror=alert(1)>"
)
EVALUATED = ("@@49@@", "<class 'str'>", "<class 'object'>")
DETAILS = (
    "cause",
    "systems",
    "breach_period",
    "indicators",
    "safeguards",
    "delay_reasons",
    "identity_theft_services",
)
JURISDICTIONS = ("US-CA", "DE", "FR", "CN-SH", "JP", "KR", "BR", "IN", "US-AZ")
LANGUAGES = ("de", "fr", "zh-CN", "ja", "ko", "pt-BR", "es")
PERSON_NAME = 'Ann PERSONMARK <img src=x onerror=alert(1)> "><b>x</b> ]]></Say><Dial>1</Dial>'
PERSON_ADDRESS = "1 Main St </style><script>alert(1)</script>\n<b>Springfield</b> {{ 7*7 }}"
# What the layouts themselves write; anything else came from the text.
LAYOUT_TAGS = frozenset(
    "html head meta title style body span table tr td h1 h2 p ul li br a div header main "
    "footer address strong".split()
)
TWIML_TAGS = frozenset({"Response", "Say", "Pause"})


def hostile_facts(**entity: Any) -> dict[str, Any]:
    """Nine regimes (IN's Rule 7 is in force from 13 May 2027) and hostile text everywhere.

    IN's notice allows push and Arizona's voice, so every personal channel gets a draft.
    """
    contact = {
        "name": SHORT,
        "email": "dpo@example.com",
        "phone": "+1 800 555 0100",
        "postal_address": HOSTILE,
        "website": "javascript:alert(1)",
    }
    return {
        "aware_at": "2027-06-02T09:15:00+02:00",
        "discovered_at": "2027-06-01T22:00:00+02:00",
        "title": HOSTILE,
        "description": f"{STRUCTURED}\n\n{LONG}",
        "remediation": STRUCTURED,
        "entity": {
            "name": SHORT,
            "established_in": ["DE"],
            "timezone": "Europe/Berlin",
            "contact": contact,
        }
        | entity,
        "data_categories": ["name", "email", "account_credentials", "government_id"],
        "affected": [{"jurisdiction": j, "count": 100} for j in JURISDICTIONS],
        "details": dict.fromkeys(DETAILS, HOSTILE),
        "translations": {
            language: {
                "title": HOSTILE,
                "description": f"{STRUCTURED}\n\n{LONG}",
                "remediation": STRUCTURED,
                "cause": HOSTILE,
            }
            for language in LANGUAGES
        },
    }


FACTS = IncidentFacts.model_validate(hostile_facts())


@dataclass(frozen=True)
class Output:
    """One output as it is sent: its index entry and bytes."""

    entry: PreviewEntry
    data: bytes

    @property
    def name(self) -> str:
        """The file name."""
        return self.entry.path

    @property
    def channel(self) -> Channel:
        """The draft's channel."""
        return self.entry.channel


@dataclass(frozen=True)
class Rendered:
    """The drafts of the hostile incident and the preview folders written from them."""

    drafts: list[RenderedDraft]
    index: PreviewIndex
    outputs: list[Output]


def write_population(path: Path) -> None:
    """One reachable person per jurisdiction and one nobody can reach (substitute notice)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "postal_address", "jurisdiction", "language"])
        for number, code in enumerate(JURISDICTIONS):
            email_address = f"p{number}@example.org"
            writer.writerow([f"P{number}", PERSON_NAME, email_address, PERSON_ADDRESS, code, ""])
        writer.writerow(["P99", PERSON_NAME, "", "", "US-CA", "zh-CN"])


def outputs_of(out: Path, index: PreviewIndex) -> list[Output]:
    """Every file a preview wrote, with the channel of its draft."""
    return [Output(e, (out / e.path).read_bytes()) for e in index.drafts]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Render the incident once: drafts in memory, and two preview folders.

    The first preview has no population, so every personal channel an obligation allows
    is drafted; the second reads a population whose rows carry hostile names and addresses
    and leave one person unreachable, which adds the public (web) notices.
    """
    judged, _, evaluation = judge(FACTS, None)
    drafts = render_all(
        incident_id=INCIDENT,
        facts=judged,
        obligations=drafted_obligations(evaluation.obligations),
        assessment=None,
        channel_order=ALL_PERSONAL_CHANNELS,
        details={"notice_date": NOTICE_DATE},
    ).drafts
    root = tmp_path_factory.mktemp("hostile")
    index = preview(facts=FACTS, out=root / "all", notice_date=NOTICE_DATE, incident_id=INCIDENT)
    population = root / "population.csv"
    write_population(population)
    public = preview(
        facts=FACTS,
        out=root / "public",
        population=population,
        channel_order=[Channel.EMAIL],
        notice_date=NOTICE_DATE,
        incident_id=INCIDENT,
    )
    outputs = outputs_of(root / "all", index) + outputs_of(root / "public", public)
    return Rendered(drafts, index, outputs)


def of_channel(rendered: Rendered, channel: Channel) -> list[Output]:
    """The written outputs of one channel (at least one: every channel is exercised)."""
    found = [o for o in rendered.outputs if o.channel is channel]
    assert found, f"no {channel} output was rendered"
    return found


class Markup(HTMLParser):
    """Collects the elements, attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(document: str) -> Markup:
    """The elements, attributes and text of a document."""
    parser = Markup()
    parser.feed(document)
    parser.close()
    return parser


def assert_inert_html(document: str, where: str) -> str:
    """The document has only the layout's own elements and safe links; returns its text.

    Hostile text must be there escaped, and shows as the literal characters.
    """
    parser = parse_html(document)
    assert set(parser.tags) <= LAYOUT_TAGS, (where, set(parser.tags) - LAYOUT_TAGS)
    assert parser.tags.count("style") <= 1 and parser.tags.count("title") == 1, where
    for name, value in parser.attributes:
        assert not name.startswith("on"), (where, name)
        if name in ("href", "src", "action"):
            target = value.strip().lower()
            assert target.startswith(("https://", "http://", "#")), (where, value)
            assert "javascript:" not in target, (where, value)
    lowered = document.lower()
    for raw in ("<script", "<img", "<b>", "<dial"):
        assert raw not in lowered, (where, raw)
    assert "&lt;script&gt;" in document or "&lt;img" in document, where
    text = "".join(parser.text)
    for evaluated in EVALUATED:
        assert evaluated not in text, (where, evaluated)
    return " ".join(text.split())


def assert_literal(text: str, where: str, *expected: str) -> None:
    """The plain text shows hostile input as written and never its evaluation."""
    flat = " ".join(text.split())
    for evaluated in EVALUATED:
        assert evaluated not in flat, (where, evaluated)
    for literal in expected or (SHORT,):
        assert " ".join(literal.split()) in flat, (where, literal)


def parse_email(data: bytes) -> EmailMessage:
    """An .eml parsed with the modern policy."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def email_part(message: EmailMessage, subtype: str) -> str:
    """The text of the message's text/<subtype> part."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def pdf_text(data: bytes) -> str:
    """Every page's text without whitespace: lines wrap where the page ends, and text
    extraction may put a space at any wrap, so printed characters are compared without it."""
    reader = PdfReader(BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def assert_printed(text: str, where: str, *expected: str) -> None:
    """The PDF text (see pdf_text) prints each expected text's characters, in order."""
    for evaluated in ("@@49@@", "<class"):
        assert evaluated not in text, (where, evaluated)
    for literal in expected:
        assert "".join(literal.split()) in text, (where, literal)


def assert_twiml(document: str, where: str) -> str:
    """The TwiML parses and has only Response/Say/Pause; returns what is said."""
    root = ET.fromstring(document.encode())
    elements = {element.tag for element in root.iter()}
    assert root.tag == "Response" and elements <= TWIML_TAGS, (where, elements)
    return " ".join(" ".join(root.itertext()).split())


def individuals(rendered: Rendered, channel: Channel) -> Iterator[RenderedDraft]:
    """The individuals drafts of one channel (at least one)."""
    found = [
        d for d in rendered.drafts if d.audience is Audience.INDIVIDUALS and d.channel is channel
    ]
    assert found, f"no individuals {channel} draft"
    yield from found


# ---- the drafts themselves ----------------------------------------------------------------


def test_every_personal_channel_and_every_regime_is_rendered(rendered: Rendered) -> None:
    """The incident exercises all outputs: each personal channel, reports and web pages."""
    channels = {d.channel for d in rendered.drafts} | {o.channel for o in rendered.outputs}
    assert channels == set(Channel)
    regimes = {e.regime for e in rendered.index.drafts}
    assert {"us-ca", "gdpr", "cn-pipl", "jp-appi", "kr-pipa", "br-lgpd"} <= regimes
    # The preview wrote the same drafts that were rendered in memory.
    assert {e.id for e in rendered.index.drafts} == {d.id for d in rendered.drafts}


def test_plain_text_drafts_print_hostile_text_literally(rendered: Rendered) -> None:
    """Template syntax, HTML and TwiML in responder text are printed as written."""
    for draft in rendered.drafts:
        assert_literal(f"{draft.subject or ''}\n{draft.body}", draft.id)
        if draft.channel in (Channel.EMAIL, Channel.LETTER, Channel.REPORT):
            # The full notices carry the description: every payload, and the long word.
            assert_literal(draft.body, draft.id, *PAYLOADS, LONG)


def test_the_responders_recipient_token_is_a_name_slot_like_the_templates(
    rendered: Rendered,
) -> None:
    """Current behaviour: a responder who types the recipient token gets a name slot.

    The token is plain text to Jinja2, so it survives rendering and is filled per person
    exactly like the template's own (escaped in HTML). Reports keep it literally: nothing
    personalises them.
    """
    for draft in individuals(rendered, Channel.EMAIL):
        assert draft.body.count(RECIPIENT_NAME_TOKEN) >= 2, draft.id  # template's + text's
        html = layout.personalise_html(
            layout.email_html(
                subject=draft.subject or "",
                body=draft.body,
                language=draft.language,
                entity_name=FACTS.entity.name,
                incident_id=INCIDENT,
            ),
            PERSON_NAME,
        )
        assert RECIPIENT_NAME_TOKEN not in html
        text = assert_inert_html(html, draft.id)
        assert text.count(" ".join(PERSON_NAME.split())) >= 2, draft.id
    reports = [d for d in rendered.drafts if d.channel is Channel.REPORT]
    assert any(RECIPIENT_NAME_TOKEN in d.body for d in reports)


# ---- email ----------------------------------------------------------------------------------


def test_email_files_keep_hostile_text_out_of_the_markup(rendered: Rendered) -> None:
    """Each .eml: the text part shows the payloads, the HTML part only escapes them."""
    for output in of_channel(rendered, Channel.EMAIL):
        message = parse_email(output.data)
        types = [part.get_content_type() for part in message.walk()]
        assert types == ["multipart/alternative", "text/plain", "text/html"], output.name
        assert_literal(email_part(message, "plain"), output.name, *PAYLOADS)
        html = email_part(message, "html")
        assert_literal(assert_inert_html(html, output.name), output.name, *PAYLOADS)
        # The address in the text is linked, and nothing after it.
        assert ("href", "https://evil.example/x") in parse_html(html).attributes, output.name
        if output.entry.obligation != "us-ca-individuals":  # California's subject is fixed by law
            assert SEVEN_TIMES_SEVEN in str(message["Subject"]), output.name


def test_a_persons_name_is_escaped_into_the_html_part(rendered: Rendered) -> None:
    """personalise_html fills a hostile name (from a population row) as escaped text."""
    for draft in individuals(rendered, Channel.EMAIL):
        document = layout.email_html(
            subject=draft.subject or "",
            body=draft.body,
            language=draft.language,
            entity_name=FACTS.entity.name,
            incident_id=INCIDENT,
        )
        filled = layout.personalise_html(document, PERSON_NAME)
        assert "Ann PERSONMARK &lt;img src=x onerror=alert(1)&gt; &quot;&gt;&lt;b&gt;x" in filled
        assert_literal(assert_inert_html(filled, draft.id), draft.id, PERSON_NAME)


# ---- letters ------------------------------------------------------------------------------


def letter_document(draft: RenderedDraft) -> str:
    """A draft's letter for the hostile person, from a hostile sender address."""
    return layout.letter_html(
        body=draft.body,
        language=draft.language,
        entity_name=FACTS.entity.name,
        sender_address=STRUCTURED,
        incident_id=INCIDENT,
        recipient_name=PERSON_NAME,
        recipient_address=PERSON_ADDRESS,
        notice_date="</style><script>alert(1)</script>",
    )


def test_letter_html_escapes_text_names_and_addresses(rendered: Rendered) -> None:
    """The print layout of every letter keeps all hostile text out of the markup and CSS."""
    for draft in individuals(rendered, Channel.LETTER):
        document = letter_document(draft)
        text = assert_inert_html(document, draft.id)
        assert_literal(text, draft.id, *PAYLOADS, PERSON_NAME, PERSON_ADDRESS)
        # The responder's recipient token became the person's name, like the template's;
        # in the sender's address (not the notice text) it stays as typed.
        body = document[document.index('<div class="body">') :]
        assert RECIPIENT_NAME_TOKEN not in body
        assert RECIPIENT_NAME_TOKEN in document[: document.index('<div class="body">')]
        style = document[document.index("<style>") : document.index("</style>")]
        assert "script" not in style and "PERSONMARK" not in style and "@@" not in style


def test_printed_letters_show_the_literal_characters(rendered: Rendered) -> None:
    """The PDFs preview wrote print the payloads as characters, in every script."""
    letters = of_channel(rendered, Channel.LETTER)
    assert {o.name.rsplit(".", 2)[-2] for o in letters} >= {"en", "ja", "ko", "zh-CN"}
    for output in letters:
        assert output.data.startswith(b"%PDF-"), output.name
        assert_printed(pdf_text(output.data), output.name, *PAYLOADS)


def test_a_printed_letter_shows_a_hostile_person_as_text(rendered: Rendered) -> None:
    """A letter to a hostile name and address prints them; printing reads no resource."""
    draft = next(individuals(rendered, Channel.LETTER))
    text = pdf_text(layout.letter_pdf(letter_document(draft)))
    assert_printed(text, draft.id, PERSON_NAME, PERSON_ADDRESS, "</style><script>alert(1)</script>")


# ---- voice, push, SMS, reports, web ---------------------------------------------------------


def test_twiml_says_hostile_text_and_adds_no_verbs(rendered: Rendered) -> None:
    """The call file and a personalised call parse as TwiML with only Say and Pause."""
    for output in of_channel(rendered, Channel.VOICE):
        said = assert_twiml(output.data.decode(), output.name)
        assert_literal(said, output.name, *PAYLOADS)
    for draft in individuals(rendered, Channel.VOICE):
        said = assert_twiml(
            voice.twiml(draft.body, draft.language, recipient_name=PERSON_NAME), draft.id
        )
        assert_literal(said, draft.id, PERSON_NAME)
        assert RECIPIENT_NAME_TOKEN not in said


def test_push_messages_are_json_with_the_literal_text(rendered: Rendered) -> None:
    """The FCM message parses; a javascript: website never becomes its deep link."""
    for output in of_channel(rendered, Channel.PUSH):
        message = json.loads(output.data)["message"]
        note = message["notification"]
        assert_literal(f"{note['title']}\n{note['body']}", output.name)
        assert message["data"]["link"] == "", output.name
        assert any("no link" in problem for problem in output.entry.problems)


def test_sms_and_report_files_print_the_literal_text(rendered: Rendered) -> None:
    """Text files are the draft as written, payloads included."""
    for channel in (Channel.SMS, Channel.REPORT):
        for output in of_channel(rendered, channel):
            assert_literal(output.data.decode("utf-8"), output.name)


def test_the_public_page_escapes_everything(rendered: Rendered) -> None:
    """The autoescaped web page shows every payload as text and links nowhere unsafe."""
    for output in of_channel(rendered, Channel.WEB):
        text = assert_inert_html(output.data.decode("utf-8"), output.name)
        assert_literal(text, output.name, *PAYLOADS)


def test_population_rows_never_reach_preview_files(rendered: Rendered) -> None:
    """The preview prints the sample recipient, never a row's name or address."""
    for output in rendered.outputs:
        assert b"PERSONMARK" not in output.data and b"Springfield" not in output.data


# ---- bugs these tests found (fixed) ---------------------------------------------


@pytest.mark.parametrize(
    ("script", "name"),
    [
        ("What happened\n-------------\n\nLog: \x1b[31mERROR\x1b[0m [[recipient_name]]\n", None),
        ("Hello [[recipient_name]], a notice.\n", "Ann\x07 Lee\x00"),
    ],
    ids=["responder-text", "recipient-name"],
)
def test_twiml_survives_control_characters(script: str, name: str | None) -> None:
    """TwiML stays well-formed whatever characters a text or name contains."""
    assert_twiml(voice.twiml(script, "en", recipient_name=name), "control characters")


def test_a_long_entity_name_cannot_change_the_sender(tmp_path: Path) -> None:
    """The .eml From is the contact email, with the entity name as display name."""
    name = (
        "Evil Corporation Limited Partnership of the Greater Metropolitan Area"
        " <attacker@evil.example>"
    )
    facts = IncidentFacts.model_validate(hostile_facts(name=name))
    index = preview(facts=facts, out=tmp_path, channel_order=[Channel.EMAIL])
    entry = next(e for e in index.drafts if e.channel is Channel.EMAIL)
    sender = parse_email((tmp_path / entry.path).read_bytes())["From"]
    addresses = [(a.display_name, a.addr_spec) for a in sender.addresses]
    assert addresses == [(name, "dpo@example.com")]


def test_a_line_break_in_the_entity_name_is_rejected_or_harmless(tmp_path: Path) -> None:
    """Either the facts are refused up front, or the .eml gets no injected header."""
    try:
        facts = IncidentFacts.model_validate(
            hostile_facts(name="Example Ltd\r\nBcc: attacker@evil.example")
        )
    except ValidationError:
        return
    index = preview(facts=facts, out=tmp_path, channel_order=[Channel.EMAIL])
    for entry in index.drafts:
        if entry.channel is Channel.EMAIL:
            assert parse_email((tmp_path / entry.path).read_bytes())["Bcc"] is None
