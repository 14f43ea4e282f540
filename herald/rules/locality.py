"""Which individual notice a person receives when several regimes require one.

An EU-established controller owes GDPR notice to everyone affected, Californians included,
while California's law also requires its own notice to its residents. Sending both would
tell one person the same news twice, so each jurisdiction is served by exactly one
individuals obligation: the most local regime (the one whose home is where the person lives).
The others stay listed, and count as met by that notice.
"""

from __future__ import annotations

from collections.abc import Collection

from herald.jurisdictions import country_of, is_eea
from herald.models import Audience, Channel, Obligation

# Regimes whose home is not spelled by their id's leading country code.
_HOMES: dict[str, tuple[str, ...]] = {"uk-gdpr": ("GB",), "eu-nis2": ("EU",)}


def locality(regime: str, jurisdiction: str) -> int:
    """How local a regime is to a jurisdiction: 2 same subdivision, 1 same country, 0 neither."""
    if regime == "gdpr":
        return 1 if is_eea(jurisdiction) else 0
    homes = _HOMES.get(regime)
    if homes is not None:
        return 1 if country_of(jurisdiction) in homes else 0
    parts = regime.upper().split("-")
    if len(parts) >= 2 and f"{parts[0]}-{parts[1]}" == jurisdiction:
        return 2  # us-ca for US-CA, ca-qc-law25 for CA-QC
    if len(parts[0]) == 2 and parts[0] == country_of(jurisdiction):
        return 1 if len(parts) < 2 or len(parts[1]) > 2 else 0  # cn-pipl for CN-SH, not us-ny
    return 0


def plan_individual_notices(obligations: list[Obligation]) -> dict[str, list[str]]:
    """Assign every covered jurisdiction to one individuals obligation.

    Returns:
        For each individuals obligation id, the jurisdictions whose people it notifies
        (possibly none, when more local regimes serve all of its people).
    """
    individuals = [o for o in obligations if o.audience is Audience.INDIVIDUALS]
    plan: dict[str, list[str]] = {o.id: [] for o in individuals}
    for jurisdiction in sorted({j for o in individuals for j in o.jurisdictions}):
        covering = [o for o in individuals if jurisdiction in o.jurisdictions]
        best = max(covering, key=lambda o: (locality(o.regime, jurisdiction), _neg(o.id)))
        plan[best.id].append(jurisdiction)
    return plan


def _stand_ins(
    obligations: list[Obligation], plan: dict[str, list[str]], ignore: Collection[str] = ()
) -> dict[str, list[Obligation]]:
    """For each individuals obligation with people: itself, then every other individuals
    obligation (not in `ignore`) that covers a jurisdiction it serves."""
    individuals = [o for o in obligations if o.audience is Audience.INDIVIDUALS]
    pool = [o for o in individuals if o.id not in ignore]
    groups: dict[str, list[Obligation]] = {}
    for item in individuals:
        served = set(plan.get(item.id, []))
        if served:
            others = [o for o in pool if o.id != item.id and served.intersection(o.jurisdictions)]
            groups[item.id] = [item, *others]
    return groups


def notice_content(
    obligations: list[Obligation], plan: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The elements each planned notice must carry: its own, then those of every other
    individuals obligation it stands in for (one that covers a jurisdiction it serves).

    A person gets one notice, so that notice must say what each law covering them requires:
    a Californian customer of an EU controller gets California's form with the GDPR's
    data protection officer and likely consequences in it.

    Returns:
        For each individuals obligation with people, its merged element ids, own first.
    """
    return {
        key: list(dict.fromkeys(e for o in group for e in o.required_content))
        for key, group in _stand_ins(obligations, plan).items()
    }


def notice_channels(
    obligations: list[Obligation], plan: dict[str, list[str]]
) -> dict[str, list[Channel]]:
    """The channels each planned notice may use: its own, then those of every other
    individuals obligation it stands in for.

    A policy that promises a telephone call or a push notification keeps that promise for
    the people a law's notice serves: the notice goes out on the channels either allows.
    An obligation that names no channel allows all, and stays so.

    Returns:
        For each individuals obligation with people and a channel list, the merged list.
    """
    return {
        key: list(dict.fromkeys(c for o in group for c in o.channels))
        for key, group in _stand_ins(obligations, plan).items()
        if group[0].channels
    }


def notices_to_draft(
    obligations: list[Obligation], plan: dict[str, list[str]], ignore: Collection[str] = ()
) -> list[Obligation]:
    """The obligations that get drafts, as the workflow and `herald preview` draft them.

    Standing promises get none, and an individuals notice gets drafts only where the plan
    gives it people; it is drafted for those people (its jurisdictions), with the elements
    and channels of the notices it stands in for (`notice_content`, `notice_channels`).

    Args:
        obligations: the current obligations.
        plan: from `plan_individual_notices`.
        ignore: obligations (waived) whose elements and channels no notice takes on.
    """
    groups = _stand_ins(obligations, plan, ignore)
    drafted: list[Obligation] = []
    for item in obligations:
        if not item.drafted or (item.audience is Audience.INDIVIDUALS and item.id not in groups):
            continue
        group = groups.get(item.id)
        if group is not None:
            item = item.model_copy(
                update={
                    "required_content": list(
                        dict.fromkeys(e for o in group for e in o.required_content)
                    ),
                    "jurisdictions": plan[item.id],
                    "channels": list(dict.fromkeys(c for o in group for c in o.channels))
                    if item.channels
                    else [],
                }
            )
        drafted.append(item)
    return drafted


def _neg(text: str) -> tuple[int, ...]:
    # Ties go to the alphabetically first id, deterministically.
    return tuple(-ord(c) for c in text)
