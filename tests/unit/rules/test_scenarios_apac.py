"""Real-world Asia-Pacific scenarios with answers worked out from the reference alone.

Each scenario is a facts document as `herald obligations --facts` reads it. Its expected
obligations were written from /work/shared/jurisdictions.md (sections 16-18, 22-24 and 26)
before Herald was run: the id, audience, recipient and due instant of every obligation under
the PIPL, the CAC Incident Reporting Measures, the PDPA, the NDB scheme, the APPI, PIPA and
the DPDP Act. Obligations of other regimes (UK GDPR, US states ...) are left out of the
comparison. Day clocks end at 23:59:59.999999 on the final day in entity.timezone (UTC when
absent); hour clocks are exact.

Readings kept where the reference is UNCONFIRMED (see the regime files' notes): the CAC
clock runs from discovery, "以上" is inclusive (1,000,000 is relatively major), the APPI's
preliminary report is due in 3 days and the day of awareness is day 1, Rule 7 of the DPDP
Rules commences on 13 May 2027 (India date).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.impact import judge
from herald.models import IncidentFacts, Obligation

GROUP = frozenset(
    {"cn-pipl", "cn-cac-incident", "sg-pdpa", "au-ndb", "jp-appi", "kr-pipa", "in-dpdp"}
)

# (id, audience, recipient, due instant in UTC or None)
Row = tuple[str, str, str, datetime | None]

SHANGHAI, SINGAPORE, TOKYO, SEOUL = "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul"

CAC_CII = "The CII protection work department (sector CII regulator) and the public security organ"
CAC_PROVINCE = "The provincial-level cyberspace administration (CAC) where the operator is located"
PIPL_AUTHORITIES = (
    "Departments performing personal information protection duties: the Cyberspace "
    "Administration of China (CAC) and the competent sectoral regulator"
)
PDPC = "Personal Data Protection Commission (PDPC)"
OAIC = "Office of the Australian Information Commissioner (OAIC)"
PPC = "Personal Information Protection Commission (PPC), or the delegated sector minister"
PIPC = (
    "Personal Information Protection Commission (PIPC) or the Korea Internet & Security "
    "Agency (KISA)"
)
BOARD = "Data Protection Board of India"


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An exact UTC instant (hour clocks)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def end(year: int, month: int, day: int, utc_hour: int) -> datetime:
    """The last instant of a local day, given as the UTC hour it falls in.

    ``end(2026, 5, 9, 15)`` is 2026-05-09T15:59:59.999999Z, the end of 9 May in Singapore
    (UTC+8); for an entity on UTC, ``end(2026, 3, 2, 23)`` is the end of 2 March itself.
    """
    return datetime(year, month, day, utc_hour, 59, 59, 999_999, tzinfo=UTC)


# --- rows per regime ---------------------------------------------------------------------


def pipl() -> list[Row]:
    return [
        ("cn-pipl-regulator", "regulator", PIPL_AUTHORITIES, None),
        ("cn-pipl-individuals", "individuals", "Affected individuals", None),
    ]


def cac(due: datetime, province: str | None = None) -> list[Row]:
    recipient = CAC_CII if province is None else f"{CAC_PROVINCE} ({province})"
    return [("cn-cac-incident-regulator", "regulator", recipient, due)]


def sg(due: datetime, individuals: bool = False) -> list[Row]:
    rows: list[Row] = [("sg-pdpa-regulator", "regulator", PDPC, due)]
    if individuals:
        rows.append(("sg-pdpa-individuals", "individuals", "Affected individuals", None))
    return rows


def au() -> list[Row]:
    return [
        ("au-ndb-regulator", "regulator", OAIC, None),
        (
            "au-ndb-individuals",
            "individuals",
            "Affected individuals (all, or only those at risk of serious harm)",
            None,
        ),
    ]


def jp(preliminary: datetime, final: datetime) -> list[Row]:
    return [
        ("jp-appi-regulator-preliminary", "regulator", PPC, preliminary),
        ("jp-appi-regulator-final", "regulator", PPC, final),
        ("jp-appi-individuals", "individuals", "Affected persons (本人)", None),
    ]


def kr(due: datetime, regulator: bool) -> list[Row]:
    rows: list[Row] = [("kr-pipa-individuals", "individuals", "Affected data subjects", due)]
    if regulator:
        rows.append(("kr-pipa-regulator", "regulator", PIPC, due))
    return rows


def india(detailed: datetime) -> list[Row]:
    return [
        ("in-dpdp-regulator", "regulator", BOARD, None),
        ("in-dpdp-regulator-detailed", "regulator", BOARD, detailed),
        ("in-dpdp-individuals", "individuals", "Each affected Data Principal", None),
    ]


# --- entities ------------------------------------------------------------------------------

SHANGHAI_CII = {
    "name": "Shanghai Grid Operations Co",
    "established_in": ["CN-SH"],
    "sectors": ["cii_operator"],
    "timezone": SHANGHAI,
}
BEIJING_SHOP = {"name": "Jingdian Shop Co", "established_in": ["CN-BJ"], "timezone": SHANGHAI}
SG_RETAIL = {"name": "Lion Retail Pte Ltd", "established_in": ["SG"], "timezone": SINGAPORE}
JP_CO = {"name": "Sakura KK", "established_in": ["JP"], "timezone": TOKYO}
KR_CO = {"name": "Hanbit Co", "established_in": ["KR"], "timezone": SEOUL}
IN_CO = {"name": "Bharat Pay Pvt Ltd", "established_in": ["IN"], "timezone": "Asia/Kolkata"}


def people(code: str, count: int, *categories: str) -> dict[str, Any]:
    group: dict[str, Any] = {"jurisdiction": code, "count": count}
    if categories:
        group["data_categories"] = list(categories)
    return group


SCENARIOS: dict[str, tuple[dict[str, Any], list[Row]]] = {
    # --- China ---------------------------------------------------------------------------
    # A CII operator's whole-system outage, no personal data; the responder judged it high.
    # Relatively major (CII outage > 10 min): 1 hour from discovery (09:45 CST).
    "cn_cii_outage_high_risk": (
        {
            "aware_at": "2026-03-10T10:20:00+08:00",
            "discovered_at": "2026-03-10T09:45:00+08:00",
            "entity": SHANGHAI_CII,
            "data_categories": [],
            "affected": [],
            "risk": "high",
            "title": "Dispatch system down for 3 hours",
        },
        cac(at(2026, 3, 10, 2, 45)),
    ),
    # The same outage with no risk level in the facts: at a CII operator the grade of an
    # incident without personal data cannot be read and is presumed relatively major.
    "cn_cii_outage_no_risk_given": (
        {
            "aware_at": "2026-03-10T10:20:00+08:00",
            "discovered_at": "2026-03-10T09:45:00+08:00",
            "entity": SHANGHAI_CII,
            "title": "Dispatch system down for 3 hours",
        },
        cac(at(2026, 3, 10, 2, 45)),
    ),
    # ... unless the responder says the incident is minor.
    "cn_cii_minor_incident_risk_none": (
        {
            "aware_at": "2026-03-10T10:20:00+08:00",
            "discovered_at": "2026-03-10T09:45:00+08:00",
            "entity": SHANGHAI_CII,
            "risk": "none",
        },
        [],
    ),
    # Beijing e-commerce: exactly 1,000,000 people (inclusive: relatively major), 4 hours
    # from discovery to the Beijing CAC; the numeric code CN-11 is Beijing too.
    "cn_beijing_1_000_000": (
        {
            "aware_at": "2026-04-01T16:00:00+08:00",
            "discovered_at": "2026-04-01T14:30:00+08:00",
            "entity": BEIJING_SHOP,
            "data_categories": ["name", "phone", "postal_address"],
            "affected": [people("CN-11", 600_000), people("CN-HE", 400_000)],
        },
        [*pipl(), *cac(at(2026, 4, 1, 10, 30), "CN-BJ")],
    ),
    "cn_beijing_999_999": (
        {
            "aware_at": "2026-04-01T16:00:00+08:00",
            "discovered_at": "2026-04-01T14:30:00+08:00",
            "entity": BEIJING_SHOP,
            "data_categories": ["name", "phone", "postal_address"],
            "affected": [people("CN-BJ", 599_999), people("CN-HE", 400_000)],
        },
        pipl(),
    ),
    # A US company with 30 customers in Guangdong: the PIPL reaches them; the CAC grade is
    # general (a personal-data leak far below 1,000,000), whatever the risk.
    "cn_foreign_company_30_people": (
        {
            "aware_at": "2026-06-15T09:00:00-04:00",
            "discovered_at": "2026-06-14T17:00:00-04:00",
            "entity": {
                "name": "Acme Widgets Inc",
                "established_in": ["US"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "email", "payment_card"],
            "affected": [people("CN-GD", 30)],
        },
        pipl(),
    ),
    # The Measures took effect on 1 Nov 2025, China date: discovered 00:10 CST on 1 Nov
    # (still 31 Oct in UTC), 1.2 million people.
    "cn_cac_first_day_shanghai_time": (
        {
            "aware_at": "2025-11-01T00:30:00+08:00",
            "discovered_at": "2025-11-01T00:10:00+08:00",
            "entity": {"name": "Pudong Pay", "established_in": ["CN-SH"], "timezone": SHANGHAI},
            "data_categories": ["name", "phone"],
            "affected": [people("CN-SH", 1_200_000)],
        },
        [*pipl(), *cac(at(2025, 10, 31, 20, 10), "CN-SH")],
    ),
    # No discovered_at: the clock falls back to aware_at (08:00 CST); entity on UTC, numeric
    # province code CN-44 (Guangdong).
    "cn_no_discovered_at": (
        {
            "aware_at": "2026-05-20T08:00:00+08:00",
            "entity": {"name": "Lingnan Mall", "established_in": ["CN-44"]},
            "data_categories": ["name", "phone"],
            "affected": [people("CN-44", 2_500_000)],
        },
        [*pipl(), *cac(at(2026, 5, 20, 4), "CN-GD")],
    ),
    # A CII operator leaks 2 million people's data: 1 hour from discovery (23:30 CST).
    "cn_cii_2_million": (
        {
            "aware_at": "2026-10-02T08:00:00+08:00",
            "discovered_at": "2026-10-01T23:30:00+08:00",
            "entity": SHANGHAI_CII,
            "data_categories": ["name", "phone"],
            "affected": [people("CN-SH", 2_000_000)],
        },
        [*pipl(), *cac(at(2026, 10, 1, 16, 30))],
    ),
    # A CII operator, 5,000 identity numbers: high risk presumes relatively major there.
    "cn_cii_5000_identity_numbers": (
        {
            "aware_at": "2026-10-02T08:00:00+08:00",
            "discovered_at": "2026-10-01T23:30:00+08:00",
            "entity": SHANGHAI_CII,
            "data_categories": ["name", "government_id"],
            "affected": [people("CN-SH", 5000)],
        },
        [*pipl(), *cac(at(2026, 10, 1, 16, 30))],
    ),
    # The same leak at an ordinary operator is general: no hour-clock report.
    "cn_5000_identity_numbers_not_cii": (
        {
            "aware_at": "2026-10-02T08:00:00+08:00",
            "discovered_at": "2026-10-01T23:30:00+08:00",
            "entity": {"name": "Pudong Pay", "established_in": ["CN-SH"], "timezone": SHANGHAI},
            "data_categories": ["name", "government_id"],
            "affected": [people("CN-SH", 5000)],
        },
        pipl(),
    ),
    # A CII operator, 500 people's names and emails (risk, not high): general.
    "cn_cii_500_names": (
        {
            "aware_at": "2026-10-02T08:00:00+08:00",
            "discovered_at": "2026-10-01T23:30:00+08:00",
            "entity": SHANGHAI_CII,
            "data_categories": ["name", "email"],
            "affected": [people("CN-SH", 500)],
        },
        pipl(),
    ),
    # Ransomware at an ordinary operator, no personal data, judged high: relatively major
    # presumed, 4 hours from discovery (Spring Festival eve counts like any day).
    "cn_ransomware_no_personal_data_high": (
        {
            "aware_at": "2026-02-17T01:00:00+08:00",
            "discovered_at": "2026-02-16T23:00:00+08:00",
            "ransom_paid_at": "2026-02-18T10:00:00+08:00",
            "entity": BEIJING_SHOP,
            "risk": "high",
        },
        cac(at(2026, 2, 16, 19), "CN-BJ"),
    ),
    # A Hong Kong company (numeric CN-91): not established in mainland China; its Hong Kong
    # customers are not counted, the 100 in Guangdong are.
    "cn_hong_kong_company": (
        {
            "aware_at": "2026-07-01T12:00:00+08:00",
            "entity": {
                "name": "Victoria Harbour Ltd",
                "established_in": ["CN-91"],
                "timezone": "Asia/Hong_Kong",
            },
            "data_categories": ["name", "phone"],
            "affected": [people("CN-HK", 50_000), people("CN-GD", 100)],
        },
        pipl(),
    ),
    # --- Singapore -----------------------------------------------------------------------
    # 500 people (scale only): assessed Wed 6 May 17:30 SGT, 3 days after that day end
    # Sat 9 May; individuals are not told for scale alone.
    "sg_500_scale": (
        {
            "aware_at": "2026-05-04T11:00:00+08:00",
            "discovered_at": "2026-05-04T09:00:00+08:00",
            "determined_at": "2026-05-06T17:30:00+08:00",
            "entity": SG_RETAIL,
            "data_categories": ["name", "email"],
            "affected": [people("SG", 500)],
        },
        sg(end(2026, 5, 9, 15)),
    ),
    "sg_499_not_notifiable": (
        {
            "aware_at": "2026-05-04T11:00:00+08:00",
            "discovered_at": "2026-05-04T09:00:00+08:00",
            "determined_at": "2026-05-06T17:30:00+08:00",
            "entity": SG_RETAIL,
            "data_categories": ["name", "email"],
            "affected": [people("SG", 499)],
        },
        [],
    ),
    # Significant harm (NRIC and bank accounts of 12 people), assessed Fri 27 Feb 23:30
    # SGT: 28 Feb, 1 Mar, 2 Mar.
    "sg_significant_harm_month_end": (
        {
            "aware_at": "2026-02-26T10:00:00+08:00",
            "determined_at": "2026-02-27T23:30:00+08:00",
            "entity": {
                "name": "Merlion Finance Pte Ltd",
                "established_in": ["SG"],
                "timezone": SINGAPORE,
            },
            "data_categories": ["name", "government_id", "financial_account"],
            "affected": [people("SG", 12)],
        },
        sg(end(2026, 3, 2, 15), individuals=True),
    ),
    # No determined_at: the earliest instant (discovered 8 Jul 20:00 SGT) stands in.
    "sg_no_determined_at": (
        {
            "aware_at": "2026-07-10T09:00:00+08:00",
            "discovered_at": "2026-07-08T20:00:00+08:00",
            "entity": SG_RETAIL,
            "data_categories": ["name", "email"],
            "affected": [people("SG", 800)],
        },
        sg(end(2026, 7, 11, 15)),
    ),
    # No entity time zone (UTC): assessed 28 Feb 02:00 SGT, which is still 27 Feb in UTC.
    "sg_entity_on_utc": (
        {
            "aware_at": "2026-02-27T09:00:00+08:00",
            "determined_at": "2026-02-28T02:00:00+08:00",
            "entity": {"name": "Lion Retail Pte Ltd", "established_in": ["SG"]},
            "data_categories": ["name", "email"],
            "affected": [people("SG", 600)],
        },
        sg(end(2026, 3, 2, 23)),
    ),
    # A Singapore organisation whose 700 affected customers are all in Malaysia.
    "sg_entity_people_abroad": (
        {
            "aware_at": "2026-05-04T11:00:00+08:00",
            "determined_at": "2026-05-05T09:00:00+08:00",
            "entity": SG_RETAIL,
            "data_categories": ["name", "email"],
            "affected": [people("MY", 700)],
        },
        sg(end(2026, 5, 8, 15)),
    ),
    # --- Australia -----------------------------------------------------------------------
    "au_health_serious_harm": (
        {
            "aware_at": "2026-04-05T14:00:00+10:00",
            "discovered_at": "2026-04-04T09:00:00+11:00",
            "entity": {
                "name": "Harbour Health Pty Ltd",
                "established_in": ["AU-NSW"],
                "timezone": "Australia/Sydney",
            },
            "data_categories": ["name", "health"],
            "affected": [people("AU-NSW", 2000)],
        },
        au(),
    ),
    "au_names_and_emails_not_serious": (
        {
            "aware_at": "2026-04-05T14:00:00+10:00",
            "entity": {
                "name": "Harbour Shop Pty Ltd",
                "established_in": ["AU"],
                "timezone": "Australia/Sydney",
            },
            "data_categories": ["name", "email"],
            "affected": [people("AU-VIC", 50_000)],
        },
        [],
    ),
    "au_foreign_clinic_10_people": (
        {
            "aware_at": "2026-05-04T11:00:00-04:00",
            "entity": {
                "name": "Acme Clinics Inc",
                "established_in": ["US-NY"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "health"],
            "affected": [people("AU-WA", 10)],
        },
        au(),
    ),
    # --- Japan ---------------------------------------------------------------------------
    # More than 1,000: aware Fri 30 Jan (day 1); 3 days end 1 Feb, 30 days end 28 Feb.
    "jp_1001_people": (
        {
            "aware_at": "2026-01-30T15:00:00+09:00",
            "entity": JP_CO,
            "data_categories": ["name", "email"],
            "affected": [people("JP", 1001)],
        },
        jp(end(2026, 2, 1, 14), end(2026, 2, 28, 14)),
    ),
    "jp_1000_people": (
        {
            "aware_at": "2026-01-30T15:00:00+09:00",
            "entity": JP_CO,
            "data_categories": ["name", "email"],
            "affected": [people("JP", 1000)],
        },
        [],
    ),
    # Card numbers of 10 people, aware 31 Jan: 2 Feb and 1 Mar.
    "jp_cards_31_january": (
        {
            "aware_at": "2026-01-31T12:00:00+09:00",
            "entity": JP_CO,
            "data_categories": ["name", "payment_card"],
            "affected": [people("JP", 10)],
        },
        jp(end(2026, 2, 2, 14), end(2026, 3, 1, 14)),
    ),
    # Health data of 3 people, aware 1 Apr 07:30 JST (31 Mar in UTC): 3 Apr and 30 Apr ...
    "jp_health_3_people_tokyo": (
        {
            "aware_at": "2026-04-01T07:30:00+09:00",
            "entity": JP_CO,
            "data_categories": ["name", "health"],
            "affected": [people("JP", 3)],
        },
        jp(end(2026, 4, 3, 14), end(2026, 4, 30, 14)),
    ),
    # ... but an entity on UTC counts from 31 Mar: 2 Apr and 29 Apr (UTC days).
    "jp_health_3_people_utc": (
        {
            "aware_at": "2026-04-01T07:30:00+09:00",
            "entity": {"name": "Sakura KK", "established_in": ["JP"]},
            "data_categories": ["name", "health"],
            "affected": [people("JP", 3)],
        },
        jp(end(2026, 4, 2, 23), end(2026, 4, 29, 23)),
    ),
    # Ransomware (unlawful purpose): the final report in 60 days, over the year end.
    "jp_ransomware_60_days": (
        {
            "aware_at": "2026-12-01T10:00:00+09:00",
            "ransom_paid_at": "2026-12-02T10:00:00+09:00",
            "entity": JP_CO,
            "data_categories": ["name", "email"],
            "affected": [people("JP", 200)],
        },
        jp(end(2026, 12, 3, 14), end(2027, 1, 29, 14)),
    ),
    # High-level encryption with a safe key: exempt.
    "jp_encrypted_health_exempt": (
        {
            "aware_at": "2026-05-10T10:00:00+09:00",
            "entity": JP_CO,
            "encryption": {"encrypted": True},
            "data_categories": ["name", "health"],
            "affected": [people("JP", 5000)],
        },
        [],
    ),
    # A New York company, aware 7 Mar 23:00 EST; the days end in New York time, after the
    # switch to EDT on 8 Mar: 9 Mar and 5 Apr.
    "jp_foreign_entity_across_dst": (
        {
            "aware_at": "2026-03-07T23:00:00-05:00",
            "entity": {
                "name": "Acme Inc",
                "established_in": ["US"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "email"],
            "affected": [people("JP", 1500)],
        },
        jp(end(2026, 3, 10, 3), end(2026, 4, 6, 3)),
    ),
    # --- South Korea ---------------------------------------------------------------------
    # 1,000 or more: both within 72 hours of awareness (18:20 KST).
    "kr_1000_people": (
        {
            "aware_at": "2026-06-05T18:20:00+09:00",
            "entity": KR_CO,
            "data_categories": ["name", "email", "phone"],
            "affected": [people("KR", 1000)],
        },
        kr(at(2026, 6, 8, 9, 20), regulator=True),
    ),
    "kr_999_people": (
        {
            "aware_at": "2026-06-05T18:20:00+09:00",
            "entity": KR_CO,
            "data_categories": ["name", "email", "phone"],
            "affected": [people("KR", 999)],
        },
        kr(at(2026, 6, 8, 9, 20), regulator=False),
    ),
    # A ransom shows external unauthorised access: report whatever the number.
    "kr_ransomware_50_people": (
        {
            "aware_at": "2026-11-20T23:10:00+09:00",
            "ransom_paid_at": "2026-11-21T09:00:00+09:00",
            "entity": KR_CO,
            "data_categories": ["name", "email"],
            "affected": [people("KR", 50)],
        },
        kr(at(2026, 11, 23, 14, 10), regulator=True),
    ),
    # Encryption is no exception in Art. 34.
    "kr_encrypted_2000": (
        {
            "aware_at": "2026-05-10T10:00:00+09:00",
            "entity": KR_CO,
            "encryption": {"encrypted": True},
            "data_categories": ["name", "email"],
            "affected": [people("KR", 2000)],
        },
        kr(at(2026, 5, 13, 1), regulator=True),
    ),
    # A UK company with 30 Korean users; 72 elapsed hours across the UK's DST change.
    "kr_foreign_entity_across_dst": (
        {
            "aware_at": "2026-03-27T12:00:00+00:00",
            "entity": {
                "name": "Thames Games Ltd",
                "established_in": ["GB"],
                "timezone": "Europe/London",
            },
            "data_categories": ["name", "email"],
            "affected": [people("KR", 30)],
        },
        kr(at(2026, 3, 30, 12), regulator=False),
    ),
    # --- India ---------------------------------------------------------------------------
    "in_before_rule_7": (
        {
            "aware_at": "2026-08-01T10:00:00+05:30",
            "entity": IN_CO,
            "data_categories": ["name", "phone"],
            "affected": [people("IN-MH", 5000)],
        },
        [],
    ),
    "in_day_before_commencement": (
        {
            "aware_at": "2027-05-12T23:30:00+05:30",
            "entity": IN_CO,
            "data_categories": ["name", "phone"],
            "affected": [people("IN-MH", 5000)],
        },
        [],
    ),
    # 00:30 IST on 13 May 2027 (still 12 May in UTC): in force; 72 hours exact.
    "in_commencement_day": (
        {
            "aware_at": "2027-05-13T00:30:00+05:30",
            "entity": IN_CO,
            "data_categories": ["name", "phone"],
            "affected": [people("IN-MH", 5000)],
        },
        india(at(2027, 5, 15, 19)),
    ),
    # A Singapore company, 40 people in Karnataka, encrypted: no threshold, no exception.
    "in_foreign_entity_encrypted": (
        {
            "aware_at": "2027-06-01T10:00:00+08:00",
            "encryption": {"encrypted": True},
            "entity": SG_RETAIL,
            "data_categories": ["name", "email"],
            "affected": [people("IN-KA", 40)],
        },
        india(at(2027, 6, 4, 2)),
    ),
    # --- Several countries at once -------------------------------------------------------
    # A Singapore travel company: 200 in Shanghai, 600 in Singapore, 1,500 in Japan, 300 in
    # Korea; credentials (high risk). Assessed 30 Sep 12:00 SGT; aware 29 Sep 10:00 SGT.
    "cn_sg_jp_kr_at_once": (
        {
            "aware_at": "2026-09-29T10:00:00+08:00",
            "discovered_at": "2026-09-28T21:00:00+08:00",
            "determined_at": "2026-09-30T12:00:00+08:00",
            "entity": {
                "name": "Orchid Travel Pte Ltd",
                "established_in": ["SG"],
                "timezone": SINGAPORE,
            },
            "data_categories": ["name", "email", "account_credentials"],
            "affected": [
                people("CN-SH", 200),
                people("SG", 600),
                people("JP", 1500),
                people("KR", 300),
            ],
        },
        [
            *pipl(),
            *sg(end(2026, 10, 3, 15), individuals=True),
            *jp(end(2026, 10, 1, 15), end(2026, 10, 28, 15)),
            *kr(at(2026, 10, 2, 2), regulator=False),
        ],
    ),
    # A Chinese company whose 3,000 affected customers are in Singapore; no determined_at
    # or discovered_at: aware 31 Dec 22:00 CST, the days counted in Shanghai.
    "cn_company_singapore_people_year_end": (
        {
            "aware_at": "2026-12-31T22:00:00+08:00",
            "entity": {"name": "Pudong Pay", "established_in": ["CN-SH"], "timezone": SHANGHAI},
            "data_categories": ["name", "email"],
            "affected": [people("SG", 3000)],
        },
        [*pipl(), *sg(end(2027, 1, 3, 15))],
    ),
    # A Californian company: identity numbers leaked for the Korean and Californian groups
    # only; the 600 Singaporeans and 40 Queenslanders lost names and emails. Singapore:
    # scale only (no individuals); Australia: no serious harm; Korea: unique identifiers.
    "per_group_data_categories": (
        {
            "aware_at": "2026-08-10T09:00:00-07:00",
            "discovered_at": "2026-08-09T15:00:00-07:00",
            "determined_at": "2026-08-11T10:00:00-07:00",
            "entity": {
                "name": "Pacific Apps Inc",
                "established_in": ["US-CA"],
                "timezone": "America/Los_Angeles",
            },
            "data_categories": ["name", "email"],
            "affected": [
                people("SG", 600),
                people("AU-QLD", 40),
                people("KR", 20, "name", "government_id"),
                people("US-CA", 5000, "name", "government_id"),
            ],
        },
        [*sg(end(2026, 8, 15, 6)), *kr(at(2026, 8, 13, 16), regulator=True)],
    ),
    # The responder's own risk level is a judgement of the whole incident and wins.
    "per_group_data_categories_risk_given": (
        {
            "aware_at": "2026-08-10T09:00:00-07:00",
            "determined_at": "2026-08-11T10:00:00-07:00",
            "entity": {
                "name": "Pacific Apps Inc",
                "established_in": ["US-CA"],
                "timezone": "America/Los_Angeles",
            },
            "data_categories": ["name", "email"],
            "affected": [people("SG", 600), people("AU-QLD", 40)],
            "risk": "high",
        },
        [*sg(end(2026, 8, 15, 6), individuals=True), *au()],
    ),
}


def obligations(facts: dict[str, Any]) -> list[Obligation]:
    _, _, evaluation = judge(IncidentFacts.model_validate(facts))
    return [o for o in evaluation.obligations if o.regime in GROUP]


def rows(found: list[Obligation]) -> list[Row]:
    return sorted((o.id, str(o.audience), o.recipient, o.due_at) for o in found)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name: str) -> None:
    facts, expected = SCENARIOS[name]

    assert rows(obligations(facts)) == sorted(expected)


def test_missing_clock_instants_are_warned() -> None:
    for name, field in (
        ("cn_no_discovered_at", "discovered_at"),
        ("sg_no_determined_at", "determined_at"),
    ):
        facts, _ = SCENARIOS[name]
        dated = [o for o in obligations(facts) if o.due_at is not None]
        assert dated
        for found in dated:
            assert any(f"{field} is not given" in w for w in found.warnings), found.id


def test_presumed_cac_grades_carry_a_warning() -> None:
    for name in (
        "cn_cii_outage_high_risk",
        "cn_cii_outage_no_risk_given",
        "cn_cii_5000_identity_numbers",
        "cn_ransomware_no_personal_data_high",
    ):
        facts, _ = SCENARIOS[name]
        (report,) = [o for o in obligations(facts) if o.regime == "cn-cac-incident"]
        assert any("is presumed" in w for w in report.warnings), name
    facts, _ = SCENARIOS["cn_cii_2_million"]
    (report,) = [o for o in obligations(facts) if o.regime == "cn-cac-incident"]
    assert not any("is presumed" in w for w in report.warnings)


def test_risk_is_judged_for_the_covered_people_and_says_so() -> None:
    facts, _ = SCENARIOS["per_group_data_categories"]
    _, _, evaluation = judge(IncidentFacts.model_validate(facts))
    decisions = {d.regime: d for d in evaluation.decisions}

    singapore = " ".join(decisions["sg-pdpa"].reasons)
    assert "judged for the 600 covered people only" in singapore
    assert "the whole incident's risk is high" in singapore
    assert "for its scale alone" in singapore
    assert "not high, so serious harm is not presumed" in " ".join(decisions["au-ndb"].reasons)


def test_hong_kong_is_named_as_left_out() -> None:
    facts, _ = SCENARIOS["cn_hong_kong_company"]
    _, _, evaluation = judge(IncidentFacts.model_validate(facts))
    decisions = {d.regime: d for d in evaluation.decisions}

    for regime in ("cn-pipl", "cn-cac-incident"):
        reasons = " ".join(decisions[regime].reasons)
        assert "100 affected people reside there" in reasons
        assert "CN-HK (Hong Kong, Macao, Taiwan) are not counted as China" in reasons


def test_the_json_contract_prints_the_same_instants(tmp_path: Path) -> None:
    facts, expected = SCENARIOS["cn_sg_jp_kr_at_once"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")

    result = CliRunner().invoke(app, ["obligations", "--facts", str(path), "--json"])

    assert result.exit_code == 0, result.output
    printed = {o["id"]: o for o in json.loads(result.stdout) if o["regime"] in GROUP}
    assert set(printed) == {row[0] for row in expected}
    for obligation_id, audience, recipient, due in expected:
        found = printed[obligation_id]
        assert found["audience"] == audience
        assert found["recipient"] == recipient
        if due is None:
            assert found["due_at"] is None
        else:
            assert datetime.fromisoformat(found["due_at"]) == due
