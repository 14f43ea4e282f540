"""Print batches for the print-mail house: PDFs, manifests, atomic retries, lookup."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdf
import pytest

from herald.channels.base import ChannelAdapter, OutgoingMessage, make_idempotency_key
from herald.channels.config import ProviderSettings
from herald.channels.letter import (
    A4,
    INDEX,
    MANIFEST_COLUMNS,
    US_LETTER,
    PrintHouseLetters,
    batch_id,
    paper_for,
)
from herald.channels.validate import MAX_ADDRESS_LINES
from herald.models import Channel, content_hash

INCIDENT = "INC-2026-009"
BODIES = {
    "en": "Notice of Data Breach\n=====================\n\nDear [[recipient_name]],\n\n"
    "We are writing to tell you about an incident.\n",
    "zh-CN": "数据泄露通知\n============\n\n[[recipient_name]]，您好：\n\n"
    "我们特此通知您一起事件。\n",
    "de": "Benachrichtigung\n================\n\nSehr geehrte(r) [[recipient_name]],\n\n"
    "wir informieren Sie über einen Vorfall.\n",
}
# (person, language, name, address): hostile names and address lines.
PEOPLE = [
    (
        "P1",
        "en",
        '<b>Avery</b> =HYPERLINK("http://evil.example","x")',
        "107 Example Street\nLos Angeles, CA 90012\nUSA",
    ),
    ("P2", "zh-CN", "王小明 <script>x</script>", "+SUM(1,2)\n北京市朝阳区建国路88号\n100022\n中国"),
    ("P3", "de", "@SUM(A1) Jürgen Müller", "Friedrichstraße 100\n10117 Berlin\nDeutschland"),
    ("P4", "en", "-2+3 Smith & Sons", "10 Downing Row\nLondon SW1A 2AA\nUnited Kingdom"),
]
PHRASE = {
    "en": "We are writing to tell you",
    "zh-CN": "我们特此通知您一起事件",
    "de": "wir informieren Sie",
}


def letter(person: str, language: str, name: str, address: str) -> OutgoingMessage:
    body = BODIES[language]
    return OutgoingMessage(
        incident_id=INCIDENT,
        person_id=person,
        channel=Channel.LETTER,
        to=address,
        recipient_name=name,
        greeting_name=name,
        subject=None,
        body=body,
        language=language,
        content_hash=content_hash(None, body),
        idempotency_key=make_idempotency_key(INCIDENT, person, Channel.LETTER),
    )


def adapter(root: Path) -> PrintHouseLetters:
    return PrintHouseLetters(
        root,
        entity_name="Example GmbH",
        sender_address="Friedrichstraße 1\n10117 Berlin",
        today=lambda: date(2026, 3, 5),
    )


def pdf_text(data: bytes) -> str:
    """The printed text without whitespace (extraction may break lines anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def squeezed(text: str) -> str:
    return "".join(text.split())


def read_manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == MANIFEST_COLUMNS
        return list(reader)


@dataclass
class Batch:
    root: Path
    letters: PrintHouseLetters
    messages: list[OutgoingMessage]
    ids: list[str]

    @property
    def folder(self) -> Path:
        return self.root / INCIDENT / self.ids[0].split("/")[0]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """One batch of four hostile letters (printed once for the read-only tests)."""
    root = tmp_path_factory.mktemp("letters")
    letters = adapter(root)
    messages = [letter(*person) for person in PEOPLE]
    results = letters.send_batch(messages)
    assert all(r.accepted and r.permanent_error is None for r in results)
    return Batch(root, letters, messages, [str(r.provider_message_id) for r in results])


def test_print_house_is_a_channel_adapter(tmp_path: Path) -> None:
    letters = adapter(tmp_path)
    assert isinstance(letters, ChannelAdapter)
    assert letters.max_batch == 200


def test_one_folder_named_by_the_keys_with_a_pdf_per_letter(batch: Batch) -> None:
    keys = [m.idempotency_key for m in batch.messages]
    assert batch.folder.name == batch_id(keys) == batch_id(list(reversed(keys)))
    for message, where in zip(batch.messages, batch.ids, strict=True):
        file = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32] + ".pdf"
        assert where == f"{batch.folder.name}/{file}"
    names = sorted(p.name for p in batch.folder.iterdir())
    assert names == sorted([w.split("/")[1] for w in batch.ids] + ["manifest.csv", "manifest.json"])
    # Nothing half-written or hidden is left next to the batch.
    assert {p.name for p in (batch.root / INCIDENT).iterdir()} == {INDEX, batch.folder.name}


def test_file_names_carry_no_personal_data(batch: Batch) -> None:
    paths = [p.relative_to(batch.root).as_posix() for p in batch.root.rglob("*")]
    for path in paths:
        for _, _, name, address in PEOPLE:
            for word in (name.split() + address.split())[:4]:
                if len(word) > 3:
                    assert word not in path


def test_pdfs_print_name_address_and_text_on_the_right_paper(batch: Batch) -> None:
    for (_, language, name, address), where in zip(PEOPLE, batch.ids, strict=True):
        data = (batch.folder / where.split("/")[1]).read_bytes()
        text = pdf_text(data)
        assert squeezed(name) in text  # as text: the markup and formula are printed, inert
        for line in address.splitlines():
            assert squeezed(line) in text
        assert squeezed(PHRASE[language]) in text
        assert "ExampleGmbH" in text
        width = round(float(pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox.width))
        assert width == (612 if address.endswith("USA") else 595)
    # The date is written for the reader: month first on the US letter.
    assert "March5,2026" in pdf_text((batch.folder / batch.ids[0].split("/")[1]).read_bytes())
    assert "5.März2026" in pdf_text((batch.folder / batch.ids[2].split("/")[1]).read_bytes())


def test_manifest_rows_match_the_pdfs_and_escape_formulas(batch: Batch) -> None:
    rows = read_manifest(batch.folder)
    assert [r["file"] for r in rows] == sorted(w.split("/")[1] for w in batch.ids)
    by_key = {
        m.idempotency_key: (m, person) for m, person in zip(batch.messages, PEOPLE, strict=True)
    }
    for row in rows:
        message, (_, language, name, address) = by_key[row["idempotency_key"]]
        data = (batch.folder / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(row["pages"]) == len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 1
        assert row["content_hash"] == message.content_hash
        assert row["language"] == language
        assert row["paper_size"] == (US_LETTER if address.endswith("USA") else A4)
        lines = address.splitlines()
        expected = [("'" + v if v[:1] in "=+-@" else v) for v in [name, *lines]]
        got = [row["recipient_name"]] + [row[f"address_{n}"] for n in range(1, len(lines) + 1)]
        assert got == expected
        assert all(row[f"address_{n}"] == "" for n in range(len(lines) + 1, MAX_ADDRESS_LINES + 1))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_manifest_json_counts(batch: Batch) -> None:
    manifest = json.loads((batch.folder / "manifest.json").read_text())
    assert manifest["batch_id"] == batch.folder.name
    assert manifest["incident_id"] == INCIDENT
    assert manifest["count"] == 4
    assert manifest["languages"] == {"de": 1, "en": 2, "zh-CN": 1}
    assert manifest["paper"] == {A4: 3, US_LETTER: 1}
    assert sorted(manifest["files"]) == sorted(w.split("/")[1] for w in batch.ids)
    rows = read_manifest(batch.folder)
    assert manifest["pages"] == sum(int(r["pages"]) for r in rows)
    assert manifest["created_at"].endswith("+00:00")


def test_lookup_finds_printed_letters_only(batch: Batch) -> None:
    assert batch.letters.lookup(batch.messages) == [True] * 4
    # A new adapter (another worker, after a restart) finds them from the index.
    assert adapter(batch.root).lookup(batch.messages) == [True] * 4
    other = letter("P9", "en", "Nobody", "1 Road\nTown")
    assert batch.letters.lookup([other]) == [False]
    assert adapter(batch.root / "empty").lookup([other]) == [False]
    assert not (batch.root / "empty").exists()


def test_retry_rewrites_the_same_batch_without_duplicates(tmp_path: Path) -> None:
    messages = [letter(*person) for person in PEOPLE[2:]]
    first = adapter(tmp_path).send_batch(messages)
    folder = tmp_path / INCIDENT / str(first[0].provider_message_id).split("/")[0]
    (folder / "manifest.json").write_text("{}")  # the retry writes the folder anew
    again = adapter(tmp_path).send_batch(list(reversed(messages)))
    assert [r.provider_message_id for r in again] == [
        r.provider_message_id for r in reversed(first)
    ]
    assert {p.name for p in (tmp_path / INCIDENT).iterdir()} == {INDEX, folder.name}
    assert len(read_manifest(folder)) == 2
    assert json.loads((folder / "manifest.json").read_text())["count"] == 2
    assert len(list(folder.glob("*.pdf"))) == 2
    assert adapter(tmp_path).lookup(messages) == [True, True]


def test_a_letter_already_in_another_batch_is_not_printed_again(tmp_path: Path) -> None:
    letters = adapter(tmp_path)
    a, b, c = (letter(*person) for person in (PEOPLE[0], PEOPLE[2], PEOPLE[3]))
    first = letters.send_batch([a, b])
    second = letters.send_batch([b, c])
    assert second[0].provider_message_id == first[1].provider_message_id
    new_batch = str(second[1].provider_message_id).split("/")[0]
    assert new_batch == batch_id([c.idempotency_key])
    rows = read_manifest(tmp_path / INCIDENT / new_batch)
    assert [r["idempotency_key"] for r in rows] == [c.idempotency_key]
    assert letters.lookup([a, b, c]) == [True, True, True]


def test_invalid_letters_are_refused_and_left_out(tmp_path: Path) -> None:
    good = letter(*PEOPLE[2])
    blank_address = letter("P7", "en", "Ann", " , ")
    empty = good.model_copy(update={"person_id": "P8", "idempotency_key": "k8", "body": " \n"})
    results = adapter(tmp_path).send_batch([blank_address, good, empty])
    assert [r.accepted for r in results] == [False, True, False]
    assert results[0].permanent_error == "postal address: empty"
    assert results[2].permanent_error == "body: empty"
    folder = tmp_path / INCIDENT / str(results[1].provider_message_id).split("/")[0]
    assert folder.name == batch_id([good.idempotency_key])
    assert [r["idempotency_key"] for r in read_manifest(folder)] == [good.idempotency_key]


def test_a_crash_mid_rename_is_undone_by_the_next_worker(tmp_path: Path) -> None:
    messages = [letter(*PEOPLE[3])]
    [result] = adapter(tmp_path).send_batch(messages)
    incident = tmp_path / INCIDENT
    batch = str(result.provider_message_id).split("/")[0]
    # What a crash between "move the old batch away" and "move the new one in" leaves,
    # plus an abandoned half batch from long ago.
    os.rename(incident / batch, incident / f".replaced-{batch}-0123abcd")
    stale = incident / f".partial-{batch}-old"
    stale.mkdir()
    os.utime(stale, (0, 0))
    assert adapter(tmp_path).lookup(messages) == [True]
    assert {p.name for p in incident.iterdir()} == {INDEX, batch}


@pytest.mark.parametrize(
    ("address", "paper"),
    [
        ("107 Example Street\nLos Angeles, CA 90012\nUSA", US_LETTER),
        ("107 Example Street\nLos Angeles, CA 90012\nU.S.A.", US_LETTER),
        ("1 Main St\nAnytown\nUnited States of America", US_LETTER),
        ("1600 Example Ave NW\nWashington, DC 20500-0003", US_LETTER),
        ("PO Box 1\nSan Juan PR 00901", US_LETTER),
        ("Friedrichstraße 100\n10117 Berlin\nDeutschland", A4),
        ("10 Downing Row\nLondon SW1A 2AA", A4),
        ("1 Rue Exemple\n75011 Paris\nFrance", A4),
        ("100 Queen St W\nToronto ON M5H 2N2\nCanada", A4),
        ("北京市朝阳区建国路88号\n100022\n中国", A4),
        ("Musterweg 1\nCA 90012 Irgendwo", A4),
    ],
)
def test_paper_follows_the_address(address: str, paper: str) -> None:
    assert paper_for(address) == paper


def test_root_from_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    default = PrintHouseLetters.from_settings(ProviderSettings.model_validate({}), home)
    assert default.root == home / "letters"
    chosen = ProviderSettings.model_validate(
        {"letter_dir": str(tmp_path / "print"), "sender_name": "Example GmbH"}
    )
    letters = PrintHouseLetters.from_settings(chosen, home)
    assert letters.root == tmp_path / "print"
    assert letters.entity_name == "Example GmbH"
