"""One individual notice per person: the most local regime serves each jurisdiction."""

from __future__ import annotations

from herald.models import Audience, Channel, Obligation
from herald.rules.locality import (
    locality,
    notice_channels,
    notice_content,
    plan_individual_notices,
)


def _individuals(regime: str, jurisdictions: list[str]) -> Obligation:
    return Obligation(
        id=f"{regime}-individuals",
        regime=regime,
        audience=Audience.INDIVIDUALS,
        recipient="affected people",
        due_at=None,
        deadline="without undue delay",
        citation="-",
        jurisdictions=jurisdictions,
    )


def test_locality_scores() -> None:
    assert locality("us-ca", "US-CA") == 2
    assert locality("us-ca", "US-NY") == 0
    assert locality("gdpr", "FR") == 1
    assert locality("gdpr", "US-CA") == 0
    assert locality("cn-pipl", "CN-SH") == 1
    assert locality("ca-qc-law25", "CA-QC") == 2
    assert locality("uk-gdpr", "GB-ENG") == 1


def test_californians_get_the_california_notice_only() -> None:
    gdpr = _individuals("gdpr", ["US-CA", "FR", "DE", "CN-SH"])
    ca = _individuals("us-ca", ["US-CA"])
    plan = plan_individual_notices([gdpr, ca])
    assert plan == {"gdpr-individuals": ["CN-SH", "DE", "FR"], "us-ca-individuals": ["US-CA"]}


def test_regime_with_nobody_left_gets_empty_plan() -> None:
    gdpr = _individuals("gdpr", ["US-CA"])
    ca = _individuals("us-ca", ["US-CA"])
    assert plan_individual_notices([gdpr, ca])["gdpr-individuals"] == []


def test_the_notice_a_person_gets_carries_every_covering_law_s_elements() -> None:
    gdpr = _individuals("gdpr", ["US-CA", "FR"]).model_copy(
        update={"required_content": ["nature_of_breach", "dpo_contact", "likely_consequences"]}
    )
    ca = _individuals("us-ca", ["US-CA"]).model_copy(
        update={"required_content": ["ca_title", "what_happened", "contact_info"]}
    )
    nobody = _individuals("us-ny", ["US-NY"]).model_copy(
        update={"required_content": ["contact_info"]}
    )
    plan = plan_individual_notices([gdpr, ca, nobody])
    merged = notice_content([gdpr, ca, nobody], plan)
    # California's form comes first; the GDPR's elements are added for the Californians.
    assert merged["us-ca-individuals"] == [
        "ca_title",
        "what_happened",
        "contact_info",
        "nature_of_breach",
        "dpo_contact",
        "likely_consequences",
    ]
    # The GDPR notice to the French stands in for no one else.
    assert merged["gdpr-individuals"] == ["nature_of_breach", "dpo_contact", "likely_consequences"]
    assert merged["us-ny-individuals"] == ["contact_info"]


def test_a_notice_may_use_the_channels_of_the_notices_it_stands_in_for() -> None:
    pipl = _individuals("cn-pipl", ["CN-SH"]).model_copy(
        update={"channels": [Channel.EMAIL, Channel.SMS, Channel.LETTER]}
    )
    promise = _individuals("policy", ["CN-SH"]).model_copy(
        update={"channels": [Channel.EMAIL, Channel.LETTER, Channel.VOICE, Channel.PUSH]}
    )
    plan = plan_individual_notices([pipl, promise])
    assert plan["cn-pipl-individuals"] == ["CN-SH"]
    # The policy promised a call and a push: the law's notice carries that promise out.
    assert notice_channels([pipl, promise], plan)["cn-pipl-individuals"] == [
        Channel.EMAIL,
        Channel.SMS,
        Channel.LETTER,
        Channel.VOICE,
        Channel.PUSH,
    ]
