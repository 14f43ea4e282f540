"""Real-world US scenarios with answers worked out from the reference alone.

Each scenario is a facts document as `herald obligations --facts` reads it. Its expected
obligations were written from /work/shared/jurisdictions.md (sections 3-15 and 26) before
Herald was run: the id, audience, recipient and due instant of every obligation under
HIPAA, SEC 8-K, FTC Safeguards, NYDFS 500.17 and the eight modelled states (CA, NY, TX, FL,
MA, WA, CO, IL). Obligations of other regimes (New Jersey, Wisconsin, PIPEDA ...) are left
out of the comparison. Day clocks end at 23:59:59.999999 on the final day in
entity.timezone (UTC when absent); hour clocks are exact.
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
    {
        "hipaa",
        "sec-8k",
        "ftc-safeguards",
        "nydfs-500",
        *(f"us-{s}" for s in ("ca", "ny", "tx", "fl", "ma", "wa", "co", "il")),
    }
)

# (id, audience, recipient, due instant in UTC or None)
Row = tuple[str, str, str, datetime | None]

ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

HHS = "U.S. Department of Health and Human Services, Office for Civil Rights (HHS OCR)"
HIPAA_PEOPLE = "Affected individuals (US residents whose unsecured PHI was involved)"
CRAS = "Nationwide consumer reporting agencies (Equifax, Experian, TransUnion)"
SEC = "SEC (EDGAR, Form 8-K Item 1.05)"
DFS_500 = "New York State Department of Financial Services (Superintendent)"
NY_AG = "New York State Attorney General"


def end(year: int, month: int, day: int, utc_hour: int) -> datetime:
    """The last instant of a local day, given as the UTC hour it falls in the next morning.

    ``end(2026, 4, 3, 3)`` is 2026-04-03T03:59:59.999999Z, the end of 2 April in New York
    (EDT). For an entity on UTC, ``end(2026, 5, 20, 23)`` is the end of 20 May itself.
    """
    return datetime(year, month, day, utc_hour, 59, 59, 999_999, tzinfo=UTC)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An exact UTC instant (hour clocks)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- rows per regime ---------------------------------------------------------------------


def hipaa_ce(due: datetime, hhs: datetime | None = None, media: tuple[str, ...] = ()) -> list[Row]:
    names = {"us-ny": "New York", "us-ca": "California", "us-tx": "Texas"}
    return [
        ("hipaa-individuals", "individuals", HIPAA_PEOPLE, due),
        ("hipaa-regulator", "regulator", HHS, hhs or due),
        *(
            (f"hipaa-media-{s}", "media", f"Prominent media outlets serving {names[s]}", due)
            for s in media
        ),
    ]


def ny(due: datetime | None, cra: bool = False, hipaa: datetime | None = None) -> list[Row]:
    rows: list[Row] = [
        ("us-ny-individuals", "individuals", "Affected New York residents", due),
        ("us-ny-regulator-ag", "regulator", NY_AG, due),
        (
            "us-ny-regulator-dos",
            "regulator",
            "New York Department of State (Division of Consumer Protection)",
            due,
        ),
        (
            "us-ny-regulator-state-police",
            "regulator",
            "New York State Division of State Police",
            due,
        ),
        (
            "us-ny-regulator-dfs",
            "regulator",
            "New York State Department of Financial Services",
            due,
        ),
    ]
    if hipaa is not None:
        rows.append(("us-ny-regulator-ag-hipaa", "regulator", NY_AG, hipaa))
    if cra:
        rows.append(("us-ny-credit-reporting-agencies", "credit_reporting_agencies", CRAS, due))
    return rows


def ca(due: datetime | None, ag: datetime | None = None, *, with_ag: bool = True) -> list[Row]:
    rows: list[Row] = [("us-ca-individuals", "individuals", "Affected California residents", due)]
    if with_ag:
        rows.append(("us-ca-regulator", "regulator", "California Attorney General", ag))
    return rows


def tx(due: datetime, ag: datetime | None = None, *, cra: bool = False) -> list[Row]:
    rows: list[Row] = [("us-tx-individuals", "individuals", "Affected Texas residents", due)]
    if ag is not None:
        rows.append(("us-tx-regulator", "regulator", "Texas Attorney General", ag))
    if cra:
        rows.append(("us-tx-credit-reporting-agencies", "credit_reporting_agencies", CRAS, None))
    return rows


FL_DEPARTMENT = "Florida Department of Legal Affairs (Attorney General)"


def fl(
    due: datetime,
    *,
    ag: bool = True,
    cra: bool = False,
    harm_exception: datetime | None = None,
) -> list[Row]:
    """Florida's rows; with ``harm_exception`` (the written determination's due instant) the
    individuals' notice is lifted and the determination goes to the Department."""
    rows: list[Row] = []
    if harm_exception is None:
        rows.append(("us-fl-individuals", "individuals", "Affected Florida residents", due))
    else:
        rows.append(("us-fl-regulator-determination", "regulator", FL_DEPARTMENT, harm_exception))
    if ag:
        rows.append(("us-fl-regulator", "regulator", FL_DEPARTMENT, due))
    if cra:
        rows.append(("us-fl-credit-reporting-agencies", "credit_reporting_agencies", CRAS, None))
    return rows


def ma() -> list[Row]:
    return [
        ("us-ma-individuals", "individuals", "Affected Massachusetts residents", None),
        ("us-ma-regulator-ag", "regulator", "Massachusetts Attorney General", None),
        (
            "us-ma-regulator-ocabr",
            "regulator",
            "Director of the Office of Consumer Affairs and Business Regulation (OCABR)",
            None,
        ),
    ]


def wa(due: datetime, *, ag: bool = True) -> list[Row]:
    rows: list[Row] = [("us-wa-individuals", "individuals", "Affected Washington residents", due)]
    if ag:
        rows.append(("us-wa-regulator", "regulator", "Washington State Attorney General", due))
    return rows


def co(due: datetime, *, ag: bool = True, cra: bool = False) -> list[Row]:
    rows: list[Row] = [("us-co-individuals", "individuals", "Affected Colorado residents", due)]
    if ag:
        rows.append(("us-co-regulator", "regulator", "Colorado Attorney General", due))
    if cra:
        rows.append(("us-co-credit-reporting-agencies", "credit_reporting_agencies", CRAS, None))
    return rows


def il(*, ag: bool = True) -> list[Row]:
    rows: list[Row] = [("us-il-individuals", "individuals", "Affected Illinois residents", None)]
    if ag:
        rows.append(("us-il-regulator", "regulator", "Illinois Attorney General", None))
    return rows


def sec(due: datetime) -> list[Row]:
    return [("sec-8k-regulator", "regulator", SEC, due)]


# --- facts -------------------------------------------------------------------------------


def entity(name: str, home: str, tz: str | None, *sectors: str) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "established_in": [home], "sectors": list(sectors)}
    if tz is not None:
        found["timezone"] = tz
    return found


def groups(**counts: int) -> list[dict[str, Any]]:
    """``groups(CA=501, NY=10)`` → affected groups in US states."""
    return [{"jurisdiction": f"US-{state}", "count": n} for state, n in counts.items()]


def hospital(categories: list[str], **counts: int) -> dict[str, Any]:
    """A New York covered entity; discovered Tue 3 Mar 2026 15:00 EST."""
    return {
        "aware_at": "2026-03-04T09:00:00-05:00",
        "discovered_at": "2026-03-03T15:00:00-05:00",
        "entity": entity("Lakeside Hospital", "US-NY", ET, "hipaa_covered_entity"),
        "data_categories": categories,
        "affected": groups(**counts),
    }


def retailer_ca(count: int) -> dict[str, Any]:
    """Discovered Tue 10 Feb 2026 10:00 PST; SB 446's 30 days end Thu 12 March (PDT)."""
    return {
        "aware_at": "2026-02-10T14:00:00-08:00",
        "discovered_at": "2026-02-10T10:00:00-08:00",
        "entity": entity("Sunset Retail Inc", "US-CA", PT),
        "data_categories": ["name", "payment_card"],
        "affected": groups(CA=count),
    }


def dealer_tx(count: int) -> dict[str, Any]:
    """Determined Mon 6 Apr 2026 16:00 CDT: AG by 6 May, residents by 5 June."""
    return {
        "aware_at": "2026-04-01T12:00:00-05:00",
        "discovered_at": "2026-04-01T09:00:00-05:00",
        "determined_at": "2026-04-06T16:00:00-05:00",
        "entity": entity("Alamo Auto Sales", "US-TX", CT),
        "data_categories": ["name", "government_id"],
        "affected": groups(TX=count),
    }


def agency_fl(count: int, risk: str | None = None) -> dict[str, Any]:
    """Determined Fri 8 May 2026 17:00 EDT: 30 days end Sun 7 June."""
    facts: dict[str, Any] = {
        "aware_at": "2026-05-04T10:00:00-04:00",
        "discovered_at": "2026-05-04T10:00:00-04:00",
        "determined_at": "2026-05-08T17:00:00-04:00",
        "entity": entity("Gulf Coast Insurance Agency", "US-FL", ET),
        "data_categories": ["name", "financial_account"],
        "affected": groups(FL=count),
    }
    if risk is not None:
        facts["risk"] = risk
    return facts


def dealer_tx_and_elsewhere(texas: int, **others: int) -> dict[str, Any]:
    """The Texas dealer (determined Mon 6 Apr 2026 16:00 CDT) with customers of other states."""
    return dealer_tx(texas) | {"affected": groups(TX=texas, **others)}


def widgets_ma(categories: list[str], count: int) -> dict[str, Any]:
    return {
        "aware_at": "2026-06-01T09:00:00-04:00",
        "discovered_at": "2026-06-01T09:00:00-04:00",
        "entity": entity("Boston Widgets LLC", "US-MA", ET),
        "data_categories": categories,
        "affected": groups(MA=count),
    }


def registrant(determined_at: str, tz: str | None = ET) -> dict[str, Any]:
    """A listed company; a cybersecurity incident with no personal data."""
    return {
        "aware_at": "2026-09-01T09:00:00-04:00",
        "determined_at": determined_at,
        "entity": entity("Acme Corp", "US-DE", tz, "sec_registrant"),
        "data_categories": [],
        "affected": [],
    }


def lender(wisconsin: int) -> dict[str, Any]:
    """An FTC-regulated lender; discovered Wed 15 Jul 2026 11:00 CDT."""
    return {
        "aware_at": "2026-07-15T15:00:00-05:00",
        "discovered_at": "2026-07-15T11:00:00-05:00",
        "entity": entity("QuickCash Lending", "US-IL", CT, "glba_financial_institution"),
        "data_categories": ["name", "financial_account"],
        "affected": groups(IL=300, WI=wisconsin),
    }


def dental(discovered: str) -> dict[str, Any]:
    return {
        "aware_at": discovered,
        "discovered_at": discovered,
        "entity": entity("Valley Dental", "US-CO", MT, "hipaa_covered_entity"),
        "data_categories": ["name", "health", "date_of_birth"],
        "affected": groups(CO=120),
    }


def payroll(encrypted: bool, key_compromised: bool) -> dict[str, Any]:
    """Discovered Tue 10 Mar 2026 09:00 EDT."""
    return {
        "aware_at": "2026-03-10T09:00:00-04:00",
        "discovered_at": "2026-03-10T09:00:00-04:00",
        "entity": entity("Metro Payroll Services", "US-NY", ET),
        "data_categories": ["name", "government_id"],
        "encryption": {"encrypted": encrypted, "key_compromised": key_compromised},
        "affected": groups(NY=10, MA=10, CA=600),
    }


SCENARIOS: dict[str, tuple[dict[str, Any], list[Row]]] = {
    # 1. A hospital with 600 New York and 300 New Jersey patients. HIPAA: 60 days from
    # discovery (Sat 2 May), HHS with them (900 >= 500), media in New York only (600 > 500;
    # New Jersey's 300 do not count toward it). New York: 30 days (Thu 2 April), the four
    # agencies with the residents' notice, and - as a HIPAA covered entity - the AG within 5
    # business days of the HHS notice, counted from the residents' notice: Fri 3, Mon 6 .. Thu 9.
    "hospital_600_ny_300_nj": (
        hospital(["name", "health", "postal_address"], NY=600, NJ=300),
        [
            *hipaa_ce(end(2026, 5, 3, 3), media=("us-ny",)),
            *ny(end(2026, 4, 3, 3), hipaa=end(2026, 4, 10, 3)),
        ],
    ),
    # 2. California: the AG copy is due for more than 500 residents, 15 days after the
    # residents' notice (estimated from its deadline, Thu 12 March → Fri 27 March).
    "ca_retailer_501": (
        retailer_ca(501),
        ca(end(2026, 3, 13, 6), end(2026, 3, 28, 6)),
    ),
    "ca_retailer_500": (retailer_ca(500), ca(end(2026, 3, 13, 6), with_ag=False)),
    # 3. Texas: AG at 250 or more, 30 days after determination; residents 60 days.
    "tx_dealer_250": (dealer_tx(250), tx(end(2026, 6, 6, 4), end(2026, 5, 7, 4))),
    "tx_dealer_249": (dealer_tx(249), tx(end(2026, 6, 6, 4))),
    # 4. Florida: department at 500 or more (30 days after determination); credit bureaus
    # when more than 1,000 are notified, with no fixed period.
    "fl_agency_1001": (agency_fl(1001), fl(end(2026, 6, 8, 3), cra=True)),
    "fl_agency_1000": (agency_fl(1000), fl(end(2026, 6, 8, 3))),
    "fl_agency_499": (agency_fl(499), fl(end(2026, 6, 8, 3), ag=False)),
    # 4b. Florida, risk none: the harm exception (§501.171(4)(c)) lifts only the notice to
    # individuals. The Department is still told (600: 500 or more, 30 days after
    # determination), and the written no-harm determination goes to it within 30 days of
    # being made - counted from the breach determination, the earliest it can be (Sun 7 June).
    "fl_agency_600_risk_none": (
        agency_fl(600, risk="none"),
        fl(end(2026, 6, 8, 3), harm_exception=end(2026, 6, 8, 3)),
    ),
    # The determination is owed for any number; the Department only at 500 or more.
    "fl_agency_499_risk_none": (
        agency_fl(499, risk="none"),
        fl(end(2026, 6, 8, 3), ag=False, harm_exception=end(2026, 6, 8, 3)),
    ),
    # No individual is notified, so the credit bureaus (more than 1,000 notified) are not told.
    "fl_agency_1001_risk_none": (
        agency_fl(1001, risk="none"),
        fl(end(2026, 6, 8, 3), harm_exception=end(2026, 6, 8, 3)),
    ),
    # 3b. Texas counts persons for the credit bureaus (more than 10,000 notified at one time),
    # not Texas residents: 4,000 Texans with 3,000 Floridians and 4,000 Oklahomans are 11,000
    # notified. The AG (250 or more Texas residents) by Wed 6 May, residents by Fri 5 June.
    # Florida (clock: the same determination, 17:00 EDT): 30 days end Wed 6 May in the
    # entity's zone (Central); the Department (3,000) and its credit bureaus (more than 1,000
    # Floridians). Oklahoma's own obligations are outside the compared group.
    "tx_dealer_4000_and_7000_elsewhere": (
        dealer_tx_and_elsewhere(4000, FL=3000, OK=4000),
        [
            *tx(end(2026, 6, 6, 4), end(2026, 5, 7, 4), cra=True),
            *fl(end(2026, 5, 7, 4), cra=True),
        ],
    ),
    # 10,000 persons notified is not more than 10,000.
    "tx_dealer_4000_and_6000_elsewhere": (
        dealer_tx_and_elsewhere(4000, FL=3000, OK=3000),
        [*tx(end(2026, 6, 6, 4), end(2026, 5, 7, 4)), *fl(end(2026, 5, 7, 4), cra=True)],
    ),
    # 5. Massachusetts: AG and OCABR for any number of residents, no fixed period; a name
    # with an email address is not personal information there.
    "ma_one_resident": (widgets_ma(["name", "government_id"], 1), ma()),
    "ma_name_and_email_only": (widgets_ma(["name", "email"], 40), []),
    # 6. SEC 8-K: four days the Commission is open after the materiality determination.
    # Friday 4 Sep 2026, Labor Day Monday 7 Sep: Tue 8 .. Fri 11 September.
    "sec_friday_before_labor_day": (
        registrant("2026-09-04T15:00:00-04:00"),
        sec(end(2026, 9, 12, 3)),
    ),
    # Determined on Labor Day itself: the period begins on, and includes, Tuesday 8.
    "sec_on_labor_day": (registrant("2026-09-07T11:00:00-04:00"), sec(end(2026, 9, 12, 3))),
    # Determined on a Saturday: Mon 14 .. Thu 17 September.
    "sec_on_a_saturday": (registrant("2026-09-12T11:00:00-04:00"), sec(end(2026, 9, 18, 3))),
    # An entity with no time zone (UTC): Wed 25 Nov, Thanksgiving Thu 26: Fri 27, Mon 30,
    # Tue 1, Wed 2 December, ending at midnight UTC.
    "sec_utc_entity_before_thanksgiving": (
        registrant("2026-11-25T14:00:00Z", tz=None),
        sec(end(2026, 12, 2, 23)),
    ),
    # 7. A New York insurer (NYDFS covered entity, SEC registrant) hit by ransomware, no
    # personal data. 72 hours from the determination (across the end of DST, exact), 24
    # hours from the payment, 30 days from the payment to the end of Mon 30 November (EST);
    # SEC: Fri 30 Oct → Mon 2 .. Thu 5 November.
    "nydfs_ransomware_payment": (
        {
            "aware_at": "2026-10-30T08:00:00-04:00",
            "discovered_at": "2026-10-29T22:00:00-04:00",
            "determined_at": "2026-10-30T14:30:00-04:00",
            "ransom_paid_at": "2026-10-31T20:00:00-04:00",
            "entity": entity(
                "Empire Mutual Insurance", "US-NY", ET, "nydfs_covered_entity", "sec_registrant"
            ),
            "data_categories": [],
            "affected": [],
        },
        [
            ("nydfs-500-regulator", "regulator", DFS_500, at(2026, 11, 2, 18, 30)),
            ("nydfs-500-regulator-ransom-24h", "regulator", DFS_500, at(2026, 11, 2, 0)),
            ("nydfs-500-regulator-ransom-30d", "regulator", DFS_500, end(2026, 12, 1, 4)),
            *sec(end(2026, 11, 6, 4)),
        ],
    ),
    # 8. FTC Safeguards: 500 or more consumers (exactly 500 triggers), 30 days from
    # discovery (Fri 14 August). Illinois: 300 residents, no AG (more than 500 needed).
    "ftc_lender_500": (
        lender(200),
        [
            (
                "ftc-safeguards-regulator",
                "regulator",
                "Federal Trade Commission (FTC)",
                end(2026, 8, 15, 4),
            ),
            *il(ag=False),
        ],
    ),
    "ftc_lender_499": (lender(199), il(ag=False)),
    # 9. HIPAA, fewer than 500: HHS annual log 60 days after the end of the year of
    # discovery (1 March 2027). Colorado: 30 days from determination, which falls back to
    # discovery (Sat 19 September).
    "hipaa_dental_120": (
        dental("2026-08-20T10:00:00-06:00"),
        [
            *hipaa_ce(end(2026, 10, 20, 5), hhs=end(2027, 3, 2, 6)),
            *co(end(2026, 9, 20, 5), ag=False),
        ],
    ),
    # Discovered 30 Dec 2027: the log is due 29 February 2028 (leap year).
    "hipaa_dental_leap_year": (
        dental("2027-12-30T10:00:00-07:00"),
        [
            *hipaa_ce(end(2028, 2, 29, 6), hhs=end(2028, 3, 1, 6)),
            *co(end(2028, 1, 30, 6), ag=False),
        ],
    ),
    # 10. A health plan: media where more than 500 residents of one state (CA 501, TX 600;
    # not WA 500). California AG (501), Washington no AG (500), Texas AG (250 or more);
    # Texas's determination falls back to discovery.
    "hipaa_media_per_state": (
        {
            "aware_at": "2026-01-16T10:00:00-08:00",
            "discovered_at": "2026-01-15T08:00:00-08:00",
            "entity": entity("Pacific Health Plan", "US-CA", PT, "hipaa_covered_entity"),
            "data_categories": ["name", "health", "government_id"],
            "affected": groups(CA=501, WA=500, TX=600),
        },
        [
            *hipaa_ce(end(2026, 3, 17, 6), media=("us-ca", "us-tx")),
            *ca(end(2026, 2, 15, 7), end(2026, 3, 2, 7)),
            *wa(end(2026, 2, 15, 7), ag=False),
            *tx(end(2026, 3, 17, 6), end(2026, 2, 15, 7)),
        ],
    ),
    # 11. Encryption: a safe key is a safe harbour in every state; a compromised key is not.
    "encrypted_key_safe": (payroll(True, False), []),
    "encrypted_key_compromised": (
        payroll(True, True),
        [*ny(end(2026, 4, 10, 3)), *ma(), *ca(end(2026, 4, 10, 3), end(2026, 4, 25, 3))],
    ),
    # 12. Credentials only (email + password), entity on UTC, discovered 20 April 12:00Z.
    # Personal information in CA, NY, FL, WA, CO, IL; not in TX or MA. NY credit bureaus
    # above 5,000 (with the residents' notice), CO above 1,000 (no fixed period).
    "credentials_only_eight_states": (
        {
            "aware_at": "2026-04-21T09:00:00Z",
            "discovered_at": "2026-04-20T12:00:00Z",
            "entity": {"name": "StreamFlix", "established_in": ["US-CA"]},
            "data_categories": ["email", "account_credentials"],
            "affected": groups(CA=800, NY=6000, TX=300, FL=700, MA=50, WA=900, CO=1200, IL=600),
        },
        [
            *ca(end(2026, 5, 20, 23), end(2026, 6, 4, 23)),
            *ny(end(2026, 5, 20, 23), cra=True),
            *fl(end(2026, 5, 20, 23)),
            *wa(end(2026, 5, 20, 23)),
            *co(end(2026, 5, 20, 23), cra=True),
            *il(),
        ],
    ),
    # 13. Only aware_at is known (Thu 10 Sep 2026 08:00 CDT): determination clocks fall back.
    "only_aware_at_known": (
        {
            "aware_at": "2026-09-10T08:00:00-05:00",
            "entity": entity("Lone Star Tickets", "US-TX", CT),
            "data_categories": ["name", "payment_card"],
            "affected": groups(TX=300, FL=600, CO=500),
        },
        [
            *tx(end(2026, 11, 10, 5), end(2026, 10, 11, 4)),
            *fl(end(2026, 10, 11, 4)),
            *co(end(2026, 10, 11, 4)),
        ],
    ),
    # 14. A payroll processor (SEC registrant) with residents of all eight states.
    # Discovered Mon 2 Feb 2026, materiality and breach determined Thu 5 Feb.
    "eight_states_and_sec": (
        {
            "aware_at": "2026-02-02T16:00:00-05:00",
            "discovered_at": "2026-02-02T10:00:00-05:00",
            "determined_at": "2026-02-05T11:00:00-05:00",
            "entity": entity("Nationwide Payroll Inc", "US-NY", ET, "sec_registrant"),
            "data_categories": ["name", "government_id", "financial_account"],
            "affected": groups(
                CA=20000, NY=12000, TX=15000, FL=3000, MA=800, WA=700, CO=2000, IL=1500
            ),
        },
        [
            *sec(end(2026, 2, 12, 4)),
            *ca(end(2026, 3, 5, 4), end(2026, 3, 20, 3)),
            *ny(end(2026, 3, 5, 4), cra=True),
            *tx(end(2026, 4, 7, 3), end(2026, 3, 8, 4), cra=True),
            *fl(end(2026, 3, 8, 4), cra=True),
            *ma(),
            *wa(end(2026, 3, 5, 4)),
            *co(end(2026, 3, 8, 4), cra=True),
            *il(),
        ],
    ),
    # 15. A HIPAA business associate notifies the covered entity within 60 days; the states
    # treat it as the data owner (the facts cannot say otherwise).
    "hipaa_business_associate": (
        {
            "aware_at": "2026-06-10T09:00:00-05:00",
            "discovered_at": "2026-06-10T09:00:00-05:00",
            "entity": entity("MedBill Services", "US-IL", CT, "hipaa_business_associate"),
            "data_categories": ["name", "health"],
            "affected": groups(IL=700, TX=300),
        },
        [
            (
                "hipaa-other-covered-entity",
                "other",
                "The covered entity whose PHI the business associate holds",
                end(2026, 8, 10, 4),
            ),
            *il(),
            *tx(end(2026, 8, 10, 4), end(2026, 7, 11, 4)),
        ],
    ),
    # 16. Texas before SB 768 (aware 15 Aug 2023): the AG had 60 days; 10,001 people
    # notified at one time oblige the credit bureaus.
    "tx_before_sb_768": (
        {
            "aware_at": "2023-08-15T09:00:00-05:00",
            "determined_at": "2023-08-14T10:00:00-05:00",
            "entity": entity("Alamo Auto Sales", "US-TX", CT),
            "data_categories": ["name", "government_id"],
            "affected": groups(TX=10001),
        },
        tx(end(2023, 10, 14, 4), end(2023, 10, 14, 4), cra=True),
    ),
    # 17. The responder judged the risk none. Washington and Colorado have a risk-of-harm
    # exception that lifts every notice. Florida's lifts only the individuals' notice: the
    # Department is still told (600 >= 500), and the written no-harm determination goes to
    # it within 30 days. New York's only exception (an inadvertent disclosure by authorised
    # persons) is narrower than "no risk", so its notices stay; CA, TX, MA and IL have none.
    "risk_none_in_eight_states": (
        {
            "aware_at": "2026-03-02T09:00:00-05:00",
            "discovered_at": "2026-03-02T09:00:00-05:00",
            "determined_at": "2026-03-02T09:00:00-05:00",
            "risk": "none",
            "entity": entity("Careful Co", "US-NY", ET),
            "data_categories": ["name", "government_id"],
            "affected": groups(CA=600, NY=600, TX=600, FL=600, MA=600, WA=600, CO=600, IL=600),
        },
        [
            *ca(end(2026, 4, 2, 3), end(2026, 4, 17, 3)),
            *ny(end(2026, 4, 2, 3)),
            *tx(end(2026, 5, 2, 3), end(2026, 4, 2, 3)),
            *fl(end(2026, 4, 2, 3), harm_exception=end(2026, 4, 2, 3)),
            *ma(),
            *il(),
        ],
    ),
    # 18. Medical records with no identifier category recorded are still PHI of the people
    # counted; Texas counts health information alone, New York needs a name with it.
    "hospital_health_data_only": (
        hospital(["health"], NY=600, TX=300),
        [
            *hipaa_ce(end(2026, 5, 3, 3), media=("us-ny",)),
            *tx(end(2026, 5, 3, 3), end(2026, 4, 3, 3)),
        ],
    ),
    # 19. A small New York clinic (300 patients): HHS's annual log, but the New York notices
    # including the AG's HIPAA notice, counted from the residents' notice.
    "ny_clinic_300": (
        hospital(["name", "health"], NY=300),
        [
            *hipaa_ce(end(2026, 5, 3, 3), hhs=end(2027, 3, 2, 4)),
            *ny(end(2026, 4, 3, 3), hipaa=end(2026, 4, 10, 3)),
        ],
    ),
    # 20. California on New Year's Eve 2025 (Pacific): the law before SB 446, no fixed period
    # for the residents, the AG copy with them.
    "ca_before_sb_446": (
        {
            "aware_at": "2025-12-31T23:00:00-08:00",
            "discovered_at": "2025-12-31T20:00:00-08:00",
            "entity": entity("Sunset Retail Inc", "US-CA", PT),
            "data_categories": ["name", "payment_card"],
            "affected": groups(CA=900),
        },
        ca(None, None),
    ),
}


def obligations(facts: dict[str, Any]) -> list[Obligation]:
    """The obligations of the audit group, as `herald obligations` computes them."""
    _, _, evaluation = judge(IncidentFacts.model_validate(facts))
    return [o for o in evaluation.obligations if o.regime in GROUP]


def rows(found: list[Obligation]) -> list[Row]:
    return sorted((o.id, str(o.audience), o.recipient, o.due_at) for o in found)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name: str) -> None:
    facts, expected = SCENARIOS[name]

    assert rows(obligations(facts)) == sorted(expected)


def test_florida_s_written_determination_says_what_it_is() -> None:
    facts, _ = SCENARIOS["fl_agency_600_risk_none"]

    found = {o.id: o for o in obligations(facts)}
    determination = found["us-fl-regulator-determination"]

    assert determination.citation == "Fla. Stat. §501.171(4)(c)"
    assert determination.clock == "determination"
    assert determination.clock_started_at == datetime(2026, 5, 8, 21, 0, tzinfo=UTC)
    assert determination.affected_count == 600
    assert "risk-of-harm exception is used" in determination.reasons[0]
    assert any("the earliest it can be made" in r for r in determination.reasons)
    assert found["us-fl-regulator"].affected_count == 600


def test_texas_credit_bureaus_count_every_person_notified() -> None:
    facts, _ = SCENARIOS["tx_dealer_4000_and_7000_elsewhere"]

    found = {o.id: o for o in obligations(facts)}
    bureaus = found["us-tx-credit-reporting-agencies"]

    assert bureaus.affected_count == 11000
    assert "(11000 persons notified under US state laws: more than 10000)" in bureaus.reasons[0]
    assert bureaus.reasons[1] == (
        "11000 persons are notified under US state laws in this incident: 4000 Texas "
        "residents and 7000 residents of other states (US-FL: 3000, US-OK: 4000); this "
        "threshold counts every person notified, not only Texas residents."
    )
    # The AG's threshold still counts Texas residents.
    assert found["us-tx-regulator"].affected_count == 4000


def test_missing_clock_instants_are_warned() -> None:
    facts, _ = SCENARIOS["only_aware_at_known"]

    for found in obligations(facts):
        if found.due_at is not None:
            assert any("is not given" in w for w in found.warnings), found.id


def test_the_json_contract_prints_the_same_instants(tmp_path: Path) -> None:
    facts, expected = SCENARIOS["hospital_600_ny_300_nj"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")

    result = CliRunner().invoke(app, ["obligations", "--facts", str(path), "--json"])

    assert result.exit_code == 0, result.output
    printed = {o["id"]: o for o in json.loads(result.stdout) if o["regime"] in GROUP}
    assert set(printed) == {row[0] for row in expected}
    for obligation_id, audience, recipient, due in expected:
        assert printed[obligation_id]["audience"] == audience
        assert printed[obligation_id]["recipient"] == recipient
        assert due is not None
        assert datetime.fromisoformat(printed[obligation_id]["due_at"]) == due
