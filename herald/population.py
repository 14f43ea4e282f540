"""Read a population file (CSV or JSONL) as a stream of people and row errors.

The file is never loaded whole: `iter_rows` parses one row at a time, so a million-row
population costs the memory of one row (plus the set of ids seen, for duplicate detection).

Row numbers are 1-based *data* row numbers: for CSV the header is not a data row and a quoted
field spanning several lines still counts as one row; for JSONL the row number is the line
number. Blank rows are skipped but keep their number, so `count_rows` and `iter_rows` agree on
every row's number and a campaign can split the file into row ranges.

How to read the stream of `iter_rows`:

* a `Person` alone: a good row;
* one or more `RowError` and no `Person` for that row: the row was rejected;
* one or more `RowError` followed by a `Person` for the same row: the row was kept and only
  the named optional fields were dropped (an invalid email, phone or language: the person is
  still affected and counted, and may be reachable another way). Such messages end with
  "field dropped, row kept".

Errors name the row and the field, never the value (see `herald.population_checks`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from herald.models.population import Person, PopulationFormat, PopulationSource, RowError
from herald.population_checks import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ROW_FIELD,
    is_valid_email,
    normalise_language,
    to_person,
)

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "PopulationFileError",
    "count_rows",
    "is_valid_email",
    "iter_rows",
    "normalise_language",
    "open_population",
]

_EXTENSIONS: dict[str, PopulationFormat] = {
    ".csv": PopulationFormat.CSV,
    ".jsonl": PopulationFormat.JSONL,
    ".ndjson": PopulationFormat.JSONL,
}
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Lone surrogates are how undecodable bytes appear under errors="surrogateescape".
_SURROGATE = re.compile("[\udc80-\udcff]")
_CHUNK = 1 << 20

_TOO_DEEP = "not valid JSON (nested too deeply)"

_Record = Mapping[str, object]


class PopulationFileError(ValueError):
    """The file as a whole is not a population file (e.g. the header lacks `id`)."""


def open_population(path: str | Path) -> PopulationSource:
    """Describe a population file: absolute path, format from the extension, SHA-256.

    Args:
        path: The CSV (`.csv`) or JSON Lines (`.jsonl`, `.ndjson`) file.

    Returns:
        A `PopulationSource` that workflows can carry instead of the rows.

    Raises:
        ValueError: The extension is not one Herald reads.
        FileNotFoundError: The file does not exist.
    """
    resolved = Path(path).expanduser().resolve()
    fmt = _EXTENSIONS.get(resolved.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise ValueError(f"{resolved}: unsupported population file type (expected {known})")
    stat = resolved.stat()
    return PopulationSource(
        path=str(resolved),
        format=fmt,
        sha256=_digest(resolved),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )


def verify_population(source: PopulationSource, *, deep: bool = True) -> None:
    """Refuse a population file that changed since the incident started.

    Campaigns partition the file by row number and the ledger trusts those rows, so an
    edited file would shift who is in which batch: a new file means a new incident input.
    The deep check hashes the whole file (once per campaign); the shallow one compares size
    and modification time (before every batch).

    Raises:
        PopulationFileError: the file is gone or differs.
    """
    path = Path(source.path)
    if not path.is_file():
        raise PopulationFileError(f"population file {source.label} is missing")
    stat = path.stat()
    if source.size and (stat.st_size, stat.st_mtime_ns) != (source.size, source.mtime_ns):
        raise PopulationFileError(
            f"population file {source.label} changed since the incident started"
        )
    if deep and _digest(path) != source.sha256:
        raise PopulationFileError(
            f"population file {source.label} changed since the incident started"
        )


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def iter_rows(
    source: PopulationSource, *, start_row: int = 1, end_row: int | None = None
) -> Iterator[Person | RowError]:
    """Stream the people in data rows `start_row`..`end_row` (inclusive, 1-based).

    Yields a `Person` per good row and a `RowError` per problem; see the module docstring
    for how errors and people of the same row relate. Duplicate ids are detected only within
    the streamed slice: when `start_row > 1`, an id first seen before `start_row` is not
    known here (the delivery ledger's unique key still prevents a second send).

    Args:
        source: The population, from `open_population`.
        start_row: First data row to read.
        end_row: Last data row to read; `None` reads to the end of the file.

    Raises:
        ValueError: `start_row` is below 1.
        PopulationFileError: A CSV header lacks a required column or repeats a column, or
            the file is UTF-16.
    """
    if start_row < 1:
        raise ValueError("start_row must be 1 or more")
    if end_row is not None and end_row < start_row:
        return
    seen: set[str] = set()
    records = _csv_records if source.format is PopulationFormat.CSV else _jsonl_records
    for row, record in records(Path(source.path), start_row, end_row):
        if isinstance(record, RowError):
            yield record
            continue
        try:
            person, errors = to_person(row, record, seen)
        except RecursionError:  # a JSON value nested deeper than Python can copy
            yield RowError(row=row, field=ROW_FIELD, message=_TOO_DEEP)
            continue
        yield from errors
        if person is not None:
            seen.add(person.id)
            yield person


def count_rows(source: PopulationSource) -> int:
    """The number of data rows, i.e. the last row number `iter_rows` can yield.

    Blank rows are counted, as they keep their number in `iter_rows`.
    """
    path = Path(source.path)
    if source.format is PopulationFormat.JSONL:
        lines, last = 0, b""
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk
        # A final line without a newline is still a line.
        return lines + (1 if last and not last.endswith(b"\n") else 0)
    return max((row for row, _ in _csv_records(path, 1, None, parse=False)), default=0)


# ---- where rows start -------------------------------------------------------------------------

# A campaign reads a file in many row ranges; finding row 995,001 of a CSV means parsing every
# row before it, since quoted fields may hold newlines (and of a JSONL file, reading every
# line). So whenever a file is read, the byte offset of every _STEP-th row is remembered (per
# file version, in this process) and later reads seek to the nearest one. Offsets are only
# recorded by the reader itself at a row boundary, so seeking there gives exactly the rows a
# full read would.
_STEP = 1_000
_MAX_FILES = 16


class _Checkpoints:
    """Row number → byte offset where that row starts, for one version of one file."""

    def __init__(self) -> None:
        self._offsets: dict[int, int] = {}
        self._lock = threading.Lock()  # activities may read the same file from threads

    def record(self, row: int, offset: int) -> None:
        with self._lock:
            self._offsets[row] = offset

    def nearest(self, row: int) -> tuple[int, int] | None:
        """The known row start at or before `row`, as (row, offset)."""
        with self._lock:
            best = max((r for r in self._offsets if r <= row), default=None)
            return None if best is None else (best, self._offsets[best])


_files: dict[tuple[str, int, int, int], _Checkpoints] = {}
_files_lock = threading.Lock()


def _file_checkpoints(path: Path) -> _Checkpoints:
    """The checkpoints of the file as it is now (a changed file starts afresh)."""
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _files_lock:
        found = _files.get(key)
        if found is None:
            while len(_files) >= _MAX_FILES:
                _files.pop(next(iter(_files)))
            found = _files[key] = _Checkpoints()
        return found


# ---- reading records ----------------------------------------------------------------------


class _Lines:
    """Decoded lines of a binary file, keeping the byte offset of the next unread line."""

    def __init__(self, handle: BinaryIO, offset: int) -> None:
        self._handle = handle
        self.offset = offset

    def __iter__(self) -> Iterator[str]:
        for raw in self._handle:
            # A lone CR ends a line too (old Mac exports), as under open(newline="").
            for piece in raw.splitlines(keepends=True) if b"\r" in raw else (raw,):
                line = piece[3:] if self.offset == 0 and piece.startswith(_BOM) else piece
                self.offset += len(piece)
                # surrogateescape keeps the stream going past invalid UTF-8; the bad bytes
                # show up as lone surrogates and are reported for the row that holds them.
                yield line.decode("utf-8", "surrogateescape")


def _csv_records(
    path: Path, start_row: int, end_row: int | None, *, parse: bool = True
) -> Iterator[tuple[int, _Record | RowError]]:
    """Yield (row number, column → value) for non-blank CSV rows in the range.

    With `parse=False`, yield (row number, {}) for every row, blank or not (for counting).
    """
    checkpoints = _file_checkpoints(path)
    with path.open("rb") as handle:
        lines = _Lines(handle, 0)
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise PopulationFileError(f"{path}: unreadable CSV header ({exc})") from None
        columns = _columns(path, header) if parse else []
        row = 0
        nearest = checkpoints.nearest(start_row)
        if nearest is not None and nearest[0] > 1:
            # The csv reader keeps no state between records, so a fresh one can start here.
            row, offset = nearest[0] - 1, nearest[1]
            handle.seek(offset)
            lines = _Lines(handle, offset)
            reader = csv.reader(lines)
        while end_row is None or row < end_row:
            error: str | None = None
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # The csv module's messages describe the syntax, not the data.
                values, error = [], f"malformed CSV: {exc}"
            row += 1
            if row % _STEP == 0:
                checkpoints.record(row + 1, lines.offset)
            if row < start_row:
                continue
            if not parse:
                yield row, {}
            elif error is not None:
                yield row, RowError(row=row, field=ROW_FIELD, message=error)
            elif not any(v.strip() for v in values):
                continue
            elif len(values) != len(columns):
                message = f"expected {len(columns)} columns, found {len(values)}"
                yield row, RowError(row=row, field=ROW_FIELD, message=message)
            elif _SURROGATE.search("".join(values)):
                field = next(
                    c for c, v in zip(columns, values, strict=True) if _SURROGATE.search(v)
                )
                yield row, _not_utf8(row, field or ROW_FIELD)
            else:
                yield row, {name: v for name, v in zip(columns, values, strict=True) if name}


def _columns(path: Path, header: list[str]) -> list[str]:
    """Canonical column names: contract columns match case-insensitively; '' is ignored."""
    columns = []
    for raw in header:
        name = raw.strip()
        columns.append(name.lower() if name.lower() in COLUMNS else name)
    joined = "".join(header)
    if "\x00" in joined or joined.startswith(("\udcff\udcfe", "\udcfe\udcff")):
        raise PopulationFileError(f"{path}: file looks like UTF-16 (save it as UTF-8)")
    if any(_SURROGATE.search(name) for name in columns):
        raise PopulationFileError(f"{path}: header is not valid UTF-8 (save the file as UTF-8)")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise PopulationFileError(f"{path}: header lacks required column(s) {', '.join(missing)}")
    named = [c for c in columns if c]
    repeated = sorted(c for c, n in Counter(named).items() if n > 1)
    if repeated:
        raise PopulationFileError(f"{path}: header repeats column(s) {', '.join(repeated)}")
    return columns


def _jsonl_records(
    path: Path, start_row: int, end_row: int | None
) -> Iterator[tuple[int, _Record | RowError]]:
    """Yield (line number, object) for non-blank JSON lines in the range."""
    for row, raw in _jsonl_lines(path, start_row, end_row):
        if row == 1 and raw.startswith(_BOM):
            raw = raw[3:]
        elif row == 1 and raw.startswith(_UTF16_BOMS):
            raise PopulationFileError(f"{path}: file looks like UTF-16 (save it as UTF-8)")
        line = raw.decode("utf-8", errors="surrogateescape").strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            message = f"not valid JSON ({exc.msg} at column {exc.colno})"
            yield row, RowError(row=row, field=ROW_FIELD, message=message)
            continue
        except RecursionError:
            yield row, RowError(row=row, field=ROW_FIELD, message=_TOO_DEEP)
            continue
        if not isinstance(obj, dict):
            yield row, RowError(row=row, field=ROW_FIELD, message="not a JSON object")
        elif _SURROGATE.search(line):
            yield row, _not_utf8(row, _surrogate_key(obj))
        else:
            yield row, obj


def _jsonl_lines(path: Path, start_row: int, end_row: int | None) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for the lines in the range, seeking to a known line start."""
    checkpoints = _file_checkpoints(path)
    with path.open("rb") as handle:
        row = offset = 0
        nearest = checkpoints.nearest(start_row)
        if nearest is not None:
            row, offset = nearest[0] - 1, nearest[1]
            handle.seek(offset)
        for raw in handle:
            if end_row is not None and row >= end_row:
                return
            row += 1
            offset += len(raw)
            if row % _STEP == 0:
                checkpoints.record(row + 1, offset)
            if row >= start_row:
                yield row, raw


def _surrogate_key(obj: dict[str, object]) -> str:
    """The top-level key whose key or value holds undecodable bytes."""
    for key, value in obj.items():
        if _SURROGATE.search(key):
            return ROW_FIELD
        if _SURROGATE.search(json.dumps(value, ensure_ascii=False)):
            return key
    return ROW_FIELD


def _not_utf8(row: int, field: str) -> RowError:
    return RowError(row=row, field=field, message=f"{field} is not valid UTF-8")
