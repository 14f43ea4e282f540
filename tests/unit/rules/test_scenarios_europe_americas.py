"""Audit scenarios for the European and American data-protection regimes.

Each scenario is a realistic incident whose obligations under the GDPR, the UK GDPR, NIS2,
PIPEDA, Québec's Law 25 and the LGPD were worked out from the reference
(jurisdictions.md sections 1, 2, 19, 20, 21 and 25) before Herald was run, then compared.
The tables pin the result exactly: every obligation of these six regimes (id, audience,
recipient, due instant), no more and no fewer. Hour clocks are exact instants; day clocks
end at 23:59:59.999999 on their final day in entity.timezone (UTC by default). Brazil's
business days skip weekends and national holidays only (Carnival and other optional days
count, the conservative reading).

The facts go through `herald.impact.judge`, the path `herald obligations` takes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.impact import judge
from herald.models import Assessment, IncidentFacts, JurisdictionCount, Obligation

GROUP = frozenset({"gdpr", "uk-gdpr", "eu-nis2", "ca-pipeda", "ca-qc-law25", "br-lgpd"})

DPC = "Data Protection Commission (DPC)"
CNIL = "Commission nationale de l'informatique et des libertés (CNIL)"
DE_SA = "BfDI / competent Land data protection authority"
GARANTE = "Garante per la protezione dei dati personali"
AP = "Autoriteit Persoonsgegevens (AP)"
CNPD_PT = "Comissão Nacional de Proteção de Dados (CNPD)"
AEPD = "Agencia Española de Protección de Datos (AEPD)"
DATATILSYNET_NO = "Datatilsynet"
ICO = "Information Commissioner's Office (ICO)"
SUBJECTS = "Affected data subjects"
BSI = "Bundesamt für Sicherheit in der Informationstechnik (BSI)"
ANSSI = "Agence nationale de la sécurité des systèmes d'information (ANSSI)"
CSIRT_ES = "National CSIRT or NIS2 competent authority of Spain (ES)"
SERVICE_RECIPIENTS = "Recipients of the entity's services likely to be adversely affected"
ANPD = "Autoridade Nacional de Proteção de Dados (ANPD)"
TITULARES = "Affected data subjects (titulares)"

Expected = tuple[str, str, str, datetime | None]

# PIPEDA and Québec set no fixed period ("as soon as feasible", "promptly").
PIPEDA: list[Expected] = [
    (
        "ca-pipeda-regulator",
        "regulator",
        "Office of the Privacy Commissioner of Canada (OPC)",
        None,
    ),
    ("ca-pipeda-individuals", "individuals", "Affected individuals", None),
    (
        "ca-pipeda-other",
        "other",
        "Other organisations or government institutions that may be able to reduce the risk "
        "of harm (e.g. police, credit reporting agencies)",
        None,
    ),
]
QUEBEC: list[Expected] = [
    (
        "ca-qc-law25-regulator",
        "regulator",
        "Commission d'accès à l'information du Québec (CAI)",
        None,
    ),
    (
        "ca-qc-law25-individuals",
        "individuals",
        "Each person whose personal information is concerned",
        None,
    ),
]


def at(text: str) -> datetime:
    """A UTC instant from its ISO text without an offset."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def nis2(
    authority: str, early: datetime, notification: datetime, final: datetime
) -> list[Expected]:
    """NIS2's three reports to one authority and the service recipients (no instant)."""
    return [
        ("eu-nis2-regulator-early-warning", "regulator", authority, early),
        ("eu-nis2-regulator-notification", "regulator", authority, notification),
        ("eu-nis2-regulator-final", "regulator", authority, final),
        ("eu-nis2-other-service-recipients", "other", SERVICE_RECIPIENTS, None),
    ]


@dataclass(frozen=True)
class Scenario:
    """One incident and every obligation the six regimes must produce for it."""

    name: str
    facts: dict[str, Any]
    expected: list[Expected]


SCENARIOS = [
    Scenario(
        "s01-ie-health-app-lead-dpc-eu-spring-forward",
        # Irish health app, EU spring-forward DST
        {
            "aware_at": "2026-03-27T16:30:00+00:00",
            "discovered_at": "2026-03-27T09:00:00+00:00",
            "entity": {
                "name": "Cuisle Health Ltd",
                "established_in": ["IE"],
                "lead_authority": "IE",
                "timezone": "Europe/Dublin",
            },
            "data_categories": ["name", "email", "health"],
            "encryption": {"encrypted": False, "key_compromised": False},
            "affected": [
                {"jurisdiction": "IE", "count": 5000},
                {"jurisdiction": "FR", "count": 1200},
                {"jurisdiction": "DE", "count": 300},
            ],
        },
        [
            ("gdpr-regulator-ie", "regulator", DPC, at("2026-03-30T16:30:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s02-us-saas-no-eu-establishment-notifies-every-state",
        # Californian SaaS without EU establishment, Art 27 rep in IE
        {
            "aware_at": "2026-07-10T23:45:00-07:00",
            "entity": {
                "name": "Sunset Apps Inc",
                "established_in": ["US-CA"],
                "lead_authority": "IE",
                "timezone": "America/Los_Angeles",
            },
            "data_categories": ["email", "account_credentials"],
            "encryption": {"encrypted": True, "key_compromised": True},
            "affected": [
                {"jurisdiction": "FR", "count": 40},
                {"jurisdiction": "DE-BY", "count": 25},
                {"jurisdiction": "IT", "count": 3},
            ],
        },
        [
            ("gdpr-regulator-de", "regulator", DE_SA, at("2026-07-14T06:45:00")),
            ("gdpr-regulator-fr", "regulator", CNIL, at("2026-07-14T06:45:00")),
            ("gdpr-regulator-it", "regulator", GARANTE, at("2026-07-14T06:45:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s03-encrypted-key-safe-computed-risk-none",
        # Dutch retailer, stolen encrypted backup, key safe, risk computed
        {
            "aware_at": "2026-05-12T10:00:00+02:00",
            "entity": {
                "name": "Winkel BV",
                "established_in": ["NL"],
                "timezone": "Europe/Amsterdam",
            },
            "data_categories": ["name", "payment_card"],
            "encryption": {"encrypted": True, "key_compromised": False},
            "affected": [{"jurisdiction": "NL", "count": 20000}],
        },
        [],
    ),
    Scenario(
        "s04-encrypted-key-safe-responder-high-no-individuals",
        # same as S03 but responder judges high risk
        {
            "aware_at": "2026-05-12T10:00:00+02:00",
            "entity": {
                "name": "Winkel BV",
                "established_in": ["NL"],
                "timezone": "Europe/Amsterdam",
            },
            "data_categories": ["name", "payment_card"],
            "encryption": {"encrypted": True, "key_compromised": False},
            "affected": [{"jurisdiction": "NL", "count": 20000}],
            "risk": "high",
        },
        [("gdpr-regulator-nl", "regulator", AP, at("2026-05-15T08:00:00"))],
    ),
    Scenario(
        "s05-uk-controller-irish-customers-bst-ends",
        # UK controller, Irish customers too, BST ends during the 72h
        {
            "aware_at": "2026-10-23T10:00:00+01:00",
            "entity": {
                "name": "Thistle Ltd",
                "established_in": ["GB"],
                "timezone": "Europe/London",
            },
            "data_categories": ["name", "email"],
            "affected": [
                {"jurisdiction": "GB-SCT", "count": 800},
                {"jurisdiction": "GB-NIR", "count": 50},
                {"jurisdiction": "IE", "count": 30},
            ],
        },
        [
            ("gdpr-regulator-ie", "regulator", DPC, at("2026-10-26T09:00:00")),
            ("uk-gdpr-regulator", "regulator", ICO, at("2026-10-26T09:00:00")),
        ],
    ),
    Scenario(
        "s06-processor-informs-controller-late",
        # French controller informed late by its processor
        {
            "discovered_at": "2026-05-01T08:00:00+02:00",
            "aware_at": "2026-05-04T14:20:00+02:00",
            "entity": {"name": "Lumiere SAS", "established_in": ["FR"], "timezone": "Europe/Paris"},
            "data_categories": ["name", "postal_address"],
            "affected": [{"jurisdiction": "FR", "count": 350}],
            "risk": "risk",
        },
        [("gdpr-regulator-fr", "regulator", CNIL, at("2026-05-07T12:20:00"))],
    ),
    Scenario(
        "s07-brazil-good-friday-and-tiradentes",
        # Brazilian bank, Good Friday and Tiradentes
        {
            "aware_at": "2026-04-02T10:00:00-03:00",
            "entity": {
                "name": "Banco Exemplo SA",
                "established_in": ["BR"],
                "timezone": "America/Sao_Paulo",
            },
            "data_categories": ["name", "financial_account"],
            "affected": [{"jurisdiction": "BR-SP", "count": 12000}],
        },
        [
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-04-09T02:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-04-09T02:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2026-05-09T02:59:59.999999")),
        ],
    ),
    Scenario(
        "s08-brazil-small-agent-christmas-lisbon-zone",
        # Portuguese small agent with Brazilian users at Christmas
        {
            "aware_at": "2026-12-22T21:30:00+00:00",
            "entity": {
                "name": "Pequena Lda",
                "established_in": ["PT"],
                "timezone": "Europe/Lisbon",
                "small_agent": True,
            },
            "data_categories": ["email", "account_credentials"],
            "affected": [
                {"jurisdiction": "BR-RJ", "count": 40},
                {"jurisdiction": "PT", "count": 10},
            ],
        },
        [
            ("gdpr-regulator-pt", "regulator", CNPD_PT, at("2026-12-25T21:30:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-12-31T23:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-12-28T23:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2027-01-29T23:59:59.999999")),
        ],
    ),
    Scenario(
        "s09-ontario-sin-breach-quebec-residents",
        # Ontario company, Canadians in ON/QC/BC, SIN exposed, DST
        {
            "discovered_at": "2026-03-05T09:00:00-05:00",
            "aware_at": "2026-03-06T11:00:00-05:00",
            "determined_at": "2026-03-09T15:00:00-04:00",
            "entity": {
                "name": "Maple Corp",
                "established_in": ["CA-ON"],
                "timezone": "America/Toronto",
            },
            "data_categories": ["name", "government_id"],
            "affected": [
                {"jurisdiction": "CA-ON", "count": 900},
                {"jurisdiction": "CA-QC", "count": 300},
                {"jurisdiction": "CA-BC", "count": 50},
            ],
        },
        [*PIPEDA, *QUEBEC],
    ),
    Scenario(
        "s10-alberta-emails-no-rrosh",
        # Alberta newsletter leak, emails only
        {
            "aware_at": "2026-08-03T12:00:00-06:00",
            "entity": {
                "name": "Prairie News",
                "established_in": ["CA-AB"],
                "timezone": "America/Edmonton",
            },
            "data_categories": ["email"],
            "affected": [{"jurisdiction": "CA-AB", "count": 20}],
        },
        [],
    ),
    Scenario(
        "s11-quebec-clinic-french-patients",
        # Quebec clinic with French patients
        {
            "aware_at": "2026-09-14T08:00:00-04:00",
            "entity": {
                "name": "Clinique Boreale",
                "established_in": ["CA-QC"],
                "timezone": "America/Toronto",
            },
            "data_categories": ["name", "health"],
            "affected": [
                {"jurisdiction": "CA-QC", "count": 10},
                {"jurisdiction": "FR", "count": 5},
            ],
        },
        [
            *QUEBEC,
            *PIPEDA,
            ("gdpr-regulator-fr", "regulator", CNIL, at("2026-09-17T12:00:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s12-nis2-outage-no-personal-data-risk-high",
        # German grid operator, NIS2 essential, outage, no personal data, risk high
        {
            "aware_at": "2026-01-30T22:00:00+01:00",
            "entity": {
                "name": "Netz AG",
                "established_in": ["DE"],
                "sectors": ["nis2_essential"],
                "timezone": "Europe/Berlin",
            },
            "data_categories": [],
            "affected": [],
            "risk": "high",
        },
        [
            *nis2(
                BSI,
                at("2026-01-31T21:00:00"),
                at("2026-02-02T21:00:00"),
                at("2026-03-02T22:59:59.999999"),
            )
        ],
    ),
    Scenario(
        "s13-nis2-outage-no-personal-data-risk-not-given",
        # same outage, risk not given
        {
            "aware_at": "2026-01-30T22:00:00+01:00",
            "entity": {
                "name": "Netz AG",
                "established_in": ["DE"],
                "sectors": ["nis2_essential"],
                "timezone": "Europe/Berlin",
            },
            "data_categories": [],
            "affected": [],
        },
        [
            *nis2(
                BSI,
                at("2026-01-31T21:00:00"),
                at("2026-02-02T21:00:00"),
                at("2026-03-02T22:59:59.999999"),
            )
        ],
    ),
    Scenario(
        "s14-nis2-hospital-paris-dst-uk-patients",
        # French hospital group NIS2 important, ransomware with patient data, Paris DST
        {
            "aware_at": "2026-03-28T23:30:00+01:00",
            "entity": {
                "name": "Hopitaux Reunis",
                "established_in": ["FR"],
                "sectors": ["nis2_important"],
                "timezone": "Europe/Paris",
            },
            "data_categories": ["name", "health"],
            "affected": [
                {"jurisdiction": "FR", "count": 30000},
                {"jurisdiction": "BE", "count": 2000},
                {"jurisdiction": "GB", "count": 100},
            ],
        },
        [
            ("gdpr-regulator-fr", "regulator", CNIL, at("2026-03-31T22:30:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
            ("uk-gdpr-regulator", "regulator", ICO, at("2026-03-31T22:30:00")),
            ("uk-gdpr-individuals", "individuals", SUBJECTS, None),
            *nis2(
                ANSSI,
                at("2026-03-29T22:30:00"),
                at("2026-03-31T22:30:00"),
                at("2026-05-01T21:59:59.999999"),
            ),
        ],
    ),
    Scenario(
        "s15-new-york-card-breach-five-regimes-us-dst",
        # New York retailer, multi-region card breach, US DST
        {
            "aware_at": "2026-03-06T17:00:00-05:00",
            "entity": {
                "name": "Empire Goods Inc",
                "established_in": ["US-NY"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "payment_card"],
            "affected": [
                {"jurisdiction": "DE", "count": 200},
                {"jurisdiction": "GB", "count": 150},
                {"jurisdiction": "CA-QC", "count": 80},
                {"jurisdiction": "BR-SP", "count": 60},
            ],
        },
        [
            ("gdpr-regulator-de", "regulator", DE_SA, at("2026-03-09T22:00:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
            ("uk-gdpr-regulator", "regulator", ICO, at("2026-03-09T22:00:00")),
            ("uk-gdpr-individuals", "individuals", SUBJECTS, None),
            *PIPEDA,
            *QUEBEC,
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-03-12T03:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-03-12T03:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2026-04-10T03:59:59.999999")),
        ],
    ),
    Scenario(
        "s16-brazil-utc-calendar-black-awareness-day",
        # Brazilian users, entity timezone default UTC, Black Awareness Day
        {
            "aware_at": "2026-11-17T22:30:00-03:00",
            "entity": {"name": "Global Games Ltd", "established_in": ["SG"]},
            "data_categories": ["account_credentials"],
            "affected": [{"jurisdiction": "BR", "count": 700}],
        },
        [
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-11-24T23:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-11-24T23:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2026-12-22T23:59:59.999999")),
        ],
    ),
    Scenario(
        "s17-brazil-names-emails-no-data-criterion",
        # Brazilian marketing list, names and emails of 150 people
        {
            "aware_at": "2026-07-07T09:00:00-03:00",
            "entity": {
                "name": "Loja Pequena",
                "established_in": ["BR"],
                "timezone": "America/Sao_Paulo",
            },
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "BR-MG", "count": 150}],
        },
        [],
    ),
    Scenario(
        "s18-responder-judges-no-risk",
        # Spanish company, responder judges no risk
        {
            "aware_at": "2026-06-01T12:00:00+02:00",
            "entity": {"name": "Ejemplo SL", "established_in": ["ES"], "timezone": "Europe/Madrid"},
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "ES", "count": 3}],
            "risk": "none",
        },
        [],
    ),
    Scenario(
        "s19-eu-controller-us-only-data-subjects",
        # DE+IE establishments, lead IE, US-only data subjects
        {
            "aware_at": "2026-02-14T03:10:00+01:00",
            "entity": {
                "name": "Transatlantic GmbH",
                "established_in": ["DE", "IE"],
                "lead_authority": "IE",
                "timezone": "Europe/Berlin",
            },
            "data_categories": ["name", "government_id"],
            "affected": [{"jurisdiction": "US-TX", "count": 400}],
        },
        [
            ("gdpr-regulator-ie", "regulator", DPC, at("2026-02-17T02:10:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s20-canadian-company-us-customers-only",
        # Canadian company, only US customers affected
        {
            "aware_at": "2026-04-20T10:00:00-04:00",
            "determined_at": "2026-04-21T16:00:00-04:00",
            "entity": {
                "name": "Northern Books Inc",
                "established_in": ["CA-ON"],
                "timezone": "America/Toronto",
            },
            "data_categories": ["name", "payment_card"],
            "affected": [{"jurisdiction": "US-WA", "count": 30}],
        },
        [*PIPEDA],
    ),
    Scenario(
        "s21-uk-key-compromised-bst-ends",
        # UK controller, encrypted laptop with key on sticky note, Saturday of BST end
        {
            "aware_at": "2026-10-24T08:00:00+01:00",
            "entity": {
                "name": "Albion Payroll Ltd",
                "established_in": ["GB-ENG"],
                "timezone": "Europe/London",
            },
            "data_categories": ["name", "financial_account"],
            "encryption": {"encrypted": True, "key_compromised": True},
            "affected": [
                {"jurisdiction": "GB-ENG", "count": 1200},
                {"jurisdiction": "GB-WLS", "count": 40},
            ],
        },
        [
            ("uk-gdpr-regulator", "regulator", ICO, at("2026-10-27T07:00:00")),
            ("uk-gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s22-categories-known-nobody-counted",
        # German company, personal data category known, nobody counted yet
        {
            "aware_at": "2026-08-31T23:00:00+02:00",
            "entity": {
                "name": "Zaehler GmbH",
                "established_in": ["DE"],
                "timezone": "Europe/Berlin",
            },
            "data_categories": ["email"],
            "affected": [],
        },
        [("gdpr-regulator-de", "regulator", DE_SA, at("2026-09-03T21:00:00"))],
    ),
    Scenario(
        "s23-french-users-only-emails-no-gdpr-individuals",
        # NY controller, SSNs of New Yorkers, only emails of French users
        {
            "aware_at": "2026-06-10T14:00:00-04:00",
            "entity": {
                "name": "Hudson Data Inc",
                "established_in": ["US-NY"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "government_id"],
            "affected": [
                {"jurisdiction": "US-NY", "count": 1000},
                {"jurisdiction": "FR", "count": 50, "data_categories": ["email"]},
            ],
        },
        [("gdpr-regulator-fr", "regulator", CNIL, at("2026-06-13T18:00:00"))],
    ),
    Scenario(
        "s24-brazilians-only-emails-no-lgpd",
        # Florida company, Brazilians only had names/emails
        {
            "aware_at": "2026-06-10T14:00:00-04:00",
            "entity": {
                "name": "Gulf Shop LLC",
                "established_in": ["US-FL"],
                "timezone": "America/New_York",
            },
            "data_categories": ["payment_card"],
            "affected": [
                {"jurisdiction": "US-FL", "count": 50},
                {"jurisdiction": "BR-SP", "count": 300, "data_categories": ["name", "email"]},
            ],
        },
        [],
    ),
    Scenario(
        "s25-british-users-only-emails-no-uk-individuals",
        # Californian clinic, British users had only emails
        {
            "aware_at": "2026-06-10T14:00:00-07:00",
            "entity": {
                "name": "Golden Clinic",
                "established_in": ["US-CA"],
                "timezone": "America/Los_Angeles",
            },
            "data_categories": ["name"],
            "affected": [
                {"jurisdiction": "US-CA", "count": 100, "data_categories": ["name", "health"]},
                {"jurisdiction": "GB", "count": 200, "data_categories": ["email"]},
            ],
        },
        [("uk-gdpr-regulator", "regulator", ICO, at("2026-06-13T21:00:00"))],
    ),
    Scenario(
        "s26-canadians-only-emails-no-pipeda-no-cai",
        # NY company, Ontarians only had emails
        {
            "aware_at": "2026-06-10T14:00:00-04:00",
            "entity": {
                "name": "Hudson Data Inc",
                "established_in": ["US-NY"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "government_id"],
            "affected": [
                {"jurisdiction": "US-NY", "count": 500},
                {"jurisdiction": "CA-ON", "count": 30, "data_categories": ["email"]},
                {"jurisdiction": "CA-QC", "count": 5, "data_categories": ["email"]},
            ],
        },
        [],
    ),
    Scenario(
        "s27-no-personal-data-canada-brazil-establishments",
        # no personal data, outage at a company established in QC, ON and BR, risk high
        {
            "aware_at": "2026-05-05T10:00:00-04:00",
            "entity": {
                "name": "Hydro Nord",
                "established_in": ["CA-QC", "CA-ON", "BR"],
                "timezone": "America/Toronto",
            },
            "data_categories": [],
            "affected": [],
            "risk": "high",
        },
        [],
    ),
    Scenario(
        "s28-norway-eea-lead-datatilsynet",
        # Norwegian gym chain, fingerprints
        {
            "aware_at": "2026-11-30T08:00:00+01:00",
            "entity": {"name": "Trening AS", "established_in": ["NO"], "timezone": "Europe/Oslo"},
            "data_categories": ["name", "biometric"],
            "affected": [
                {"jurisdiction": "NO", "count": 500},
                {"jurisdiction": "SE", "count": 100},
            ],
        },
        [
            ("gdpr-regulator-no", "regulator", DATATILSYNET_NO, at("2026-12-03T07:00:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s29-brazil-saturday-before-independence-day",
        # Brazilian school app, Saturday before Independence Day
        {
            "aware_at": "2026-09-05T11:00:00-03:00",
            "entity": {
                "name": "Escola Digital",
                "established_in": ["BR-SP"],
                "timezone": "America/Sao_Paulo",
            },
            "data_categories": ["name", "children"],
            "affected": [{"jurisdiction": "BR-SP", "count": 900}],
        },
        [
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-09-11T02:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-09-11T02:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2026-10-09T02:59:59.999999")),
        ],
    ),
    Scenario(
        "s30-brazil-manaus-zone-aparecida-all-souls",
        # Manaus clinic, explicit risk, Aparecida and All Souls
        {
            "aware_at": "2026-10-09T20:00:00-04:00",
            "entity": {
                "name": "Clinica Amazonas",
                "established_in": ["BR-AM"],
                "timezone": "America/Manaus",
            },
            "data_categories": ["name", "health"],
            "affected": [{"jurisdiction": "BR-AM", "count": 60}],
            "risk": "risk",
        },
        [
            ("br-lgpd-regulator", "regulator", ANPD, at("2026-10-16T03:59:59.999999")),
            ("br-lgpd-individuals", "individuals", TITULARES, at("2026-10-16T03:59:59.999999")),
            ("br-lgpd-regulator-supplement", "regulator", ANPD, at("2026-11-14T03:59:59.999999")),
        ],
    ),
    Scenario(
        "s31-gb-ie-group-new-years-eve",
        # GB+IE group, lead IE, New Year's Eve
        {
            "aware_at": "2026-12-31T23:30:00+00:00",
            "entity": {
                "name": "Isles Group",
                "established_in": ["GB", "IE"],
                "lead_authority": "IE",
                "timezone": "Europe/London",
            },
            "data_categories": ["name", "government_id"],
            "affected": [
                {"jurisdiction": "GB", "count": 1000},
                {"jurisdiction": "IE", "count": 500},
                {"jurisdiction": "DE", "count": 200},
            ],
        },
        [
            ("gdpr-regulator-ie", "regulator", DPC, at("2027-01-03T23:30:00")),
            ("gdpr-individuals", "individuals", SUBJECTS, None),
            ("uk-gdpr-regulator", "regulator", ICO, at("2027-01-03T23:30:00")),
            ("uk-gdpr-individuals", "individuals", SUBJECTS, None),
        ],
    ),
    Scenario(
        "s32-nis2-responder-judged-risk-not-significant",
        # Dutch water utility, customer emails, responder judged risk
        {
            "aware_at": "2026-04-01T09:00:00+02:00",
            "entity": {
                "name": "Water NV",
                "established_in": ["NL"],
                "sectors": ["nis2_essential"],
                "timezone": "Europe/Amsterdam",
            },
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "NL", "count": 4000}],
            "risk": "risk",
        },
        [("gdpr-regulator-nl", "regulator", AP, at("2026-04-04T07:00:00"))],
    ),
    Scenario(
        "s34-nis2-computed-risk-listed-eu-dst-ends",
        # Spanish transport operator, ransomware, customer emails, EU DST end
        {
            "aware_at": "2026-10-24T22:00:00+02:00",
            "entity": {
                "name": "Transportes SA",
                "established_in": ["ES"],
                "sectors": ["nis2_essential"],
                "timezone": "Europe/Madrid",
            },
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "ES", "count": 15000}],
        },
        [
            ("gdpr-regulator-es", "regulator", AEPD, at("2026-10-27T20:00:00")),
            *nis2(
                CSIRT_ES,
                at("2026-10-25T20:00:00"),
                at("2026-10-27T20:00:00"),
                at("2026-11-27T22:59:59.999999"),
            ),
        ],
    ),
    Scenario(
        "s35-vermont-company-quebec-residents",
        # Vermont company, Quebec residents
        {
            "aware_at": "2026-02-20T15:00:00-05:00",
            "entity": {
                "name": "Green Mountain LLC",
                "established_in": ["US-VT"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "government_id"],
            "affected": [{"jurisdiction": "CA-QC", "count": 12}],
        },
        [*PIPEDA, *QUEBEC],
    ),
]


def group_obligations(facts: dict[str, Any]) -> dict[str, Obligation]:
    """The obligations of the six regimes, by id, as `herald obligations` computes them."""
    _, _, evaluation = judge(IncidentFacts.model_validate(facts))
    return {o.id: o for o in evaluation.obligations if o.regime in GROUP}


def by_name(name: str) -> dict[str, Any]:
    [scenario] = [s for s in SCENARIOS if s.name.startswith(name)]
    return scenario.facts


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_obligations_match_the_reference(scenario: Scenario) -> None:
    found = group_obligations(scenario.facts)

    actual = {(o.id, o.audience.value, o.recipient, o.due_at) for o in found.values()}
    assert actual == set(scenario.expected)
    assert len(found) == len(scenario.expected)


def test_the_cli_prints_the_same_instants_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(by_name("s15")), encoding="utf-8")

    result = CliRunner().invoke(app, ["obligations", "--facts", str(path), "--json"])

    assert result.exit_code == 0, result.output
    printed = {o["id"]: o["due_at"] for o in json.loads(result.output) if o["regime"] in GROUP}
    assert printed["br-lgpd-regulator"] == "2026-03-12T03:59:59.999999Z"
    assert printed["br-lgpd-regulator-supplement"] == "2026-04-10T03:59:59.999999Z"
    assert printed["gdpr-regulator-de"] == "2026-03-09T22:00:00Z"
    assert printed["ca-pipeda-regulator"] is None


def test_processor_discovery_does_not_start_the_controllers_clock() -> None:
    regulator = group_obligations(by_name("s06"))["gdpr-regulator-fr"]

    assert regulator.clock == "awareness"
    assert regulator.clock_started_at == at("2026-05-04T12:20:00")


def test_a_non_eu_controllers_representative_does_not_make_a_lead_authority() -> None:
    found = group_obligations(by_name("s02"))

    assert "gdpr-regulator-ie" not in found
    assert found["gdpr-individuals"].jurisdictions == ["DE-BY", "FR", "IT"]
    assert found["gdpr-individuals"].affected_count == 68


def test_risk_is_judged_on_the_data_of_the_people_each_law_covers() -> None:
    found = group_obligations(by_name("s23"))

    regulator = found["gdpr-regulator-fr"]
    assert any("from the data exposed for them" in r for r in regulator.reasons)
    assert any("(email)" in r and "a risk, not a high risk" in r for r in regulator.reasons)


def test_a_risk_given_in_the_facts_applies_to_every_law_unchanged() -> None:
    facts = {**by_name("s23"), "risk": "high"}

    found = group_obligations(facts)

    assert sorted(found) == ["gdpr-individuals", "gdpr-regulator-fr"]


def test_nis2_without_a_given_risk_is_listed_with_a_significance_warning() -> None:
    found = group_obligations(by_name("s13"))

    for obligation in found.values():
        assert any("Significance is not established" in w for w in obligation.warnings)
    given = group_obligations(by_name("s12"))
    assert not any("Significance" in w for o in given.values() for w in o.warnings)


def test_lgpd_small_agent_doubles_only_the_anpd_period() -> None:
    found = group_obligations(by_name("s08"))

    regulator, individuals = found["br-lgpd-regulator"], found["br-lgpd-individuals"]
    assert regulator.due_at is not None and individuals.due_at is not None
    assert regulator.due_at > individuals.due_at
    assert any("small processing agents' period" in r for r in regulator.reasons)


def test_the_populations_categories_are_judged_per_covered_jurisdiction() -> None:
    # The population file says what each person had exposed: SSNs for the New Yorkers,
    # only emails for the French users.
    facts = IncidentFacts.model_validate({**by_name("s23"), "data_categories": [], "affected": []})
    assessment = Assessment(
        total=1050,
        jurisdictions=[
            JurisdictionCount(
                jurisdiction="US-NY", count=1000, data_categories={"government_id": 1000}
            ),
            JurisdictionCount(jurisdiction="FR", count=50, data_categories={"email": 50}),
        ],
    )

    _, _, evaluation = judge(facts, assessment)

    found = {o.id for o in evaluation.obligations if o.regime in GROUP}
    assert found == {"gdpr-regulator-fr"}
