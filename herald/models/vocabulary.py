"""The controlled vocabulary shared by models, rules, API, console and CLI."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where an incident stands; the order is the normal path through the workflow."""

    DETECTED = "detected"
    ASSESSING = "assessing"
    DRAFTING = "drafting"
    AWAITING_APPROVAL = "awaiting_approval"
    NOTIFYING = "notifying"
    REPORTING = "reporting"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Audience(StrEnum):
    """Who an obligation says must be told."""

    REGULATOR = "regulator"
    INDIVIDUALS = "individuals"
    PUBLIC = "public"
    MEDIA = "media"
    CREDIT_REPORTING_AGENCIES = "credit_reporting_agencies"
    LAW_ENFORCEMENT = "law_enforcement"
    OTHER = "other"


class Channel(StrEnum):
    """How a message reaches its recipient."""

    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    PUSH = "push"
    LETTER = "letter"
    WEB = "web"
    REPORT = "report"


# Channels that reach one person at a time, in the default fallback order.
PERSONAL_CHANNELS: tuple[Channel, ...] = (
    Channel.EMAIL,
    Channel.SMS,
    Channel.PUSH,
    Channel.VOICE,
    Channel.LETTER,
)


class RiskLevel(StrEnum):
    """Risk to the rights and freedoms of the affected people (GDPR vocabulary)."""

    NONE = "none"
    RISK = "risk"
    HIGH = "high"


class DataCategory(StrEnum):
    """Kinds of personal data an incident can expose."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    POSTAL_ADDRESS = "postal_address"
    DATE_OF_BIRTH = "date_of_birth"
    GOVERNMENT_ID = "government_id"
    FINANCIAL_ACCOUNT = "financial_account"
    PAYMENT_CARD = "payment_card"
    ACCOUNT_CREDENTIALS = "account_credentials"
    HEALTH = "health"
    BIOMETRIC = "biometric"
    GENETIC = "genetic"
    PRECISE_LOCATION = "precise_location"
    CHILDREN = "children"
    OTHER = "other"


class Sector(StrEnum):
    """Sector designations that switch sector-specific regimes on."""

    HIPAA_COVERED_ENTITY = "hipaa_covered_entity"
    HIPAA_BUSINESS_ASSOCIATE = "hipaa_business_associate"
    SEC_REGISTRANT = "sec_registrant"
    GLBA_FINANCIAL_INSTITUTION = "glba_financial_institution"
    NYDFS_COVERED_ENTITY = "nydfs_covered_entity"
    CII_OPERATOR = "cii_operator"
    NIS2_ESSENTIAL = "nis2_essential"
    NIS2_IMPORTANT = "nis2_important"


class DraftState(StrEnum):
    """Review state of one draft version."""

    PENDING_APPROVAL = "pending_approval"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class ReportStatus(StrEnum):
    """Status of a regulator report, in the order a filing normally moves."""

    DRAFTED = "drafted"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    QUESTIONS = "questions"
    ANSWERED = "answered"
    CLOSED = "closed"


# Statuses at or after which the authority has been told: the obligation is met.
FILED_STATUSES: frozenset[ReportStatus] = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.QUESTIONS,
        ReportStatus.ANSWERED,
        ReportStatus.CLOSED,
    }
)


class DeliveryState(StrEnum):
    """State of one ledger row (incident x person x channel)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    BOUNCED = "bounced"
    # Left in `sending` by a crash, and the provider cannot say whether it has the message:
    # held for a person to decide (`herald deliveries resend`), never resent on its own.
    UNKNOWN = "unknown"
