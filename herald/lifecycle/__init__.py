"""The incident's state and every decision about it, free of Temporal.

`IncidentWorkflow` keeps one `IncidentState` and calls its methods from its run loop and
its update handlers. Everything here is deterministic (the caller passes `now`), so the same
code runs inside the workflow sandbox and in plain unit tests. `check_*` methods raise
`LifecycleError` with a message for the person; update validators call them, so a refused
update never reaches the workflow history.
"""

from herald.lifecycle.errors import SYSTEM_ACTOR, LifecycleError, campaign_key
from herald.lifecycle.state import IncidentState

__all__ = ["SYSTEM_ACTOR", "IncidentState", "LifecycleError", "campaign_key"]
