"""The console's pages and forms against the live stack: start an incident from the board,
review drafts (required content, diff, four eyes), approve, watch delivery, file reports."""

from __future__ import annotations

import re

from herald.models import IncidentStatus
from tests.api.stack import ApiStack
from tests.console.helpers import csrf_of, example_facts, settled, sign_in, start, until

SMS = "us-ca-individuals.sms.en"
EMAIL = "us-ca-individuals.email.en"
LETTER = "us-ca-individuals.letter.en"
WEB = "us-ca-public.web.en"


def _missing_delay(current: IncidentStatus) -> bool:
    return settled(current) and any("delay_reasons" in d.missing_elements for d in current.drafts)


async def test_start_from_the_board_then_review_a_draft(api: ApiStack) -> None:
    rory, csrf = await sign_in(api, "rory")
    board = await rory.get("/incidents")
    assert 'enctype="multipart/form-data"' in board.text
    assert '<label for="population">' in board.text
    incident_id = await start(rory, csrf, example_facts(explained=False))
    current = await until(api, incident_id, _missing_delay)

    board = await rory.get("/incidents")
    row = board.text.split(f'href="/incidents/{incident_id}"', 1)[1].split("</tr>", 1)[0]
    assert "awaiting approval" in row and f">{len(current.open_obligations)}</td>" in row
    # The GDPR report's 72 hours ran out long ago: red, and said in words.
    assert 'class="countdown overdue"' in row and "overdue by" in row

    page = await rory.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    assert '<svg role="img"' in page.text and "People affected by jurisdiction" in page.text
    assert current.assessment is not None
    us = next(j for j in current.assessment.jurisdictions if j.jurisdiction == "US-CA")
    assert f'<th scope="row">US-CA</th><td class="num">{us.count}</td>' in page.text
    assert "People affected by data category" in page.text
    assert f"/incidents/{incident_id}/drafts/{SMS}" in page.text
    assert "rory" in page.text.split('id="timeline-heading"', 1)[1]

    report = next(d for d in current.drafts if "delay_reasons" in d.missing_elements)
    review = await rory.get(f"/incidents/{incident_id}/drafts/{report.id}")
    assert 'class="missing" data-element="delay_reasons"' in review.text
    assert "delay reasons: <strong>missing</strong>" in review.text

    sms = await rory.get(f"/incidents/{incident_id}/drafts/{SMS}")
    body = next(d.body for d in current.drafts if d.id == SMS)
    edited = body.replace("Example GmbH", "Example GmbH (Berlin)", 1)
    saved = await rory.post(
        f"/incidents/{incident_id}/drafts/{SMS}/revise",
        data={"csrf_token": csrf_of(sms), "body": edited.replace("\n", "\r\n")},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=revised")
    review = await rory.get(saved.headers["location"])
    assert "New version saved" in review.text and "v2" in review.text
    diff = review.text.split('id="diff"', 1)[1].split("</pre>", 1)[0]
    assert '<span class="d-add"><span class="mark">+</span>' in diff
    assert '<span class="d-del"><span class="mark">−</span>' in diff
    assert "Example GmbH (Berlin)" in diff and f"{SMS} v2 (rory)" in diff
    # A responder may edit but not approve: the server refuses whatever the page shows.
    refused = await rory.post(
        f"/incidents/{incident_id}/drafts/{SMS}/approve",
        data={"csrf_token": csrf, "content_hash": "0" * 64},
    )
    assert refused.status_code == 403

    # Four eyes: an administrator who edits a draft is refused when approving it.
    ada, ada_csrf = await sign_in(api, "ada")
    await ada.post(
        f"/incidents/{incident_id}/drafts/{EMAIL}/revise",
        data={
            "csrf_token": ada_csrf,
            "subject": "Notice of Data Breach",
            "body": next(d.body for d in current.drafts if d.id == EMAIL) + "\nEdited.",
        },
    )
    revised = await until(
        api, incident_id, lambda s: any(d.id == EMAIL and d.version == 2 for d in s.drafts)
    )
    digest = next(d.content_hash for d in revised.drafts if d.id == EMAIL)
    own = await ada.post(
        f"/incidents/{incident_id}/drafts/{EMAIL}/approve",
        data={"csrf_token": ada_csrf, "content_hash": digest},
    )
    assert own.status_code == 409
    assert '<div class="alert" role="alert"><strong>Refused:</strong>' in own.text
    assert "cannot approve" in own.text and 'id="draft-body"' in own.text
    # The page says so up front: no Approve button for the author, and why.
    blocked = await ada.get(f"/incidents/{incident_id}/drafts/{EMAIL}")
    assert 'id="approve-form"' not in blocked.text
    assert "You wrote v2; four eyes" in blocked.text.split('id="approve-blocked"', 1)[1]

    # The email as its recipient sees it: the HTML part delivery sends, in a sandboxed frame
    # whose document allows no script, request or form, and is framed by the console only.
    frame = f'<iframe sandbox src="/incidents/{incident_id}/drafts/{EMAIL}/preview"'
    assert frame in blocked.text and 'title="The email&#39;s HTML part' in blocked.text
    assert "frame-src 'self'" in blocked.headers["content-security-policy"]
    assert blocked.headers["x-frame-options"] == "DENY"
    shown = await rory.get(f"/incidents/{incident_id}/drafts/{EMAIL}/preview")
    assert shown.status_code == 200 and shown.headers["x-frame-options"] == "SAMEORIGIN"
    policy = shown.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "script-src" not in policy and "sandbox" in policy
    assert "<title>Notice of Data Breach</title>" in shown.text
    assert "[Name of the individual]" in shown.text and "Edited." in shown.text
    assert "<script" not in shown.text and "Example GmbH" in shown.text
    letter = await rory.get(f"/incidents/{incident_id}/drafts/{LETTER}/preview")
    assert letter.status_code == 200 and "[Postal address of the individual]" in letter.text
    web = await rory.get(f"/incidents/{incident_id}/drafts/{WEB}/preview")
    assert web.text == next(d.body for d in current.drafts if d.id == WEB)
    no_html = await rory.get(f"/incidents/{incident_id}/drafts/{SMS}/preview")
    assert no_html.status_code == 404 and "no HTML form" in no_html.text
    assert "<iframe" not in (await rory.get(f"/incidents/{incident_id}/drafts/{SMS}")).text
    assert (
        await api.client().get(f"/incidents/{incident_id}/drafts/{EMAIL}/preview")
    ).status_code == 401


async def _approve_on_page(api: ApiStack, who: str, incident_id: str, draft_id: str) -> str:
    browser, _ = await sign_in(api, who)
    page = await browser.get(f"/incidents/{incident_id}/drafts/{draft_id}")
    form = page.text.split('id="approve-form"', 1)[1].split("</form>", 1)[0]
    shown = re.search(r'name="content_hash" value="([0-9a-f]{64})"', form)
    assert shown, "the approve form carries the hash of the text shown"
    answer = await browser.post(
        f"/incidents/{incident_id}/drafts/{draft_id}/approve",
        data={"csrf_token": csrf_of(page), "content_hash": shown.group(1)},
    )
    assert answer.status_code == 303, answer.text
    after = await browser.get(answer.headers["location"])
    assert "Approval recorded." in after.text
    # No second approval from the same person: the page says so instead of offering one.
    assert 'id="approve-form"' not in after.text
    return after.text


async def test_approve_deliver_and_file_a_report(api: ApiStack) -> None:
    rory, csrf = await sign_in(api, "rory")
    incident_id = await start(rory, csrf)
    current = await until(api, incident_id, settled)

    for draft in current.drafts:
        first = await _approve_on_page(api, "amal", incident_id, draft.id)
        assert f"You approved v{draft.version} at" in first
        shown = await _approve_on_page(api, "bo", incident_id, draft.id)
        assert f"v{draft.version} is approved: nothing is left to approve." in shown
        assert "request-changes" not in shown
    assert "Approved by <strong>amal</strong>" in shown
    assert "Approved by <strong>bo</strong>" in shown

    done = await until(
        api,
        incident_id,
        lambda s: (
            bool(s.deliveries)
            and all(d.completed for d in s.deliveries)
            and all(r.status == "approved" for r in s.reports)
            and s.settled
        ),
    )
    fragment = await rory.get(f"/incidents/{incident_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.text.startswith('<section id="progress"')
    assert "hx-trigger" not in fragment.text.split(">", 1)[0]  # finished: polling stops
    for summary in done.deliveries:
        row = fragment.text.split(f'<tr data-channel="{summary.channel}">', 1)[1]
        sent = sum(d.sent for d in done.deliveries if d.channel == summary.channel)
        assert f'<td class="num" data-count="sent">{sent}</td>' in row.split("</tr>", 1)[0]
        assert "complete" in row.split("</tr>", 1)[0]

    # Closing is refused while reports are unfiled: the workflow's reason, on the page.
    refused = await rory.post(
        f"/incidents/{incident_id}/close", data={"csrf_token": csrf, "note": ""}
    )
    assert refused.status_code == 409 and "neither met nor waived" in refused.text

    report = done.reports[0]
    tracker = await rory.get("/reports")
    assert f'id="report-{report.id}"' in tracker.text
    filed = await rory.post(
        f"/incidents/{incident_id}/reports/{report.id}/status",
        data={
            "csrf_token": csrf,
            "status": "submitted",
            "reference": "REF-42",
            "at": "2026-03-04T10:30",
            "back": "reports",
        },
    )
    assert filed.status_code == 303 and filed.headers["location"] == "/reports?done=status"
    tracker = await rory.get(filed.headers["location"])
    row = tracker.text.split(f'id="report-{report.id}"', 1)[1].split("</tr>", 1)[0]
    assert "submitted" in row and "REF-42" in row and "2026-03-04 10:30 UTC" in row
    stored = await api.incidents.status(incident_id)
    kept = next(r for r in stored.reports if r.id == report.id)
    assert kept.reference == "REF-42" and kept.history[-1].actor == "rory"
    # An approver may not file (that is steering), and the viewer sees no forms.
    amal, amal_csrf = await sign_in(api, "amal")
    denied = await amal.post(
        f"/incidents/{incident_id}/reports/{report.id}/status",
        data={"csrf_token": amal_csrf, "status": "closed"},
    )
    assert denied.status_code == 403
    vera, _ = await sign_in(api, "vera")
    assert "Record status" not in (await vera.get("/reports")).text
