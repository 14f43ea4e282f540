"""Regulator reports over HTTP against the live stack: submitted with a reference, a
portal receipt kept by its hash, the authority's questions and the answers, a follow-up
phase, the tracker across incidents, and the evidence pack that holds the receipt."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

from tests.api.stack import ApiStack
from tests.api.test_incidents_api import approve_everything, settled, start, until

GDPR = "gdpr-regulator-de"
RECEIPT = b"%PDF-1.4 portal receipt of the GDPR report\n"


async def test_a_report_is_filed_questioned_answered_and_kept_as_evidence(
    api: ApiStack, evidence_home: Path
) -> None:
    rory, vera = api.as_user("rory"), api.as_user("vera")
    incident_id = await start(rory)
    current = await until(vera, incident_id, settled)
    await approve_everything(api, incident_id, current["drafts"])
    current = await until(
        vera, incident_id, lambda s: all(r["status"] == "approved" for r in s["reports"])
    )
    report = f"/api/incidents/{incident_id}/reports/{GDPR}"
    listed = (await vera.get(f"/api/incidents/{incident_id}/reports")).json()
    assert GDPR in [r["id"] for r in listed]

    upload = {"file": ("portal receipt.pdf", RECEIPT, "application/pdf")}
    assert (await vera.post(f"{report}/files", files=upload)).status_code == 403
    kept = await rory.post(f"{report}/files", files=upload)
    assert kept.status_code == 201, kept.text
    receipt = kept.json()
    assert receipt == {
        "name": "portal receipt.pdf",
        "sha256": hashlib.sha256(RECEIPT).hexdigest(),
        "size": len(RECEIPT),
    }
    assert (evidence_home / incident_id / receipt["sha256"]).read_bytes() == RECEIPT

    never_uploaded = {**receipt, "sha256": "0" * 64}
    refused = await rory.post(
        f"{report}/status", json={"status": "submitted", "receipt": never_uploaded}
    )
    assert refused.status_code == 422 and "upload it first" in refused.json()["detail"]
    too_early = await rory.post(f"{report}/status", json={"status": "answered"})
    assert too_early.status_code == 409 and "can move to" in too_early.json()["detail"]
    filed = await rory.post(
        f"{report}/status",
        json={"status": "submitted", "reference": "BLN-2026-0042", "receipt": receipt},
    )
    assert filed.status_code == 200, filed.text
    assert filed.json()["status"] == "submitted"
    assert filed.json()["reference"] == "BLN-2026-0042"
    change = filed.json()["history"][-1]
    assert change["actor"] == "rory" and change["receipt"] == receipt

    asked = await rory.post(f"{report}/questions", json={"text": "Which systems were affected?"})
    assert asked.status_code == 200 and asked.json()["status"] == "questions"
    answered = await rory.post(
        f"{report}/answers", json={"text": "Only the customer account database."}
    )
    assert answered.json()["status"] == "answered"
    assert answered.json()["history"][-1]["note"] == "Only the customer account database."
    phase = await rory.post(f"{report}/phases", json={"phase": "supplement"})
    assert phase.status_code == 201 and phase.json()["id"] == f"{GDPR}-supplement"
    not_yet = await rory.post(f"{report}/reminders/ack")
    assert not_yet.status_code == 409
    unknown = await rory.post(
        f"/api/incidents/{incident_id}/reports/nope/status", json={"status": "submitted"}
    )
    assert unknown.status_code == 404

    tracker = (await vera.get("/api/reports")).json()
    row = next(r for r in tracker if r["incident_id"] == incident_id and r["id"] == GDPR)
    assert row["reference"] == "BLN-2026-0042" and row["incident_title"]
    assert any(r["id"] == f"{GDPR}-supplement" for r in tracker)

    pack = await vera.get(f"/api/incidents/{incident_id}/evidence")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(BytesIO(pack.content)) as archive:
        kept_files = [name for name in archive.namelist() if name.endswith(".pdf")]
        assert any(archive.read(name) == RECEIPT for name in kept_files)
