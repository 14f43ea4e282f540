"""NYDFS 500.17: 72 hours after determination; extortion payment 24 hours and 30 days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Evaluation, IncidentFacts, Obligation
from herald.models.obligations import RegimeDecision
from herald.rules import evaluate
from herald.rules.nydfs import Nydfs, NydfsFile, nydfs_rules
from herald.rules.regime_data import DATA_DIR, ReportElement

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def insurer(make_facts: FactsFactory) -> FactsFactory:
    """A New York insurer; determined Friday 6 March 2026 10:15 EST, just before DST."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-06T08:00:00-05:00",
            "discovered_at": "2026-03-05T23:00:00-05:00",
            "determined_at": "2026-03-06T10:15:00-05:00",
            "entity": {
                "name": "Example Insurance Co",
                "established_in": ["US-NY"],
                "sectors": ["nydfs_covered_entity"],
                "timezone": "America/New_York",
            },
            "data_categories": [],
            "affected": [],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[Nydfs()])


def by_id(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def decision(evaluation: Evaluation) -> RegimeDecision:
    [found] = evaluation.decisions
    return found


def test_incident_notice_72_elapsed_hours_after_determination(insurer: FactsFactory) -> None:
    evaluation = run(insurer())

    assert sorted(by_id(evaluation)) == ["nydfs-500-regulator"]
    notice = by_id(evaluation)["nydfs-500-regulator"]
    assert notice.audience is Audience.REGULATOR
    assert notice.clock == "determination"
    assert notice.clock_started_at == datetime(2026, 3, 6, 15, 15, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 3, 9, 15, 15, tzinfo=UTC)
    # Elapsed hours: DST began on 8 March, so the local clock shows 11:15, not 10:15.
    assert notice.due_at.astimezone(NEW_YORK).time() == time(11, 15)
    assert notice.citation == "23 NYCRR 500.17(a)"
    assert notice.recipient.startswith("New York State Department of Financial Services")
    assert "DFS Portal" in notice.contact
    assert any("cybersecurity incident" in r and "waive" in r for r in notice.reasons)
    assert any("UNCONFIRMED" in w for w in notice.warnings)


def test_applies_regardless_of_personal_data(insurer: FactsFactory) -> None:
    notice = by_id(run(insurer()))["nydfs-500-regulator"]

    assert notice.affected_count == 0
    assert notice.jurisdictions == []
    assert "whether or not personal data" in decision(run(insurer())).reasons[0]


def test_ransom_payment_needs_notice_in_24_hours_and_a_description_in_30_days(
    insurer: FactsFactory,
) -> None:
    # Paid Saturday 7 March 2026 at 22:40 EST (8 March 03:40 UTC).
    obligations = by_id(run(insurer(ransom_paid_at="2026-03-07T22:40:00-05:00")))

    assert sorted(obligations) == [
        "nydfs-500-regulator",
        "nydfs-500-regulator-ransom-24h",
        "nydfs-500-regulator-ransom-30d",
    ]
    notice = obligations["nydfs-500-regulator-ransom-24h"]
    assert notice.clock == "ransom_payment"
    assert notice.clock_started_at == datetime(2026, 3, 8, 3, 40, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 3, 9, 3, 40, tzinfo=UTC)
    assert notice.citation == "23 NYCRR 500.17(c)(1)"
    description = obligations["nydfs-500-regulator-ransom-30d"]
    # 7 March (New York date of the payment) + 30 days = 6 April, ending at midnight EDT.
    assert description.due_at == datetime(2026, 4, 7, 3, 59, 59, 999_999, tzinfo=UTC)
    assert description.due_at.astimezone(NEW_YORK).date().isoformat() == "2026-04-06"
    assert description.citation == "23 NYCRR 500.17(c)(2)"
    assert "Office of Foreign Assets Control" in description.deadline


def test_the_30_days_count_on_the_entitys_calendar(insurer: FactsFactory) -> None:
    facts = insurer(
        ransom_paid_at="2026-03-07T22:40:00-05:00",  # already 8 March in Tokyo
        entity={
            "name": "Example KK",
            "sectors": ["nydfs_covered_entity"],
            "timezone": "Asia/Tokyo",
        },
    )

    description = by_id(run(facts))["nydfs-500-regulator-ransom-30d"]

    # 8 March + 30 days = 7 April, ending at midnight JST (UTC+9).
    assert description.due_at == datetime(2026, 4, 7, 14, 59, 59, 999_999, tzinfo=UTC)


def test_no_ransom_payment_is_explained(insurer: FactsFactory) -> None:
    found = decision(run(insurer()))

    assert any("No extortion payment is recorded" in r for r in found.reasons)


def test_ransom_notices_did_not_exist_before_the_2023_amendment(insurer: FactsFactory) -> None:
    facts = insurer(
        aware_at="2023-06-01T09:00:00-04:00",
        discovered_at=None,
        determined_at="2023-06-01T12:00:00-04:00",
        ransom_paid_at="2023-06-02T12:00:00-04:00",
    )

    evaluation = run(facts)

    assert sorted(by_id(evaluation)) == ["nydfs-500-regulator"]
    assert any("predates the extortion-payment" in r for r in decision(evaluation).reasons)


def test_missing_determination_falls_back_with_a_warning(insurer: FactsFactory) -> None:
    notice = by_id(run(insurer(determined_at=None)))["nydfs-500-regulator"]

    # The earliest known instant: discovery, 5 March 23:00 EST.
    assert notice.clock_started_at == datetime(2026, 3, 6, 4, 0, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert any("determined_at is not given" in w for w in notice.warnings)


def test_not_a_covered_entity(insurer: FactsFactory) -> None:
    found = decision(run(insurer(entity={"name": "Shop", "sectors": []})))

    assert not found.applies
    assert found.reasons == [
        "The entity is not an NYDFS covered entity (sector nydfs_covered_entity)."
    ]


def test_not_in_force_before_august_2017(insurer: FactsFactory) -> None:
    facts = insurer(aware_at="2017-08-27T12:00:00-04:00", discovered_at=None, determined_at=None)

    found = decision(run(facts))

    assert not found.applies
    assert "2017-08-28" in found.reasons[0]


def test_required_content_uses_only_checkable_elements(insurer: FactsFactory) -> None:
    evaluation = run(insurer(ransom_paid_at="2026-03-07T22:40:00-05:00"))

    for obligation in evaluation.obligations:
        assert obligation.required_content, obligation.id
        assert set(obligation.required_content) <= set(get_args(ReportElement)), obligation.id


def test_data_file_rejects_unknown_keys_and_names_sources() -> None:
    data = yaml.safe_load((DATA_DIR / "nydfs-500.yaml").read_text(encoding="utf-8"))
    data["versions"][1]["ransom"]["notice"]["content"] = ["ransom_reasons"]

    with pytest.raises(ValidationError, match="content"):
        NydfsFile.model_validate(data)
    rules = nydfs_rules()
    assert rules.id == Nydfs.id == "nydfs-500"
    assert [v.effective_from.isoformat() for v in rules.versions] == ["2017-08-28", "2023-12-01"]
    assert rules.sources and any("UNCONFIRMED" in n for n in rules.notes)
