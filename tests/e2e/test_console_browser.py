"""The console in a real browser: Debian's Chromium (headless, driven by Playwright) against
`herald dev` in its own process, as the people of an incident use it.

A responder signs in, starts an incident with a population file and corrects its facts once;
two approvers, each in a browser of their own, approve every draft (an email previewed as
its recipient sees it); the responder watches delivery finish on the live progress table,
records a regulator report as submitted with its reference and downloads the evidence pack;
an approver waives what is still open, with a reason, and the responder closes the incident.
Screenshots of the pages (1366×768) go to HERALD_CONSOLE_SHOTS when that is set.
"""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from herald.settings import Settings
from herald.store import create_schema, make_engine
from herald.store.users import UserStore
from herald.temporal import free_port
from herald.users import Role
from tests.conftest import EXAMPLES
from tests.console.helpers import example_facts
from tests.e2e import dev_process

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
PEOPLE = {"rory": [Role.RESPONDER], "amal": [Role.APPROVER], "bo": [Role.APPROVER]}
SHOTS = os.environ.get("HERALD_CONSOLE_SHOTS")

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def console(tmp_path: Path) -> Iterator[str]:
    """`herald dev` (Temporal, worker, API and console) on free ports, with three users;
    yields the console's base URL."""
    home = tmp_path / "home"
    engine = make_engine(Settings(home=home).db_url)
    create_schema(engine)
    users = UserStore(engine)
    for name, roles in PEOPLE.items():
        users.add(name, roles=roles, password=PASSWORD, display_name=name.title())
    engine.dispose()
    port, ui_port, api_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
    env |= {"HERALD_HOME": str(home), "HERALD_TEMPORAL_PORT": str(port)}
    with dev_process.herald_dev(env, port=port, ui_port=ui_port, api_port=api_port):
        base = f"http://127.0.0.1:{api_port}"
        assert httpx.get(f"{base}/login").status_code == 200
        yield base


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


def _signed_in(browser: Browser, base: str, username: str, errors: list[str]) -> Page:
    """A browser context of its own (its own cookies) with `username` signed in."""
    context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto("/incidents")  # 401: the page sends the browser to the sign-in form
    expect(page).to_have_url(re.compile(r"/login\?next=/incidents$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/incidents$"))
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
    # From here on, anything the page's policy refused, or a script error, fails the test
    # (before, the browser rightly logs the 401 that sent it to the sign-in form).
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def _reload_until(page: Page, locator: str, pattern: str, timeout_s: float = 60) -> None:
    """Reload until the element at `locator` shows `pattern` (state that needs a reload)."""
    deadline = time.monotonic() + timeout_s
    while not re.search(pattern, page.locator(locator).first.text_content() or ""):
        assert time.monotonic() < deadline, f"{locator} never showed {pattern}"
        time.sleep(0.5)
        page.reload()


def test_sign_in_start_approve_deliver_file_and_close(console: str, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_bytes(example_facts())
    errors: list[str] = []
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        rory = _signed_in(browser, console, "rory", errors)
        rory.get_by_label("Facts (JSON or YAML)").set_input_files(facts)
        rory.get_by_label("Affected people (CSV or JSON Lines, optional)").set_input_files(
            EXAMPLES / "population.csv"
        )
        rory.get_by_role("button", name="Start incident").click()
        expect(rory.get_by_role("status")).to_contain_text("Incident started")
        incident_url = rory.url.split("?")[0]
        incident_id = incident_url.rsplit("/", 1)[1]
        _reload_until(rory, "#phase", "awaiting approval")
        assert rory.evaluate("typeof htmx") == "object", "htmx loaded from /static"
        expect(rory.locator("figure.chart svg title").first).to_contain_text("US-CA")
        _shot(rory, "incident-awaiting-approval")
        _shot(rory, "incident-top", full_page=False)

        # The facts, corrected once in the page's own editor (prefilled with the current
        # facts): the incident is judged again and the page says what moved.
        rory.get_by_text("Update the facts").click()
        editor = rory.get_by_label(re.compile(r"^Facts as JSON or YAML"))
        facts = json.loads(editor.input_value())
        facts["remediation"] += " Exports now need a second administrator."
        editor.fill(json.dumps(facts, indent=2))
        rory.get_by_role("button", name="Update facts").click()
        expect(rory.locator("#facts-result")).to_contain_text("Facts updated to version 2")
        _shot(rory, "facts-updated", full_page=False)
        _reload_until(rory, "#phase", "awaiting approval")
        expect(rory.locator("#facts-heading ~ p.prose").last).to_contain_text(
            "second administrator"
        )
        links = rory.locator("#drafts-heading ~ table tbody th a")
        drafts = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert drafts, "the incident has drafts to approve"

        for approver in ("amal", "bo"):
            page = _signed_in(browser, console, approver, errors)
            for href in drafts:
                page.goto(href)
                expect(page.get_by_role("heading", name="Required content")).to_be_visible()
                if approver == "amal" and href.endswith(".email.en"):
                    # The email as its recipient gets it, in a sandboxed frame.
                    frame = page.frame_locator("iframe#preview")
                    expect(frame.locator("body")).to_contain_text("[Name of the individual]")
                    _shot(page, "draft-preview")
                page.get_by_role("button", name=re.compile(r"^Approve v\d+$")).click()
                expect(page.get_by_role("status")).to_have_text("Approval recorded.")
                expect(page.locator("#approvals")).to_contain_text(f"Approved by {approver}")
            if approver == "bo":
                _shot(page, "draft-approved")
            page.context.close()

        # Delivery: the progress table refreshes itself (htmx, every 2 s) until complete.
        rory.goto(incident_url)
        progress = rory.locator("#progress")
        expect(progress).to_have_attribute("data-delivering", "no", timeout=60_000)
        rows = progress.locator("tbody tr")
        assert rows.count() >= 1
        for i in range(rows.count()):
            expect(rows.nth(i)).to_contain_text("complete")
            assert int(rows.nth(i).locator('[data-count="sent"]').inner_text()) > 0
        _shot(rory, "incident-delivered")

        # A report approved by both approvers is filed by the responder, with a reference.
        _reload_until(rory, "#reports-heading ~ table", r"\bapproved\b")
        row = rory.locator("#reports-heading ~ table tbody tr", has_text="approved").first
        report_id = (row.get_attribute("id") or "").removeprefix("report-")
        row.get_by_label("Status").select_option("submitted")
        row.get_by_label("Reference").fill("REF-42")
        row.get_by_role("button", name="Record").click()
        expect(rory.get_by_role("status")).to_have_text("Report status recorded.")
        filed = rory.locator(f"#report-{report_id}")
        expect(filed.locator(".status")).to_contain_text("submitted")
        expect(filed.locator(".reference")).to_have_text("REF-42")

        # The evidence pack: a plain link, downloaded with the session's cookie.
        with rory.expect_download() as download:
            rory.get_by_role("link", name="Download evidence pack", exact=True).click()
        pack = tmp_path / download.value.suggested_filename
        download.value.save_as(pack)
        assert pack.name == f"{incident_id}-evidence.zip" and zipfile.is_zipfile(pack)
        assert zipfile.ZipFile(pack).namelist()

        rory.goto("/reports")
        expect(rory.locator(f"#report-{report_id} .reference")).to_have_text("REF-42")
        _shot(rory, "reports")

        # What is still open (the other authorities' reports) an approver waives, each
        # with its reason; then the responder closes the incident.
        amal = _signed_in(browser, console, "amal", errors)
        amal.goto(incident_url)
        waivable = amal.locator("#obligations-heading ~ table tbody tr").filter(
            has=amal.locator("form[action$='/waive']")
        )
        while waivable.count():
            row = waivable.first
            row.locator("summary").click()
            row.get_by_label("Reason to waive (kept as evidence)").fill(
                "Filed through the authority's portal outside Herald; receipt in the case file."
            )
            row.get_by_role("button", name="Waive obligation").click()
            expect(amal.get_by_role("status")).to_contain_text("Obligation waived")
        expect(amal.locator("#open-obligations")).to_have_text("0")
        amal.context.close()
        rory.goto(incident_url)
        rory.get_by_label("Closing note (optional)").fill("Notified, filed, evidence kept.")
        rory.get_by_role("button", name="Close incident").click()
        expect(rory.get_by_role("status")).to_have_text("Incident closed.")
        expect(rory.locator("#phase")).to_have_text("closed")
        expect(rory.locator("#closed-at")).to_be_visible()
        _shot(rory, "incident-closed", full_page=False)

        rory.goto("/incidents")
        board_row = rory.locator("#board tbody tr", has_text=incident_id)
        expect(board_row).to_contain_text("closed")
        expect(board_row.locator(".risk")).to_be_visible()
        _shot(rory, "board")
        browser.close()
    assert errors == [], errors
