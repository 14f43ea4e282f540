"""Authorities that receive notifications: who they are and how to reach them.

The GDPR supervisory authorities (Art. 51), one per EU/EEA state, are data in
``data/gdpr.yaml`` (validated by `herald.rules.gdpr.GdprLaw`, where their UNCONFIRMED points
are noted). This module offers them as a plain table keyed by ISO 3166-1 code. ``contact`` is
where a filing goes: a breach-notification portal where one is known, otherwise the
authority's website. ``language`` is the authority's working language (ISO 639-1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herald.rules.gdpr import load_rules


@dataclass(frozen=True)
class Authority:
    """One authority that receives notifications."""

    code: str
    name: str
    contact: str
    language: str = "en"


# GDPR supervisory authorities (Art. 51), one per EU/EEA state, keyed by ISO 3166-1 code.
EEA_SUPERVISORY_AUTHORITIES: dict[str, Authority] = {
    code: Authority(code=code, name=sa.name, contact=sa.contact, language=sa.language)
    for code, sa in load_rules().authorities.items()
}


def supervisory_authority(
    country: str, table: Mapping[str, Authority] = EEA_SUPERVISORY_AUTHORITIES
) -> Authority:
    """The GDPR supervisory authority of one EU/EEA state.

    Args:
        country: ISO 3166-1 alpha-2 code.
        table: the authorities to look in (the built-in table by default).

    Returns:
        The authority; an unknown code yields a placeholder that names the state, so a
        missing table entry never hides an obligation.
    """
    found = table.get(country)
    if found is not None:
        return found
    return Authority(code=country, name=f"Supervisory authority of {country}", contact="")
