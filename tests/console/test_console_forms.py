"""The incident page's own forms against the live stack: the facts edited as text or
uploaded, the summary strip, the timeline's filter and limit, the evidence pack link, a
regulator report carried through submitted (with a receipt), questions, answers, a
follow-up phase and a reminder's acknowledgement, and deliveries of unknown outcome
released by a person."""

from __future__ import annotations

import hashlib
import html
import json
import re
import zipfile
from io import BytesIO
from pathlib import Path

from herald.api.operations import parse_facts
from herald.console import summary
from herald.models import FILED_STATUSES, Channel
from herald.store.ledger import Ledger
from tests.api.stack import ApiStack
from tests.console.helpers import approve_all, settled, sign_in, start, until

RECEIPT = b"%PDF-1.4 portal receipt of the report\n"
_TEXTAREA = re.compile(r'<textarea id="facts-text"[^>]*>(.*?)</textarea>', re.S)


def _rows(page: str, section: str) -> list[str]:
    table = page.split(f'id="{section}"', 1)[1].split("</tbody>", 1)[0]
    return table.split("<tbody>", 1)[1].split("</tr>")[:-1]


async def test_facts_update_summary_timeline_and_evidence_pack(api: ApiStack) -> None:
    rory, csrf = await sign_in(api, "rory")
    incident_id = await start(rory, csrf)
    current = await until(api, incident_id, settled)
    url = f"/incidents/{incident_id}"

    page = (await rory.get(url)).text
    strip = page.split('id="summary"', 1)[1].split("</div>\n\n", 1)[0]
    assert re.search(r'id="phase">[a-z ]+</span>', strip)
    assert re.search(r'href="#obligations-heading">\d+</a>', strip)
    assert "not started" in strip  # no campaign before approval
    for anchor in ("facts", "obligations", "drafts", "progress", "reports", "timeline"):
        assert f'href="#{anchor}-heading"' in strip
    assert f'href="/api/incidents/{incident_id}/evidence" download' in strip
    # The facts form holds the current facts; parsed back they are the same facts.
    shown = _TEXTAREA.search(page)
    assert shown, "the facts form is on the page"
    assert parse_facts(html.unescape(shown.group(1)).encode()) == current.facts

    # Bad text is refused on the page, and the person's text stays in the form.
    broken = '{"title": "oops",'
    refused = await rory.post(f"{url}/facts", data={"csrf_token": csrf, "facts": broken})
    alert = refused.text.split('role="alert"><strong>Refused:</strong>', 1)[1].split("<", 1)[0]
    assert refused.status_code == 422 and "facts:" in alert and "JSON" in alert
    kept = _TEXTAREA.search(refused.text)
    assert kept and html.unescape(kept.group(1)) == broken
    assert '<details id="facts-edit" open>' in refused.text

    edited = json.loads(summary.facts_text(current.facts))
    edited["remediation"] += " Monitoring was added to the export path."
    typed = json.dumps(edited, indent=2).replace("\n", "\r\n")  # as a browser sends it
    answer = await rory.post(f"{url}/facts", data={"csrf_token": csrf, "facts": typed})
    assert answer.status_code == 200, answer.text
    result = answer.text.split('id="facts-result"', 1)[1].split("</section>", 1)[0]
    assert "Facts updated to version 2" in result and "the same as before" in result
    after = await api.incidents.status(incident_id)
    assert after.facts_version == 2 and after.facts.remediation == edited["remediation"]
    assert f"{len(after.obligations)} obligations under the new facts" in result

    # A file instead of the text (YAML this time), as `herald incident update-facts` reads.
    edited["remediation"] = "Rebuilt from a clean image; the token is revoked."
    upload = {"facts_file": ("facts.yaml", json.dumps(edited).encode(), "application/yaml")}
    answer = await rory.post(
        f"{url}/facts", data={"csrf_token": csrf, "facts": "ignored"}, files=upload
    )
    assert "Facts updated to version 3" in answer.text
    assert (await api.incidents.status(incident_id)).facts.remediation == edited["remediation"]

    # The timeline: newest first, filtered by kind, limited with a link to all of it.
    latest = await api.incidents.status(incident_id)
    filtered = await rory.get(url, params={"kind": "facts.updated"})
    rows = _rows(filtered.text, "timeline-heading")
    assert len(rows) == 2 and all("rory" in r and "facts.updated" in r for r in rows)
    assert "version 3" in rows[0] and "version 2" in rows[1]
    assert '<option value="facts.updated" selected>' in filtered.text
    every = _rows(page, "timeline-heading")
    assert len(every) == min(summary.TIMELINE_ROWS, len(current.timeline))
    long = latest.model_copy(update={"timeline": latest.timeline * 4})
    view = summary.timeline(long)
    assert len(view.events) == summary.TIMELINE_ROWS and view.truncated
    assert view.events[0].at == max(e.at for e in latest.timeline)
    assert len(summary.timeline(long, show_all=True).events) == len(long.timeline)

    # The evidence pack link: a same-origin GET with the session cookie gets the zip.
    pack = await rory.get(f"/api/incidents/{incident_id}/evidence")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(BytesIO(pack.content)).namelist()
    assert names and any("timeline" in name for name in names)

    # Only those who steer change facts, and only with the session's CSRF token.
    vera, vera_csrf = await sign_in(api, "vera")
    assert 'id="facts-form"' not in (await vera.get(url)).text
    denied = await vera.post(f"{url}/facts", data={"csrf_token": vera_csrf, "facts": typed})
    assert denied.status_code == 403
    forged = await rory.post(f"{url}/facts", data={"facts": typed})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert (await api.incidents.status(incident_id)).facts_version == 3


async def test_a_report_is_filed_with_a_receipt_questioned_answered_and_followed_up(
    api: ApiStack, evidence_home: Path
) -> None:
    rory, csrf = await sign_in(api, "rory")
    incident_id = await start(rory, csrf)
    current = await approve_all(api, incident_id)
    url = f"/incidents/{incident_id}"
    gdpr = next(r for r in current.reports if r.regime == "gdpr")
    report = f"{url}/reports/{gdpr.id}"

    # Overdue and unfiled: the reminder can be acknowledged (no escalation to the backups).
    page = (await rory.get(url)).text
    row = page.split(f'id="report-{gdpr.id}"', 1)[1].split("</tr>", 1)[0]
    assert gdpr.overdue and "Acknowledge reminder" in row
    assert 'enctype="multipart/form-data"' in row and 'name="receipt" type="file"' in row
    acked = await rory.post(f"{report}/reminders/ack", data={"csrf_token": csrf})
    assert acked.status_code == 303
    assert acked.headers["location"] == f"{url}?done=acknowledged#report-{gdpr.id}"

    filed = await rory.post(
        f"{report}/status",
        data={"csrf_token": csrf, "status": "submitted", "reference": "BLN-2026-0042"},
        files={"receipt": ("portal receipt.pdf", RECEIPT, "application/pdf")},
    )
    assert filed.status_code == 303, filed.text
    assert filed.headers["location"] == f"{url}?done=status#report-{gdpr.id}"
    digest = hashlib.sha256(RECEIPT).hexdigest()
    assert (evidence_home / incident_id / digest).read_bytes() == RECEIPT
    kept = next(r for r in (await api.incidents.status(incident_id)).reports if r.id == gdpr.id)
    change = kept.history[-1]
    assert kept.status == "submitted" and kept.reference == "BLN-2026-0042"
    assert change.actor == "rory" and change.receipt is not None
    assert (change.receipt.name, change.receipt.sha256) == ("portal receipt.pdf", digest)

    # The authority's question and the answer given, each the note of its status.
    for status, text in (
        ("questions", "Which systems were affected?"),
        ("answered", "Only the customer account database."),
    ):
        answer = await rory.post(
            f"{report}/status", data={"csrf_token": csrf, "status": status, "note": text}
        )
        assert answer.status_code == 303, answer.text
    shown = (await rory.get(url)).text.split(f'id="report-{gdpr.id}"', 1)[1]
    history = shown.split('<details class="history">', 1)[1].split("</details>", 1)[0]
    assert "Which systems were affected?" in history and "Only the customer" in history
    assert "portal receipt.pdf" in history and "ref BLN-2026-0042" in history
    # A move the report's lifecycle does not allow, and a time that is no time, are
    # refused on the incident page beside the forms.
    wrong = await rory.post(f"{report}/status", data={"csrf_token": csrf, "status": "answered"})
    assert wrong.status_code == 409 and "can move to" in wrong.text
    garbled = await rory.post(
        f"{report}/status", data={"csrf_token": csrf, "status": "closed", "at": "yesterday"}
    )
    assert garbled.status_code == 422 and "expected a date and time" in garbled.text

    # A follow-up phase of the filed report: a report of its own, drafted like the first.
    row = (await rory.get(url)).text.split(f'id="report-{gdpr.id}"', 1)[1].split("</tr>")[0]
    assert '<option value="supplement"' in row
    unknown = await rory.post(f"{report}/phases", data={"csrf_token": csrf, "phase": "close-out"})
    assert unknown.status_code == 409 and "no 'close-out' phase" in html.unescape(unknown.text)
    opened = await rory.post(
        f"{report}/phases",
        data={"csrf_token": csrf, "phase": "supplement", "note": "the forensic report"},
    )
    assert opened.status_code == 303 and "done=phase" in opened.headers["location"]
    latest = await api.incidents.status(incident_id)
    assert f"{gdpr.id}-supplement" in {r.id for r in latest.reports}
    assert any(e.kind == "report.phase_added" and e.actor == "rory" for e in latest.timeline)

    # Others: a viewer sees no forms and is refused; no CSRF token, no action.
    vera, vera_csrf = await sign_in(api, "vera")
    assert "Record status" not in (await vera.get(url)).text
    for path, data in (
        (f"{report}/status", {"status": "closed"}),
        (f"{report}/phases", {"phase": "supplement"}),
        (f"{report}/reminders/ack", {}),
    ):
        assert (await vera.post(path, data={**data, "csrf_token": vera_csrf})).status_code == 403
        assert (await rory.post(path, data=data)).status_code == 403
    filed_now = next(r for r in latest.reports if r.id == gdpr.id)
    assert filed_now.status in FILED_STATUSES and filed_now.status == "answered"


async def test_deliveries_of_unknown_outcome_are_released_by_a_person(api: ApiStack) -> None:
    rory, csrf = await sign_in(api, "rory")
    incident_id = await start(rory, csrf)
    await approve_all(api, incident_id)
    done = await until(
        api, incident_id, lambda s: bool(s.deliveries) and all(d.completed for d in s.deliveries)
    )
    # A worker died between claiming a send and its outcome, and the provider cannot say
    # whether it has the message: the ledger holds the row as `unknown`.
    ledger = Ledger(api.app.state.engine)
    assert ledger.claim(incident_id, "crashed-1", Channel.EMAIL, done.drafts[0].content_hash)
    ledger.reconcile_sending(incident_id, Channel.EMAIL, lambda person_id: None)
    assert ledger.counts(incident_id, Channel.EMAIL)["unknown"] == 1
    url = f"/incidents/{incident_id}"

    page = (await rory.get(url)).text
    section = page.split('id="unknown-heading"', 1)[1].split("</section>", 1)[0]
    assert "<strong>1</strong> on email" in section and 'id="resend-form"' in section
    assert 'href="#unknown-heading">1 unknown</a>' in page
    vera, vera_csrf = await sign_in(api, "vera")
    assert 'id="resend-form"' not in (await vera.get(url)).text
    denied = await vera.post(
        f"{url}/deliveries/resend", data={"csrf_token": vera_csrf, "confirm": "yes"}
    )
    assert denied.status_code == 403
    unconfirmed = await rory.post(f"{url}/deliveries/resend", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert (await rory.post(f"{url}/deliveries/resend", data={"confirm": "yes"})).status_code == 403
    assert ledger.counts(incident_id, Channel.EMAIL)["unknown"] == 1

    released = await rory.post(
        f"{url}/deliveries/resend",
        data={"csrf_token": csrf, "confirm": "yes", "channel": "email"},
    )
    assert released.status_code == 303
    assert released.headers["location"] == f"{url}?done=released#progress-heading"
    assert ledger.counts(incident_id, Channel.EMAIL)["unknown"] == 0
    logged = await until(
        api, incident_id, lambda s: any(e.kind == "delivery.released" for e in s.timeline)
    )
    event = next(e for e in logged.timeline if e.kind == "delivery.released")
    assert event.actor == "rory" and event.detail == "1 on email"
    assert 'id="unknown-heading"' not in (await rory.get(url)).text
