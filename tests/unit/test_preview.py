"""`herald.preview.preview`: every draft written in the form it is sent, with an index.

Runs the documented example (examples/facts.json + profile.yaml + population.csv) once per
module and checks the folder against what the docs promise: one file per draft of the right
kind, an index that matches the folder, and recipient counts that agree with a count made
independently from the CSV with the csv module.
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from herald.inputs import load_facts
from herald.models import Channel, IncidentFacts
from herald.models.drafts import content_hash
from herald.models.vocabulary import Audience
from herald.preview import PreviewEntry, PreviewIndex, preview
from herald.profiles import load_profile
from tests.conftest import EXAMPLES

FACTS = EXAMPLES / "facts.json"
PROFILE = EXAMPLES / "profile.yaml"
POPULATION = EXAMPLES / "population.csv"
NOTICE_DATE = date(2026, 3, 20)
SUFFIX = {
    Channel.EMAIL: ".eml",
    Channel.LETTER: ".pdf",
    Channel.VOICE: ".xml",
    Channel.PUSH: ".json",
    Channel.SMS: ".txt",
    Channel.REPORT: ".txt",
    Channel.WEB: ".html",
}
# Who notifies whom in the example, known independently of the rules engine: California's
# notice serves US-CA residents, the GDPR notice the EU residents, PIPL's the Shanghai ones
# (exported under the retired numeric code CN-31 as well as CN-SH).
SERVING = {
    "US-CA": "us-ca-individuals",
    "DE": "gdpr-individuals",
    "FR": "gdpr-individuals",
    "CN-SH": "cn-pipl-individuals",
    "CN-31": "cn-pipl-individuals",
}
# The population column that reaches a person on each channel.
CONTACT_COLUMN = {
    "email": "email",
    "sms": "phone",
    "voice": "phone",
    "letter": "postal_address",
    "push": "push_token",
}


@dataclass(frozen=True)
class Run:
    """One preview: the folder and the index it returned."""

    out: Path
    index: PreviewIndex


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The documented example, previewed once for the whole module."""
    out = tmp_path_factory.mktemp("preview") / "drafts"
    index = preview(
        facts=load_facts(FACTS),
        out=out,
        population=POPULATION,
        profile=load_profile(PROFILE),
        notice_date=NOTICE_DATE,
    )
    return Run(out, index)


def profile_channels() -> list[str]:
    """The channel order the example profile promises, read from the YAML itself."""
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    return [str(channel) for channel in data["channels"]]


def parse_email(path: Path) -> EmailMessage:
    """An .eml file, parsed with the modern policy (decoded headers, get_body)."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def email_part(message: EmailMessage, subtype: str) -> str:
    """The text of the message's text/<subtype> part."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    assert part.get_content_type() == f"text/{subtype}"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def pdf_text(data: bytes) -> str:
    """Every page's extracted text, whitespace collapsed (lines wrap where the page ends)."""
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def reachable_rows() -> list[tuple[str, str, str]]:
    """(serving obligation, channel, language) of every person the notices reach, from the CSV.

    A row counts when it has an id, lives in a notified jurisdiction and has a contact
    point on one of the profile's channels (the first such channel is the one used).
    """
    order = profile_channels()
    found: list[tuple[str, str, str]] = []
    with POPULATION.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            obligation = SERVING.get(row["jurisdiction"].strip().upper())
            if not row["id"].strip() or obligation is None:
                continue
            channel = next((c for c in order if row[CONTACT_COLUMN[c]].strip()), None)
            if channel is not None:
                found.append((obligation, channel, row["language"].strip()))
    return found


def test_every_entry_is_a_file_of_its_channels_kind(example: Run) -> None:
    """Each draft is one file whose suffix and content are what its channel sends."""
    assert example.index.drafts
    for entry in example.index.drafts:
        path = example.out / entry.path
        assert path.is_file(), entry.path
        assert path.suffix == SUFFIX[entry.channel], entry.path
        assert entry.path == f"{entry.id}{SUFFIX[entry.channel]}"
        data = path.read_bytes()
        if entry.channel is Channel.LETTER:
            assert data.startswith(b"%PDF-")
            assert len(PdfReader(BytesIO(data)).pages) >= 1
        elif entry.channel is Channel.EMAIL:
            message = parse_email(path)
            assert message.get_content_type() == "multipart/alternative"
            assert email_part(message, "plain").strip()
            assert email_part(message, "html").lstrip().startswith("<!DOCTYPE html>")
            # (the stdlib keeps the space of a header folded right after its colon)
            assert str(message["Subject"]).strip() == entry.subject
            assert message["To"] == "recipient@example.invalid"
        elif entry.channel is Channel.VOICE:
            assert ET.fromstring(data).tag == "Response"
        elif entry.channel is Channel.PUSH:
            sent = json.loads(data)
            assert sent["message"]["notification"]["title"] == entry.subject
        elif entry.channel is Channel.WEB:
            assert data.decode().lstrip().startswith("<!DOCTYPE html>")
        else:
            assert data.decode("utf-8").strip()


def test_the_folder_holds_the_drafts_and_the_index_only(example: Run) -> None:
    """index.json on disk is the returned index, and lists every file written."""
    on_disk = PreviewIndex.model_validate_json((example.out / "index.json").read_text("utf-8"))
    assert on_disk == example.index
    written = {p.name for p in example.out.iterdir()}
    assert written == {e.path for e in example.index.drafts} | {"index.json"}
    assert len({e.id for e in example.index.drafts}) == len(example.index.drafts)


def test_the_index_describes_each_draft(example: Run) -> None:
    """Obligation, regime, audience, notice date and skipped translations are reported."""
    index = example.index
    assert index.incident_id == "PREVIEW"
    assert index.notice_date == NOTICE_DATE
    assert {e.obligation for e in index.drafts} == set(index.obligations)
    for entry in index.drafts:
        assert entry.id.startswith(f"{entry.obligation}.{entry.channel}.")
        assert entry.id.endswith(f".{entry.language}")
        assert entry.obligation.startswith(entry.regime)
        assert len(entry.content_hash) == 64
        if entry.audience is Audience.INDIVIDUALS:
            assert entry.recipients is not None
        else:
            assert entry.recipients == 0
    # The documented example needs the three individuals notices and California's report.
    individuals = {e.obligation for e in index.drafts if e.audience is Audience.INDIVIDUALS}
    assert individuals == set(SERVING.values())
    for skipped in index.skipped_translations:
        # A skipped language is served by a draft that exists.
        served = f"{skipped.obligation_id}.{skipped.channel}.{skipped.served_in}"
        assert served in {e.id for e in index.drafts}


def test_the_documented_example_is_complete(example: Run) -> None:
    """With the profile's contact point, every draft carries its required content."""
    incomplete = [(e.id, e.missing_elements, e.problems) for e in example.index.drafts]
    assert example.index.complete, [i for i in incomplete if i[1] or i[2]]


def test_emails_say_their_language(example: Run) -> None:
    """Each .eml names its language in a Content-Language header (set after the parts:
    EmailMessage.set_content drops every Content-* header set before it)."""
    for entry in example.index.drafts:
        if entry.channel is Channel.EMAIL:
            message = parse_email(example.out / entry.path)
            languages = {p["Content-Language"] for p in message.walk()} - {None}
            assert languages == {entry.language}, entry.path


def test_files_are_the_drafts_that_were_hashed(example: Run) -> None:
    """What is written is exactly what an approval binds to (the content hash)."""
    for entry in example.index.drafts:
        path = example.out / entry.path
        if entry.channel in (Channel.SMS, Channel.REPORT, Channel.WEB):
            text = path.read_text(encoding="utf-8")
            if entry.subject is not None:
                head = f"Subject: {entry.subject}\n\n"
                assert text.startswith(head), entry.path
                text = text[len(head) :]
            assert content_hash(entry.subject, text) == entry.content_hash, entry.path
        elif entry.channel is Channel.EMAIL:
            body = email_part(parse_email(path), "plain").replace("\r\n", "\n")
            assert content_hash(entry.subject, body) == entry.content_hash, entry.path
        elif entry.channel is Channel.PUSH:
            note = json.loads(path.read_bytes())["message"]
            title, body = note["notification"]["title"], note["notification"]["body"]
            link = note["data"]["link"] or None
            assert content_hash(title, body, link) == entry.content_hash, entry.path


def test_recipients_add_up_to_the_reachable_people_in_notified_places(example: Run) -> None:
    """The individuals drafts reach everyone the CSV says can be reached, once each."""
    expected = reachable_rows()
    counted = sum(
        e.recipients or 0 for e in example.index.drafts if e.audience is Audience.INDIVIDUALS
    )
    assert counted == len(expected)
    # Cross-check with the file's own numbers: 58 data rows, 2 rejected, 1 unreachable.
    assert example.index.rejected_rows == 2
    assert example.index.unreachable == 1
    assert counted == 58 - 2 - 1


def test_each_person_gets_the_draft_in_their_language(example: Run) -> None:
    """Per draft and per language, counts match the rows: a person's own language wins
    where that draft exists, else the obligation's language (its first draft)."""
    drafts = {e.id: e for e in example.index.drafts}
    first: dict[tuple[str, str], PreviewEntry] = {}
    for entry in example.index.drafts:
        first.setdefault((entry.obligation, str(entry.channel)), entry)
    expected: Counter[str] = Counter()
    for obligation, channel, language in reachable_rows():
        own = f"{obligation}.{channel}.{language}"
        expected[own if own in drafts else first[(obligation, channel)].id] += 1
    got = Counter({e.id: e.recipients for e in example.index.drafts if e.recipients})
    assert got == expected
    by_language: Counter[str] = Counter()
    for draft_id, count in got.items():
        by_language[drafts[draft_id].language] += count
    rows_by_language = Counter(language for _, _, language in reachable_rows())
    # Every language in the example has a draft for its people, so nobody falls back.
    assert by_language == rows_by_language
    assert by_language == Counter({"en": 36, "fr": 7, "de": 6, "zh-CN": 6})


def test_letters_print_the_notice_date_in_their_language(example: Run) -> None:
    """--notice-date reaches the letters, formatted per language (US style for California)."""
    letters = {e.id: e for e in example.index.drafts if e.channel is Channel.LETTER}
    expected = {
        "us-ca-individuals.letter.en": "March 20, 2026",
        "gdpr-individuals.letter.de": "20. März 2026",
        "gdpr-individuals.letter.fr": "20 mars 2026",
        "cn-pipl-individuals.letter.zh-CN": "2026年3月20日",
    }
    for draft_id, printed in expected.items():
        text = pdf_text((example.out / letters[draft_id].path).read_bytes())
        assert printed in text, draft_id
        # The preview's sample recipient and address stand in the window.
        assert "[Name of the individual]" in text
        assert "[Postal address of the individual]" in text


def test_without_a_population_counts_are_unknown(tmp_path: Path) -> None:
    """No population: every channel the obligations allow, no recipient counts."""
    index = preview(
        facts=load_facts(FACTS),
        out=tmp_path,
        profile=load_profile(PROFILE),
        channel_order=[Channel.SMS],
        notice_date=NOTICE_DATE,
    )
    assert index.unreachable is None and index.rejected_rows is None
    assert all(e.recipients is None for e in index.drafts)
    channels = {e.channel for e in index.drafts if e.audience is Audience.INDIVIDUALS}
    assert channels == {Channel.SMS}


def test_missing_content_is_reported_not_hidden(tmp_path: Path) -> None:
    """Facts without a contact point and no profile: drafts are written, flagged incomplete."""
    facts: IncidentFacts = load_facts(FACTS)
    assert facts.entity.contact is None
    index = preview(facts=facts, out=tmp_path, channel_order=[Channel.SMS], notice_date=NOTICE_DATE)
    assert not index.complete
    incomplete = [e for e in index.drafts if e.missing_elements or e.problems]
    assert incomplete
    for entry in incomplete:
        assert (tmp_path / entry.path).is_file()
    on_disk = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert any(d["missing_elements"] for d in on_disk["drafts"])
