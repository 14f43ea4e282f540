"""`herald bench rules`: the JSON contract and the facts it builds (speed is never asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from herald.cli import app
from herald.cli.bench import bench_facts
from herald.jurisdictions import is_eea, normalise

runner = CliRunner()


def test_json_output_is_one_object_with_the_contract_keys() -> None:
    result = runner.invoke(app, ["bench", "rules", "--json", "--rounds", "3"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert set(figures) == {
        "jurisdictions",
        "evaluations",
        "ms_per_evaluation",
        "obligations",
        "regimes",
    }
    assert figures["jurisdictions"] == 60
    assert figures["evaluations"] == 3
    assert isinstance(figures["ms_per_evaluation"], float)
    assert figures["ms_per_evaluation"] >= 0
    assert isinstance(figures["obligations"], int)
    assert figures["obligations"] > 0
    assert isinstance(figures["regimes"], int)
    assert figures["regimes"] >= 1


def test_fewer_jurisdictions_and_the_human_line() -> None:
    result = runner.invoke(app, ["bench", "rules", "--jurisdictions", "5", "--rounds", "3"])

    assert result.exit_code == 0, result.output
    assert "ms per evaluation" in result.stdout
    assert "5 jurisdictions" in result.stdout


def test_an_impossible_jurisdiction_count_is_a_usage_error() -> None:
    for count in ("0", "100000"):
        result = runner.invoke(app, ["bench", "rules", "--jurisdictions", count])

        assert result.exit_code == 2, result.output


def test_default_facts_touch_60_distinct_valid_jurisdictions_of_every_kind() -> None:
    facts = bench_facts()

    codes = [group.jurisdiction for group in facts.affected]
    assert len(codes) == len(set(codes)) == 60
    assert all(normalise(code) == code for code in codes)
    for required in ("US-CA", "US-NY", "US-TX", "US-FL", "US-MA", "US-WA", "US-CO", "US-IL"):
        assert required in codes
    for elsewhere in ("GB", "CN-SH", "SG", "AU-NSW", "CA-ON", "CA-QC", "BR-SP", "JP-13"):
        assert elsewhere in codes
    assert sum(is_eea(code) for code in codes) == 30
    assert facts.data_categories  # categories that trigger notices


def test_a_small_count_still_mixes_regions() -> None:
    codes = [group.jurisdiction for group in bench_facts(3).affected]

    assert len(codes) == 3
    assert is_eea(codes[0])
    assert codes[1].startswith("US-")
    assert not is_eea(codes[2]) and not codes[2].startswith("US-")


def test_larger_counts_stay_distinct() -> None:
    codes = [group.jurisdiction for group in bench_facts(120).affected]

    assert len(set(codes)) == 120
