"""The policy regime: an organisation's own promises, as obligations beside the law."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from herald.impact import judge
from herald.models import Assessment, Audience, Channel, IncidentFacts
from herald.models.assessment import JurisdictionCount
from herald.models.facts import PolicyCommitment
from herald.rules.locality import notice_content, plan_individual_notices

AWARE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PROMISES = [
    PolicyCommitment(
        id="notify-users",
        kind="notify_individuals",
        summary="inform users by email, letter, telephone or push notification",
        channels=[Channel.EMAIL, Channel.LETTER, Channel.VOICE, Channel.PUSH],
        source="§9 Security incidents",
    ),
    PolicyCommitment(
        id="announcement",
        kind="public_announcement",
        summary="publish an announcement where informing each person is difficult",
        source="§9",
    ),
    PolicyCommitment(
        id="report-regulators",
        kind="report_regulators",
        summary="report to the regulators as they require",
        source="§9",
    ),
    PolicyCommitment(
        id="respond-15-days",
        kind="respond",
        summary="reply to requests within 15 days",
        within_hours=360,
        source="§11 Contact us",
    ),
]


def _facts(*jurisdictions: str) -> IncidentFacts:
    return IncidentFacts.model_validate(
        {
            "aware_at": AWARE.isoformat(),
            "entity": {
                "name": "Example Ltd",
                "established_in": ["CN"],
                "policy_name": "Example",
                "languages": ["zh-CN", "en"],
                "commitments": [p.model_dump() for p in PROMISES],
            },
            "data_categories": ["name", "phone"],
            "affected": [{"jurisdiction": j, "count": 10} for j in jurisdictions],
        }
    )


def test_each_promise_becomes_an_obligation_citing_its_clause() -> None:
    reachable = Assessment(
        total=20,
        jurisdictions=[JurisdictionCount(jurisdiction=j, count=10) for j in ("CN-SH", "SG")],
        contactable={"email": 20},
        unreachable=0,
    )
    _, _, evaluation = judge(_facts("CN-SH", "SG"), reachable)
    policy = {o.id: o for o in evaluation.obligations if o.regime == "policy"}
    assert set(policy) == {"policy-notify-users", "policy-respond-15-days"}
    notice = policy["policy-notify-users"]
    assert notice.audience is Audience.INDIVIDUALS and notice.language == "zh-CN"
    assert notice.channels == [Channel.EMAIL, Channel.LETTER, Channel.VOICE, Channel.PUSH]
    assert notice.citation == "Example privacy policy: §9 Security incidents"
    assert notice.jurisdictions == ["CN-SH", "SG"] and notice.drafted
    standing = policy["policy-respond-15-days"]
    assert standing.audience is Audience.OTHER and not standing.drafted
    assert standing.due_at is None and "15 days" in standing.deadline
    decision = next(d for d in evaluation.decisions if d.regime == "policy")
    assert any("legal regimes' reports carry that out" in r for r in decision.reasons)


def test_the_announcement_only_where_people_cannot_be_told_one_by_one() -> None:
    some_unreachable = Assessment(
        total=20,
        jurisdictions=[JurisdictionCount(jurisdiction="CN-SH", count=20)],
        contactable={"email": 18},
        unreachable=2,
    )
    _, _, evaluation = judge(_facts("CN-SH"), some_unreachable)
    announcement = next(o for o in evaluation.obligations if o.id == "policy-announcement")
    assert announcement.audience is Audience.PUBLIC and announcement.affected_count == 2


def test_the_law_s_notice_goes_out_and_carries_the_policy_s_content() -> None:
    _, _, evaluation = judge(_facts("CN-SH", "SG"), None)
    plan = plan_individual_notices(evaluation.obligations)
    # PIPL serves the Shanghai residents; the policy notice serves those no law covers here.
    assert "CN-SH" in plan["cn-pipl-individuals"]
    assert "CN-SH" not in plan["policy-notify-users"]
    merged = notice_content(evaluation.obligations, plan)
    assert "likely_consequences" in merged["cn-pipl-individuals"]


def test_a_promise_with_a_period_has_a_deadline() -> None:
    timed = PROMISES[0].model_copy(update={"within_hours": 72.0})
    facts = _facts("SG").model_copy(
        update={
            "entity": _facts("SG").entity.model_copy(update={"commitments": [timed]}),
        }
    )
    _, _, evaluation = judge(facts, None)
    notice = next(o for o in evaluation.obligations if o.id == "policy-notify-users")
    assert notice.due_at == AWARE + timedelta(hours=72)


def test_no_promises_no_policy_obligations() -> None:
    facts = IncidentFacts.model_validate(
        {"aware_at": AWARE.isoformat(), "entity": {"name": "X"}, "data_categories": ["email"]}
    )
    _, _, evaluation = judge(facts, None)
    decision = next(d for d in evaluation.decisions if d.regime == "policy")
    assert not decision.applies and not decision.obligations
