"""Errors and names shared by the lifecycle modules."""

from __future__ import annotations

SYSTEM_ACTOR = "herald"
# Refusal while new facts are being judged: it passes in moments, so clients retry it.
REASSESSING = "the incident is being re-assessed; try again in a moment"


class LifecycleError(ValueError):
    """A request the incident's rules refuse; the message is shown to the person."""


def same_person(name: str) -> str:
    """The form in which two user names are compared: "Alice " and "alice" are one person."""
    return " ".join(name.split()).casefold()


def campaign_key(obligation_id: str, channel: str) -> str:
    """Key of one campaign (obligation x channel) in the state and in child workflow ids."""
    return f"{obligation_id}.{channel}"
