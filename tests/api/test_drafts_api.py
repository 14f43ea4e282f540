"""Drafts over HTTP against the live stack: edit, diff, preview, four eyes, approvals bound
to the hash the approver read, changes requested, and the campaign that follows."""

from __future__ import annotations

from typing import Any

from tests.api.stack import ApiStack
from tests.api.test_incidents_api import approve_everything, settled, start, until

EMAIL = "us-ca-individuals.email.en"
SMS = "us-ca-individuals.sms.en"


def draft_of(current: dict[str, Any], draft_id: str) -> dict[str, Any]:
    return next(d for d in current["drafts"] if d["id"] == draft_id)


async def test_four_eyes_hash_binding_and_the_campaign_that_follows(api: ApiStack) -> None:
    ada, amal, vera = api.as_user("ada"), api.as_user("amal"), api.as_user("vera")
    incident_id = await start(api.as_user("rory"))
    current = await until(vera, incident_id, settled)
    base = f"/api/incidents/{incident_id}/drafts"
    sms = draft_of(current, SMS)

    # An administrator may edit and approve, but never approve their own words.
    edited_text = sms["body"].replace("Example GmbH", "Example GmbH (Berlin)", 1)
    assert (await vera.put(f"{base}/{SMS}", json={"body": edited_text})).status_code == 403
    revised = await ada.put(f"{base}/{SMS}", json={"body": edited_text})
    assert revised.status_code == 200 and revised.json()["version"] == 2
    with_history = (await vera.get(f"{base}/{SMS}")).json()
    assert with_history["author"] == "ada" and with_history["subject"] == sms["subject"]
    assert [v["version"] for v in with_history["history"]] == [1]
    own = await ada.post(
        f"{base}/{SMS}/approve", json={"content_hash": with_history["content_hash"]}
    )
    assert own.status_code == 409 and "cannot approve" in own.json()["detail"]
    # The approval binds to the version read: the hash of v1 no longer approves anything.
    stale = await amal.post(f"{base}/{SMS}/approve", json={"content_hash": sms["content_hash"]})
    assert stale.status_code == 409 and "read it again" in stale.json()["detail"]

    diff = (await vera.get(f"{base}/{SMS}/diff")).json()
    assert diff["old"] == 1 and diff["new"] == 2
    assert f"--- {SMS} v1 (herald)" in diff["diff"] and f"+++ {SMS} v2 (ada)" in diff["diff"]
    assert "+" in diff["diff"] and "Example GmbH (Berlin)" in diff["diff"]
    unknown = await vera.get(f"{base}/{SMS}/diff", params={"from": 7})
    assert unknown.status_code == 422 and "no version 7" in unknown.json()["detail"]
    assert (await vera.get(f"{base}/nope/diff")).status_code == 404

    email = await vera.get(f"{base}/{EMAIL}/preview")
    assert email.status_code == 200 and email.headers["content-type"].startswith("text/html")
    assert "<html" in email.text.lower() and "[[recipient_name]]" not in email.text
    as_sms = await vera.get(f"{base}/{EMAIL}/preview", params={"channel": "sms"})
    assert as_sms.headers["x-herald-draft"] == SMS and "Example GmbH (Berlin)" in as_sms.text
    none = await vera.get(f"{base}/{EMAIL}/preview", params={"language": "xx"})
    assert none.status_code == 404 and "no email draft in 'xx'" in none.json()["detail"]

    # Changes requested, then answered by a new version: approvals start over.
    sent_back = await amal.post(
        f"{base}/{EMAIL}/request-changes", json={"comment": "Name the support line."}
    )
    assert sent_back.status_code == 200 and sent_back.json()["state"] == "changes_requested"
    assert (
        await api.as_user("rory").post(f"{base}/{EMAIL}/request-changes", json={"comment": "x"})
    ).status_code == 403
    current = await until(vera, incident_id, settled)
    email_draft = draft_of(current, EMAIL)
    fixed = email_draft["body"] + "\nSupport line: see our website.\n"
    assert (
        await api.as_user("rory").put(f"{base}/{EMAIL}", json={"body": fixed})
    ).status_code == 200

    current = await until(vera, incident_id, settled)
    await approve_everything(api, incident_id, current["drafts"])
    again = await amal.post(
        f"{base}/{SMS}/approve", json={"content_hash": draft_of(current, SMS)["content_hash"]}
    )
    assert again.status_code == 409  # one approval per person

    done = await until(
        vera,
        incident_id,
        lambda s: bool(s["deliveries"]) and all(d["completed"] for d in s["deliveries"]),
    )
    progress = (await vera.get(f"/api/incidents/{incident_id}/deliveries")).json()
    email_progress = next(c for c in progress["channels"] if c["channel"] == "email")
    assert email_progress["ledger"]["sent"] > 0
    assert set(email_progress["ledger"]) >= {"sent", "delivered", "failed", "bounced", "unknown"}
    campaigns = [d for d in done["deliveries"] if d["channel"] == "email"]
    assert email_progress["campaigns"] == campaigns
    assert sum(c["sent"] for c in campaigns) == email_progress["ledger"]["sent"]
    timeline = (await vera.get(f"/api/incidents/{incident_id}/timeline")).json()
    approvers = {e["actor"] for e in timeline if e["kind"] in ("draft.approval", "draft.approved")}
    assert approvers >= {"amal", "bo"}


async def test_a_preview_is_a_sandboxed_document(api: ApiStack) -> None:
    # A draft's words are a responder's: escaped in the email's HTML, and the preview is a
    # sandbox besides, so nothing in it could run on Herald's origin with a reader's session.
    rory, vera = api.as_user("rory"), api.as_user("vera")
    incident_id = await start(rory)
    current = await until(vera, incident_id, settled)
    base = f"/api/incidents/{incident_id}/drafts"
    script = draft_of(current, EMAIL)["body"] + "\n<script>fetch('/api/session')</script>\n"
    assert (await rory.put(f"{base}/{EMAIL}", json={"body": script})).status_code == 200

    preview = await vera.get(f"{base}/{EMAIL}/preview")

    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "<script>" not in preview.text and "&lt;script&gt;" in preview.text
    policy = preview.headers["content-security-policy"]
    assert "sandbox" in policy.split("; ") and "default-src 'none'" in policy
    assert "script-src" not in policy and preview.headers["x-content-type-options"] == "nosniff"
