"""Reading population files: formats, validation, row numbers, slices and counts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from herald import population
from herald.models import DataCategory, Person, PopulationFormat, RowError
from herald.population import (
    PopulationFileError,
    count_rows,
    is_valid_email,
    iter_rows,
    normalise_language,
    open_population,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = "id,name,email,phone,push_token,postal_address,jurisdiction,language,data_categories"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def read(path: Path, **kwargs: int) -> list[Person | RowError]:
    return list(iter_rows(open_population(path), **kwargs))


def people(items: list[Person | RowError]) -> list[Person]:
    return [item for item in items if isinstance(item, Person)]


def errors(items: list[Person | RowError]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


# ---- open_population ------------------------------------------------------------------------


def test_open_population_describes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "people.CSV", "id,jurisdiction\n1,FR\n")
    source = open_population(path)
    assert source.format is PopulationFormat.CSV
    assert source.path == str(path.resolve())
    assert Path(source.path).is_absolute()
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_open_population_json_lines(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path, f"people{suffix}", '{"id": "1", "jurisdiction": "FR"}\n')
    assert open_population(path).format is PopulationFormat.JSONL


def test_open_population_refuses_other_extensions(tmp_path: Path) -> None:
    path = write(tmp_path, "people.xlsx", "whatever")
    with pytest.raises(ValueError, match="people.xlsx"):
        open_population(path)


# ---- CSV ------------------------------------------------------------------------------------


def test_csv_full_row_with_bom_and_whitespace(tmp_path: Path) -> None:
    content = (
        "\ufeff" + HEADER + "\n"
        " p1 , Ada Lovelace , ada@example.com , +14155550100 , tok-1 , , us-ca , en-us ,"
        " name; email ;account_credentials\n"
    )
    [person] = read(write(tmp_path, "p.csv", content))
    assert person == Person(
        row=1,
        id="p1",
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+14155550100",
        push_token="tok-1",
        postal_address=None,
        jurisdiction="US-CA",
        language="en-US",
        data_categories=(
            DataCategory.NAME,
            DataCategory.EMAIL,
            DataCategory.ACCOUNT_CREDENTIALS,
        ),
    )


def test_csv_quoted_fields_with_commas_and_newlines_are_one_row(tmp_path: Path) -> None:
    content = (
        "id,name,postal_address,jurisdiction\n"
        '1,"Doe, Jane","1 Example Street\nSpringfield, CA 90000\nUnited States",US-CA\n'
        '2,"Said ""Sam"" Smith",,FR\n'
    )
    path = write(tmp_path, "p.csv", content)
    first, second = read(path)
    assert isinstance(first, Person) and isinstance(second, Person)
    assert first.name == "Doe, Jane"
    assert first.postal_address == "1 Example Street\nSpringfield, CA 90000\nUnited States"
    assert (second.row, second.name) == (2, 'Said "Sam" Smith')
    assert count_rows(open_population(path)) == 2


def test_csv_missing_optional_columns_and_extra_columns(tmp_path: Path) -> None:
    content = "ID,Jurisdiction,Loyalty Tier,notes\nA1,DE,gold,\nA2,FR,,\n"
    first, second = read(write(tmp_path, "p.csv", content))
    assert isinstance(first, Person) and isinstance(second, Person)
    assert first.email is None and first.name == "" and first.data_categories == ()
    assert first.extra == {"Loyalty Tier": "gold"}
    assert second.extra == {}


def test_csv_header_without_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "id,name\n1,Ann\n")
    with pytest.raises(PopulationFileError, match="jurisdiction"):
        read(path)


def test_csv_header_only_and_empty_file(tmp_path: Path) -> None:
    assert read(write(tmp_path, "a.csv", HEADER + "\n")) == []
    assert read(write(tmp_path, "b.csv", "")) == []
    assert count_rows(open_population(tmp_path / "b.csv")) == 0


def test_bad_rows_are_reported_and_good_rows_still_yielded(tmp_path: Path) -> None:
    content = (
        "id,email,jurisdiction,data_categories\n"
        "1,a@example.com,US-CA,name\n"
        ",b@example.com,US-CA,name\n"  # missing id
        "3,c@example.com,XX-99,name\n"  # unknown jurisdiction
        "4,d@example.com,,name\n"  # missing jurisdiction
        "5,e@example.com,FR,name;social_security\n"  # unknown category
        "6,f@example.com,FR\n"  # too few columns
        "7,g@example.com,FR,name,extra\n"  # too many columns
        "8,h@example.com,DE,email\n"
    )
    items = read(write(tmp_path, "p.csv", content))
    assert [p.id for p in people(items)] == ["1", "8"]
    assert [(e.row, e.field) for e in errors(items)] == [
        (2, "id"),
        (3, "jurisdiction"),
        (4, "jurisdiction"),
        (5, "data_categories"),
        (6, "row"),
        (7, "row"),
    ]
    assert "expected 4 columns, found 3" in errors(items)[4].message
    # Errors never echo the data they reject.
    for error in errors(items):
        for value in ("example.com", "XX-99", "social_security"):
            assert value not in error.message


def test_old_numeric_chinese_code_is_normalised(tmp_path: Path) -> None:
    items = read(write(tmp_path, "p.csv", "id,jurisdiction\n1,CN-31\n2,cn-sh\n"))
    assert [p.jurisdiction for p in people(items)] == ["CN-SH", "CN-SH"]


def test_invalid_contact_point_is_dropped_not_the_row(tmp_path: Path) -> None:
    content = (
        "id,email,phone,language,jurisdiction\n"
        "1,not-an-email,+14155550100,en,US-CA\n"
        "2,ok@example.com,555-0100,zh-cn,US-CA\n"
        "3,broken@,,english please,US-CA\n"
    )
    items = read(write(tmp_path, "p.csv", content))
    # For each row: its warnings first, then the person with those fields dropped.
    assert [type(item).__name__ for item in items] == [
        "RowError",
        "Person",
        "RowError",
        "Person",
        "RowError",
        "RowError",
        "Person",
    ]
    assert [(e.row, e.field) for e in errors(items)] == [
        (1, "email"),
        (2, "phone"),
        (3, "email"),
        (3, "language"),
    ]
    assert all("field dropped, row kept" in e.message for e in errors(items))
    first, second, third = people(items)
    assert (first.email, first.phone) == (None, "+14155550100")
    assert (second.email, second.phone, second.language) == ("ok@example.com", None, "zh-CN")
    # Kept even with no contact point left: the person is still affected and is counted.
    assert (third.email, third.phone, third.language) == (None, None, None)


def test_phone_formatting_is_removed_before_the_e164_check(tmp_path: Path) -> None:
    items = read(write(tmp_path, "p.csv", 'id,phone,jurisdiction\n1,"+44 (0)7700-900.123",GB\n'))
    assert errors(items)[0].field == "phone"  # a trunk "(0)" is not E.164
    items = read(write(tmp_path, "q.csv", "id,phone,jurisdiction\n1,+44 7700 900123,GB\n"))
    assert people(items)[0].phone == "+447700900123"


def test_duplicate_id_rejects_the_later_row(tmp_path: Path) -> None:
    content = "id,jurisdiction\n1,FR\n2,FR\n1,DE\n"
    items = read(write(tmp_path, "p.csv", content))
    assert [p.row for p in people(items)] == [1, 2]
    [error] = errors(items)
    assert (error.row, error.field) == (3, "id")
    assert "duplicate" in error.message


def test_slices_and_duplicates_within_the_slice_only(tmp_path: Path) -> None:
    content = "id,jurisdiction\n1,FR\n2,FR\n3,FR\n1,FR\n5,FR\n"
    path = write(tmp_path, "p.csv", content)
    assert [p.id for p in people(read(path, start_row=2, end_row=3))] == ["2", "3"]
    # Row 4 repeats row 1, which lies outside the slice: not detected here.
    assert [p.row for p in people(read(path, start_row=2))] == [2, 3, 4, 5]
    assert read(path, start_row=6) == []
    assert read(path, start_row=3, end_row=2) == []
    with pytest.raises(ValueError):
        read(path, start_row=0)


def test_csv_slice_stops_reading_after_end_row(tmp_path: Path) -> None:
    # An unterminated quote in row 3 would swallow the rest of the file; not read at all.
    path = write(tmp_path, "p.csv", 'id,jurisdiction\n1,FR\n2,FR\n"3,FR\n4,FR\n')
    assert [p.id for p in people(read(path, end_row=2))] == ["1", "2"]


def test_csv_invalid_utf8_reports_the_row_and_continues(tmp_path: Path) -> None:
    content = b"id,name,jurisdiction\n1,Ren\xe9e,FR\n2,Zo\xc3\xa9,FR\n"
    items = read(write(tmp_path, "p.csv", content))
    [error] = errors(items)
    assert (error.row, error.field) == (1, "name")
    assert "UTF-8" in error.message
    assert [p.name for p in people(items)] == ["Zoé"]


def test_blank_csv_rows_are_skipped_but_keep_their_number(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "id,jurisdiction\n1,FR\n\n,\n4,FR\n")
    assert [p.row for p in people(read(path))] == [1, 4]
    assert count_rows(open_population(path)) == 4


def test_slices_seek_to_remembered_row_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population, "_STEP", 3)
    monkeypatch.setattr(population, "_files", {})
    rows = []
    for n in range(1, 23):
        if n % 5 == 0:
            rows.append("")  # blank row
        elif n % 7 == 0:
            rows.append(f"{n},FR,too,many")  # wrong column count
        else:
            rows.append(f'{n},FR,"line one\nline two, with comma"')
    path = write(tmp_path, "p.csv", "id,jurisdiction,postal_address\n" + "\n".join(rows) + "\n")
    source = open_population(path)
    full = list(iter_rows(source))  # also records row starts every 3 rows
    assert population._files  # checkpoints were taken
    assert count_rows(source) == 22
    for start in range(1, 24):
        for end in (start, start + 4, None):
            expected = [i for i in full if start <= i.row and (end is None or i.row <= end)]
            assert list(iter_rows(source, start_row=start, end_row=end)) == expected


def test_jsonl_slices_seek_to_remembered_row_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population, "_STEP", 4)
    monkeypatch.setattr(population, "_files", {})
    lines = [
        "" if n % 6 == 0 else "{bad" if n % 7 == 0 else json.dumps({"id": n, "jurisdiction": "FR"})
        for n in range(1, 30)
    ]
    source = open_population(write(tmp_path, "p.jsonl", "\n".join(lines)))
    full = list(iter_rows(source))
    assert population._files
    for start in range(1, 31):
        for end in (start, start + 5, None):
            expected = [i for i in full if start <= i.row and (end is None or i.row <= end)]
            assert list(iter_rows(source, start_row=start, end_row=end)) == expected


def test_a_changed_file_is_not_read_from_stale_row_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population, "_STEP", 2)
    path = write(tmp_path, "p.csv", "id,jurisdiction\n" + "".join(f"{n},FR\n" for n in range(1, 9)))
    assert count_rows(open_population(path)) == 8
    path.write_text("id,jurisdiction\n" + "".join(f"long-id-{n},DE\n" for n in range(1, 9)))
    items = read(path, start_row=5, end_row=6)
    assert [(p.row, p.id) for p in people(items)] == [(5, "long-id-5"), (6, "long-id-6")]


def test_oversized_csv_field_is_reported_and_reading_continues(tmp_path: Path) -> None:
    content = 'id,jurisdiction,name\n1,FR,"' + "x" * 200_000 + '"\n2,FR,Ann\n'
    items = read(write(tmp_path, "p.csv", content))
    assert any(isinstance(i, RowError) and i.row == 1 and i.field == "row" for i in items)
    assert [p.id for p in people(items)][-1:] == ["2"]


# ---- JSONL ----------------------------------------------------------------------------------


def test_jsonl_rows_blank_lines_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "jurisdiction": "US-CA", "data_categories": ["name", "email"]}),
        "",
        json.dumps({"id": "2", "jurisdiction": "FR", "data_categories": "name;health"}),
        '{"id": "3", "jurisdiction": ',
        "[1, 2]",
        json.dumps({"id": "6", "jurisdiction": "DE", "tier": "gold", "tags": ["a"], "n": None}),
        json.dumps({"id": ["7"], "jurisdiction": "DE"}),
    ]
    path = write(tmp_path, "p.jsonl", "\ufeff" + "\n".join(lines))  # BOM, no final newline
    items = read(path)
    assert [(p.row, p.id) for p in people(items)] == [(1, "1"), (3, "2"), (6, "6")]
    assert people(items)[0].data_categories == (DataCategory.NAME, DataCategory.EMAIL)
    assert people(items)[1].data_categories == (DataCategory.NAME, DataCategory.HEALTH)
    assert people(items)[2].extra == {"tier": "gold", "tags": '["a"]'}
    assert [(e.row, e.field) for e in errors(items)] == [(4, "row"), (5, "row"), (7, "id")]
    assert "not valid JSON" in errors(items)[0].message
    assert count_rows(open_population(path)) == 7


def test_jsonl_invalid_utf8_reports_the_row_and_continues(tmp_path: Path) -> None:
    content = b'{"id": "1", "name": "Ren\xe9e", "jurisdiction": "FR"}\n'
    content += b'{"id": "2", "jurisdiction": "FR"}\n'
    items = read(write(tmp_path, "p.jsonl", content))
    assert [(e.row, e.field) for e in errors(items)] == [(1, "name")]
    assert [p.id for p in people(items)] == ["2"]


def test_jsonl_slice(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(n), "jurisdiction": "FR"}) for n in range(1, 11)]
    path = write(tmp_path, "p.jsonl", "\n".join(lines) + "\n")
    assert [p.row for p in people(read(path, start_row=4, end_row=6))] == [4, 5, 6]
    assert count_rows(open_population(path)) == 10


# ---- helpers and examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ann@example.com", True),
        ("first.last+tag@sub.example.org", True),
        ("no-at.example.com", False),
        ("two@@example.com", False),
        ("ann@localhost", False),
        ("ann@example..com", False),
        ("ann example@example.com", False),
        ("@example.com", False),
    ],
)
def test_is_valid_email(address: str, valid: bool) -> None:
    assert is_valid_email(address) is valid


@pytest.mark.parametrize(
    ("tag", "normalised"),
    [
        ("EN", "en"),
        ("zh_cn", "zh-CN"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("english", None),
        ("e", None),
    ],
)
def test_normalise_language(tag: str, normalised: str | None) -> None:
    assert normalise_language(tag) == normalised


def test_example_files_parse() -> None:
    csv_source = open_population(EXAMPLES / "population.csv")
    csv_items = list(iter_rows(csv_source))
    assert count_rows(csv_source) == len({item.row for item in csv_items})
    assert {(e.field, e.message) for e in errors(csv_items)} == {
        ("id", "missing id"),
        ("jurisdiction", "unknown jurisdiction (expected ISO 3166-1 or 3166-2 code)"),
    }
    assert len(people(csv_items)) >= 50
    jsonl_items = list(iter_rows(open_population(EXAMPLES / "population.jsonl")))
    assert errors(jsonl_items) == [] and len(jsonl_items) == 10


def test_us_style_phone_brackets_are_formatting(tmp_path: Path) -> None:
    items = read(write(tmp_path, "p.csv", 'id,phone,jurisdiction\n1,"+1 (415) 555-0100",US-CA\n'))
    assert people(items)[0].phone == "+14155550100"
