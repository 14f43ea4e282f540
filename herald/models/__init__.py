"""Herald's domain models (pydantic v2). Import from here, not from the submodules."""

from herald.models.assessment import Assessment, JurisdictionCount
from herald.models.delivery import DeliverySummary, ReceiptCounts
from herald.models.drafts import (
    RECIPIENT_NAME_TOKEN,
    Approval,
    Draft,
    RenderedDraft,
    content_hash,
)
from herald.models.facts import (
    AffectedGroup,
    Encryption,
    Entity,
    EntityContact,
    IncidentDetails,
    IncidentFacts,
)
from herald.models.incident import (
    IncidentInput,
    IncidentResult,
    IncidentStatus,
    TimelineEvent,
    Waiver,
)
from herald.models.obligations import Evaluation, Obligation, RegimeDecision
from herald.models.population import Person, PopulationFormat, PopulationSource, RowError
from herald.models.profile import OrganisationProfile
from herald.models.reports import STATUS_TRANSITIONS, RegulatorReport, StatusChange
from herald.models.vocabulary import (
    FILED_STATUSES,
    PERSONAL_CHANNELS,
    Audience,
    Channel,
    DataCategory,
    DeliveryState,
    DraftState,
    Phase,
    ReportStatus,
    RiskLevel,
    Sector,
)

__all__ = [
    "FILED_STATUSES",
    "PERSONAL_CHANNELS",
    "RECIPIENT_NAME_TOKEN",
    "STATUS_TRANSITIONS",
    "AffectedGroup",
    "Approval",
    "Assessment",
    "Audience",
    "Channel",
    "DataCategory",
    "DeliveryState",
    "DeliverySummary",
    "ReceiptCounts",
    "Draft",
    "DraftState",
    "Encryption",
    "Entity",
    "EntityContact",
    "Evaluation",
    "IncidentDetails",
    "IncidentFacts",
    "IncidentInput",
    "IncidentResult",
    "IncidentStatus",
    "JurisdictionCount",
    "Obligation",
    "OrganisationProfile",
    "Person",
    "Phase",
    "PopulationFormat",
    "PopulationSource",
    "RegimeDecision",
    "RegulatorReport",
    "RenderedDraft",
    "ReportStatus",
    "RiskLevel",
    "RowError",
    "Sector",
    "StatusChange",
    "TimelineEvent",
    "Waiver",
    "content_hash",
]
