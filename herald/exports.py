"""Files Herald writes for people to open in a spreadsheet, safe from formula injection.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is run as a formula when the file is opened:
`=HYPERLINK(...)` can leak data, `+cmd|...` can start programs. Population files come from
outside, so every cell Herald exports is escaped as OWASP advises for CSV injection: a
single quote before such a cell, which spreadsheets show as text and do not evaluate.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterable
from contextlib import closing
from pathlib import Path

from herald.models.population import PopulationFormat, PopulationSource, RowError

# The population reader's own line splitter (BOM, CR, invalid UTF-8), so that rows are
# numbered here exactly as `iter_rows` numbers them.
from herald.population import _Lines

__all__ = ["FORMULA_PREFIXES", "escape_formula", "readable", "write_rejected_rows"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Columns written before the row's own cells.
REJECTED_COLUMNS = ("row", "field", "message")

# (0, header cells), then (row number, cells) per data row.
_Rows = Generator[tuple[int, list[str]], None, None]


def escape_formula(value: str) -> str:
    """`value` with a leading `'` if a spreadsheet would read it as a formula; else as is."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def readable(value: str) -> str:
    """`value` as valid UTF-8: bytes that were not UTF-8 where it came from (lone surrogates,
    as the population reader keeps them) become U+FFFD, which a file can hold and shows."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write_rejected_rows(
    path: str | Path, errors: Iterable[RowError], source: PopulationSource
) -> int:
    """Write a CSV of the rows behind `errors`: one line per error, then the row's cells.

    Columns: `row`, `field`, `message`, then the population's own columns (CSV) or its raw
    `line` (JSON Lines). Every cell is formula-escaped and quoted; bytes that were not valid
    UTF-8 become U+FFFD. A row whose cells could not be parsed (e.g. a field over the CSV
    size limit) is written with the error and no cells. The population is streamed once
    alongside `errors`, so neither needs to fit in memory.

    Args:
        path: Where to write (replaced if present).
        errors: Row errors in row order, as `iter_rows` yields them (any subset of them).
        source: The population the errors came from.

    Returns:
        The number of errors written.
    """
    pending = iter(errors)
    read = _csv_rows if source.format is PopulationFormat.CSV else _jsonl_rows
    written = 0
    with (
        closing(read(Path(source.path))) as rows,
        Path(path).open("w", encoding="utf-8", newline="") as out,
    ):
        _, header = next(rows, (0, []))
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(_safe([*REJECTED_COLUMNS, *header]))
        error = next(pending, None)
        for row, cells in rows:
            # An error for a row already passed (out of order) is still written, uncelled.
            while error is not None and error.row <= row:
                own = cells if error.row == row else []
                writer.writerow(_safe([str(error.row), error.field, error.message, *own]))
                written += 1
                error = next(pending, None)
            if error is None:
                break
        while error is not None:  # past the end of the file (it changed since?)
            writer.writerow(_safe([str(error.row), error.field, error.message]))
            written += 1
            error = next(pending, None)
    return written


def _safe(cells: list[str]) -> list[str]:
    return [escape_formula(readable(cell)) for cell in cells]


def _csv_rows(path: Path) -> _Rows:
    """(0, header), then (row number, cells) of every data row, numbered as `iter_rows` does."""
    with path.open("rb") as handle:
        reader = csv.reader(_Lines(handle, 0))
        row = -1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error:
                values = []
            row += 1
            yield row, values


def _jsonl_rows(path: Path) -> _Rows:
    """(0, the header), then (line number, [raw line]) of every line."""
    yield 0, ["line"]
    with path.open("rb") as handle:
        for row, raw in enumerate(handle, start=1):
            line = raw[3:] if row == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
            yield row, [line.decode("utf-8", "surrogateescape").rstrip("\r\n")]
