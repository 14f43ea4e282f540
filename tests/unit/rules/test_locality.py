"""One individual notice per person: the most local regime serves each jurisdiction."""

from __future__ import annotations

from herald.models import Audience, Obligation
from herald.rules.locality import locality, plan_individual_notices


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
