"""The receipt store: files copied under HERALD_HOME by their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.evidence.store import (
    MAX_RECEIPT_BYTES,
    ReceiptError,
    load_receipt,
    receipt_path,
    store_receipt,
)
from herald.settings import get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HERALD_HOME in this test's tmp folder."""
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_a_receipt_is_copied_under_its_hash(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "portal-receipt.pdf"
    source.write_bytes(b"%PDF receipt 123")
    ref = store_receipt(source, "INC-1")
    digest = hashlib.sha256(b"%PDF receipt 123").hexdigest()
    assert (ref.name, ref.sha256, ref.size) == ("portal-receipt.pdf", digest, 16)
    assert receipt_path("INC-1", ref) == home / "evidence" / "INC-1" / digest
    assert receipt_path("INC-1", ref).read_bytes() == b"%PDF receipt 123"
    assert load_receipt("INC-1", ref) == b"%PDF receipt 123"
    assert store_receipt(source, "INC-1", name="again.pdf").sha256 == digest
    assert [p.name for p in (home / "evidence" / "INC-1").iterdir()] == [digest]


def test_an_altered_or_missing_stored_file_is_not_returned(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "r.txt"
    source.write_text("receipt")
    ref = store_receipt(source, "INC-1")
    receipt_path("INC-1", ref).write_text("receipT")
    assert load_receipt("INC-1", ref) is None
    receipt_path("INC-1", ref).unlink()
    assert load_receipt("INC-1", ref) is None


def test_files_over_20_mb_are_refused(home: Path, tmp_path: Path) -> None:
    big = tmp_path / "filing.pdf"
    with big.open("wb") as out:
        out.truncate(MAX_RECEIPT_BYTES + 1)
    with pytest.raises(ReceiptError, match="at most 20 MB"):
        store_receipt(big, "INC-1")
    assert not (home / "evidence" / "INC-1").exists() or not any(
        (home / "evidence" / "INC-1").iterdir()
    )
    exact = tmp_path / "exact.bin"
    with exact.open("wb") as out:
        out.truncate(MAX_RECEIPT_BYTES)
    assert store_receipt(exact, "INC-1").size == MAX_RECEIPT_BYTES


def test_missing_files_and_odd_incident_ids_are_refused(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ReceiptError, match="no such file"):
        store_receipt(tmp_path / "nope.pdf", "INC-1")
    with pytest.raises(ReceiptError, match="no such file"):
        store_receipt(tmp_path, "INC-1")
    source = tmp_path / "r.txt"
    source.write_text("x")
    for bad in ("../escape", "a/b", "", ".hidden"):
        with pytest.raises(ReceiptError, match="not an incident id"):
            store_receipt(source, bad)
