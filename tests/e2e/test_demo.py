"""End to end on the real Temporal dev server: the sample incident runs to closure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from herald.demo import drive_incident
from herald.models import Phase, ReportStatus
from herald.settings import Settings
from herald.temporal import free_port
from tests.conftest import herald_client

HERALD = [sys.executable, "-m", "herald.cli"]


async def test_demo_incident_closes_on_the_dev_server(
    local_env: WorkflowEnvironment, settings: Settings
) -> None:
    lines: list[str] = []
    result = await drive_incident(herald_client(local_env, settings), settings, log=lines.append)
    assert result.phase is Phase.CLOSED
    status = result.status
    assert not status.open_obligations
    assert all(r.status is ReportStatus.ACKNOWLEDGED and r.reference for r in status.reports)
    emails = sorted((result.outbox / "email").glob("*.eml"))
    assert emails, "the outbox holds the delivered emails"
    first = message_from_bytes(emails[0].read_bytes())
    assert first["To"] and first["Subject"]
    assert sum(d.sent for d in status.deliveries) == len(
        [p for c in ("email", "sms", "letter") for p in (result.outbox / c).glob("*")]
    )
    assert any("approved" in line for line in lines)


def test_herald_demo_command_as_a_user_runs_it(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HERALD_HOME": str(tmp_path / "home"),
        "HERALD_TEMPORAL_PORT": str(free_port()),
    }
    done = subprocess.run(
        [*HERALD, "demo", "--json"], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["phase"] == "closed"
    outbox = Path(summary["outbox"])
    assert outbox.is_relative_to(tmp_path / "home")
    assert list((outbox / "email").glob("*.eml"))
    assert list((outbox / "reports").glob("*.eml"))
    assert (tmp_path / "home" / "temporal.db").exists()


def test_obligations_contract(tmp_path: Path) -> None:
    done = subprocess.run(
        [*HERALD, "obligations", "--facts", "examples/facts.json", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    obligations = json.loads(done.stdout)
    assert obligations
    for item in obligations:
        assert {
            "regime",
            "audience",
            "recipient",
            "due_at",
            "deadline",
            "citation",
            "required_content",
        } <= item.keys()
    gdpr = next(o for o in obligations if o["regime"] == "gdpr" and o["audience"] == "regulator")
    assert gdpr["due_at"] == "2026-03-05T08:15:00Z"  # 72 h after 09:15 CET on 2 March

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "aware_at": "2026-03-02T09:15:00",
                "entity": {"name": "X"},
                "affected": [{"jurisdiction": "US-XX", "count": -3}],
            }
        )
    )
    done = subprocess.run(
        [*HERALD, "obligations", "--facts", str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "aware_at" in done.stderr
    assert "affected.0.jurisdiction" in done.stderr
    assert "affected.0.count" in done.stderr
