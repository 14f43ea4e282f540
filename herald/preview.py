"""`herald preview`: every draft an incident would need, written to a folder for review.

The same path as the workflow (judge the facts with the population, keep the individuals
notices the locality plan needs, render), without Temporal. Each draft becomes one file in
the form it is sent: an email as a `.eml` with its plain-text and HTML parts, a letter as a
print-ready PDF, a call as TwiML, a push as its FCM message, an SMS, report or page as
text or HTML. `index.json` lists each draft with its obligation, audience, channel,
language, path, missing elements and problems, and — given a population — how many people
would receive it, counted by the same channel and language choice delivery makes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from pydantic import BaseModel, Field

from herald.assess import assess_population, choose_channel
from herald.channels.base import mailbox
from herald.impact import judge
from herald.models import Assessment, IncidentFacts, OrganisationProfile, Person
from herald.models.drafts import ChannelLimits, RenderedDraft, SkippedTranslation
from herald.models.obligations import Obligation
from herald.models.vocabulary import Audience, Channel
from herald.population import iter_rows, open_population
from herald.render import render_all
from herald.rendering import l10n, layout, voice
from herald.rendering.context import SAMPLE_RECIPIENT, is_us_regime
from herald.rules.locality import notices_to_draft, plan_individual_notices

PREVIEW_INCIDENT = "PREVIEW"
# Every channel that reaches a person, in the order used when no profile gives one.
ALL_PERSONAL_CHANNELS = [Channel.EMAIL, Channel.LETTER, Channel.SMS, Channel.PUSH, Channel.VOICE]
SAMPLE_EMAIL = "recipient@example.invalid"
SENDER = "notices@example.invalid"  # when the contact point has no email address
_SUFFIX = {
    Channel.EMAIL: "eml",
    Channel.LETTER: "pdf",
    Channel.VOICE: "xml",
    Channel.PUSH: "json",
    Channel.SMS: "txt",
    Channel.REPORT: "txt",
    Channel.WEB: "html",
}


class PreviewEntry(BaseModel):
    """One draft in `index.json`."""

    id: str
    obligation: str
    regime: str
    audience: Audience
    channel: Channel
    language: str
    path: str
    subject: str | None
    missing_elements: list[str]
    problems: list[str]
    content_hash: str
    recipients: int | None = Field(
        default=None, description="people who would get this draft (needs a population)"
    )


class PreviewIndex(BaseModel):
    """`index.json`: what was rendered, from what, and what is still missing."""

    incident_id: str
    notice_date: date
    risk: str
    obligations: list[str]
    drafts: list[PreviewEntry]
    skipped_translations: list[SkippedTranslation]
    unreachable: int | None = Field(default=None, description="people no channel reaches")
    rejected_rows: int | None = None

    @property
    def complete(self) -> bool:
        """Whether every draft carries its required content and keeps to its channel."""
        return all(not d.missing_elements and not d.problems for d in self.drafts)


def drafted_obligations(obligations: list[Obligation]) -> list[Obligation]:
    """The obligations that get drafts, as in the workflow (herald.rules.locality)."""
    return notices_to_draft(obligations, plan_individual_notices(obligations))


def preview(
    *,
    facts: IncidentFacts,
    out: Path,
    population: Path | None = None,
    profile: OrganisationProfile | None = None,
    channel_order: list[Channel] | None = None,
    notice_date: date | None = None,
    limits: ChannelLimits | None = None,
    incident_id: str = PREVIEW_INCIDENT,
    templates_dir: Path | None = None,
) -> PreviewIndex:
    """Render every draft of every obligation into `out` and write `index.json`.

    Args:
        facts: the incident facts.
        out: the folder to write (created; existing files of the same names are replaced).
        population: a CSV or JSONL population, for languages, channels and counts.
        profile: the organisation profile (contact point, channel order, address).
        channel_order: overrides the profile's; defaults to every personal channel.
        notice_date: the date printed on notices; defaults to today.
        limits: SMS segments and push lengths.
        incident_id: the reference printed in the drafts.
        templates_dir: defaults to the settings' templates folder.

    Returns:
        The index that was written.

    Raises:
        herald.population.PopulationFileError: the population file cannot be read.
    """
    if profile is not None:
        facts = profile.fill(facts)
    order = channel_order or (list(profile.channels) if profile else ALL_PERSONAL_CHANNELS)
    source = open_population(population) if population is not None else None
    assessment: Assessment | None = assess_population(source, order) if source else None
    facts, assessment, evaluation = judge(facts, assessment)
    obligations = drafted_obligations(evaluation.obligations)
    day = notice_date or date.today()
    outcome = render_all(
        incident_id=incident_id,
        facts=facts,
        obligations=obligations,
        assessment=assessment if source else None,
        channel_order=order,
        details={"notice_date": day},
        limits=limits,
        templates_dir=templates_dir,
    )
    counts = (
        recipient_counts(iter_people(iter_rows(source)), obligations, outcome.drafts, order)
        if source
        else None
    )
    out.mkdir(parents=True, exist_ok=True)
    sender = profile.address if profile and profile.address else _postal(facts)
    entries = []
    for draft in outcome.drafts:
        obligation = next(o for o in obligations if o.id == draft.obligation_id)
        path = out / f"{draft.id}.{_SUFFIX[draft.channel]}"
        path.write_bytes(_document(draft, facts, obligation, incident_id, sender, day))
        entries.append(
            PreviewEntry(
                id=draft.id,
                obligation=draft.obligation_id,
                regime=obligation.regime,
                audience=draft.audience,
                channel=draft.channel,
                language=draft.language,
                path=path.name,
                subject=draft.subject,
                missing_elements=draft.missing_elements,
                problems=draft.problems,
                content_hash=draft.content_hash,
                recipients=counts.get(draft.id, 0) if counts is not None else None,
            )
        )
    index = PreviewIndex(
        incident_id=incident_id,
        notice_date=day,
        risk=str(assessment.risk),
        obligations=[o.id for o in obligations],
        drafts=entries,
        skipped_translations=outcome.skipped,
        unreachable=assessment.unreachable if source else None,
        rejected_rows=assessment.rejected if source else None,
    )
    (out / "index.json").write_text(index.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return index


def iter_people(rows: Iterable[object]) -> Iterable[Person]:
    """The good rows of a population stream (row errors are counted by the assessment)."""
    return (row for row in rows if isinstance(row, Person))


def recipient_counts(
    people: Iterable[Person],
    obligations: list[Obligation],
    drafts: list[RenderedDraft],
    channel_order: list[Channel],
) -> Counter[str]:
    """How many people each individuals draft would reach.

    A person is served by the individuals obligation the locality plan gives their
    jurisdiction, on the first channel in the order that reaches them and has a draft,
    in their language if it was written, else the obligation's (delivery's own rule).
    """
    plan = plan_individual_notices(obligations)
    serving = {j: oid for oid, places in plan.items() for j in places}
    language_of = {o.id: o.language for o in obligations}
    written: dict[tuple[str, Channel], list[str]] = {}
    for draft in drafts:
        written.setdefault((draft.obligation_id, draft.channel), []).append(draft.language)
    counts: Counter[str] = Counter()
    for person in people:
        obligation_id = serving.get(person.jurisdiction)
        if obligation_id is None:
            continue
        usable = [c for c in channel_order if (obligation_id, c) in written]
        channel = choose_channel(person, usable)
        if channel is None:
            continue
        languages = written[(obligation_id, channel)]
        language = l10n.choose_language(person.language, languages, language_of[obligation_id])
        counts[f"{obligation_id}.{channel}.{language}"] += 1
    return counts


def _postal(facts: IncidentFacts) -> str:
    contact = facts.entity.contact
    return (contact.postal_address or "") if contact else ""


def _document(
    draft: RenderedDraft,
    facts: IncidentFacts,
    obligation: Obligation,
    incident_id: str,
    sender: str,
    notice_date: date,
) -> bytes:
    """One draft in the form it is sent; personal notices keep the sample recipient."""
    entity = facts.entity.name
    if draft.channel is Channel.EMAIL:
        return _email(draft, facts, incident_id)
    if draft.channel is Channel.LETTER:
        document = layout.letter_html(
            body=draft.body,
            language=draft.language,
            entity_name=entity,
            sender_address=sender,
            incident_id=incident_id,
            recipient_name=SAMPLE_RECIPIENT,
            recipient_address=layout.SAMPLE_ADDRESS,
            notice_date=l10n.format_date(
                notice_date, draft.language, us_style=is_us_regime(obligation.regime)
            ),
            us_letter=is_us_regime(obligation.regime),
        )
        return layout.letter_pdf(document)
    if draft.channel is Channel.VOICE:
        return voice.twiml(draft.body, draft.language).encode()
    if draft.channel is Channel.PUSH:
        message = {
            "message": {
                "token": "[push token of the recipient]",
                "notification": {"title": draft.subject, "body": draft.body},
                "data": {"link": draft.link or "", "incident": incident_id},
            }
        }
        return (json.dumps(message, ensure_ascii=False, indent=2) + "\n").encode()
    head = f"Subject: {draft.subject}\n\n" if draft.subject else ""
    return (head + draft.body).encode()


def _email(draft: RenderedDraft, facts: IncidentFacts, incident_id: str) -> bytes:
    contact = facts.entity.contact
    message = EmailMessage(policy=SMTP.clone(max_line_length=998))
    message["From"] = mailbox(facts.entity.name, (contact.email if contact else None) or SENDER)
    message["To"] = SAMPLE_EMAIL
    message["Subject"] = " ".join((draft.subject or "").split())
    message.set_content(draft.body)
    message.add_alternative(
        layout.email_html(
            subject=draft.subject or "",
            body=draft.body,
            language=draft.language,
            entity_name=facts.entity.name,
            incident_id=incident_id,
        ),
        subtype="html",
    )
    # After the parts: setting content drops every Content-* header.
    message["Content-Language"] = draft.language
    return message.as_bytes()
