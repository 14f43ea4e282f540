"""The rules engine: which notifications the law requires for one set of incident facts.

Pure domain logic (no I/O, no clock reads, no Temporal), so it runs the same inside an
activity, in the CLI and in tests. `evaluate` computes the risk once, asks every regime in
`REGIMES` for its result and returns the obligations in a stable order together with one
decision per regime, including the regimes that impose nothing and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from herald.models import Assessment, Evaluation, IncidentFacts, Obligation, RegimeDecision
from herald.rules.au_ndb import AuNdb
from herald.rules.base import Context, Regime, RegimeResult
from herald.rules.br_lgpd import BrLgpd
from herald.rules.ca_pipeda import CaPipeda
from herald.rules.ca_qc import CaQcLaw25
from herald.rules.cn_cac import CnCacIncident
from herald.rules.cn_pipl import CnPipl
from herald.rules.elements import ELEMENTS
from herald.rules.eu_nis2 import EuNis2
from herald.rules.ftc_safeguards import FtcSafeguards
from herald.rules.gdpr import Gdpr
from herald.rules.hipaa import Hipaa
from herald.rules.in_dpdp import InDpdp
from herald.rules.jp_appi import JpAppi
from herald.rules.kr_pipa import KrPipa
from herald.rules.nydfs import Nydfs
from herald.rules.policy import PolicyRegime
from herald.rules.risk import assess_risk
from herald.rules.sec_8k import Sec8k
from herald.rules.sg_pdpa import SgPdpa
from herald.rules.uk_gdpr import UkGdpr
from herald.rules.us_states import state_regimes

__all__ = [
    "ELEMENTS",
    "REGIMES",
    "Context",
    "Regime",
    "RegimeResult",
    "assess_risk",
    "evaluate",
]

# Every regime Herald knows, in the order decisions are reported: the US states come from
# their data files (herald/rules/data/us/), one regime each, sorted by id.
REGIMES: tuple[Regime, ...] = (
    Gdpr(),
    UkGdpr(),
    EuNis2(),
    *state_regimes(),
    Hipaa(),
    Sec8k(),
    FtcSafeguards(),
    Nydfs(),
    CnPipl(),
    CnCacIncident(),
    SgPdpa(),
    AuNdb(),
    JpAppi(),
    KrPipa(),
    InDpdp(),
    CaPipeda(),
    CaQcLaw25(),
    BrLgpd(),
    PolicyRegime(),
)


def evaluate(
    facts: IncidentFacts,
    assessment: Assessment | None = None,
    *,
    regimes: Sequence[Regime] = REGIMES,
    notified: Mapping[str, datetime] | None = None,
) -> Evaluation:
    """Evaluate every regime for one incident.

    Args:
        facts: what is known about the incident.
        assessment: the summarised population, when it has been read; it refines the risk
            and enables obligations that depend on contactability (substitute notice).
        regimes: the regimes to run; all known ones by default.
        notified: when each obligation (by id) was fulfilled (notices delivered, report
            filed); deadlines chained to it resolve from that instant, not an estimate.

    Returns:
        The obligations, ordered by due date (those without a fixed date last) and then by
        id, and one decision per regime in the order of ``regimes``.
    """
    risk, risk_reasons = assess_risk(facts, assessment)
    ctx = Context(
        facts=facts,
        assessment=assessment,
        risk=risk,
        risk_reasons=risk_reasons,
        notified=dict(notified or {}),
    )
    unknown = facts.unknown_fields()
    obligations: list[Obligation] = []
    decisions: list[RegimeDecision] = []
    for regime in regimes:
        result = regime.evaluate(ctx)
        reasons = list(result.reasons)
        if unknown:
            reasons.append(
                "The facts contain fields the contract does not define, which no rule read "
                f"(check for typos): {', '.join(unknown)}."
            )
        decisions.append(
            RegimeDecision(
                regime=regime.id,
                applies=result.applies,
                reasons=reasons,
                obligations=[o.id for o in result.obligations],
            )
        )
        obligations.extend(result.obligations)
    return Evaluation(obligations=sorted(obligations, key=_order), decisions=decisions)


def _order(obligation: Obligation) -> tuple[bool, float, str]:
    due = obligation.due_at
    return (due is None, due.timestamp() if due is not None else 0.0, obligation.id)
