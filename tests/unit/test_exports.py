"""Spreadsheet-safe exports: formula escaping and the rejected-rows file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from herald.exports import escape_formula, write_rejected_rows
from herald.models import RowError
from herald.population import iter_rows, open_population


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-1+1", "'-1+1"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("", ""),
        ("Ann", "Ann"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("\n=1", "\n=1"),
        ("'=1", "'=1"),
        ("+", "'+"),
        ("Zoë", "Zoë"),
    ],
)
def test_escape_formula(value: str, escaped: str) -> None:
    assert escape_formula(value) == escaped


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def rejected(tmp_path: Path, name: str, content: bytes) -> tuple[list[list[str]], int]:
    (tmp_path / name).write_bytes(content)
    source = open_population(tmp_path / name)
    errors = (item for item in iter_rows(source) if isinstance(item, RowError))
    out = tmp_path / "rejected.csv"
    written = write_rejected_rows(out, errors, source)
    return read_csv(out), written


def test_csv_rows_keep_their_cells_and_numbers(tmp_path: Path) -> None:
    content = (
        b"id,name,postal_address,jurisdiction,=Notes\n"
        b'1,Ann,"1 Street\nTown",XX,\n'  # multi-line cell
        b"\n"  # blank row 2 keeps its number
        b"3,Bob,,FR,ok\n"
        b"4,Ren\xe9e,,FR,\n"  # invalid UTF-8
        b"5,Cy,,FR\n"  # ragged
        b'6,"' + b"x" * 200_000 + b'",,FR,\n'  # too large to parse
        b"7,@Di,-Road,=FR,+1\n"
    )
    rows, written = rejected(tmp_path, "p.csv", content)
    assert written == 5
    assert rows == [
        ["row", "field", "message", "id", "name", "postal_address", "jurisdiction", "'=Notes"],
        ["1", "jurisdiction", rows[1][2], "1", "Ann", "1 Street\nTown", "XX", ""],
        ["4", "name", "name is not valid UTF-8", "4", "Ren\ufffde", "", "FR", ""],
        ["5", "row", "expected 5 columns, found 4", "5", "Cy", "", "FR"],
        ["6", "row", rows[4][2], *rows[4][3:]],
        ["7", "jurisdiction", rows[5][2], "7", "'@Di", "'-Road", "'=FR", "'+1"],
    ]
    assert rows[4][3:] == []  # no cells for the row the CSV reader could not parse
    assert rows[4][2].startswith("malformed CSV")


def test_cells_are_all_quoted(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,jurisdiction\n1,XX\n")
    source = open_population(tmp_path / "p.csv")
    out = tmp_path / "r.csv"
    write_rejected_rows(out, [RowError(row=1, field="jurisdiction", message="bad")], source)
    assert out.read_text().splitlines() == [
        '"row","field","message","id","jurisdiction"',
        '"1","jurisdiction","bad","1","XX"',
    ]


def test_jsonl_rows_are_written_as_their_line(tmp_path: Path) -> None:
    content = b'\xef\xbb\xbf{"id": "1", "jurisdiction": "XX"}\r\n{"id": "2"}\n{bad\n'
    rows, written = rejected(tmp_path, "p.jsonl", content)
    assert written == 3
    assert [row[:2] + row[3:] for row in rows] == [
        ["row", "field", "line"],
        ["1", "jurisdiction", '{"id": "1", "jurisdiction": "XX"}'],
        ["2", "jurisdiction", '{"id": "2"}'],
        ["3", "row", "{bad"],
    ]


def test_errors_for_rows_past_the_end_or_out_of_order_are_kept(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,jurisdiction\n1,FR\n2,FR\n3,FR\n")
    source = open_population(tmp_path / "p.csv")
    errors = [
        RowError(row=2, field="id", message="a"),
        RowError(row=1, field="id", message="b"),
        RowError(row=9, field="row", message="c"),
    ]
    out = tmp_path / "r.csv"
    assert write_rejected_rows(out, errors, source) == 3
    assert read_csv(out)[1:] == [["2", "id", "a", "2", "FR"], ["1", "id", "b"], ["9", "row", "c"]]


def test_no_errors_writes_the_header_only(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_bytes(b"")
    source = open_population(tmp_path / "p.csv")
    out = tmp_path / "r.csv"
    assert write_rejected_rows(out, [], source) == 0
    assert read_csv(out) == [["row", "field", "message"]]
