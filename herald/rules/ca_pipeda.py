"""Canada, PIPEDA ss 10.1-10.3 and the Breach of Security Safeguards Regulations (SOR/2018-64).

The rules are data in ``data/ca-pipeda.yaml``, validated by `PipedaLaw` and versioned by
effective date (jurisdictions.md section 19).

* **Scope.** People in Canada are affected (any code whose country is ``CA``, every province
  and territory included), or the organisation is established in Canada, in which case
  everyone affected is covered, wherever they reside (s 10.1 speaks of a breach involving
  personal information under the organisation's control, whoever it is about; the
  reference sets no residence test, so the conservative reading). PIPEDA covers private
  organisations across the provinces. Québec's own law (``ca-qc-law25``) and the
  private-sector laws of Alberta and British Columbia may apply as well or instead; groups
  and establishments there get a warning, and PIPEDA is applied to them too, the
  conservative reading.
* **Risk** is judged for the people covered (`herald.rules.base.covered_context`): a
  computed level comes from the data exposed for the people in Canada when only they are.
* **Trigger.** A breach of security safeguards that creates a *real risk of significant harm*
  (RROSH: sensitivity and probability of misuse). Herald's ``high`` risk is treated as RROSH;
  ``risk`` and ``none`` are not. No numeric threshold, no small-business exemption and no
  encryption safe harbour (encryption weighs in the risk level instead).
* **Notices**, all "as soon as feasible" after the organisation determines the breach
  occurred (no fixed instant): a report to the OPC, direct notice to the individuals, and
  notice to other organisations or government institutions that may reduce the risk.
* **Record.** Every breach, notifiable or not, is recorded and kept for 24 months.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from herald.jurisdictions import country_of
from herald.models import AffectedGroup, Audience, Channel, Obligation, RiskLevel
from herald.models.types import JurisdictionCode
from herald.rules.base import (
    NO_PERSONAL_DATA,
    Clock,
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

DATA_FILE = DATA_DIR / "ca-pipeda.yaml"
CANADA = "CA"


class Authority(Strict):
    """The Office of the Privacy Commissioner of Canada."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    language: str = Field(default="en", min_length=2)


class Notice(Strict):
    """One notice "as soon as feasible" (no fixed instant)."""

    recipient: str = Field(min_length=1)
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)


class RegulatorNotice(Notice):
    """The report to the OPC."""

    content: ReportContent = Field(min_length=1)


class IndividualsNotice(Notice):
    """Direct notice to the affected individuals."""

    content: NoticeContent = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class OtherNotice(Notice):
    """Notice to organisations or institutions that may reduce the risk of harm."""

    content: ReportContent = Field(default_factory=list)
    channels: list[Channel] = Field(min_length=1)


class Version(VersionBase):
    """The breach provisions as in force from one date."""

    regulator: RegulatorNotice
    individuals: IndividualsNotice
    other: OtherNotice
    record_keeping: str = Field(min_length=1, description="the record duty, in words")


class PipedaLaw(VersionedFile[Version]):
    """The whole data file: the frame, the OPC and the provinces with their own law."""

    id: Literal["ca-pipeda"]
    name: str = Field(min_length=1)
    authority: Authority
    provincial_laws: dict[JurisdictionCode, str] = Field(
        description="provinces with their own private-sector law: the warning to give"
    )


def load_rules() -> PipedaLaw:
    """The data file, read and validated once per process; errors name the file."""
    return load_regime_file(PipedaLaw, "ca-pipeda")


class CaPipeda:
    """Canada's federal private-sector breach rules (``ca-pipeda``)."""

    id = "ca-pipeda"

    def __init__(self, law: PipedaLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the breach creates a RROSH and the three notices it requires."""
        facts, law = ctx.facts, self.law
        canadians = [g for g in facts.affected if country_of(g.jurisdiction) == CANADA]
        established = [c for c in facts.entity.established_in if country_of(c) == CANADA]
        if not canadians and not established:
            return RegimeResult(
                applies=False,
                reasons=[
                    "No affected group resides in Canada and the organisation is not "
                    "established there, so PIPEDA's breach rules do not reach this incident."
                ],
            )
        version = law.version_at(facts.aware_at)
        if version is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    "PIPEDA's mandatory breach reporting was not in force when the "
                    f"organisation became aware ({facts.aware_at.isoformat()}); it starts on "
                    f"{law.versions[0].effective_from}."
                ],
            )
        if established:
            # Every breach of safeguards over information under the organisation's control.
            groups = list(facts.affected)
            scope = (
                f"The organisation is established in Canada ({', '.join(established)}), so "
                "every affected person is covered, wherever they reside "
                f"({sum(g.count for g in canadians)} of them in Canada). The law in force is "
                f"{version.label}."
            )
        else:
            groups = canadians
            scope = (
                f"{sum(g.count for g in groups)} affected people reside in Canada "
                f"({describe(groups)}). The law in force is {version.label}."
            )
            ctx = covered_context(ctx, groups)
        if not personal_data_involved(facts):
            return RegimeResult(
                applies=True, reasons=[scope, NO_PERSONAL_DATA.format(law="PIPEDA ss 10.1-10.3")]
            )
        provincial = self._provincial_warnings(canadians, established)
        reasons = [scope, *provincial, *ctx.risk_reasons, version.record_keeping]
        if ctx.risk is not RiskLevel.HIGH:
            reasons.append(
                f"The risk is {ctx.risk}, not high, so the breach is not taken to create a real "
                "risk of significant harm (s 10.1(1), (7)-(8)): neither the OPC nor the "
                "individuals are notified. Record the breach all the same (s 10.3)."
            )
            return RegimeResult(applies=True, reasons=reasons)
        rrosh = (
            "The risk is high, so the breach is taken to create a real risk of significant "
            "harm (sensitivity of the information and probability of misuse, s 10.1(7)-(8)). "
            "PIPEDA has no encryption safe harbour or numeric threshold; encryption weighs in "
            "the risk level."
        )
        reasons.append(rrosh)
        start = clock(facts, "determination")
        basis = [scope, *ctx.risk_reasons, rrosh]
        warnings = [*start.warnings, *provincial]
        obligations = [
            self._regulator(version, groups, start, basis, warnings),
            self._individuals(version, groups, start, basis, warnings),
            self._other(version, groups, start, basis, warnings),
        ]
        reasons.append(
            "The OPC, the individuals and any organisation or institution that may reduce the "
            "risk of harm must be told as soon as feasible after the breach is determined."
        )
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _provincial_warnings(
        self, groups: list[AffectedGroup], established: list[str]
    ) -> list[str]:
        """A warning per province with its own law, for the groups and establishments there."""
        codes_found = {g.jurisdiction for g in groups} | set(established)
        found = sorted(codes_found & set(self.law.provincial_laws))
        return [f"{code}: {self.law.provincial_laws[code]}" for code in found]

    def _regulator(
        self,
        version: Version,
        groups: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule, authority = version.regulator, self.law.authority
        return self._obligation(
            Audience.REGULATOR,
            rule,
            list(rule.content),
            [Channel.REPORT],
            groups,
            start,
            [
                *basis,
                "A breach creating a real risk of significant harm is reported to the OPC in "
                "writing; the report may be updated as new information arrives.",
            ],
            warnings,
            contact=authority.contact,
            language=authority.language,
        )

    def _individuals(
        self,
        version: Version,
        groups: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule = version.individuals
        return self._obligation(
            Audience.INDIVIDUALS,
            rule,
            list(rule.content),
            list(rule.channels),
            groups,
            start,
            [
                *basis,
                "Each affected individual is told directly (in person, by phone, mail, email or "
                "other means). Indirect notice (a prominent public communication) is allowed "
                "only where direct notice would cause further harm or undue hardship, or "
                "contact information is lacking; the facts cannot show that: waive with a "
                "reason if it applies.",
            ],
            warnings,
        )

    def _other(
        self,
        version: Version,
        groups: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule = version.other
        return self._obligation(
            Audience.OTHER,
            rule,
            list(rule.content),
            list(rule.channels),
            groups,
            start,
            [
                *basis,
                "An organisation that notifies individuals also notifies any other "
                "organisation or government institution that may be able to reduce the risk "
                "of harm or mitigate it (e.g. police, credit reporting agencies) (s 10.2).",
            ],
            [
                *warnings,
                "Which organisations or institutions can reduce the risk is a judgement the "
                "facts cannot settle: name them, or waive with a reason if there are none.",
            ],
        )

    def _obligation(
        self,
        audience: Audience,
        rule: Notice,
        content: list[str],
        channels: list[Channel],
        groups: list[AffectedGroup],
        start: Clock,
        reasons: list[str],
        warnings: list[str],
        *,
        contact: str = "",
        language: str = "en",
    ) -> Obligation:
        return Obligation(
            regime=self.id,
            audience=audience,
            recipient=rule.recipient,
            # "As soon as feasible": a standard, not an instant.
            due_at=None,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=content,
            id=slug(self.id, audience.value),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(groups),
            affected_count=sum(g.count for g in groups),
            channels=channels,
            contact=contact,
            language=language,
            reasons=reasons,
            warnings=list(warnings),
        )
