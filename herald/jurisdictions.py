"""Jurisdiction codes: ISO 3166-1 alpha-2 countries and ISO 3166-2 subdivisions."""

from __future__ import annotations

from functools import lru_cache

import pycountry

EU_MEMBER_STATES: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
# EEA states outside the EU apply the GDPR too.
EEA_STATES: frozenset[str] = EU_MEMBER_STATES | {"IS", "LI", "NO"}

# ISO 3166-2:CN switched from numeric to letter codes in 2017; populations exported from
# Chinese systems still carry the numeric ones (CN-31 = Shanghai), so both are accepted.
_CN_NUMERIC = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL",
    "23": "HL", "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX",
    "37": "SD", "41": "HA", "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI",
    "50": "CQ", "51": "SC", "52": "GZ", "53": "YN", "54": "XZ", "61": "SN", "62": "GS",
    "63": "QH", "64": "NX", "65": "XJ", "71": "TW", "91": "HK", "92": "MO",
}  # fmt: skip


# pycountry reads its ISO tables lazily with open(), which the Temporal workflow sandbox
# forbids; workflows validate facts (and their codes) while decoding payloads, so the tables
# are loaded here, at import time, outside any sandbox.
_ = len(pycountry.countries), len(pycountry.subdivisions)


class UnknownJurisdictionError(ValueError):
    """Raised for a code that is neither an ISO 3166-1 country nor a 3166-2 subdivision."""


@lru_cache(maxsize=4096)
def normalise(code: str) -> str:
    """Return the canonical form of a jurisdiction code, or raise UnknownJurisdictionError.

    Accepts any case and surrounding spaces; maps retired numeric Chinese codes.
    """
    raw = code.strip().upper().replace("_", "-")
    if not raw:
        raise UnknownJurisdictionError("empty jurisdiction code")
    if "-" not in raw:
        if pycountry.countries.get(alpha_2=raw) is None:
            raise UnknownJurisdictionError(f"unknown country code {code!r} (ISO 3166-1 alpha-2)")
        return raw
    country, _, sub = raw.partition("-")
    if country == "CN" and sub in _CN_NUMERIC:
        raw = f"CN-{_CN_NUMERIC[sub]}"
    if pycountry.subdivisions.get(code=raw) is None:
        raise UnknownJurisdictionError(f"unknown subdivision code {code!r} (ISO 3166-2)")
    return raw


def country_of(code: str) -> str:
    """The ISO 3166-1 country of a (normalised) jurisdiction code."""
    return code.split("-", 1)[0]


def is_eea(code: str) -> bool:
    """Whether the jurisdiction lies in the EU/EEA, where the GDPR applies."""
    return country_of(code) in EEA_STATES
