"""Recorded histories replay against today's workflow code (running incidents stay safe).

A change that alters the commands a workflow issues for an existing history fails here:
it would break incidents running in production. Such a change must branch with
`workflow.patched` so old histories keep their path. Recordings: `tests/replay/record.py`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from herald.temporal import data_converter
from tests.conftest import EXAMPLES
from tests.replay.record import HERE, settings
from workflows.campaign import NotificationCampaignWorkflow
from workflows.incident import IncidentWorkflow
from workflows.regulator_report import RegulatorReportWorkflow

HISTORIES = sorted(HERE.glob("*.json"))


def test_every_workflow_type_has_a_recording() -> None:
    kinds = {path.name.split(".")[0] for path in HISTORIES}
    assert kinds == {"IncidentWorkflow", "NotificationCampaignWorkflow", "RegulatorReportWorkflow"}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.name.removesuffix(".json"))
async def test_history_replays(path: Path, tmp_path: Path) -> None:
    workflow_id = path.name.split(".", 1)[1].removesuffix(".json")
    history = WorkflowHistory.from_json(workflow_id, json.loads(path.read_text()))
    replayer = Replayer(
        workflows=[IncidentWorkflow, NotificationCampaignWorkflow, RegulatorReportWorkflow],
        data_converter=data_converter(settings(tmp_path)),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def test_recorded_histories_hold_no_personal_data_in_the_clear() -> None:
    """The raw histories (as the server stores them) never show a person's details."""
    people = list(csv.DictReader((EXAMPLES / "population.csv").open(encoding="utf-8")))
    details = {
        value.strip()
        for row in people
        for value in (row["name"], row["email"], row["phone"], row["postal_address"])
        if value and len(value.strip()) >= 6
    }
    assert len(details) > 50
    for path in HISTORIES:
        raw = path.read_text()
        leaked = sorted(value for value in details if value in raw)
        assert not leaked, f"{path.name} shows {leaked[:3]}"
