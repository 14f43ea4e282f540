"""Québec, Law 25: confidentiality incidents under the Private Sector Act, ss 3.5-3.8.

The rules are data in ``data/ca-qc-law25.yaml``, validated by `QuebecLaw` and versioned by
effective date (jurisdictions.md section 20): the Act's incident provisions, then the
Regulation respecting confidentiality incidents (A-2.1, r. 3.1, in force 29 Dec 2022).

* **Scope.** People in Québec are affected (``CA-QC``), or the enterprise is established in
  Québec, in which case everyone affected is covered (the CAI asks for the number of people
  concerned *and* the number residing in Québec, so people elsewhere can be concerned).
* **Risk** is judged for the people covered (`herald.rules.base.covered_context`); an
  incident with no personal information at all is not a confidentiality incident.
* **Trigger.** A confidentiality incident presenting a *risk of serious injury* (sensitivity,
  anticipated consequences, likelihood of injurious use). Herald's ``high`` risk is treated
  as a risk of serious injury; ``risk`` and ``none`` are not.
* **Notices.** The Commission d'accès à l'information (CAI) and each person concerned,
  both "promptly" (no fixed instant), from the enterprise's awareness of the incident.
* **Register.** Every incident, notifiable or not, is entered in the incident register.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from herald.models import AffectedGroup, Audience, Channel, Obligation, RiskLevel
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
    load_regime_file,
)

DATA_FILE = DATA_DIR / "ca-qc-law25.yaml"
QUEBEC = "CA-QC"


class Authority(Strict):
    """The Commission d'accès à l'information du Québec."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    language: str = Field(default="fr", min_length=2)


class RegulatorRule(Strict):
    """The notice to the CAI ("promptly")."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class IndividualsRule(Strict):
    """The notice to each person concerned ("promptly")."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: NoticeContent = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    language: str = Field(default="fr", min_length=2)


class Version(VersionBase):
    """The incident rules as in force from one (Québec) date."""

    regulator: RegulatorRule
    individuals: IndividualsRule
    incident_register: str = Field(min_length=1, description="the register duty, in words")


class QuebecLaw(VersionedFile[Version]):
    """The whole data file: the frame and the CAI."""

    id: Literal["ca-qc-law25"]
    name: str = Field(min_length=1)
    authority: Authority


def load_rules() -> QuebecLaw:
    """The data file, read and validated once per process; errors name the file."""
    return load_regime_file(QuebecLaw, "ca-qc-law25")


class CaQcLaw25:
    """Québec's private-sector confidentiality-incident rules (``ca-qc-law25``)."""

    id = "ca-qc-law25"

    def __init__(self, law: QuebecLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the incident presents a risk of serious injury, and the notices."""
        facts, law = ctx.facts, self.law
        quebec = [g for g in facts.affected if g.jurisdiction == QUEBEC]
        established = QUEBEC in facts.entity.established_in
        if not quebec and not established:
            return RegimeResult(
                applies=False,
                reasons=[
                    "No affected group resides in Québec (CA-QC) and the enterprise is not "
                    "established there, so Québec's Private Sector Act does not reach this "
                    "incident."
                ],
            )
        version = law.version_at(facts.aware_at)
        if version is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    "Québec's confidentiality-incident rules were not in force when the "
                    f"enterprise became aware ({facts.aware_at.isoformat()}); they start on "
                    f"{law.versions[0].effective_from}."
                ],
            )
        if established:
            # An enterprise in Québec answers for all the personal information it holds.
            covered = list(facts.affected)
            scope = (
                "The enterprise is established in Québec, so every person concerned is "
                f"covered, wherever they reside ({_count(quebec)} of them in Québec)."
            )
        else:
            covered = quebec
            scope = f"{_count(quebec)} affected people reside in Québec (CA-QC)."
            ctx = covered_context(ctx, covered)
        scope += f" The law in force is {version.label}."
        if not personal_data_involved(facts):
            return RegimeResult(
                applies=True,
                reasons=[scope, NO_PERSONAL_DATA.format(law="the Private Sector Act (ss 3.5-3.8)")],
            )
        reasons = [scope, *ctx.risk_reasons, version.incident_register]
        if ctx.risk is not RiskLevel.HIGH:
            reasons.append(
                f"The risk is {ctx.risk}, not high, so the incident is not taken to present a "
                "risk of serious injury (s 3.7): neither the CAI nor the persons concerned are "
                "notified. Enter it in the incident register all the same (s 3.8)."
            )
            return RegimeResult(applies=True, reasons=reasons)
        serious = (
            "The risk is high, so the incident is taken to present a risk of serious injury "
            "(sensitivity of the information, anticipated consequences, likelihood of "
            "injurious use; the person in charge of the protection of personal information "
            "is consulted) (s 3.7)."
        )
        reasons.append(serious)
        start = clock(facts, "awareness")
        basis = [scope, *ctx.risk_reasons, serious]
        warnings = list(start.warnings)
        if not covered:
            warnings.append("No affected group is known yet; add the affected people to the facts.")
        obligations = [
            self._regulator(version, covered, start, basis, warnings),
            self._individuals(version, covered, start, basis, warnings),
        ]
        reasons.append(
            "The CAI and each person concerned must be notified promptly; the enterprise may "
            "also notify any person or body that could reduce the risk (s 3.5)."
        )
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _regulator(
        self,
        version: Version,
        covered: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule, authority = version.regulator, self.law.authority
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=authority.name,
            # "Promptly": a standard, not an instant.
            due_at=None,
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
                *basis,
                "The CAI is notified in writing (its online form, in French).",
            ],
            warnings=list(warnings),
        )

    def _individuals(
        self,
        version: Version,
        covered: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule = version.individuals
        return Obligation(
            regime=self.id,
            audience=Audience.INDIVIDUALS,
            recipient="Each person whose personal information is concerned",
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
            language=rule.language,
            reasons=[
                *basis,
                "Each person concerned is notified. Notice may be delayed while it could "
                "hamper an investigation by a body charged with preventing, detecting or "
                "repressing crime; a public notice replaces it only in the cases the "
                "Regulation allows (UNCONFIRMED). The facts cannot show either: waive with a "
                "reason if one applies.",
            ],
            warnings=list(warnings),
        )


def _count(groups: list[AffectedGroup]) -> int:
    return sum(g.count for g in groups)
