"""Assessment: the population summarised, plus a risk level with its reasons."""

from __future__ import annotations

from pydantic import BaseModel, Field

from herald.models.population import RowError
from herald.models.vocabulary import RiskLevel


class JurisdictionCount(BaseModel):
    """People affected in one jurisdiction, with the data categories exposed for them."""

    jurisdiction: str
    count: int
    data_categories: dict[str, int] = Field(default_factory=dict)
    languages: dict[str, int] = Field(
        default_factory=dict, description="people per preferred language, as given in the rows"
    )


class Assessment(BaseModel):
    """Counts per jurisdiction x data category and contactability per channel."""

    total: int = 0
    rejected: int = 0
    jurisdictions: list[JurisdictionCount] = Field(default_factory=list)
    contactable: dict[str, int] = Field(
        default_factory=dict, description="people with a usable contact point, per channel"
    )
    unreachable: int = Field(default=0, description="people with no usable contact point")
    languages: dict[str, int] = Field(default_factory=dict)
    row_errors: list[RowError] = Field(
        default_factory=list, description="first rejected rows (capped), for the responder"
    )
    risk: RiskLevel = RiskLevel.RISK
    risk_reasons: list[str] = Field(default_factory=list)
