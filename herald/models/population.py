"""The affected population: where it is read from and what one person looks like."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from herald.models.vocabulary import DataCategory


class PopulationFormat(StrEnum):
    """File formats Herald reads a population from."""

    CSV = "csv"
    JSONL = "jsonl"


class PopulationSource(BaseModel):
    """A pointer to the population; the rows themselves never enter a workflow payload."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(min_length=1)
    format: PopulationFormat
    sha256: str = Field(description="Digest of the file when the incident was started")
    size: int = Field(default=0, ge=0, description="bytes, for a cheap check before each batch")
    mtime_ns: int = Field(default=0, ge=0, description="modification time when opened")

    @property
    def label(self) -> str:
        """A name for logs and timelines that carries no personal data."""
        return f"{self.format.value}:{self.sha256[:12]}"


class Person(BaseModel):
    """One affected person, as read from one population row."""

    model_config = ConfigDict(frozen=True)

    row: int = Field(description="1-based data row number in the source file")
    id: str
    jurisdiction: str
    name: str = ""
    email: str | None = None
    phone: str | None = None
    push_token: str | None = None
    postal_address: str | None = None
    language: str | None = None
    data_categories: tuple[DataCategory, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)


class RowError(BaseModel):
    """Why one population row was rejected; names the row and the field, never the data."""

    row: int
    field: str
    message: str
