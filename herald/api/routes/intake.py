"""SIEM intake (`POST /api/intake/siem`): an alert opens an incident, once.

The SIEM signs each request with a shared secret instead of holding a user's token:
`X-Herald-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + raw body>` with
`X-Herald-Timestamp: <Unix seconds>`. The timestamp is inside the signed string and must be
within five minutes of Herald's clock, so a captured request cannot be replayed later; a
redelivery within that window (or a SIEM resending an alert) finds the incident its alert
id already opened, because the incident id is derived from the alert id.

Without a configured secret the route answers 404: intake is off, and says so.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from herald.api import operations as ops
from herald.inputs import InputError, describe_validation_error
from herald.models import IncidentFacts
from herald.models.facts import AffectedGroup, Entity
from herald.models.vocabulary import DataCategory
from herald.profiles import known_orgs, load_profile, sample_incident

__all__ = ["INTAKE_ACTOR", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "router", "sign"]

router = APIRouter(tags=["intake"])
SIGNATURE_HEADER = "X-Herald-Signature"
TIMESTAMP_HEADER = "X-Herald-Timestamp"
WINDOW_S = 300
# The commander of incidents a SIEM opens; the timeline shows every later actor by name.
INTAKE_ACTOR = "siem-intake"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,57}$")


class SiemAlert(BaseModel):
    """What Herald reads from an alert; other fields of the SIEM's payload are ignored."""

    model_config = ConfigDict(extra="ignore")

    alert_id: str = Field(min_length=1, max_length=200, description="the SIEM's own id")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    severity: str = Field(default="", max_length=40, description="as the SIEM rates it")
    source: str = Field(default="", max_length=100, description="which SIEM or rule")
    detected_at: AwareDatetime = Field(description="starts the legal clocks (conservative)")
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=100)
    affected: list[AffectedGroup] = Field(default_factory=list, max_length=10_000)
    org: str | None = Field(default=None, description="a seed organisation's profile slug")
    entity: Entity | None = Field(default=None, description="default: the profile's name")
    facts: IncidentFacts | None = Field(
        default=None, description="the full facts contract; when given, it wins"
    )


class IntakeResult(BaseModel):
    """The incident the alert opened (`created`) or had opened before."""

    incident_id: str
    created: bool


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp` (what a SIEM computes)."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail)


async def verified_body(
    request: Request,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
) -> bytes:
    """The raw body, once its signature and timestamp check out; else 401 (404: intake off)."""
    secret: bytes | None = request.app.state.intake_secret
    if not secret:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="SIEM intake is off: no intake secret is configured"
        )
    if not signature or not timestamp:
        raise _unauthorised(f"sign the request: {SIGNATURE_HEADER} and {TIMESTAMP_HEADER}")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _unauthorised(f"{TIMESTAMP_HEADER}: Unix seconds expected")
    if abs(time.time() - int(timestamp)) > WINDOW_S:
        raise _unauthorised(f"{TIMESTAMP_HEADER}: more than {WINDOW_S // 60} minutes off")
    body = await request.body()
    if not hmac.compare_digest(signature.encode(), sign(secret, timestamp, body).encode()):
        raise _unauthorised(f"{SIGNATURE_HEADER}: does not match the body")
    return body


def incident_id_for(alert_id: str) -> str:
    """The incident an alert opens: readable when the alert id is safe as a workflow id,
    else a digest of it; the same alert always maps to the same incident."""
    if _SAFE_ID.match(alert_id):
        return f"SIEM-{alert_id}"
    return f"SIEM-{hashlib.sha256(alert_id.encode()).hexdigest()[:32]}"


def facts_from(alert: SiemAlert) -> IncidentFacts:
    """The incident facts an alert gives. Detection starts the clocks: the earliest
    defensible awareness, which a responder moves later with new facts if warranted."""
    if alert.facts is not None:
        return alert.facts
    entity = alert.entity
    if entity is None:
        if not alert.org or alert.org not in known_orgs():
            raise InputError("entity: name the organisation (entity.name) or a known org")
        entity = Entity(name=load_profile(sample_incident(alert.org).profile).legal_name)
    what = ", ".join(
        part for part in (alert.source, alert.severity and f"severity {alert.severity}") if part
    )
    try:
        return IncidentFacts(
            title=alert.title,
            description=alert.description,
            aware_at=alert.detected_at,
            discovered_at=alert.detected_at,
            entity=entity,
            data_categories=alert.data_categories,
            affected=alert.affected,
            details={"indicators": f"SIEM alert {alert.alert_id}" + (f" ({what})" if what else "")},
        )
    except ValidationError as err:
        raise InputError(describe_validation_error(err, "alert")) from None


@router.post(
    "/api/intake/siem",
    response_model=IntakeResult,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": IntakeResult, "description": "the alert's incident exists"}},
)
async def siem_intake(
    alert: SiemAlert,
    request: Request,
    response: Response,
    body: Annotated[bytes, Depends(verified_body)],
) -> IntakeResult:
    """Open an incident from a signed SIEM alert (HMAC-SHA256, see the module docs); the
    same alert again returns the incident it opened (200) instead of a second one."""
    del body  # verified; `alert` is the same bytes, parsed
    incident_id = incident_id_for(alert.alert_id)
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        try:
            await incidents.handle(incident_id).describe()
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
        else:
            response.status_code = status.HTTP_200_OK
            return IntakeResult(incident_id=incident_id, created=False)
        try:
            await ops.start_incident(
                incidents,
                request.app.state.settings,
                facts=facts_from(alert),
                commander=INTAKE_ACTOR,
                org=alert.org,
                incident_id=incident_id,
            )
        except WorkflowAlreadyStartedError:  # the same alert, delivered twice at once
            response.status_code = status.HTTP_200_OK
            return IntakeResult(incident_id=incident_id, created=False)
    return IntakeResult(incident_id=incident_id, created=True)
