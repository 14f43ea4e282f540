"""No personal data in Temporal or in logs, end to end, on the real Temporal dev server.

One incident runs to delivery over a small population of people with distinctive names,
email addresses, phone numbers and postal addresses: one row fails validation (a phone
that is not E.164, an email that is not an address), and the providers refuse two people
with error texts that quote them, as SendGrid and Twilio do. Then every workflow's raw
history is read from the server with a client that has no codec, with its memo, search
attributes and id, and every log record (DEBUG, every logger) and everything written to
stdout/stderr is searched for each person's details in every encoding a payload or a log
line could carry them: plain, JSON-escaped, URL-encoded, UTF-16 and base64.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import json
import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest
from pydantic import SecretStr
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.channels.config import ProviderSettings
from herald.client import IncidentClient
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import Audience, IncidentStatus
from herald.models.messages import ApproveDraftInput
from herald.profiles import load_profile
from herald.settings import Settings
from tests.conftest import EXAMPLES, herald_client
from worker import build_worker

INCIDENT = f"INC-NOPII-{uuid.uuid4().hex[:6]}"
COLUMNS = ["id", "name", "email", "phone", "postal_address", "jurisdiction", "language"]
PEOPLE = [
    [
        "N1",
        "Zebedee Quillfeather",
        "zebedee.quillfeather@example.com",
        "+14152037711",
        "17 Wrenhallow Lane\nSacramento, CA 95814",
        "US-CA",
        "en",
    ],
    [
        "N2",
        "Zoë Ñúñez-Marchbanks",
        "zoe.marchbanks@example.org",
        "+4915112345678",
        "Quastenhofweg 9\n10117 Berlin",
        "DE",
        "de",
    ],
    # SendGrid refuses this address, quoting it: SMS reaches her instead.
    [
        "N3",
        "Octavia Brimblecombe",
        "octavia.brimblecombe@example.com",
        "+33612345678",
        "4 Rue Vermillonnet\n75001 Paris",
        "FR",
        "fr",
    ],
    # No email; Twilio refuses the number, quoting it: a letter goes instead.
    [
        "N4",
        "Ignatius Pemberthwaite",
        "",
        "+14152037744",
        "88 Larkspur Crescent\nFresno, CA 93650",
        "US-CA",
        "en",
    ],
    # Fails validation: the phone is not E.164 (the row keeps its email).
    [
        "N5",
        "Philippa Goldhawk-Rye",
        "philippa.goldhawkrye@example.com",
        "+1-415-CALL-NOW",
        "",
        "US-CA",
        "en",
    ],
    # Fails validation: the email is not an address (the row keeps its phone).
    ["N6", "Barnaby Thistlewood", "barnaby.thistlewood@@example", "+14152037766", "", "DE", "de"],
]
REFUSED_EMAIL = "octavia.brimblecombe@example.com"
REFUSED_PHONE = "+14152037744"
ACCOUNT_SID = "AC" + "1" * 32


class FakeProviders:
    """SendGrid and Twilio on 127.0.0.1, refusing one recipient each with a quoting error."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.refused: list[str] = []
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the server's own access log is not Herald's

            def do_GET(self) -> None:  # Twilio's crash-recovery lookup: nothing sent before
                self.answer(200, {"messages": [], "next_page_uri": None})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlsplit(self.path).path
                if path == "/v3/mail/send":
                    self.answer(*providers.sendgrid(json.loads(body)))
                elif path.endswith("/Messages.json"):
                    self.answer(*providers.twilio(dict(parse_qsl(body.decode()))))
                else:
                    self.answer(404, {"message": f"no route {path}"})

            def answer(self, status: int, payload: dict[str, Any] | None) -> None:
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("X-Message-Id", uuid.uuid4().hex)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def sendgrid(self, mail: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        for index, personalization in enumerate(mail["personalizations"]):
            for to in personalization["to"]:
                if to["email"].lower() == REFUSED_EMAIL:
                    self.refused.append(to["email"])
                    return 400, {
                        "errors": [
                            {
                                "message": f"The to email {to['email']} does not contain a"
                                f" valid address ({to.get('name', '')}).",
                                "field": f"personalizations.{index}.to.0.email",
                            }
                        ]
                    }
        self.received += [to["email"] for p in mail["personalizations"] for to in p["to"]]
        return 202, None

    def twilio(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        to = form.get("To", "")
        if to == REFUSED_PHONE:
            self.refused.append(to)
            message = f"The 'To' number {to} is not a valid phone number."
            return 400, {"code": 21211, "message": message, "status": 400}
        self.received.append(to)
        return 201, {"sid": "SM" + uuid.uuid4().hex, "to": to, "status": "queued"}

    def __enter__(self) -> FakeProviders:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---- what counts as a leak ----------------------------------------------------------------


def details() -> set[str]:
    """Every person's name, email, phone (and its digits), and each address line."""
    found: set[str] = set()
    for row in PEOPLE:
        _, name, email, phone, address, _, _ = row
        found |= {name, *name.split()[1:], email, phone, phone.lstrip("+")}
        found |= set(address.splitlines())
    return {value for value in found if len(value) >= 6}


def _base64_cores(data: bytes) -> Iterator[bytes]:
    """The base64 characters that encode `data` wherever it starts within a longer string."""
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * shift + data)
            start, end = (shift + 2) // 3 * 4, (shift + len(data)) // 3 * 4
            if end - start >= 8:
                yield encoded[start:end]


def encodings(value: str) -> set[bytes]:
    """`value` as it could appear in raw history bytes, JSON text or a log line."""
    texts = {
        value,
        value.lower(),
        json.dumps(value)[1:-1],  # \u-escaped, as JSON with ensure_ascii writes it
        quote(value, safe=""),
        quote_plus(value),
    }
    forms = {text.encode() for text in texts} | {value.encode("utf-16-le")}
    forms |= {core for text in (value, value.lower()) for core in _base64_cores(text.encode())}
    return forms


def leaks(blob: bytes, needles: dict[bytes, str]) -> list[str]:
    """The details whose encodings occur in `blob` (compared case-insensitively too)."""
    lowered = blob.lower()
    return sorted(
        {plain for form, plain in needles.items() if form in blob or form.lower() in lowered}
    )


@pytest.fixture
def needles() -> dict[bytes, str]:
    return {form: value for value in details() for form in encodings(value)}


# ---- the incident -------------------------------------------------------------------------


async def _until(incidents: IncidentClient, predicate: Any) -> IncidentStatus:
    for _ in range(1_200):
        status = await incidents.status(INCIDENT)
        if predicate(status):
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"condition never held; phase {status.phase}")


def _delivered(status: IncidentStatus) -> bool:
    wanted = {
        (d.obligation_id, d.channel) for d in status.drafts if d.audience is Audience.INDIVIDUALS
    }
    started = {(d.obligation_id, d.channel) for d in status.deliveries}
    return bool(wanted) and wanted == started and all(d.completed for d in status.deliveries)


async def run_incident(client: Client, settings: Settings, providers: ProviderSettings) -> None:
    population = settings.home / "people.csv"
    population.parent.mkdir(parents=True, exist_ok=True)
    with population.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([COLUMNS, *PEOPLE])
    facts = load_facts(EXAMPLES / "facts.json")
    aware = datetime.now(UTC) - timedelta(hours=1)
    facts = facts.model_copy(
        update={"aware_at": aware, "discovered_at": aware - timedelta(hours=2)}
    )
    queue = f"nopii-{uuid.uuid4().hex[:8]}"
    incidents = IncidentClient(client, task_queue=queue)
    inp = new_incident(
        incident_id=INCIDENT,
        facts=facts,
        population=population,
        profile=load_profile(EXAMPLES / "profile.yaml"),
        commander="casey.commander",
        team=["team@example.org"],
    )
    async with build_worker(client, settings, task_queue=queue, providers=providers):
        await incidents.start(inp)
        status = await _until(incidents, lambda s: bool(s.drafts) and s.assessment is not None)
        for draft in status.drafts:
            for approver in ("alice.legal", "bob.privacy"):
                await incidents.approve(
                    INCIDENT,
                    ApproveDraftInput(
                        draft_id=draft.id, approver=approver, content_hash=draft.content_hash
                    ),
                )
        status = await _until(incidents, _delivered)
        assert status.assessment is not None and status.assessment.total == len(PEOPLE)
        assert sum(d.failed for d in status.deliveries) >= 2
        await incidents.handle(INCIDENT).terminate(reason="test finished")


async def workflow_ids(raw: Client, root: str) -> list[str]:
    """The incident and every workflow it started, children of children included."""
    found, pending = [], [root]
    while pending:
        workflow_id = pending.pop()
        found.append(workflow_id)
        history = await raw.get_workflow_handle(workflow_id).fetch_history()
        for event in history.events:
            if event.HasField("start_child_workflow_execution_initiated_event_attributes"):
                child = event.start_child_workflow_execution_initiated_event_attributes
                pending.append(child.workflow_id)
    return found


def event_bytes(events: Sequence[HistoryEvent]) -> bytes:
    return b"".join(event.SerializeToString() for event in events)


async def test_no_personal_data_in_histories_memos_attributes_or_logs(
    local_env: WorkflowEnvironment,
    settings: Settings,
    needles: dict[bytes, str],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for name in (None, "temporalio", "herald", "workflows", "activities"):
        caplog.set_level(logging.DEBUG, logger=name)
    client = herald_client(local_env, settings)
    raw = local_env.client  # the default converter: payloads stay as the server has them
    assert raw.data_converter.payload_codec is None
    with FakeProviders() as fake:
        providers = ProviderSettings(
            email_provider="sendgrid",
            sms_provider="twilio",
            sender_email="notices@example.net",
            sendgrid_api_key=SecretStr("SG.test"),
            sendgrid_host=fake.url,
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=SecretStr("test-token"),
            twilio_base_url=fake.url,
            twilio_from="+14155550100",
        )
        await run_incident(client, settings, providers)
    # The run reached the providers with real details and had both refusals quoted back.
    assert sorted(fake.refused) == sorted([REFUSED_EMAIL, REFUSED_PHONE])
    assert "zebedee.quillfeather@example.com" in fake.received and "+33612345678" in fake.received

    ids = await workflow_ids(raw, INCIDENT)
    assert len(ids) > 3, ids  # the incident, its reports and its campaigns
    for workflow_id in ids:
        assert not leaks(workflow_id.encode(), needles), workflow_id
        handle = raw.get_workflow_handle(workflow_id)
        history = await handle.fetch_history()
        events = event_bytes(history.events)
        assert b"binary/encrypted" in events, workflow_id  # raw: the codec's ciphertext
        assert not leaks(events, needles), workflow_id
        assert not leaks(history.to_json().encode(), needles), workflow_id
        description = await handle.describe()
        assert not leaks(description.raw_description.SerializeToString(), needles), workflow_id
        memo = await description.memo()
        assert not leaks(json.dumps(memo, default=str).encode(), needles), workflow_id
        attributes = description.search_attributes
        assert not leaks(json.dumps(attributes, default=str).encode(), needles), workflow_id

    records = [record for record in caplog.records if record.name != "asyncio"]
    assert records, "nothing was logged: the capture is not working"
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.__dict__}" for r in records
    )
    assert not leaks(logged.encode(), needles), "a log record names a person"
    out, err = capfd.readouterr()
    assert not leaks((out + err).encode(), needles), "stdout/stderr names a person"


def test_every_encoding_of_a_detail_is_found(needles: dict[bytes, str]) -> None:
    """The search would see a detail however a payload or log line carries it."""
    email, name, phone = "zebedee.quillfeather@example.com", "Zoë Ñúñez-Marchbanks", "+14152037711"
    payload = json.dumps({"person": {"email": email, "name": name}}).encode()
    carriers = {
        "plain": f"sent to {email}".encode(),
        "upper": email.upper().encode(),
        "json-escaped": payload,
        "base64-of-json": b'{"data": "' + base64.b64encode(b"x" + payload) + b'"}',
        "urlsafe-base64": base64.urlsafe_b64encode(b"ab" + name.encode()),
        "url-encoded": f"GET /Messages.json?To={quote(phone)}".encode(),
        "utf-16": name.encode("utf-16-le"),
        "digits": phone.lstrip("+").encode(),
    }
    for carrier, blob in carriers.items():
        assert leaks(blob, needles), carrier
    assert not leaks(b"Dear [[recipient_name]], customer P0001 at [address]", needles)
