"""The `herald` commands against `herald dev` running in its own process, as a user works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.settings import get_settings
from herald.temporal import free_port, port_open
from tests.conftest import EXAMPLES
from tests.e2e import dev_process

runner = CliRunner()


@pytest.fixture
def herald_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    """`herald dev` in a fresh process (its worker has loaded nothing else), on free ports."""
    port, ui_port = free_port(), free_port()
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HERALD_TEMPORAL_PORT", str(port))
    get_settings.cache_clear()
    with dev_process.herald_dev(os.environ, port=port, ui_port=ui_port) as process:
        yield process
    get_settings.cache_clear()


def herald(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, f"herald {' '.join(args)}: {result.output}"
    return result.output


def status(incident_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(herald("incident", "status", incident_id, "--json"))
    return data


def until(incident_id: str, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for _ in range(300):
        current = status(incident_id)
        if predicate(current):
            return current
        time.sleep(0.2)
    raise AssertionError(f"stuck in phase {current['phase']}")


def test_incident_from_start_to_close_with_the_cli(herald_dev: subprocess.Popen[str]) -> None:
    incident_id = herald(
        "incident",
        "start",
        "--facts",
        str(EXAMPLES / "facts.json"),
        "--population",
        str(EXAMPLES / "population.csv"),
        "--as",
        "casey",
        "--team",
        "team@example.org",
        "--profile",
        str(EXAMPLES / "profile.yaml"),
    ).strip()
    current = until(incident_id, lambda s: s["phase"] == "awaiting_approval")
    # The example's 72-hour GDPR deadline passed long ago: the report went overdue at once
    # and must now give the reasons for the delay before anyone can approve it.
    until(
        incident_id,
        lambda s: any("delay_reasons" in d["missing_elements"] for d in s["drafts"]),
    )
    late = json.loads((EXAMPLES / "facts.json").read_text())
    late["details"] = {"delay_reasons": "Found months later, in a scheduled access review."}
    late_file = Path(os.environ["HERALD_HOME"]) / "late-facts.json"
    late_file.write_text(json.dumps(late))
    herald("incident", "update-facts", incident_id, "--facts", str(late_file), "--as", "casey")
    current = until(
        incident_id,
        lambda s: (
            s["phase"] == "awaiting_approval"
            and not any(d["missing_elements"] for d in s["drafts"])
        ),
    )
    listed = json.loads(herald("incident", "list", "--json"))
    assert [i["incident_id"] for i in listed] == [incident_id]
    assert listed[0]["phase"] == "awaiting_approval" and listed[0]["open_obligations"] > 0
    listing = herald("drafts", "list", incident_id)
    assert "us-ca-individuals.email.en" in listing and "pending_approval" in listing

    shown = herald("drafts", "show", incident_id, "us-ca-individuals.email.en")
    assert "Notice of Data Breach" in shown
    digest = next(line.split()[1] for line in shown.splitlines() if line.startswith("hash:"))
    refused = herald(
        "drafts", "approve", incident_id, "us-ca-individuals.email.en", "--as", "herald", code=1
    )
    assert "cannot approve" in refused
    refused = herald(
        "drafts",
        "approve",
        incident_id,
        "us-ca-individuals.email.en",
        "--as",
        "alice",
        "--hash",
        "0000",
        code=1,
    )
    assert "changed since you read it" in refused
    sms = "us-ca-individuals.sms.en"
    text = herald("drafts", "show", incident_id, sms).split("-" * 72 + "\n", 1)[1]
    revised = Path(os.environ["HERALD_HOME"]) / "revised.txt"
    revised.write_text(text.replace("Example GmbH", "Example GmbH (Berlin)", 1))
    assert "v2" in herald(
        "drafts", "revise", incident_id, sms, "--body-file", str(revised), "--as", "dana"
    )
    diff = herald("drafts", "diff", incident_id, sms)
    assert f"--- {sms} v1 (herald)" in diff and f"+++ {sms} v2 (dana)" in diff
    assert "+" + text.replace("Example GmbH", "Example GmbH (Berlin)", 1).splitlines()[0] in diff
    assert "no version 7" in herald("drafts", "diff", incident_id, sms, "--from", "7", code=2)
    current = status(incident_id)
    revised_draft = next(d for d in current["drafts"] if d["id"] == sms)
    assert revised_draft["author"] == "dana" and not revised_draft["missing_elements"]
    refused = herald("drafts", "approve", incident_id, sms, "--as", "dana", code=1)
    assert "cannot approve" in refused
    for draft in current["drafts"]:
        for approver in ("alice", "bob"):
            herald(
                "drafts",
                "approve",
                incident_id,
                draft["id"],
                "--as",
                approver,
                "--hash",
                draft["content_hash"][:16],
            )
    assert digest == next(
        d["content_hash"] for d in current["drafts"] if d["id"] == "us-ca-individuals.email.en"
    )
    current = until(
        incident_id,
        lambda s: (
            bool(s["deliveries"])
            and all(d["completed"] for d in s["deliveries"])
            and all(r["status"] == "approved" for r in s["reports"])
            and s["phase"] not in ("assessing", "drafting")
        ),
    )
    refused = herald("incident", "close", incident_id, "--as", "casey", code=1)
    assert "neither met nor waived" in refused
    reports = herald("reports", "list", incident_id)
    for report in current["reports"]:
        assert report["id"] in reports
        herald(
            "reports",
            "set-status",
            incident_id,
            report["id"],
            "submitted",
            "--reference",
            "REF-42",
            "--as",
            "casey",
        )
    assert "REF-42" in herald("reports", "list", incident_id)
    # More is known after the first report: a supplement (GDPR Art. 33(4)) is a report of
    # its own, with a receipt from the authority's portal kept as evidence.
    opened = herald(
        "reports", "add-phase", incident_id, "gdpr-regulator-de", "supplement", "--as", "casey"
    )
    assert "gdpr-regulator-de-supplement: supplement opened" in opened
    supplement = until(
        incident_id,
        lambda s: any(d["obligation_id"] == "gdpr-regulator-de-supplement" for d in s["drafts"]),
    )
    for draft in supplement["drafts"]:
        if draft["obligation_id"] == "gdpr-regulator-de-supplement":
            for approver in ("alice", "bob"):
                herald("drafts", "approve", incident_id, draft["id"], "--as", approver)
    receipt = Path(os.environ["HERALD_HOME"]) / "portal-receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt of the supplement\n")
    filed = herald(
        "reports",
        "set-status",
        incident_id,
        "gdpr-regulator-de-supplement",
        "submitted",
        "--reference",
        "REF-43",
        "--receipt",
        str(receipt),
        "--as",
        "casey",
    )
    assert "receipt portal-receipt.pdf kept" in filed
    assert "supplement" in herald("reports", "list", incident_id)
    until(
        incident_id,
        lambda s: not s["open_obligations"] and s["phase"] not in ("assessing", "drafting"),
    )
    assert "closed" in herald("incident", "close", incident_id, "--as", "casey")
    outbox = Path(os.environ["HERALD_HOME"]) / "outbox" / incident_id
    assert list((outbox / "email").glob("*.eml"))


def test_dev_stops_cleanly_on_ctrl_c(herald_dev: subprocess.Popen[str]) -> None:
    port = int(os.environ["HERALD_TEMPORAL_PORT"])
    herald_dev.send_signal(signal.SIGINT)
    assert herald_dev.wait(timeout=30) == 0
    assert not port_open("127.0.0.1", port), "the Temporal dev server stopped too"


def test_dev_stops_cleanly_on_ctrl_c_during_start(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HERALD_HOME": str(tmp_path / "home"), "HERALD_TEMPORAL_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "herald.cli", "dev", "--temporal-ui-port", str(free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)  # the server is up; the worker is still being built
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert not port_open("127.0.0.1", port)
