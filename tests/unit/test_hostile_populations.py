"""Hostile population files (tests/corpus/populations): clear errors, good rows kept, no crash.

Each corpus file is read through `iter_rows`, `assess_population` and `herald population
check`, and must give what `expected.yaml` states. Two files with a 10 MB field are made here
instead of committed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from herald import population
from herald.assess import assess_population
from herald.cli import app
from herald.exports import FORMULA_PREFIXES
from herald.models import Person, RowError
from herald.population import (
    COLUMNS,
    PopulationFileError,
    count_rows,
    iter_rows,
    open_population,
)
from herald.population_checks import DROPPED, ROW_FIELD

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "populations"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
READABLE = sorted(name for name, spec in EXPECTED.items() if "file_error" not in spec)
REFUSED = sorted(name for name, spec in EXPECTED.items() if "file_error" in spec)
# Strings that occur only in cell values: no message may repeat them.
VALUES = ("Example", "example.com", "<script", "{{", "=HYPERLINK", "@SUM", "XX", "cmd", "Ren")

runner = CliRunner()


def check_messages(errors: list[RowError], data_rows: int) -> None:
    """Every error names a data row and a field, and quotes no value."""
    for error in errors:
        assert 1 <= error.row <= data_rows, error
        assert error.field in (*COLUMNS, ROW_FIELD), error
        assert error.message.strip(), error
        for value in VALUES:
            assert value not in error.message, error


def run_check(path: Path, *args: str) -> Any:
    return runner.invoke(app, ["population", "check", str(path), *args])


def test_every_corpus_file_is_described() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".jsonl")}
    assert files == set(EXPECTED)
    for name, spec in EXPECTED.items():
        assert spec["proves"], name
        assert ("file_error" in spec) != ("people" in spec), name


@pytest.mark.parametrize("name", READABLE)
def test_readable_file(name: str) -> None:
    spec = EXPECTED[name]
    source = open_population(CORPUS / name)
    items = list(iter_rows(source))
    errors = [item for item in items if isinstance(item, RowError)]
    people = [item for item in items if isinstance(item, Person)]
    assert [f"{e.row}:{e.field}" for e in errors] == spec["errors"]
    assert len(people) == spec["people"]
    check_messages(errors, count_rows(source))
    # A row is either kept (its errors only dropped fields) or rejected (no person).
    kept = {p.row for p in people}
    assert len(kept) == len(people)
    for error in errors:
        assert error.message.endswith(DROPPED) == (error.row in kept), error

    assessment = assess_population(source, [])
    assert (assessment.total, assessment.rejected) == (spec["people"], spec["rejected"])
    assert assessment.row_errors == errors


@pytest.mark.parametrize("name", REFUSED)
def test_unreadable_file_is_refused_clearly(name: str) -> None:
    source = open_population(CORPUS / name)
    fragment = EXPECTED[name]["file_error"]
    with pytest.raises(PopulationFileError) as raised:
        list(iter_rows(source))
    assert fragment in str(raised.value)
    assert str(raised.value).startswith(source.path)
    with pytest.raises(PopulationFileError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        assess_population(source, [])


@pytest.mark.parametrize("name", READABLE)
def test_cli_reports_counts_and_writes_rejected_rows(name: str, tmp_path: Path) -> None:
    spec = EXPECTED[name]
    out = tmp_path / "rejected.csv"
    result = run_check(CORPUS / name, "--json", "--rejected", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["people"], report["rejected_rows"]) == (spec["people"], spec["rejected"])
    assert [f"{e['row']}:{e['field']}" for e in report["errors"]] == spec["errors"]
    assert report["errors_written"] == len(spec["errors"])
    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[:3] == ["row", "field", "message"]
    assert [f"{r[0]}:{r[1]}" for r in rows] == spec["errors"]
    for cell in [*header, *(c for r in rows for c in r)]:
        assert not cell.startswith(FORMULA_PREFIXES), (name, cell)


@pytest.mark.parametrize("name", READABLE)
def test_cli_table_names_row_and_field_and_no_value(name: str) -> None:
    spec = EXPECTED[name]
    result = run_check(CORPUS / name)
    assert result.exit_code == 0, result.output
    first, *lines = result.stdout.splitlines()
    assert f"{spec['people']} people accepted, {spec['rejected']} rows rejected" in first
    listed = [line.split()[:2] for line in lines[2:]]  # after the header and its rule
    assert [f"{row}:{field}" for row, field in listed] == spec["errors"]
    for value in VALUES:
        assert value not in "\n".join(lines), value


@pytest.mark.parametrize("name", REFUSED)
def test_cli_refuses_unreadable_file_with_exit_2(name: str, tmp_path: Path) -> None:
    out = tmp_path / "rejected.csv"
    result = run_check(CORPUS / name, "--rejected", str(out))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a traceback
    assert EXPECTED[name]["file_error"] in result.output
    assert result.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("bad", ["missing.csv", "people.xlsx", "folder.csv"])
def test_cli_missing_or_unsupported_file_exits_2(bad: str, tmp_path: Path) -> None:
    (tmp_path / "people.xlsx").write_text("x")
    (tmp_path / "folder.csv").mkdir()
    result = run_check(tmp_path / bad, "--json")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "cannot read population" in result.output


def test_values_are_kept_exactly_as_written() -> None:
    def people(name: str) -> list[Person]:
        items = iter_rows(open_population(CORPUS / name))
        return [item for item in items if isinstance(item, Person)]

    names = [p.name for p in people("template_and_html.csv")]
    assert names[:2] == ["{{ config.SECRET_KEY }}", "<script>alert(1)</script>"]
    assert people("template_and_html.csv")[1].postal_address == "<img src=x onerror=alert(1)>"
    assert people("cr_only.csv")[0].postal_address == "1 Example Street\rParis"
    assert people("crlf.csv")[0].postal_address == "1 Example Street\r\nParis"
    assert people("control_chars.csv")[0].name == "Ann\x00Example"
    assert [p.name for p in people("formula_injection.csv")][1] == "-1+1"


def test_rejected_export_escapes_the_formulas_of_rejected_rows(tmp_path: Path) -> None:
    out = tmp_path / "rejected.csv"
    assert run_check(CORPUS / "formula_injection.csv", "--rejected", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        _, fourth, fifth = list(csv.reader(handle))
    assert fourth[3:] == ["'=4+4", "'@Example", "'=cmd", "'=XX"]
    assert fifth[3:] == ["5", "'+Example", "'-Street", "'@FR"]


def test_ten_megabyte_csv_field_rejects_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('id,name,jurisdiction\n1,"' + "x" * 10_000_000 + '",FR\n2,Ann,FR\n')
    out = tmp_path / "rejected.csv"
    result = run_check(path, "--json", "--rejected", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["people"], report["rejected_rows"]) == (1, 1)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(1, "row")]
    assert out.stat().st_size < 1_000  # the unparsable row is reported without its cells


def test_ten_megabyte_jsonl_field_does_not_break_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    big = json.dumps({"id": "1", "jurisdiction": "FR", "name": "x" * 10_000_000})
    path.write_text(big + "\n" + json.dumps({"id": "2", "jurisdiction": "XX"}) + "\n")
    out = tmp_path / "rejected.csv"
    result = run_check(path, "--json", "--rejected", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["people"], report["rejected_rows"]) == (1, 1)
    assert out.stat().st_size < 1_000  # only row 2 is written, not the 10 MB row


# ---- the reader fixes these files exposed -----------------------------------------------------


def test_cr_inside_a_quoted_field_of_an_lf_file_stays_in_the_field(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b'id,postal_address,jurisdiction\n1,"a\rb",FR\n2,,FR\n')
    items = list(iter_rows(open_population(path)))
    assert [(p.row, p.postal_address) for p in items if isinstance(p, Person)] == [
        (1, "a\rb"),
        (2, None),
    ]


def test_cr_only_file_slices_seek_to_row_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population, "_STEP", 3)
    monkeypatch.setattr(population, "_files", {})
    rows = [f'{n},"line\rnext",FR' if n % 4 else f"{n},,XX" for n in range(1, 15)]
    path = tmp_path / "p.csv"
    path.write_bytes(("\ufeffid,postal_address,jurisdiction\r" + "\r".join(rows) + "\r").encode())
    source = open_population(path)
    full = list(iter_rows(source))
    assert count_rows(source) == 14
    for start in range(1, 16):
        expected = [item for item in full if start <= item.row <= start + 2]
        assert list(iter_rows(source, start_row=start, end_row=start + 2)) == expected


def test_json_nested_too_deeply_rejects_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(
        f'{{"id": "1", "jurisdiction": "FR", "x": {deep}}}\n{{"id": "2", "jurisdiction": "FR"}}\n'
    )
    items = list(iter_rows(open_population(path)))
    assert [(type(i).__name__, i.row) for i in items] == [("RowError", 1), ("Person", 2)]
    assert isinstance(items[0], RowError) and "nested too deeply" in items[0].message
