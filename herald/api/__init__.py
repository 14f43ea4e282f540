"""Herald's HTTP API: for now the providers' delivery-receipt webhooks (`webhooks`), built
by `create_app`."""

from herald.api.app import create_app
from herald.api.signals import WorkflowSignaller
from herald.api.webhooks import OnReceipts, WebhookConfigError

__all__ = ["OnReceipts", "WebhookConfigError", "WorkflowSignaller", "create_app"]
