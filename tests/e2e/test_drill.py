"""`herald drill` on the time-skipping server: reminders, escalation, late filing, phases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from herald.cli import app
from tests.conftest import EXAMPLES

HOUR = 3600.0


def _drill(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["drill", "--json", *args])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _report(document: dict[str, Any], report_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in document["reports"] if r["id"] == report_id)
    return found


def _hours(seconds: list[float]) -> list[float]:
    return [round(s / HOUR, 1) for s in seconds]


def test_a_gdpr_report_filed_late_carries_its_reasons(tmp_path: Path) -> None:
    document = _drill(
        "--facts",
        str(EXAMPLES / "facts.json"),
        "--profile",
        str(EXAMPLES / "profile.yaml"),
        "--backup",
        "cto@example.org",
        "--file-after",
        "80",
        "--days",
        "4",
        "--home",
        str(tmp_path),
    )
    gdpr = _report(document, "gdpr-regulator-de")
    assert gdpr["due_offset_s"] == 72 * HOUR
    # 50% of the 72 hours, then 24 h, 6 h and 1 h before; each unacknowledged one goes to
    # the backup 30 minutes later, and so does the overdue notice.
    assert _hours(gdpr["reminders_offset_s"]) == [36.0, 48.0, 66.0, 71.0]
    assert _hours(gdpr["escalations_offset_s"]) == [36.5, 48.5, 66.5, 71.5, 72.5]
    assert gdpr["overdue"] and gdpr["late"]
    assert gdpr["submitted_offset_s"] >= 80 * HOUR
    kinds = [(e["kind"], e["detail"]) for e in document["events"]]
    assert ("report.overdue", "gdpr-regulator-de: deadline passed") in kinds
    assert ("report.submitted", "gdpr-regulator-de (late)") in kinds
    # The filing that went out is the version that gives the reasons for the delay.
    filed = (Path(document["outbox"]) / "reports" / "gdpr-regulator-de.eml").read_text()
    assert "Reasons for the delay" in filed and "Drill:" in filed
    escalations = list((Path(document["outbox"]) / "reminders").glob("*-escalation-*.eml"))
    assert len(escalations) == 5


def test_nis2_phases_follow_each_other(tmp_path: Path) -> None:
    facts = json.loads((EXAMPLES / "facts.json").read_text())
    facts["entity"]["sectors"] = ["nis2_essential"]
    facts["entity"]["contact"] = {"name": "CISO", "email": "ciso@example.org"}
    facts["affected"] = [{"jurisdiction": "DE", "count": 40}]
    path = tmp_path / "nis2.json"
    path.write_text(json.dumps(facts))
    document = _drill(
        "--facts", str(path), "--file-after", "20", "--days", "3", "--home", str(tmp_path)
    )
    early = _report(document, "eu-nis2-regulator-early-warning")
    notification = _report(document, "eu-nis2-regulator-notification")
    final = _report(document, "eu-nis2-regulator-final")
    assert (early["phase"], notification["phase"], final["phase"]) == (
        "early-warning",
        "notification",
        "final",
    )
    assert early["due_offset_s"] == 24 * HOUR and notification["due_offset_s"] == 72 * HOUR
    assert _hours(early["reminders_offset_s"]) == [12.0, 18.0]  # 50% and 6 h before
    # The final report's month runs from the notification's filing.
    filed = notification["submitted_offset_s"]
    assert filed is not None and 28 * 24 * HOUR <= final["due_offset_s"] - filed <= 31 * 24 * HOUR
    assert not early["late"] and not notification["late"]


def _facts_in(tmp_path: Path, jurisdiction: str) -> Path:
    facts = json.loads((EXAMPLES / "facts.json").read_text())
    facts["entity"]["contact"] = {"name": "DPO", "email": "dpo@example.org"}
    facts["affected"] = [{"jurisdiction": jurisdiction, "count": 2000}]
    facts["data_categories"] = ["name", "email", "account_credentials", "financial_account"]
    path = tmp_path / f"{jurisdiction}.json"
    path.write_text(json.dumps(facts))
    return path


def test_appi_preliminary_then_final_and_lgpd_communication_then_supplement(
    tmp_path: Path,
) -> None:
    japan = _drill(
        "--facts", str(_facts_in(tmp_path, "JP")), "--days", "2", "--home", str(tmp_path)
    )
    preliminary = _report(japan, "jp-appi-regulator-preliminary")
    final = _report(japan, "jp-appi-regulator-final")
    assert (preliminary["phase"], final["phase"]) == ("preliminary", "final")
    # Preliminary within days (end of the third Tokyo day), final within 30 days.
    assert 2 * 24 * HOUR < preliminary["due_offset_s"] <= 3 * 24 * HOUR
    assert 29 * 24 * HOUR < final["due_offset_s"] <= 30 * 24 * HOUR
    assert preliminary["reminders_offset_s"]  # at least the 50% reminder within two days

    brazil = _drill(
        "--facts",
        str(_facts_in(tmp_path, "BR")),
        "--file-after",
        "24",
        "--days",
        "3",
        "--home",
        str(tmp_path),
    )
    communication = _report(brazil, "br-lgpd-regulator")
    supplement = _report(brazil, "br-lgpd-regulator-supplement")
    assert supplement["phase"] == "supplement"
    filed = communication["submitted_offset_s"]
    assert filed is not None and not communication["late"]
    # 20 business days from the communication's filing: four weeks, give or take holidays.
    assert 26 * 24 * HOUR <= supplement["due_offset_s"] - filed <= 34 * 24 * HOUR
