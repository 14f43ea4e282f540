"""Writing the breach register (GDPR Art. 33(5)) from the incident workflow."""

from __future__ import annotations

from temporalio import activity

from herald.models.messages import RecordRegisterEntryInput, RecordRegisterEntryResult
from herald.store.register import Register


class RegisterActivities:
    """Keeps each incident's breach-register entry in Herald's database."""

    def __init__(self, register: Register) -> None:
        """Bind to the register store."""
        self._register = register

    @activity.defn
    def record_register_entry(self, inp: RecordRegisterEntryInput) -> RecordRegisterEntryResult:
        """Upsert the incident's entry; idempotent, and an older entry never replaces a newer
        one (so a retried or late write cannot undo a later one)."""
        return RecordRegisterEntryResult(recorded=self._register.record(inp.entry))
