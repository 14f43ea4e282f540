"""Localised labels, phrases and date/number formats used when rendering notices.

A small stand-in until Babel is adopted: it covers the languages Herald ships templates
for (en, de, fr, zh-CN) and falls back to English for anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from herald.models.vocabulary import DataCategory

FALLBACK_LANGUAGE = "en"

# Script, not region, decides which written Chinese a reader can read: Hant tags and the
# regions that use Traditional characters must never be served a Simplified text.
_TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})


def canonical_language(tag: str) -> str:
    """Reduce a BCP 47 tag to the `lang` or `lang-REGION` form templates are named by.

    Chinese is reduced by script: "zh", "zh-Hans", "zh-CN", "zh-SG" become "zh-CN";
    "zh-Hant", "zh-TW", "zh-HK" become "zh-TW".

    Args:
        tag: a language tag as found in a population file, e.g. "en_us" or "zh-Hans-CN".

    Returns:
        The canonical tag, e.g. "en-US"; an empty string for an empty tag.
    """
    parts = [part for part in tag.strip().replace("_", "-").split("-") if part]
    if not parts:
        return ""
    primary, rest = parts[0].lower(), [part.lower() for part in parts[1:]]
    if primary == "zh":
        return "zh-TW" if _TRADITIONAL_SUBTAGS.intersection(rest) else "zh-CN"
    region = next((part.upper() for part in rest if len(part) == 2 and part.isalpha()), None)
    return f"{primary}-{region}" if region else primary


def normalise_language(tag: str, available: Iterable[str]) -> str | None:
    """Match a requested language to one of the available ones, or None.

    Tries the canonical tag, then (except for Chinese, where the script matters) its
    primary subtag: "en-US" matches "en", "zh-Hans" matches "zh-CN", "zh-TW" never
    matches "zh-CN".

    Args:
        tag: the requested language (BCP 47, any case, "-" or "_").
        available: languages that have content, e.g. from template file names.

    Returns:
        The available language's own spelling, or None when nothing fits.
    """
    lookup = {language.lower(): language for language in available}
    canonical = canonical_language(tag)
    if canonical == "zh-CN":
        candidates = ["zh-CN", "zh-Hans", "zh"]
    elif canonical == "zh-TW":
        candidates = ["zh-TW", "zh-Hant"]
    else:
        candidates = [canonical, canonical.split("-")[0]]
    for candidate in candidates:
        if candidate and candidate.lower() in lookup:
            return lookup[candidate.lower()]
    return None


def _base(language: str) -> str:
    """The key this module's tables use: "zh-CN" for Simplified Chinese, else the primary tag."""
    canonical = canonical_language(language)
    return canonical if canonical.startswith("zh") else canonical.split("-")[0]


_MONTHS = {
    "en": "January February March April May June July August September October November "
    "December".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November "
    "Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre".split(),
}


def format_date(value: date, language: str, *, us_style: bool = False) -> str:
    """Format a calendar date the way a reader of `language` expects.

    Args:
        value: the date.
        language: the notice language.
        us_style: month first ("March 1, 2026") for English notices to US residents.

    Returns:
        e.g. "1 March 2026", "1. März 2026", "1er mars 2026", "2026年3月1日".
    """
    base = _base(language)
    if base.startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    if base == "de":
        return f"{value.day}. {_MONTHS['de'][value.month - 1]} {value.year}"
    if base == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {_MONTHS['fr'][value.month - 1]} {value.year}"
    month = _MONTHS["en"][value.month - 1]
    return f"{month} {value.day}, {value.year}" if us_style else f"{value.day} {month} {value.year}"


def format_utc(value: datetime, language: str, *, us_style: bool = False) -> str:
    """Format an instant in UTC with minutes, as regulators compare it against hour clocks."""
    utc = value.astimezone(UTC)
    return f"{format_date(utc.date(), language, us_style=us_style)} {utc:%H:%M} UTC"


def format_count(value: int, language: str) -> str:
    """Format a whole number with the reader's digit grouping ("1,250", "1.250", "1 250")."""
    grouped = f"{value:,}"
    base = _base(language)
    if base == "de":
        return grouped.replace(",", ".")
    if base == "fr":
        return grouped.replace(",", " ")
    return grouped


# "on or before <date>": the estimate used for a breach date when only discovery is known.
_ON_OR_BEFORE = {
    "en": "on or before {date}",
    "de": "am oder vor dem {date}",
    "fr": "le {date} ou avant",
    "zh-CN": "{date}或之前",
}


def on_or_before(value: str, language: str) -> str:
    """Phrase an estimated date as "on or before <value>" in the notice language."""
    return _ON_OR_BEFORE.get(_base(language), _ON_OR_BEFORE["en"]).format(date=value)


_C = DataCategory
CATEGORY_LABELS: dict[str, dict[DataCategory, str]] = {
    "en": {
        _C.NAME: "Name",
        _C.EMAIL: "Email address",
        _C.PHONE: "Telephone number",
        _C.POSTAL_ADDRESS: "Postal address",
        _C.DATE_OF_BIRTH: "Date of birth",
        _C.GOVERNMENT_ID: "Government-issued identification number (such as a Social Security, "
        "driver's license or passport number)",
        _C.FINANCIAL_ACCOUNT: "Financial account number",
        _C.PAYMENT_CARD: "Payment card number",
        _C.ACCOUNT_CREDENTIALS: "Account credentials (username or email address with password "
        "or security questions)",
        _C.HEALTH: "Health or medical information",
        _C.BIOMETRIC: "Biometric data",
        _C.GENETIC: "Genetic data",
        _C.PRECISE_LOCATION: "Precise location data",
        _C.CHILDREN: "Personal data of children",
        _C.OTHER: "Other personal data",
    },
    "de": {
        _C.NAME: "Name",
        _C.EMAIL: "E-Mail-Adresse",
        _C.PHONE: "Telefonnummer",
        _C.POSTAL_ADDRESS: "Postanschrift",
        _C.DATE_OF_BIRTH: "Geburtsdatum",
        _C.GOVERNMENT_ID: "Nummer eines amtlichen Ausweisdokuments (z. B. Personalausweis, "
        "Reisepass oder Führerschein)",
        _C.FINANCIAL_ACCOUNT: "Kontonummer",
        _C.PAYMENT_CARD: "Zahlungskartennummer",
        _C.ACCOUNT_CREDENTIALS: "Zugangsdaten (Benutzername oder E-Mail-Adresse mit Passwort "
        "oder Sicherheitsfragen)",
        _C.HEALTH: "Gesundheitsdaten",
        _C.BIOMETRIC: "Biometrische Daten",
        _C.GENETIC: "Genetische Daten",
        _C.PRECISE_LOCATION: "Genaue Standortdaten",
        _C.CHILDREN: "Personenbezogene Daten von Kindern",
        _C.OTHER: "Sonstige personenbezogene Daten",
    },
    "fr": {
        _C.NAME: "Nom",
        _C.EMAIL: "Adresse électronique",
        _C.PHONE: "Numéro de téléphone",
        _C.POSTAL_ADDRESS: "Adresse postale",
        _C.DATE_OF_BIRTH: "Date de naissance",
        _C.GOVERNMENT_ID: "Numéro d'une pièce d'identité officielle (carte d'identité, "
        "passeport ou permis de conduire)",
        _C.FINANCIAL_ACCOUNT: "Numéro de compte financier",
        _C.PAYMENT_CARD: "Numéro de carte de paiement",
        _C.ACCOUNT_CREDENTIALS: "Identifiants de connexion (nom d'utilisateur ou adresse "
        "électronique et mot de passe ou questions de sécurité)",
        _C.HEALTH: "Données de santé",
        _C.BIOMETRIC: "Données biométriques",
        _C.GENETIC: "Données génétiques",
        _C.PRECISE_LOCATION: "Données de localisation précise",
        _C.CHILDREN: "Données à caractère personnel d'enfants",
        _C.OTHER: "Autres données à caractère personnel",
    },
    "zh-CN": {
        _C.NAME: "姓名",
        _C.EMAIL: "电子邮件地址",
        _C.PHONE: "电话号码",
        _C.POSTAL_ADDRESS: "邮寄地址",
        _C.DATE_OF_BIRTH: "出生日期",
        _C.GOVERNMENT_ID: "政府签发的身份证件号码（如社会安全号码、驾驶证号码或护照号码）",
        _C.FINANCIAL_ACCOUNT: "金融账户号码",
        _C.PAYMENT_CARD: "支付卡号码",
        _C.ACCOUNT_CREDENTIALS: "账户登录凭证（用户名或电子邮件地址及密码或安全问题）",
        _C.HEALTH: "健康或医疗信息",
        _C.BIOMETRIC: "生物识别信息",
        _C.GENETIC: "基因数据",
        _C.PRECISE_LOCATION: "精确位置信息",
        _C.CHILDREN: "儿童个人信息",
        _C.OTHER: "其他个人信息",
    },
}


def category_labels(categories: Iterable[DataCategory], language: str) -> list[str]:
    """Human-readable labels for data categories, in the given order."""
    labels = CATEGORY_LABELS.get(_base(language), CATEGORY_LABELS["en"])
    return [labels[category] for category in categories]


# Likely consequences, written as noun phrases so that one text serves both a notice to the
# person ("what this means for you") and a report about them to a regulator.
_CONSEQUENCE_OF: dict[DataCategory, str] = {
    _C.ACCOUNT_CREDENTIALS: "credentials",
    _C.FINANCIAL_ACCOUNT: "financial",
    _C.PAYMENT_CARD: "financial",
    _C.GOVERNMENT_ID: "identity",
    _C.DATE_OF_BIRTH: "identity",
    _C.EMAIL: "phishing",
    _C.PHONE: "phishing",
    _C.POSTAL_ADDRESS: "phishing",
    _C.HEALTH: "sensitive",
    _C.BIOMETRIC: "sensitive",
    _C.GENETIC: "sensitive",
    _C.PRECISE_LOCATION: "location",
    _C.CHILDREN: "children",
}
# Most direct harm first.
_CONSEQUENCE_ORDER = (
    "credentials",
    "financial",
    "identity",
    "sensitive",
    "location",
    "children",
    "phishing",
)
_CONSEQUENCES: dict[str, dict[str, str]] = {
    "en": {
        "credentials": "Unauthorised access to online accounts, including other accounts "
        "that use the same password",
        "financial": "Fraudulent payments or other financial loss",
        "identity": "Identity theft or fraud, such as credit or accounts opened in "
        "another person's name",
        "phishing": "Phishing, scam or other unsolicited messages that use the exposed "
        "details to appear genuine",
        "sensitive": "Disclosure of sensitive information, which may cause distress, "
        "embarrassment or discrimination",
        "location": "Disclosure of whereabouts, with possible risks to physical safety",
        "children": "Heightened risks for children, who may be less able to recognise "
        "misuse of their data",
        "general": "Loss of control over the personal data concerned",
    },
    "de": {
        "credentials": "Unbefugter Zugriff auf Online-Konten, auch auf andere Konten mit "
        "demselben Passwort",
        "financial": "Betrügerische Zahlungen oder sonstige finanzielle Verluste",
        "identity": "Identitätsdiebstahl oder -betrug, etwa Kredite oder Konten auf fremden Namen",
        "phishing": "Phishing-, Betrugs- oder sonstige unerwünschte Nachrichten, die die "
        "offengelegten Angaben nutzen, um echt zu wirken",
        "sensitive": "Offenlegung sensibler Informationen, die zu Belastung, Bloßstellung "
        "oder Diskriminierung führen kann",
        "location": "Offenlegung des Aufenthaltsorts mit möglichen Risiken für die "
        "körperliche Sicherheit",
        "children": "Erhöhte Risiken für Kinder, die einen Missbrauch ihrer Daten "
        "schlechter erkennen können",
        "general": "Verlust der Kontrolle über die betroffenen personenbezogenen Daten",
    },
    "fr": {
        "credentials": "Accès non autorisé à des comptes en ligne, y compris d'autres "
        "comptes utilisant le même mot de passe",
        "financial": "Paiements frauduleux ou autres pertes financières",
        "identity": "Usurpation d'identité ou fraude, par exemple l'ouverture de crédits "
        "ou de comptes au nom d'autrui",
        "phishing": "Messages d'hameçonnage, d'escroquerie ou autres messages non "
        "sollicités utilisant les données exposées pour paraître authentiques",
        "sensitive": "Divulgation d'informations sensibles, susceptible de causer détresse, "
        "atteinte à la réputation ou discrimination",
        "location": "Divulgation de la localisation, avec des risques possibles pour la "
        "sécurité physique",
        "children": "Risques accrus pour les enfants, moins à même de détecter une "
        "utilisation abusive de leurs données",
        "general": "Perte de maîtrise des données à caractère personnel concernées",
    },
    "zh-CN": {
        "credentials": "在线账户遭未经授权的访问，包括使用相同密码的其他账户",
        "financial": "欺诈性付款或其他经济损失",
        "identity": "身份盗用或欺诈，例如他人冒名申请信贷或开立账户",
        "phishing": "利用泄露信息冒充可信来源的网络钓鱼、诈骗或其他骚扰信息",
        "sensitive": "敏感信息被披露，可能造成困扰、名誉受损或歧视",
        "location": "行踪信息被披露，可能危及人身安全",
        "children": "儿童识别其数据被滥用的能力较弱，风险更高",
        "general": "对相关个人信息失去控制",
    },
}


def likely_consequences(categories: Iterable[DataCategory], language: str) -> list[str]:
    """Likely consequences of exposing these categories, most specific first.

    Always ends with the general loss of control, which applies to every breach.
    """
    texts = _CONSEQUENCES.get(_base(language), _CONSEQUENCES["en"])
    keys = {_CONSEQUENCE_OF[c] for c in categories if c in _CONSEQUENCE_OF}
    return [texts[key] for key in _CONSEQUENCE_ORDER if key in keys] + [texts["general"]]
