"""Canada, PIPEDA ss 10.1-10.3 and the Breach of Security Safeguards Regulations (SOR/2018-64).

The rules are data in ``data/ca-pipeda.yaml``, validated by `PipedaLaw` and versioned by
effective date (jurisdictions.md section 19).

* **Scope.** People in Canada are affected (any code whose country is ``CA``, every province
  and territory included): PIPEDA covers private organisations across the provinces.
  Québec's own law (``ca-qc-law25``) and the private-sector laws of Alberta and British
  Columbia may apply as well or instead; groups there get a warning, and PIPEDA is applied to
  them too, the conservative reading.
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

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from herald.jurisdictions import country_of
from herald.models import AffectedGroup, Audience, Channel, Obligation, RiskLevel
from herald.models.types import JurisdictionCode, TimeZone
from herald.rules.base import Clock, Context, RegimeResult, clock, in_force, slug

DATA_FILE = Path(__file__).parent / "data" / "ca-pipeda.yaml"
CANADA = "CA"

# Element ids the drafts engine has markers for; the rest of what the Regulations ask for is
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
    """The Office of the Privacy Commissioner of Canada."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    language: str = Field(default="en", min_length=2)


class Notice(_Strict):
    """One notice "as soon as feasible" (no fixed instant)."""

    recipient: str = Field(min_length=1)
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)


class RegulatorNotice(Notice):
    """The report to the OPC."""

    content: list[RegulatorElement] = Field(min_length=1)


class IndividualsNotice(Notice):
    """Direct notice to the affected individuals."""

    content: list[IndividualsElement] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class OtherNotice(Notice):
    """Notice to organisations or institutions that may reduce the risk of harm."""

    content: list[RegulatorElement] = Field(default_factory=list)
    channels: list[Channel] = Field(min_length=1)


class Version(_Strict):
    """The breach provisions as in force from one date."""

    effective_from: date
    label: str = Field(min_length=1)
    regulator: RegulatorNotice
    individuals: IndividualsNotice
    other: OtherNotice
    record_keeping: str = Field(min_length=1, description="the record duty, in words")


class PipedaLaw(_Strict):
    """The whole data file."""

    id: Literal["ca-pipeda"]
    name: str = Field(min_length=1)
    timezone: TimeZone
    authority: Authority
    provincial_laws: dict[JurisdictionCode, str] = Field(
        description="provinces with their own private-sector law: the warning to give"
    )
    versions: list[Version] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> PipedaLaw:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in increasing order of effective_from")
        return self


@cache
def load_rules(path: Path = DATA_FILE) -> PipedaLaw:
    """Read and validate the data file once per process; errors name the file."""
    try:
        return PipedaLaw.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as err:
        raise ValueError(f"{path.name}: {err}") from err


class CaPipeda:
    """Canada's federal private-sector breach rules (``ca-pipeda``)."""

    id = "ca-pipeda"

    def __init__(self, law: PipedaLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the breach creates a RROSH and the three notices it requires."""
        facts, law = ctx.facts, self.law
        groups = [g for g in facts.affected if country_of(g.jurisdiction) == CANADA]
        if not groups:
            return RegimeResult(
                applies=False,
                reasons=[
                    "No affected group resides in Canada, so PIPEDA's breach rules do not "
                    "reach this incident."
                ],
            )
        try:
            version = in_force(tuple(law.versions), facts.aware_at, law.timezone)
        except LookupError:
            return RegimeResult(
                applies=False,
                reasons=[
                    "PIPEDA's mandatory breach reporting was not in force when the "
                    f"organisation became aware ({facts.aware_at.isoformat()}); it starts on "
                    f"{law.versions[0].effective_from}."
                ],
            )
        scope = (
            f"{sum(g.count for g in groups)} affected people reside in Canada "
            f"({_describe(groups)}). The law in force is {version.label}."
        )
        provincial = self._provincial_warnings(groups)
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

    def _provincial_warnings(self, groups: list[AffectedGroup]) -> list[str]:
        """A warning per province with its own private-sector law, for the groups there."""
        found = sorted({g.jurisdiction for g in groups} & set(self.law.provincial_laws))
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
            jurisdictions=sorted({g.jurisdiction for g in groups}),
            affected_count=sum(g.count for g in groups),
            channels=channels,
            contact=contact,
            language=language,
            reasons=reasons,
            warnings=list(warnings),
        )


def _describe(groups: list[AffectedGroup]) -> str:
    return ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups)
