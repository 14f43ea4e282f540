"""Every audience an obligation can name has a default draft that carries its elements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from herald.models import (
    Audience,
    Channel,
    DataCategory,
    Entity,
    EntityContact,
    IncidentFacts,
    Obligation,
)
from herald.render import render_drafts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FACTS = IncidentFacts(
    aware_at=NOW,
    entity=Entity(
        name="Example Inc.",
        contact=EntityContact(name="Privacy Office", email="privacy@example.org"),
    ),
    data_categories=[DataCategory.NAME, DataCategory.GOVERNMENT_ID],
    title="Stolen laptop",
    description="An unencrypted laptop with a customer export was stolen.",
    remediation="Remote wipe requested; police report filed.",
)


@pytest.mark.parametrize(
    ("audience", "language"),
    [
        (Audience.CREDIT_REPORTING_AGENCIES, "en"),
        (Audience.CREDIT_REPORTING_AGENCIES, "zh-CN"),
        (Audience.MEDIA, "en"),
        (Audience.LAW_ENFORCEMENT, "en"),
        (Audience.OTHER, "en"),
        (Audience.REGULATOR, "en"),
    ],
)
def test_default_notice_for_each_audience_is_complete(audience: Audience, language: str) -> None:
    obligation = Obligation(
        id=f"us-ny-{audience.value}",
        regime="us-ny",
        audience=audience,
        recipient="Recipient",
        due_at=None,
        deadline="without unreasonable delay",
        citation="N.Y. Gen. Bus. Law § 899-aa",
        required_content=["nature_of_breach", "measures_taken", "dpo_contact"],
        jurisdictions=["US-NY"],
        affected_count=1200,
        language=language,
    )
    (draft,) = render_drafts(
        incident_id="INC-1",
        facts=FACTS,
        obligations=[obligation],
        assessment=None,
        channel_order=[Channel.EMAIL],
    )
    assert draft.channel is Channel.REPORT
    assert draft.language == language
    assert draft.missing_elements == []
    assert "1,200" in draft.body or "1200" in draft.body
