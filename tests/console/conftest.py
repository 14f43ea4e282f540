"""Fixtures of the console tests: the live app of the API tests (real Temporal, worker,
users of every role), whose pages the console adds."""

from tests.api.stack import api, evidence_home  # noqa: F401  (the live-app fixtures)
