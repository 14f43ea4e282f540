"""UK GDPR Articles 33 and 34: notifying the ICO and the data subjects.

The UK GDPR mirrors the EU GDPR (`herald.rules.gdpr`); only the scope, the authority and the
data differ (jurisdictions.md section 2). The rules are data in ``data/uk-gdpr.yaml``,
validated by `UkGdprLaw` and versioned by effective date.

* **Scope.** The entity is established in the United Kingdom (every affected person is
  covered, wherever they live) or people in the UK are affected (only they are covered). A
  code is British when `herald.jurisdictions.country_of` gives ``GB`` (``GB``, ``GB-ENG``,
  ``GB-NIR`` ...).
* **ICO.** Every breach unless it is unlikely to result in a risk: 72 elapsed hours after
  awareness (an hour clock: weekends, bank holidays and the end of British Summer Time all
  count as they pass).
* **Individuals.** When the risk is high, "without undue delay" (no instant), unless the data
  was encrypted and the key is safe (Art. 34(3)(a)).
* **Risk.** Judged for the people covered (`herald.rules.base.covered_context`): without a UK
  establishment, a computed risk comes from the data exposed for the people in the UK.
* **PECR** (24 hours for public electronic communications providers) is a separate regime
  that Herald does not model; it is mentioned in the reasons only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from herald.deadlines import hours_after
from herald.jurisdictions import country_of
from herald.models import AffectedGroup, Audience, Channel, Obligation, RiskLevel
from herald.rules.base import (
    NO_PERSONAL_DATA,
    Context,
    RegimeResult,
    clock,
    covered_context,
    personal_data_involved,
    slug,
)
from herald.rules.regime_data import (
    DATA_DIR,
    NoticeContent,
    ReportContent,
    Strict,
    VersionBase,
    VersionedFile,
    codes,
    describe,
    load_regime_file,
)

DATA_FILE = DATA_DIR / "uk-gdpr.yaml"
UK = "GB"  # ISO 3166-1 code of the United Kingdom; its subdivisions are GB-ENG, GB-SCT ...


class Authority(Strict):
    """The Information Commissioner's Office and how to reach it."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1, description="online form and helpline")
    language: str = Field(default="en", min_length=2)


class RegulatorRule(Strict):
    """Art. 33: the notice to the ICO."""

    hours: int = Field(ge=1, description="elapsed hours after awareness")
    deadline: str = Field(min_length=1, description="the rule in words")
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class IndividualsRule(Strict):
    """Art. 34: the communication to the data subjects (no fixed period)."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: NoticeContent = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class Version(VersionBase):
    """The rules as in force from one (UK) date."""

    regulator: RegulatorRule
    individuals: IndividualsRule


class UkGdprLaw(VersionedFile[Version]):
    """The whole data file: the frame, the authority and the PECR note."""

    id: Literal["uk-gdpr"]
    name: str = Field(min_length=1)
    authority: Authority
    pecr_note: str = Field(min_length=1, description="the separate PECR duty, in words")


def load_rules() -> UkGdprLaw:
    """The data file, read and validated once per process; errors name the file."""
    return load_regime_file(UkGdprLaw, "uk-gdpr")


class UkGdpr:
    """The UK GDPR regime (``uk-gdpr``)."""

    id = "uk-gdpr"

    def __init__(self, law: UkGdprLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope, the ICO notice and the individuals notice."""
        facts, law = ctx.facts, self.law
        established = [c for c in facts.entity.established_in if country_of(c) == UK]
        uk_groups = [g for g in facts.affected if country_of(g.jurisdiction) == UK]
        if not established and not uk_groups:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The entity is not established in the United Kingdom and no affected "
                    "group resides there, so the UK GDPR does not reach this incident (Art. 3)."
                ],
            )
        version = law.version_at(facts.aware_at)
        if version is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    "No mandatory breach notification was in force in the United Kingdom "
                    f"when the organisation became aware ({facts.aware_at.isoformat()}); "
                    f"the first modelled version starts on {law.versions[0].effective_from}."
                ],
            )
        if established:
            # Art. 3(1): an establishment in the UK brings every data subject in, wherever
            # they live, exactly as the EU GDPR does for an EU establishment.
            covered = list(facts.affected)
            scope = (
                f"The entity is established in the United Kingdom ({', '.join(established)}), "
                "so the UK GDPR covers every affected person wherever they reside (Art. 3(1))."
            )
        else:
            covered = uk_groups
            scope = (
                "The entity is not established in the United Kingdom but people there are "
                f"affected ({describe(uk_groups)}); the UK GDPR covers them (Art. 3(2))."
            )
            ctx = covered_context(ctx, covered)
        if not personal_data_involved(facts):
            return RegimeResult(
                applies=True,
                reasons=[scope, NO_PERSONAL_DATA.format(law="the UK GDPR (Arts. 33 and 34)")],
            )
        reasons = [
            scope,
            f"The organisation became aware at {facts.aware_at.isoformat()}, so "
            f"{version.label} applies.",
            *ctx.risk_reasons,
        ]
        obligations: list[Obligation] = []
        if ctx.risk is RiskLevel.NONE:
            reasons.append(
                "The breach is unlikely to result in a risk to people, so the ICO is not "
                "notified (Art. 33(1)); record the breach and the reasons for not reporting "
                "it (Art. 33(5))."
            )
        else:
            obligations.append(self._regulator(ctx, version, covered, scope))
            reasons.append(
                f"The risk is {ctx.risk}, not none, so the ICO must be notified within "
                f"{version.regulator.hours} hours of awareness (Art. 33(1))."
            )
        reasons.append(law.pecr_note)
        individuals, why = self._individuals(ctx, version, covered, scope)
        reasons.append(why)
        if individuals is not None:
            obligations.append(individuals)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _regulator(
        self, ctx: Context, version: Version, covered: list[AffectedGroup], scope: str
    ) -> Obligation:
        rule, authority = version.regulator, self.law.authority
        start = clock(ctx.facts, "awareness")
        # An hour clock on the UTC time line: the end of BST neither adds nor removes an hour.
        due = hours_after(start.started_at, rule.hours)
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=authority.name,
            due_at=due,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, "regulator"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(covered),
            affected_count=sum(g.count for g in covered),
            channels=[Channel.REPORT],
            contact=authority.contact,
            language=authority.language,
            reasons=[
                scope,
                *ctx.risk_reasons,
                f"The risk is {ctx.risk}, not none, so the ICO must be notified; "
                f"{rule.hours} hours after awareness ({start.started_at.isoformat()}) is "
                f"{due.isoformat()}. A later report must give the reasons for the delay; "
                "information may follow in phases.",
                self.law.pecr_note,
            ],
            warnings=list(start.warnings),
        )

    def _individuals(
        self, ctx: Context, version: Version, covered: list[AffectedGroup], scope: str
    ) -> tuple[Obligation | None, str]:
        facts, rule = ctx.facts, version.individuals
        if ctx.risk is not RiskLevel.HIGH:
            return None, (
                f"The risk is {ctx.risk}, not high, so data subjects need not be told (Art. 34(1))."
            )
        if facts.encryption.encrypted and not facts.encryption.key_compromised:
            return None, (
                "The data was encrypted and the key was not compromised, so communication to "
                "data subjects is not required (Art. 34(3)(a))."
            )
        encryption = (
            ["The data was encrypted but the key was compromised, so Art. 34(3)(a) does not apply."]
            if facts.encryption.encrypted
            else []
        )
        start = clock(facts, "awareness")
        warnings = list(start.warnings)
        if not covered:
            warnings.append("No affected group is known yet; add the affected people to the facts.")
        obligation = Obligation(
            regime=self.id,
            audience=Audience.INDIVIDUALS,
            recipient="Affected data subjects",
            due_at=None,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, "individuals"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(covered),
            affected_count=sum(g.count for g in covered),
            channels=list(rule.channels),
            language="en",
            reasons=[
                scope,
                *ctx.risk_reasons,
                *encryption,
                "The risk is high, so the data subjects must be told in clear and plain "
                "language (Art. 34(1)-(2)). The exemptions of Art. 34(3)(b) (later measures "
                "remove the high risk) and (c) (disproportionate effort, replaced by an equally "
                "effective public communication) cannot be derived from the facts: waive with "
                "a reason if one applies.",
            ],
            warnings=warnings,
        )
        return obligation, (
            "The risk is high and no encryption safe harbour applies, so data subjects must be "
            "told without undue delay (Art. 34(1))."
        )
