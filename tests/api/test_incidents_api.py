"""Incidents over HTTP against the live stack: start with a population upload, read every
view of the incident, new facts, waivers and closing, and the errors a caller gets.

The helpers here (`start`, `until`, `approve_everything`) are the drafts, reports and
evidence tests' way to an incident in a given state, through the API only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from herald.api import operations as ops
from herald.inputs import InputError
from tests.api.stack import ApiStack
from tests.conftest import EXAMPLES

Status = dict[str, Any]
DELAY = "Found months later, in a scheduled access review."
# The contact point notices must name (examples/profile.yaml's; the API starts without it).
CONTACT = {
    "name": "Data Protection Officer",
    "email": "dpo@example-gmbh.example",
    "phone": "+49 30 901820",
    "postal_address": "Example GmbH, Friedrichstraße 100, 10117 Berlin, Germany",
    "website": "https://example-gmbh.example/security-notice",
}


def example_facts(**changes: Any) -> dict[str, Any]:
    """The example facts with a contact point and the delay explained: its 72-hour deadline
    passed long ago, so the GDPR report would otherwise wait for the reasons."""
    facts: dict[str, Any] = json.loads((EXAMPLES / "facts.json").read_text())
    facts["details"] = {"delay_reasons": DELAY}
    facts["entity"]["contact"] = CONTACT
    facts.update(changes)
    return facts


async def start(client: httpx.AsyncClient, *, population: bool = True, **form: str) -> str:
    """Start the example incident through the multipart route; returns its id."""
    files: dict[str, tuple[str, bytes, str]] = {
        "facts": ("facts.json", json.dumps(example_facts()).encode(), "application/json")
    }
    if population:
        files["population"] = (
            "population.csv",
            (EXAMPLES / "population.csv").read_bytes(),
            "text/csv",
        )
    answer = await client.post("/api/incidents", files=files, data=form)
    assert answer.status_code == 201, answer.text
    incident_id: str = answer.json()["incident_id"]
    return incident_id


async def until(
    client: httpx.AsyncClient, incident_id: str, predicate: Callable[[Status], bool]
) -> Status:
    """Poll the incident's status until `predicate` holds (at most a minute)."""
    current: Status = {}
    for _ in range(300):
        answer = await client.get(f"/api/incidents/{incident_id}")
        assert answer.status_code == 200, answer.text
        current = answer.json()
        if predicate(current):
            return current
        await asyncio.sleep(0.2)
    raise AssertionError(f"stuck in phase {current.get('phase')}")


def settled(current: Status) -> bool:
    """Drafts exist and nothing is being re-derived."""
    return current["phase"] == "awaiting_approval" and bool(current["drafts"])


async def approve_everything(api: ApiStack, incident_id: str, drafts: list[Status]) -> None:
    """Both approvers approve every draft at the version they read."""
    for approver in ("amal", "bo"):
        client = api.as_user(approver)
        for draft in drafts:
            answer = await client.post(
                f"/api/incidents/{incident_id}/drafts/{draft['id']}/approve",
                json={"content_hash": draft["content_hash"]},
            )
            assert answer.status_code == 200, answer.text


async def test_an_incident_started_with_a_population_upload_can_be_read_and_steered(
    api: ApiStack,
) -> None:
    rory, vera = api.as_user("rory"), api.as_user("vera")
    incident_id = await start(rory, incident_id="INC-API-1", team="team@example.org")
    assert incident_id == "INC-API-1"
    current = await until(vera, incident_id, settled)
    assert current["commander"] == "rory"
    assert current["population"]["path"].startswith(str(api.settings.home / "uploads"))

    listed = (await vera.get("/api/incidents")).json()
    assert [item["incident_id"] for item in listed] == [incident_id]  # its own queue only
    assert listed[0]["state"] == "running" and listed[0]["open_obligations"] > 0
    assessment = (await vera.get(f"/api/incidents/{incident_id}/assessment")).json()
    assert assessment["total"] == current["assessment"]["total"] > 0
    obligations = (await vera.get(f"/api/incidents/{incident_id}/obligations")).json()
    assert "gdpr-regulator-de" in obligations["open_obligations"]
    gdpr = next(d for d in obligations["decisions"] if d["regime"] == "gdpr")
    assert gdpr["applies"] and gdpr["reasons"]
    assert obligations["next_deadline"] is not None
    progress = (await vera.get(f"/api/incidents/{incident_id}/deliveries")).json()
    assert progress == {"incident_id": incident_id, "channels": []}  # nothing approved yet

    facts = example_facts(title="Customer database exported with a leaked token")
    changed = await rory.put(f"/api/incidents/{incident_id}/facts", json={"facts": facts})
    assert changed.status_code == 200 and changed.json()["facts_version"] == 2
    timeline = (await vera.get(f"/api/incidents/{incident_id}/timeline")).json()
    assert {"actor": "rory", "kind": "facts.updated"} in [
        {"actor": e["actor"], "kind": e["kind"]} for e in timeline
    ]

    waive = f"/api/incidents/{incident_id}/obligations/gdpr-regulator-de/waive"
    assert (await rory.post(waive, json={"reason": "x" * 20})).status_code == 403
    short = await api.as_user("amal").post(waive, json={"reason": "no"})
    assert short.status_code == 422
    refused = await rory.post(f"/api/incidents/{incident_id}/close", json={"note": "done"})
    assert refused.status_code == 409 and "neither met nor waived" in refused.json()["detail"]
    await until(vera, incident_id, settled)
    waived = await api.as_user("amal").post(
        waive, json={"reason": "The authority confirmed in writing that no report is needed."}
    )
    assert waived.status_code == 200, waived.text
    assert "gdpr-regulator-de" not in waived.json()["open_obligations"]
    timeline = (await vera.get(f"/api/incidents/{incident_id}/timeline")).json()
    assert any(e["actor"] == "amal" and "waive" in e["kind"] for e in timeline)


async def test_bad_input_is_422_naming_the_field_and_unknown_incidents_are_404(
    api: ApiStack,
) -> None:
    rory = api.as_user("rory")
    broken = example_facts()
    del broken["aware_at"]
    files = {"facts": ("facts.json", json.dumps(broken).encode(), "application/json")}
    answer = await rory.post("/api/incidents", files=files)
    assert answer.status_code == 422 and "aware_at" in answer.json()["detail"]
    not_yaml = {"facts": ("facts.yaml", b"title: [unclosed", "application/yaml")}
    assert (await rory.post("/api/incidents", files=not_yaml)).status_code == 422
    good = {"facts": ("facts.json", json.dumps(example_facts()).encode(), "application/json")}
    wrong_kind = {**good, "population": ("people.xlsx", b"PK\x03\x04", "application/zip")}
    answer = await rory.post("/api/incidents", files=wrong_kind)
    assert answer.status_code == 422 and "population" in answer.json()["detail"]
    bad_id = await rory.post("/api/incidents", files=good, data={"incident_id": "../etc"})
    assert bad_id.status_code == 422 and "incident_id" in bad_id.json()["detail"]
    unknown_org = await rory.post("/api/incidents", files=good, data={"org": "nobody"})
    assert unknown_org.status_code == 422 and "org" in unknown_org.json()["detail"]

    for path in ("", "/assessment", "/obligations", "/timeline", "/deliveries", "/drafts"):
        missing = await api.as_user("vera").get(f"/api/incidents/INC-NOPE{path}")
        assert missing.status_code == 404, (path, missing.text)
    gone = await rory.put("/api/incidents/INC-NOPE/facts", json={"facts": example_facts()})
    assert gone.status_code == 404


async def test_json_start_without_population_and_a_second_start_with_the_same_id(
    api: ApiStack,
) -> None:
    body = {"facts": example_facts(), "incident_id": "INC-API-JSON"}
    started = await api.as_user("ada").post("/api/incidents/from-facts", json=body)
    assert started.status_code == 201 and started.json()["incident_id"] == "INC-API-JSON"
    again = await api.as_user("ada").post("/api/incidents/from-facts", json=body)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    assert (
        await api.as_user("vera").post("/api/incidents/from-facts", json=body)
    ).status_code == 403
    current = await until(api.as_user("vera"), "INC-API-JSON", settled)
    assert current["commander"] == "ada" and current["population"] is None


def test_facts_over_the_limit_are_refused_not_read_in_part() -> None:
    # Routes read one byte past the limit; YAML cut there may still parse, so size decides.
    document = b"# facts\n" + json.dumps(example_facts()).encode() + b"\n"
    padded = document + b"#" + b" " * ops.MAX_FACTS_BYTES

    assert ops.parse_facts(document).title == example_facts()["title"]
    with pytest.raises(InputError, match="larger than 1 MiB"):
        ops.parse_facts(padded)
