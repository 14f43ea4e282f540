"""Building the evidence pack from a hand-made evidence record."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from herald.evidence.pack import MissingReceiptsError, build_pack, safe_name, write_pack
from herald.evidence.store import receipt_path, store_receipt
from herald.evidence.verify import chain_next, chain_start, sha256_hex, verify_pack
from herald.models.reports import ReceiptRef
from herald.settings import get_settings
from tests.unit.evidence import HOSTILE, INCIDENT, make_record

RECEIPT = b"%PDF-1.4 portal confirmation BFDI-123"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HERALD_HOME in this test's tmp folder."""
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


@pytest.fixture
def receipt(home: Path, tmp_path: Path) -> ReceiptRef:
    """The portal's receipt, kept in the store."""
    source = tmp_path / "BfDI receipt.pdf"
    source.write_bytes(RECEIPT)
    return store_receipt(source, INCIDENT)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_pack_holds_everything_in_a_fixed_order(receipt: ReceiptRef) -> None:
    pack = build_pack(make_record(receipt))
    files = members(pack.data)
    draft = "evidence/drafts/gdpr-individuals.email.en"
    report = "evidence/reports/gdpr-regulator-de"
    stored = f"{report}/receipts/{receipt.sha256}-BfDI_receipt.pdf"
    assert (
        list(files)
        == pack.members
        == [
            "evidence/pack.json",
            "evidence/facts/v1.json",
            "evidence/facts/v2.json",
            "evidence/facts/current.json",
            "evidence/assessment.json",
            "evidence/obligations.json",
            "evidence/decisions.json",
            f"{draft}/v1.txt",
            f"{draft}/v2.txt",
            f"{draft}/record.json",
            "evidence/drafts/gdpr-regulator-de.report.en/v1.txt",
            "evidence/drafts/gdpr-regulator-de.report.en/v2.txt",
            "evidence/drafts/gdpr-regulator-de.report.en/record.json",
            "evidence/deliveries.json",
            "evidence/waivers.json",
            f"{report}.json",
            stored,
            "evidence/timeline.json",
            "evidence/timeline.txt",
            "evidence/summary.pdf",
            "evidence/MANIFEST.sha256",
            "evidence/MANIFEST.json",
        ]
    )
    assert files[stored] == RECEIPT
    assert json.loads(files["evidence/facts/v1.json"])["actor"] == "intake"
    assert json.loads(files["evidence/facts/current.json"])["version"] == 2
    obligations = json.loads(files["evidence/obligations.json"])
    assert [(o["id"], o["state"]) for o in obligations] == [
        ("gdpr-regulator-de", "met"),
        ("gdpr-individuals", "met"),
        ("us-ca-ag", "waived"),
    ]
    assert obligations[0]["citation"] == "GDPR Art. 33(1)"
    assert obligations[0]["reasons"] and obligations[0]["warnings"]
    decisions = json.loads(files["evidence/decisions.json"])
    assert {d["regime"]: d["applies"] for d in decisions} == {"gdpr": True, "hipaa": False}
    assert files[f"{draft}/v2.txt"] == (
        b"Subject: Notice gdpr-individuals.email.en\n\n"
        b"Approved text of gdpr-individuals.email.en.\nSecond line."
    )
    record = json.loads(files[f"{draft}/record.json"])
    assert [v["author"] for v in record["versions"]] == ["system", "dana.writer"]
    assert all(v["hash_matches_text"] for v in record["versions"])
    assert [(a["approver"], a["version"]) for a in record["approvals"]] == [
        ("alice.legal", 2),
        ("bob.privacy", 2),
    ]
    assert record["state"] == "approved"
    filed = json.loads(files[f"{report}.json"])
    assert filed["late"] is True and len(filed["reminders_sent"]) == 2
    assert [c["status"] for c in filed["history"]] == ["drafted", "submitted", "acknowledged"]
    assert filed["receipts"][0]["file"] == stored
    assert json.loads(files["evidence/deliveries.json"])[0]["sent"] == 41
    assert json.loads(files["evidence/waivers.json"])[0]["reason"].startswith("fewer than")
    assert b"alice.legal  approved  v2" in files["evidence/timeline.txt"]
    assert files["evidence/summary.pdf"].startswith(b"%PDF")


def test_the_manifest_chains_every_file(receipt: ReceiptRef) -> None:
    pack = build_pack(make_record(receipt))
    files = members(pack.data)
    manifest = json.loads(files["evidence/MANIFEST.json"])
    assert manifest["incident_id"] == INCIDENT
    assert manifest["generator"].startswith("herald ")
    assert manifest["generated_at"] == "2026-03-06T13:15:00+00:00"
    chain = chain_start(INCIDENT)
    assert chain == sha256_hex(INCIDENT.encode())
    for entry, name in zip(manifest["entries"], pack.members[:-2], strict=True):
        assert entry["path"] == name
        assert entry["sha256"] == sha256_hex(files[name]) and entry["size"] == len(files[name])
        chain = chain_next(chain, name, entry["sha256"])
        assert entry["chain"] == chain
    assert manifest["root"] == chain == pack.root
    assert files["evidence/MANIFEST.sha256"] == f"{chain}\n".encode()


def test_building_twice_gives_identical_bytes(receipt: ReceiptRef, tmp_path: Path) -> None:
    first = build_pack(make_record(receipt)).data
    assert build_pack(make_record(receipt)).data == first
    out = tmp_path / "out" / "pack.zip"
    write_pack(make_record(receipt), out)
    assert out.read_bytes() == first
    with zipfile.ZipFile(out) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 6, 13, 15, 0)}
    assert verify_pack(out).ok


def test_a_receipt_missing_from_the_store_fails_the_build(receipt: ReceiptRef) -> None:
    receipt_path(INCIDENT, receipt).unlink()
    with pytest.raises(MissingReceiptsError, match="BfDI receipt.pdf") as caught:
        build_pack(make_record(receipt))
    assert caught.value.missing[0]["reason"] == "not in the evidence store"
    pack = build_pack(make_record(receipt), allow_missing_receipts=True)
    manifest = json.loads(members(pack.data)["evidence/MANIFEST.json"])
    assert [(m["report"], m["sha256"]) for m in manifest["missing_receipts"]] == [
        ("gdpr-regulator-de", receipt.sha256)
    ]
    assert not any("/receipts/" in name for name in pack.members)


def test_a_receipt_altered_in_the_store_counts_as_missing(receipt: ReceiptRef) -> None:
    receipt_path(INCIDENT, receipt).write_bytes(RECEIPT.replace(b"123", b"124"))
    with pytest.raises(MissingReceiptsError, match="differs from its recorded SHA-256"):
        build_pack(make_record(receipt))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_summary_tells_a_lawyer_what_happened(receipt: ReceiptRef) -> None:
    text = " ".join(
        pdf_text(members(build_pack(make_record(receipt)).data)["evidence/summary.pdf"]).split()
    )
    for expected in (
        "INC-TEST-1",
        "GDPR Art. 33(1)",
        "LATE",
        "BFDI-123",
        "credentials exposed",
        "does not apply",
        "fewer than 500 CA residents",
        "alice.legal",
        "2 distinct approver(s) of v2 (2 required), none of them its author",
        "41 sent of 42 targeted",
        "BfDI receipt.pdf",
    ):
        assert expected in text, expected


def test_hostile_facts_are_inert_in_the_summary(home: Path) -> None:
    pack = build_pack(make_record(description=HOSTILE))
    files = members(pack.data)
    text = pdf_text(files["evidence/summary.pdf"])
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "49" not in text.replace("2026", "")
    assert json.loads(files["evidence/facts/current.json"])["facts"]["description"] == HOSTILE


def test_ids_become_safe_paths() -> None:
    assert safe_name("gdpr-regulator-de") == "gdpr-regulator-de"
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("a b/c") == "a_b_c"
    assert safe_name("..") == "unnamed"
