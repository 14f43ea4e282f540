"""China PIPL Art. 57 (with DSL Art. 29): notifying the authorities and the individuals.

Data: ``herald/rules/data/cn-pipl.yaml`` (schema `PiplRules`); reference: jurisdictions.md
sections 16.1, 16.2 and 16.4.

* **Trigger.** Personal information is, or may be, leaked, tampered with or lost. There is
  no numeric or risk threshold, and encryption is no exception for the authorities.
* **Authorities.** **Immediately**: the departments performing personal information
  protection duties (the CAC and the sectoral regulator). No fixed instant; the hour clocks
  for graded incidents belong to ``cn-cac-incident``.
* **Individuals.** Immediately too, unless the measures taken effectively avoid harm; that
  exemption is never derived from the facts (see the file's notes), so the obligation is
  kept and a person may waive it with a reason.
"""

from __future__ import annotations

from herald.models import Audience
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    build_obligation,
    exposed,
    listed,
    open_case,
    unknown_count_warning,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, load_regime_file


class PiplRules(Strict):
    """PIPL Art. 57 as data."""

    regulator: RegulatorNotice
    individuals: IndividualsNotice


class CnPipl:
    """China's personal-information breach duty (``cn-pipl``)."""

    id = "cn-pipl"

    def __init__(self, file: RegimeFile[PiplRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[PiplRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope and the two immediate notices of Art. 57."""
        facts, file = ctx.facts, self.file
        case = open_case(
            ctx,
            file,
            concerns=(
                "Art. 57 concerns personal information; an incident without it may still "
                "need a cn-cac-incident report."
            ),
            name_mainland=True,
        )
        if isinstance(case, RegimeResult):
            return case
        covered, rules, version, why = case.covered, case.rules, case.version, case.why

        categories = exposed(facts, covered)
        trigger = (
            "Personal information "
            + (f"({listed(categories)}) " if categories else "")
            + "was or may have been leaked, tampered with or lost. Art. 57 has no numeric "
            f"or risk threshold: any such incident is notified, whatever the risk ({ctx.risk})."
        )
        facts_why = [covered.reason, version, why, trigger]
        encryption = facts.encryption
        if encryption.encrypted:
            facts_why.append(
                "The data was encrypted"
                + (" but the key was compromised" if encryption.key_compromised else "")
                + "; encryption is no exception to notifying the authorities under Art. 57."
            )
        # Art. 57 says "immediately" and nothing more precise; awareness is when the duty
        # arises, and the instant is recorded so the console can show the time elapsed.
        start = clock(facts, "awareness")
        warnings = unknown_count_warning(covered)
        regulator = build_obligation(
            regime=self.id,
            key="regulator",
            audience=Audience.REGULATOR,
            notice=rules.regulator,
            covered=covered,
            language=file.language,
            start=start,
            due_at=None,
            reasons=[
                *facts_why,
                "The departments performing personal information protection duties must be "
                "notified immediately; the law sets no fixed period (Art. 57).",
            ],
            warnings=warnings,
        )
        exemption = (
            "The exemption for measures that effectively avoid harm cannot be derived from "
            "the facts"
            + (
                " (the data was encrypted with a safe key, which may qualify; UNCONFIRMED)"
                if encryption.encrypted and not encryption.key_compromised
                else ""
            )
            + ": waive with a reason if it applies; the authority may still require notice."
        )
        individuals = build_obligation(
            regime=self.id,
            key="individuals",
            audience=Audience.INDIVIDUALS,
            notice=rules.individuals,
            covered=covered,
            language=file.language,
            start=start,
            due_at=None,
            reasons=[
                *facts_why,
                "The individuals must be notified immediately (Art. 57).",
                exemption,
            ],
            warnings=warnings,
        )
        return RegimeResult(
            applies=True,
            reasons=[
                *facts_why,
                "The authorities and the individuals must both be notified immediately.",
                exemption,
            ],
            obligations=[regulator, individuals],
        )
