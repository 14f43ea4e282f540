"""The codec server: the Temporal Web UI and CLI see decoded payloads only with Herald
credentials, from allowed origins only."""

from __future__ import annotations

import base64
import json
import uuid

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client
from temporalio.converter import DataConverter

from herald.inputs import load_facts
from herald.intake import new_incident
from tests.api.stack import ApiStack
from tests.conftest import EXAMPLES

UI = "http://127.0.0.1:8233"
JSON = {"Content-Type": "application/json", "X-Namespace": "default"}


async def started_input(api: ApiStack) -> tuple[str, str]:
    """A real incident's start event input as the server stores it (encrypted), as the
    codec protocol's JSON, and the incident id."""
    incident_id = f"INC-CODEC-{uuid.uuid4().hex[:8]}"  # the dev server is shared
    facts = load_facts(EXAMPLES / "facts.json")
    await api.incidents.start(new_incident(incident_id=incident_id, facts=facts, commander="rory"))
    config = api.incidents.client.config()
    config["data_converter"] = DataConverter.default  # what the server holds, undecoded
    raw = Client(**config)
    history = await raw.get_workflow_handle(incident_id).fetch_history()
    payloads = history.events[0].workflow_execution_started_event_attributes.input
    return json_format.MessageToJson(payloads), incident_id


def decoded_text(answer: bytes) -> str:
    decoded = json_format.Parse(answer, Payloads())
    return "".join(payload.data.decode() for payload in decoded.payloads)


async def test_a_token_holder_reads_decoded_payloads_of_a_real_history(api: ApiStack) -> None:
    body, incident_id = await started_input(api)
    assert incident_id not in body  # encrypted at rest
    answer = await api.as_user("vera").post("/codec/decode", content=body, headers=JSON)
    assert answer.status_code == 200, answer.text
    text = decoded_text(answer.content)
    assert json.loads(text)["incident_id"] == incident_id
    # And back: what the codec encodes, it decodes.
    encoded = await api.as_user("vera").post("/codec/encode", content=answer.content, headers=JSON)
    again = await api.as_user("vera").post("/codec/decode", content=encoded.content, headers=JSON)
    assert decoded_text(again.content) == text


async def test_without_credentials_the_codec_answers_401(api: ApiStack) -> None:
    body, _ = await started_input(api)
    for path in ("/codec/decode", "/codec/encode"):
        assert (await api.client().post(path, content=body, headers=JSON)).status_code == 401


async def test_the_web_ui_origin_uses_the_session_cookie_and_others_are_refused(
    api: ApiStack,
) -> None:
    body, incident_id = await started_input(api)
    browser, _ = await api.signed_in("vera")
    ours = await browser.post("/codec/decode", content=body, headers=JSON | {"Origin": UI})
    assert ours.status_code == 200
    assert ours.headers["access-control-allow-origin"] == UI
    assert ours.headers["access-control-allow-credentials"] == "true"
    assert incident_id in decoded_text(ours.content)
    evil = {"Origin": "https://evil.example"}
    refused = await browser.post("/codec/decode", content=body, headers=JSON | evil)
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    # A form post (no preflight across sites) is refused before anything is decoded.
    form = {"Content-Type": "text/plain", "Origin": UI}
    assert (await browser.post("/codec/decode", content=body, headers=form)).status_code == 415


async def test_preflight_is_answered_for_allowed_origins_only(api: ApiStack) -> None:
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-namespace"}
    ok = await api.client().options("/codec/decode", headers=ask | {"Origin": UI})
    assert ok.status_code == 204
    assert "X-Namespace" in ok.headers["access-control-allow-headers"]
    bad = await api.client().options("/codec/decode", headers=ask | {"Origin": "https://x.example"})
    assert bad.status_code == 403 and "access-control-allow-origin" not in bad.headers


async def test_altered_payloads_are_refused_without_detail(api: ApiStack) -> None:
    body, _ = await started_input(api)
    message = json.loads(body)
    data = bytearray(base64.b64decode(message["payloads"][0]["data"]))
    data[-1] ^= 1
    message["payloads"][0]["data"] = base64.b64encode(bytes(data)).decode()
    answer = await api.as_user("vera").post("/codec/decode", json=message)
    assert answer.status_code == 422 and "altered" in answer.json()["detail"]
