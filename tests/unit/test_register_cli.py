"""`herald register`: the table, the filters, JSON and one entry in full (no Temporal needed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.models import RegimeDecision
from herald.models.evidence import RegisterEntry
from herald.settings import get_settings
from herald.store import create_schema, make_engine
from herald.store.register import Register

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

NOTIFIED = RegisterEntry(
    incident_id="INC-NOTIFIED",
    title="Mailbox compromise",
    opened_at=T0 + timedelta(days=3),
    updated_at=T0 + timedelta(days=5),
    closed_at=T0 + timedelta(days=5),
    phase="closed",
    aware_at=T0 + timedelta(days=3),
    jurisdictions=["DE", "US-CA"],
    affected=1_200,
    data_categories=["email", "account_credentials"],
    risk="high",
    risk_reasons=["Credentials were exposed."],
    description="An attacker read a shared mailbox.",
    remediation="Passwords reset, MFA enforced.",
    notification_required=True,
    obligations=["gdpr-regulator-de", "us-ca-individuals"],
    decisions=[
        RegimeDecision(
            regime="gdpr",
            applies=True,
            reasons=["The risk is high, so data subjects must be told (Art. 34(1))."],
            obligations=["gdpr-regulator-de"],
        )
    ],
    reports={"gdpr-regulator-de": "submitted"},
    waived={"us-ca-individuals": "Substitute notice published instead."},
)
QUIET = RegisterEntry(
    incident_id="INC-QUIET",
    title="Lost encrypted laptop",
    opened_at=T0,
    updated_at=T0 + timedelta(hours=2),
    phase="monitoring",
    aware_at=T0,
    jurisdictions=["FR"],
    affected=40,
    data_categories=["name"],
    risk="none",
    risk_reasons=["The data was encrypted and the key was not compromised."],
    description="A laptop was lost on a train.",
    remediation="Device wiped remotely.",
    notification_required=False,
    obligations=[],
    decisions=[
        RegimeDecision(
            regime="gdpr",
            applies=True,
            reasons=[
                "The breach is unlikely to result in a risk to people, so no supervisory "
                "authority is notified (Art. 33(1)); it must still be recorded in the "
                "internal breach register (Art. 33(5))."
            ],
        ),
        RegimeDecision(
            regime="uk-gdpr",
            applies=False,
            reasons=["No affected group resides in the United Kingdom."],
        ),
    ],
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "herald-home"
    monkeypatch.setenv("HERALD_HOME", str(home))
    monkeypatch.delenv("HERALD_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def filled(home: Path) -> Path:
    engine = make_engine(get_settings().db_url)
    create_schema(engine)
    register = Register(engine)
    register.record(NOTIFIED)
    register.record(QUIET)
    engine.dispose()
    return home


def test_an_empty_register_says_so(home: Path) -> None:
    result = runner.invoke(app, ["register"])

    assert result.exit_code == 0, result.output
    assert "empty" in result.stdout
    assert (home / "herald.db").exists()


def test_the_table_lists_every_incident_newest_first(filled: Path) -> None:
    result = runner.invoke(app, ["register"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "incident",
        "opened",
        "title",
        "affected",
        "risk",
        "notify",
        "obligations",
        "reports",
        "closed",
    ]
    assert lines[2].startswith("INC-NOTIFIED")
    assert lines[3].startswith("INC-QUIET")
    assert "2026-03-05 09:00 UTC" in lines[2]
    assert " yes " in lines[2] and "gdpr-regulator-de: submitted" in lines[2]
    assert " 1200 " in lines[2] and "2026-03-07 09:00 UTC" in lines[2]
    assert " no " in lines[3] and lines[3].rstrip().endswith("-")


def test_filters_by_notification_and_date(filled: Path) -> None:
    def ids(*args: str) -> list[str]:
        result = runner.invoke(app, ["register", "--json", *args])
        assert result.exit_code == 0, result.output
        return [item["incident_id"] for item in json.loads(result.stdout)]

    assert ids() == ["INC-NOTIFIED", "INC-QUIET"]
    assert ids("--notified") == ["INC-NOTIFIED"]
    assert ids("--not-notified") == ["INC-QUIET"]
    assert ids("--since", "2026-03-03") == ["INC-NOTIFIED"]
    assert ids("--since", "2026-03-02T09:00:00") == ["INC-NOTIFIED", "INC-QUIET"]
    assert ids("--since", "2026-03-02T10:30:00+02:00") == ["INC-NOTIFIED", "INC-QUIET"]
    assert ids("--since", "2026-03-03", "--not-notified") == []


def test_a_bad_date_is_a_usage_error(filled: Path) -> None:
    result = runner.invoke(app, ["register", "--since", "last week"])

    assert result.exit_code == 2


def test_show_documents_why_nothing_was_notified(filled: Path) -> None:
    result = runner.invoke(app, ["register", "--show", "INC-QUIET"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("Facts", "Effects", "Remedial action", "Notification", "Decisions"):
        assert f"\n{heading}\n" in out
    assert "Lost encrypted laptop" in out
    assert "people affected: 40" in out
    assert "A laptop was lost on a train." in out
    assert "risk: none" in out and "key was not compromised" in out
    assert "Device wiped remotely." in out
    assert "required: no" in out
    assert "gdpr: applies" in out and "(Art. 33(5))" in out
    assert "uk-gdpr: does not apply" in out and "United Kingdom" in out
    assert "closed: not yet" in out
    assert "Waivers" not in out


def test_show_prints_reports_and_waivers(filled: Path) -> None:
    result = runner.invoke(app, ["register", "--show", "INC-NOTIFIED"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "required: yes (2 obligations)" in out
    assert "gdpr: applies -> gdpr-regulator-de" in out
    assert "gdpr-regulator-de: submitted" in out
    assert "us-ca-individuals: Substitute notice published instead." in out


def test_show_as_json_is_the_entry(filled: Path) -> None:
    result = runner.invoke(app, ["register", "--show", "INC-NOTIFIED", "--json"])

    assert result.exit_code == 0, result.output
    assert RegisterEntry.model_validate_json(result.stdout) == NOTIFIED


def test_show_of_an_unknown_incident_fails(filled: Path) -> None:
    result = runner.invoke(app, ["register", "--show", "INC-404"])

    assert result.exit_code == 1
    assert "INC-404" in result.stderr
