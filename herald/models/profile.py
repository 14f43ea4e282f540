"""Organisation profile: the controller, and what its privacy policy promises."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from herald.models.facts import EntityContact, IncidentFacts, PolicyCommitment
from herald.models.types import JurisdictionCode, TimeZone
from herald.models.vocabulary import PERSONAL_CHANNELS, Channel, Sector

# Fields that state what the policy says, so each must cite its clause in `sources`.
CITED_FIELDS = (
    "legal_name",
    "address",
    "established_in",
    "serves",
    "contact",
    "channels",
    "public_notice",
    "languages",
    "regulators",
    "laws",
)


class OrganisationProfile(BaseModel):
    """Who the organisation is and how it promised to tell people about incidents.

    `sources` maps a field name to the clause of the policy (or other document) it comes
    from, so every promise Herald executes can be traced to its origin.
    """

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    legal_name: str = Field(min_length=1, max_length=300)
    address: str | None = Field(default=None, max_length=500)
    established_in: list[JurisdictionCode] = Field(default_factory=list)
    serves: list[JurisdictionCode] = Field(
        default_factory=list, description="jurisdictions whose residents it serves"
    )
    sectors: list[Sector] = Field(default_factory=list)
    timezone: TimeZone = "UTC"
    contact: EntityContact | None = None
    team: list[str] = Field(
        default_factory=list, description="who gets deadline reminders (emails)"
    )
    backups: list[str] = Field(
        default_factory=list,
        description="who is told when a deadline reminder is not acknowledged (emails)",
    )
    channels: list[Channel] = Field(
        default_factory=lambda: [Channel.EMAIL, Channel.SMS, Channel.LETTER],
        description="channels promised for individual notice, in the order to try them",
    )
    public_notice: bool = Field(
        default=False, description="promises a public announcement where notice is impossible"
    )
    languages: list[str] = Field(default_factory=lambda: ["en"])
    regulators: list[str] = Field(default_factory=list, description="authorities it names")
    laws: list[str] = Field(default_factory=list, description="the laws its policy names")
    commitments: list[PolicyCommitment] = Field(
        default_factory=list, description="incident and request promises (policy obligations)"
    )
    policy: str = Field(default="", max_length=300, description="which policy this reads")
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _personal_channels(cls, channels: list[Channel]) -> list[Channel]:
        for channel in channels:
            if channel not in PERSONAL_CHANNELS:
                raise ValueError(f"{channel} does not reach a person (use public_notice)")
        if len(set(channels)) != len(channels):
            raise ValueError("a channel is listed twice")
        if not channels:
            raise ValueError("at least one channel is needed for individual notices")
        return channels

    @field_validator("sources")
    @classmethod
    def _sources_name_fields(cls, sources: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(sources) - set(cls.model_fields))
        if unknown:
            raise ValueError(f"sources name unknown fields: {', '.join(unknown)}")
        return sources

    @model_validator(mode="after")
    def _promises_are_cited(self) -> OrganisationProfile:
        # What the policy promises must say where it says so; internal settings (team,
        # backups, time zone) need not.
        uncited = sorted(
            name
            for name in CITED_FIELDS
            if name in self.model_fields_set and getattr(self, name) and name not in self.sources
        )
        if uncited:
            raise ValueError(
                f"cite the policy clause for: {', '.join(uncited)} (add them to sources)"
            )
        return self

    def fill(self, facts: IncidentFacts) -> IncidentFacts:
        """Fill what the facts leave out from the profile; what the facts say wins.

        Responders describe the incident; the profile describes the organisation. The
        contact point, establishment, sectors and time zone rarely change per incident, so
        they come from the profile unless the facts give them. Applied at intake and again
        to every new version of the facts.
        """
        entity = facts.entity
        filled = entity.model_copy(
            update={
                "established_in": entity.established_in or self.established_in,
                "sectors": entity.sectors or self.sectors,
                "timezone": (
                    entity.timezone if "timezone" in entity.model_fields_set else self.timezone
                ),
                "contact": entity.contact or self.contact,
                "commitments": entity.commitments or self.commitments,
                "languages": entity.languages or self.languages,
                "policy_name": entity.policy_name or self.policy or self.legal_name,
            }
        )
        return facts.model_copy(update={"entity": filled})
