"""SIEM intake against the live stack: a signed alert opens an incident once; unsigned,
wrongly signed or old requests are 401; without a secret intake is off (404)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from herald.api.routes.intake import INTAKE_ACTOR, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.api.stack import ApiStack
from tests.api.test_incidents_api import CONTACT, until

SECRET = b"siem-shared-secret-0123456789abcdef"


def alert(alert_id: str = "ALERT-7731", **changes: Any) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "title": "Bulk export from the customer database",
        "description": "A service account exported the customer table.",
        "severity": "critical",
        "source": "Sentinel rule 42",
        "detected_at": "2026-03-02T08:00:00+00:00",
        "data_categories": ["name", "email"],
        "affected": [{"jurisdiction": "DE", "count": 120}, {"jurisdiction": "US-CA", "count": 30}],
        "entity": {"name": "Example GmbH", "established_in": ["DE"], "contact": CONTACT},
        "raw": {"ignored": "SIEM payloads carry much more"},
        **changes,
    }


async def post(
    client: httpx.AsyncClient,
    payload: dict[str, Any],
    *,
    secret: bytes = SECRET,
    at: float | None = None,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time() if at is None else at))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature or sign(secret, timestamp, body),
    }
    return await client.post("/api/intake/siem", content=body, headers=headers)


async def test_a_signed_alert_opens_one_incident(api: ApiStack) -> None:
    api.app.state.intake_secret = SECRET  # what create_app(intake_secret=…) keeps
    siem = api.client()
    opened = await post(siem, alert())
    assert opened.status_code == 201, opened.text
    assert opened.json() == {"incident_id": "SIEM-ALERT-7731", "created": True}
    again = await post(siem, alert(title="the same alert, redelivered"))
    assert again.status_code == 200
    assert again.json() == {"incident_id": "SIEM-ALERT-7731", "created": False}

    current = await until(
        api.as_user("vera"), "SIEM-ALERT-7731", lambda s: s["phase"] == "awaiting_approval"
    )
    assert current["commander"] == INTAKE_ACTOR
    facts = current["facts"]
    assert facts["title"] == "Bulk export from the customer database"
    assert facts["aware_at"].startswith("2026-03-02T08:00:00")
    assert {g["jurisdiction"]: g["count"] for g in facts["affected"]} == {"DE": 120, "US-CA": 30}
    assert "critical" in facts["details"]["indicators"]
    assert any(o["regime"] == "gdpr" for o in current["obligations"])

    odd = await post(siem, alert(alert_id="tenant/7 alert #1"))
    assert odd.status_code == 201 and odd.json()["incident_id"].startswith("SIEM-")
    assert "/" not in odd.json()["incident_id"]


async def test_unsigned_wrong_or_old_requests_are_401_and_bad_alerts_422(api: ApiStack) -> None:
    api.app.state.intake_secret = SECRET
    siem = api.client()
    unsigned = await siem.post("/api/intake/siem", json=alert())
    assert unsigned.status_code == 401
    wrong = await post(siem, alert(), secret=b"another secret of the same length!!")
    assert wrong.status_code == 401 and SIGNATURE_HEADER in wrong.json()["detail"]
    tampered = await post(siem, alert(), signature="sha256=" + "0" * 64)
    assert tampered.status_code == 401
    old = await post(siem, alert(), at=time.time() - 600)
    assert old.status_code == 401 and "minutes" in old.json()["detail"]
    future = await post(siem, alert(), at=time.time() + 600)
    assert future.status_code == 401
    # A user's token is no substitute for the signature.
    as_user = await api.as_user("ada").post("/api/intake/siem", json=alert())
    assert as_user.status_code == 401

    no_entity = alert("ALERT-NO-ENTITY")  # ids of their own: the server outlives a test
    del no_entity["entity"]
    refused = await post(siem, no_entity)
    assert refused.status_code == 422 and "entity" in refused.json()["detail"]
    missing = alert("ALERT-NO-TIME")
    del missing["detected_at"]
    assert (await post(siem, missing)).status_code == 422


async def test_without_a_secret_intake_is_off(api: ApiStack) -> None:
    answer = await post(api.client(), alert())
    assert answer.status_code == 404 and "no intake secret" in answer.json()["detail"]
