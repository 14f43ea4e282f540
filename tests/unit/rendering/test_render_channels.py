"""How the renderer treats channels and languages, with small templates of the test's own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from herald.models import IncidentFacts, Obligation
from herald.models.assessment import Assessment
from herald.models.drafts import ChannelLimits
from herald.models.vocabulary import Audience, Channel
from herald.render import render_all
from herald.rendering.context import form_of

FACTS = IncidentFacts.model_validate(
    {
        "aware_at": "2026-03-02T09:15:00+01:00",
        "entity": {
            "name": "Example GmbH",
            "contact": {"name": "DPO", "email": "dpo@example.org", "website": "https://x.example"},
        },
        "description": "An attacker exported the customer table.",
        "translations": {"de": {"description": "Ein Angreifer exportierte die Kundentabelle."}},
        "affected": [{"jurisdiction": "DE", "count": 10}],
    }
)


def _obligation(**update: object) -> Obligation:
    base = Obligation(
        regime="test",
        audience=Audience.INDIVIDUALS,
        recipient="Affected individuals",
        due_at=datetime(2026, 3, 5, tzinfo=UTC),
        deadline="without undue delay",
        citation="Test Act s 1",
        required_content=["nature_of_breach"],
        id="test-individuals",
        channels=[Channel.SMS, Channel.PUSH, Channel.EMAIL],
    )
    return base.model_copy(update=update)


def _templates(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_long_sms_falls_back_to_its_compact_wording(tmp_path: Path) -> None:
    root = _templates(
        tmp_path,
        {
            "test/individuals/sms.en.txt.j2": (
                "{{ recipient_name }}: {% if compact %}breach. Contact: x{% else %}"
                "{{ 'long words ' * 40 }}Contact: x{% endif %}"
            ),
        },
    )
    outcome = render_all(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[_obligation()],
        assessment=None,
        channel_order=[Channel.SMS],
        templates_dir=root,
        limits=ChannelLimits(sms_max_segments=2),
    )
    [sms] = outcome.drafts
    assert sms.body == "[[recipient_name]]: breach. Contact: x"
    assert sms.problems == []


def test_an_sms_that_cannot_be_shortened_says_so(tmp_path: Path) -> None:
    root = _templates(
        tmp_path,
        {"test/individuals/sms.en.txt.j2": "{{ recipient_name }} {{ 'x' * 400 }} Contact: x"},
    )
    [sms] = render_all(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[_obligation()],
        assessment=None,
        channel_order=[Channel.SMS],
        templates_dir=root,
        limits=ChannelLimits(sms_max_segments=2),
    ).drafts
    assert sms.problems == ["the SMS needs 3 GSM-7 segments; the maximum is 2: shorten it"]


def test_push_title_and_deep_link(tmp_path: Path) -> None:
    root = _templates(
        tmp_path,
        {"test/individuals/push.en.txt.j2": "Title: Security notice\n{{ recipient_name }} x"},
    )
    [push] = render_all(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[_obligation()],
        assessment=None,
        channel_order=[Channel.PUSH],
        templates_dir=root,
    ).drafts
    assert (push.subject, push.body, push.link) == (
        "Security notice",
        "[[recipient_name]] x",
        "https://x.example",
    )
    assert push.problems == []


def test_a_translation_lacking_required_content_is_left_out(tmp_path: Path) -> None:
    email = "Subject: Notice\n{{ recipient_name }}\n\n{{ marker }}\n\n{{ facts.description }}\n"
    root = _templates(
        tmp_path,
        {
            "test/individuals/email.en.txt.j2": email.replace("{{ marker }}", "What happened"),
            "test/individuals/email.de.txt.j2": email.replace("{{ marker }}", "Was ist passiert"),
            "test/individuals/email.fr.txt.j2": email.replace("{{ marker }}", "(rien)"),
        },
    )
    outcome = render_all(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[_obligation()],
        assessment=Assessment(total=3, languages={"de": 1, "fr": 1, "en": 1}),
        channel_order=[Channel.EMAIL],
        templates_dir=root,
    )
    assert [d.language for d in outcome.drafts] == ["en", "de"]
    [skipped] = outcome.skipped
    assert (skipped.language, skipped.missing, skipped.served_in) == (
        "fr",
        ["nature_of_breach"],
        "en",
    )
    # The German notice prints the responder's German words.
    german = outcome.drafts[1]
    assert "Ein Angreifer exportierte die Kundentabelle." in german.body
    assert "An attacker" not in german.body


def test_posting_period_and_form(tmp_path: Path) -> None:
    root = _templates(
        tmp_path,
        {
            "test/public/web.en.html.j2": (
                "<p>{{ obligation.form }} {{ posting_days }} {{ posted_until }}</p>"
            )
        },
    )
    public = _obligation(
        audience=Audience.PUBLIC, id="test-public-substitute", posting_days=30, channels=[]
    )
    [page] = render_all(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[public],
        assessment=None,
        channel_order=[Channel.EMAIL],
        templates_dir=root,
        details={"notice_date": date(2026, 3, 5)},
    ).drafts
    assert page.body == "<p>substitute 30 4 April 2026</p>\n"


@pytest.mark.parametrize(
    ("obligation_id", "audience", "form"),
    [
        ("eu-nis2-regulator-early-warning", Audience.REGULATOR, "early-warning"),
        ("gdpr-regulator-de", Audience.REGULATOR, "de"),
        ("us-mn-credit-reporting-agencies", Audience.CREDIT_REPORTING_AGENCIES, ""),
        ("gdpr-individuals", Audience.INDIVIDUALS, ""),
    ],
)
def test_form_of(obligation_id: str, audience: Audience, form: str) -> None:
    regime = obligation_id.split("-regulator")[0].split("-individuals")[0]
    regime = regime.removesuffix("-credit-reporting-agencies")
    assert form_of(_obligation(id=obligation_id, audience=audience, regime=regime)) == form
