"""Québec, Law 25: confidentiality incidents under the Private Sector Act, ss 3.5-3.8.

The rules are data in ``data/ca-qc-law25.yaml``, validated by `QuebecLaw` and versioned by
effective date (jurisdictions.md section 20): the Act's incident provisions, then the
Regulation respecting confidentiality incidents (A-2.1, r. 3.1, in force 29 Dec 2022).

* **Scope.** People in Québec are affected (``CA-QC``), or the enterprise is established in
  Québec, in which case everyone affected is covered (the CAI asks for the number of people
  concerned *and* the number residing in Québec, so people elsewhere can be concerned).
* **Trigger.** A confidentiality incident presenting a *risk of serious injury* (sensitivity,
  anticipated consequences, likelihood of injurious use). Herald's ``high`` risk is treated
  as a risk of serious injury; ``risk`` and ``none`` are not.
* **Notices.** The Commission d'accès à l'information (CAI) and each person concerned,
  both "promptly" (no fixed instant), from the enterprise's awareness of the incident.
* **Register.** Every incident, notifiable or not, is entered in the incident register.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from herald.models import AffectedGroup, Audience, Channel, Obligation, RiskLevel
from herald.models.types import TimeZone
from herald.rules.base import Clock, Context, RegimeResult, clock, in_force, slug

DATA_FILE = Path(__file__).parent / "data" / "ca-qc-law25.yaml"
QUEBEC = "CA-QC"

# Element ids the drafts engine has markers for; the rest of what the Regulation asks for is
# listed in the data file's notes ("Content not yet checked").
RegulatorElement = Literal[
    "nature_of_breach",
    "categories_and_numbers",
    "dpo_contact",
    "measures_taken",
    "likely_consequences",
]
IndividualsElement = Literal[
    "nature_of_breach",
    "measures_taken",
    "likely_consequences",
    "breach_date",
    "contact_info",
    "dpo_contact",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(_Strict):
    """The Commission d'accès à l'information du Québec."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    language: str = Field(default="fr", min_length=2)


class RegulatorRule(_Strict):
    """The notice to the CAI ("promptly")."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: list[RegulatorElement] = Field(min_length=1)


class IndividualsRule(_Strict):
    """The notice to each person concerned ("promptly")."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: list[IndividualsElement] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    language: str = Field(default="fr", min_length=2)


class Version(_Strict):
    """The incident rules as in force from one (Québec) date."""

    effective_from: date
    label: str = Field(min_length=1)
    regulator: RegulatorRule
    individuals: IndividualsRule
    incident_register: str = Field(min_length=1, description="the register duty, in words")


class QuebecLaw(_Strict):
    """The whole data file."""

    id: Literal["ca-qc-law25"]
    name: str = Field(min_length=1)
    timezone: TimeZone
    authority: Authority
    versions: list[Version] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> QuebecLaw:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in increasing order of effective_from")
        return self


@cache
def load_rules(path: Path = DATA_FILE) -> QuebecLaw:
    """Read and validate the data file once per process; errors name the file."""
    try:
        return QuebecLaw.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as err:
        raise ValueError(f"{path.name}: {err}") from err


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
        try:
            version = in_force(tuple(law.versions), facts.aware_at, law.timezone)
        except LookupError:
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
        scope += f" The law in force is {version.label}."
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
            jurisdictions=_codes(covered),
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
            jurisdictions=_codes(covered),
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


def _codes(groups: list[AffectedGroup]) -> list[str]:
    return sorted({g.jurisdiction for g in groups})


def _count(groups: list[AffectedGroup]) -> int:
    return sum(g.count for g in groups)
