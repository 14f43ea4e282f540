"""Authorities that receive notifications: who they are and how to reach them.

Regime data, kept apart from the rules that use it so that a later change can load it from
YAML. ``contact`` is where a filing goes: a breach-notification portal where one is known,
otherwise the authority's website (its breach page is reached from there).

The supervisory-authority names and addresses below are NOT in the jurisdiction reference
(jurisdictions.md lists none): they are the authorities' public websites as generally known
and are UNCONFIRMED until checked against each authority's own site before production use.
``language`` is the authority's working language (ISO 639-1); where a state has several
official languages the first listed is the default and the others are noted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Authority:
    """One authority that receives notifications."""

    code: str
    name: str
    contact: str
    language: str = "en"


def _sa(code: str, name: str, contact: str, language: str) -> tuple[str, Authority]:
    return code, Authority(code=code, name=name, contact=contact, language=language)


# GDPR supervisory authorities (Art. 51), one per EU/EEA state, keyed by ISO 3166-1 code.
EEA_SUPERVISORY_AUTHORITIES: dict[str, Authority] = dict(
    [
        _sa("AT", "Österreichische Datenschutzbehörde (DSB)", "https://www.dsb.gv.at", "de"),
        # Belgium: Dutch, French and German are all official; the APD/GBA accepts each.
        _sa(
            "BE",
            "Gegevensbeschermingsautoriteit / Autorité de protection des données (GBA/APD)",
            "https://www.dataprotectionauthority.be",
            "nl",
        ),
        _sa("BG", "Commission for Personal Data Protection (CPDP)", "https://www.cpdp.bg", "bg"),
        _sa(
            "CY",
            "Commissioner for Personal Data Protection",
            "https://www.dataprotection.gov.cy",
            "el",
        ),
        _sa("CZ", "Úřad pro ochranu osobních údajů (ÚOOÚ)", "https://uoou.gov.cz", "cs"),
        # Germany: for private companies the data protection authority of the Land where the
        # company is established is competent (BayLDA, LfDI BW, HmbBfDI ...); the federal BfDI
        # covers federal bodies, telecoms and postal services. One federal entry stands in
        # until Land-level data exists; the recipient text says which body to look for.
        _sa(
            "DE",
            "BfDI / competent Land data protection authority",
            "https://www.bfdi.bund.de",
            "de",
        ),
        _sa("DK", "Datatilsynet", "https://www.datatilsynet.dk", "da"),
        _sa("EE", "Andmekaitse Inspektsioon (AKI)", "https://www.aki.ee", "et"),
        _sa(
            "ES",
            "Agencia Española de Protección de Datos (AEPD)",
            "https://www.aepd.es",
            "es",
        ),
        # Finland: Finnish and Swedish are both official.
        _sa("FI", "Tietosuojavaltuutetun toimisto", "https://tietosuoja.fi", "fi"),
        _sa(
            "FR",
            "Commission nationale de l'informatique et des libertés (CNIL)",
            "https://notifications.cnil.fr/notifications/",
            "fr",
        ),
        _sa("GR", "Hellenic Data Protection Authority (HDPA)", "https://www.dpa.gr", "el"),
        _sa("HR", "Agencija za zaštitu osobnih podataka (AZOP)", "https://azop.hr", "hr"),
        _sa(
            "HU",
            "Nemzeti Adatvédelmi és Információszabadság Hatóság (NAIH)",
            "https://naih.hu",
            "hu",
        ),
        _sa(
            "IE",
            "Data Protection Commission (DPC)",
            "https://forms.dataprotection.ie/report-a-breach-of-personal-data",
            "en",
        ),
        _sa("IS", "Persónuvernd", "https://www.personuvernd.is", "is"),
        _sa(
            "IT",
            "Garante per la protezione dei dati personali",
            "https://www.garanteprivacy.it",
            "it",
        ),
        _sa("LI", "Datenschutzstelle Liechtenstein", "https://www.datenschutzstelle.li", "de"),
        _sa(
            "LT",
            "Valstybinė duomenų apsaugos inspekcija (VDAI)",
            "https://vdai.lrv.lt",
            "lt",
        ),
        # Luxembourg: French, German and Luxembourgish; the CNPD works mainly in French.
        _sa(
            "LU",
            "Commission nationale pour la protection des données (CNPD)",
            "https://cnpd.public.lu",
            "fr",
        ),
        _sa("LV", "Datu valsts inspekcija (DVI)", "https://www.dvi.gov.lv", "lv"),
        # Malta: Maltese and English are both official; the IDPC works in English.
        _sa(
            "MT",
            "Information and Data Protection Commissioner (IDPC)",
            "https://idpc.org.mt",
            "en",
        ),
        _sa(
            "NL",
            "Autoriteit Persoonsgegevens (AP)",
            "https://autoriteitpersoonsgegevens.nl",
            "nl",
        ),
        _sa("NO", "Datatilsynet", "https://www.datatilsynet.no", "no"),
        _sa("PL", "Urząd Ochrony Danych Osobowych (UODO)", "https://uodo.gov.pl", "pl"),
        _sa(
            "PT",
            "Comissão Nacional de Proteção de Dados (CNPD)",
            "https://www.cnpd.pt",
            "pt",
        ),
        _sa(
            "RO",
            "Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal "
            "(ANSPDCP)",
            "https://www.dataprotection.ro",
            "ro",
        ),
        _sa("SE", "Integritetsskyddsmyndigheten (IMY)", "https://www.imy.se", "sv"),
        _sa("SI", "Informacijski pooblaščenec (IP)", "https://www.ip-rs.si", "sl"),
        _sa(
            "SK",
            "Úrad na ochranu osobných údajov Slovenskej republiky",
            "https://dataprotection.gov.sk",
            "sk",
        ),
    ]
)


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
