"""Which drafts an obligation needs, and rendering one draft."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

from herald.content import check_required_content
from herald.models.assessment import Assessment
from herald.models.drafts import (
    RECIPIENT_NAME_TOKEN,
    ChannelLimits,
    RenderedDraft,
    SkippedTranslation,
)
from herald.models.facts import IncidentFacts
from herald.models.obligations import Obligation
from herald.models.vocabulary import Audience, Channel
from herald.rendering import l10n, templates
from herald.rendering.checks import channel_problems
from herald.rendering.context import NoticeDetails, build_context
from herald.settings import get_settings

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "Subject:"
TITLE_PREFIX = "Title:"
# The first line of these channels' templates is a header the renderer moves out of the body:
# an email's or report's subject, a push notification's title.
HEADER_PREFIX: dict[Channel, str] = {
    Channel.EMAIL: SUBJECT_PREFIX,
    Channel.REPORT: SUBJECT_PREFIX,
    Channel.PUSH: TITLE_PREFIX,
}


class RenderOutcome(BaseModel):
    """Every draft, and the translations left out."""

    drafts: list[RenderedDraft] = Field(default_factory=list)
    skipped: list[SkippedTranslation] = Field(default_factory=list)


def render_drafts(
    *,
    incident_id: str,
    facts: IncidentFacts,
    obligations: list[Obligation],
    assessment: Assessment | None,
    channel_order: list[Channel],
    templates_dir: Path | None = None,
    details: NoticeDetails | None = None,
    limits: ChannelLimits | None = None,
) -> list[RenderedDraft]:
    """Render one draft per obligation x channel x language, with missing content flagged.

    See `render_all`, which also reports the translations it left out.
    """
    return render_all(
        incident_id=incident_id,
        facts=facts,
        obligations=obligations,
        assessment=assessment,
        channel_order=channel_order,
        templates_dir=templates_dir,
        details=details,
        limits=limits,
    ).drafts


def render_all(
    *,
    incident_id: str,
    facts: IncidentFacts,
    obligations: list[Obligation],
    assessment: Assessment | None,
    channel_order: list[Channel],
    templates_dir: Path | None = None,
    details: NoticeDetails | None = None,
    limits: ChannelLimits | None = None,
) -> RenderOutcome:
    """Render one draft per obligation x channel x language, with missing content flagged.

    Individuals get one draft per channel in `channel_order` that the obligation allows (all
    of them when it names none) and, given an assessment, that reaches somebody; and one
    per language: the obligation's, plus the population's languages that have templates. A
    population language whose text would lack an element the obligation's own language
    carries is left out (reported in `skipped`): its readers get the complete notice. A
    regulator (and any other audience) gets one REPORT draft, the public one WEB page.

    Args:
        incident_id: printed as the reference in every draft.
        facts: the incident facts; free text in them is data, never template code.
        obligations: what must be said to whom.
        assessment: the population summary, when a population was read.
        channel_order: the organisation's channel preference for individuals.
        templates_dir: defaults to `get_settings().templates_dir`.
        details: overrides of `facts.details` and the notice date.
        limits: SMS segments and push lengths (defaults apply when None).

    Returns:
        Drafts in obligation, channel, language order (ids `<obligation>.<channel>.<lang>`)
        and the translations left out.

    Raises:
        TemplateContractError: a template broke the rendering contract.
        jinja2.TemplateError: a template is invalid or used an undefined name.
    """
    root = (templates_dir or get_settings().templates_dir).resolve()
    names = templates.scan(root)
    env = templates.environment(root)
    limits = limits or ChannelLimits()
    outcome = RenderOutcome()
    for obligation in obligations:
        baseline: dict[Channel, RenderedDraft] = {}
        for channel, language, name in plan(names, obligation, assessment, channel_order):
            context = partial(
                build_context,
                incident_id=incident_id,
                facts=facts,
                obligation=obligation,
                assessment=assessment,
                language=language,
                details=details or {},
            )
            draft = _render(env, name, obligation=obligation, channel=channel, context=context)
            draft.problems = channel_problems(
                channel, draft.subject, draft.body, draft.link, limits
            )
            if channel == Channel.SMS and draft.problems:
                # Too long: the template's compact wording, if that is all that was wrong.
                draft = _render(
                    env, name, obligation=obligation, channel=channel, context=context, compact=True
                )
                draft.problems = channel_problems(
                    channel, draft.subject, draft.body, draft.link, limits
                )
            first = baseline.setdefault(channel, draft)
            lacking = sorted(set(draft.missing_elements) - set(first.missing_elements))
            if draft is not first and lacking:
                logger.warning("%s: %s text lacks %s", draft.id, language, lacking)
                outcome.skipped.append(
                    SkippedTranslation(
                        obligation_id=obligation.id,
                        channel=channel,
                        language=language,
                        missing=lacking,
                        served_in=first.language,
                    )
                )
                continue
            outcome.drafts.append(draft)
    return outcome


def _channels(
    obligation: Obligation, assessment: Assessment | None, channel_order: list[Channel]
) -> list[Channel]:
    if obligation.audience == Audience.PUBLIC:
        return [Channel.WEB]
    if obligation.audience != Audience.INDIVIDUALS:
        return [Channel.REPORT]
    # An obligation that names no channel leaves the choice to the organisation's order.
    allowed = set(obligation.channels) or set(Channel)
    # An assessment built from the facts alone knows no contact points: contactability is
    # then unknown, which must not read as "nobody reachable".
    reach = assessment.contactable if assessment else {}
    known = bool(reach) or bool(assessment and assessment.unreachable)
    return [
        channel
        for channel in dict.fromkeys(channel_order)
        if channel in allowed and (not known or reach.get(channel, 0) > 0)
    ]


def plan(
    names: frozenset[str],
    obligation: Obligation,
    assessment: Assessment | None,
    channel_order: list[Channel],
) -> Iterator[tuple[Channel, str, str]]:
    """(channel, rendered language, template name) for each draft one obligation needs.

    Languages: the obligation's own (falling back to English when nothing exists in it),
    then, for individuals and the public, each population language that some template
    for this regime or the default is written in, most speakers first.
    """
    regime, audience = obligation.regime, str(obligation.audience)
    multilingual = obligation.audience in (Audience.INDIVIDUALS, Audience.PUBLIC)
    for channel in _channels(obligation, assessment, channel_order):
        fmt = templates.CHANNEL_FORMAT[channel]
        available = templates.languages(names, regime, audience, channel, fmt)
        available |= templates.languages(names, templates.DEFAULT_REGIME, audience, channel, fmt)
        wanted = [l10n.normalise_language(obligation.language, available) or obligation.language]
        if multilingual and assessment is not None:
            spoken = sorted(_spoken(assessment, obligation).items(), key=lambda i: (-i[1], i[0]))
            for tag, count in spoken:
                matched = l10n.normalise_language(tag, available) if count > 0 else None
                wanted += [matched] if matched else []
        rendered: set[str] = set()
        for language in dict.fromkeys(wanted):
            found = templates.resolve(names, regime, audience, channel, language, fmt)
            if found is None:
                logger.warning("no template for %s/%s/%s; no draft", regime, audience, channel)
                break
            name, actual = found
            if actual not in rendered:
                rendered.add(actual)
                yield channel, actual, name


def _spoken(assessment: Assessment, obligation: Obligation) -> dict[str, int]:
    """Languages of the people this obligation covers (of everyone, when the assessment
    does not split them by jurisdiction): nobody approves a text no one will read."""
    scope = obligation.jurisdictions
    counts = [j for j in assessment.jurisdictions if j.languages]
    if not counts or not scope:
        return assessment.languages
    spoken: dict[str, int] = {}
    for count in counts:
        if any(count.jurisdiction == j or count.jurisdiction.startswith(f"{j}-") for j in scope):
            for language, people in count.languages.items():
                spoken[language] = spoken.get(language, 0) + people
    return spoken


_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def _render(
    env: SandboxedEnvironment,
    name: str,
    *,
    obligation: Obligation,
    channel: Channel,
    context: Callable[..., dict[str, object]],
    compact: bool = False,
) -> RenderedDraft:
    values = context(compact=compact)
    language = str(values["language"])
    output = env.get_template(name).render(values)
    subject: str | None = None
    first, _, rest = output.lstrip("\n").partition("\n")
    prefix = next((p for p in (SUBJECT_PREFIX, TITLE_PREFIX) if first.startswith(p)), None)
    if prefix is not None:
        if HEADER_PREFIX.get(channel) != prefix:
            raise templates.TemplateContractError(f"{name}: a {channel} draft has no '{prefix}'")
        subject, output = " ".join(first[len(prefix) :].split()), rest
    if channel in (Channel.EMAIL, Channel.PUSH) and not subject:
        raise templates.TemplateContractError(
            f"{name}: a {channel} draft must start with '{HEADER_PREFIX[channel]} ...'"
        )
    body = _tidy(output)
    if obligation.audience == Audience.INDIVIDUALS and RECIPIENT_NAME_TOKEN not in body:
        raise templates.TemplateContractError(f"{name}: no {RECIPIENT_NAME_TOKEN} in the notice")
    if channel in (Channel.SMS, Channel.PUSH):
        body = body.rstrip("\n")  # every character of a short message counts
    link = values["notice_url"] if channel == Channel.PUSH else None
    return RenderedDraft(
        id=f"{obligation.id}.{channel}.{language}",
        obligation_id=obligation.id,
        audience=obligation.audience,
        channel=channel,
        language=language,
        subject=subject,
        body=body,
        link=str(link) if link else None,
        missing_elements=check_required_content(
            body, subject, obligation.required_content, language, channel
        ),
    )
