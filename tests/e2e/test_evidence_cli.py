"""The evidence pack end to end: `herald demo --evidence`, `herald evidence ID --out` against
`herald dev`, and `herald evidence verify` on the packs and on tampered copies."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf

from herald.evidence.verify import MANIFEST
from herald.temporal import free_port
from tests.conftest import EXAMPLES
from tests.e2e.test_cli import herald, herald_dev, until
from tests.unit.evidence import flip, rewrite

HERALD = [sys.executable, "-m", "herald.cli"]

__all__ = ["herald_dev"]  # the fixture, used by name below


def verify(pack: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HERALD, "evidence", "verify", str(pack), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_writes_a_pack_that_verifies_and_detects_one_changed_byte(tmp_path: Path) -> None:
    pack = tmp_path / "out" / "pack.zip"
    env = {
        **os.environ,
        "HERALD_HOME": str(tmp_path / "home"),
        "HERALD_TEMPORAL_PORT": str(free_port()),
    }
    done = subprocess.run(
        [*HERALD, "demo", "--json", "--evidence", str(pack)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["phase"] == "closed" and summary["evidence"] == str(pack)
    assert f"evidence pack written to {pack}" in done.stderr

    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST))
        pdf = archive.read("evidence/summary.pdf")
        reports = [n for n in names if n.startswith("evidence/reports/")]
        timeline = json.loads(archive.read("evidence/timeline.json"))
    assert manifest["incident_id"] == summary["incident_id"] and names[-1] == MANIFEST
    assert {f"evidence/reports/{r['id']}.json" for r in summary["reports"]} == set(reports)
    assert any(n.startswith("evidence/drafts/") and n.endswith("/v1.txt") for n in names)
    assert timeline[-1]["kind"] and "evidence/facts/v1.json" in names
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert summary["incident_id"] in text and "alice.legal" in text

    good = verify(pack, "--root", manifest["root"])
    assert good.returncode == 0, good.stderr
    assert "verified" in good.stdout

    # One byte changed anywhere in the file: the zip's own CRC or the manifest catches it.
    raw = tmp_path / "raw.zip"
    shutil.copy(pack, raw)
    data = raw.read_bytes()
    offset = data.index(b"evidence/summary.pdf") + 400  # inside the PDF's stored bytes
    raw.write_bytes(flip(data, offset))
    bad = verify(raw)
    assert bad.returncode == 1, bad.stdout
    assert "error: evidence/summary.pdf" in bad.stderr

    # One byte changed in a member, the zip rewritten consistently: the manifest names it.
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        for index, (info, content) in enumerate(members):
            if info.filename == "evidence/obligations.json":
                members[index] = (info, flip(content))

    rewritten = tmp_path / "rewritten.zip"
    rewritten.write_bytes(rewrite(pack.read_bytes(), change))
    bad = verify(rewritten)
    assert bad.returncode == 1
    assert "error: evidence/obligations.json: altered" in bad.stderr


def test_evidence_of_a_live_incident_with_the_cli(
    herald_dev: subprocess.Popen[str], tmp_path: Path
) -> None:
    incident_id = herald(
        "incident",
        "start",
        "--facts",
        str(EXAMPLES / "facts.json"),
        "--population",
        str(EXAMPLES / "population.csv"),
        "--profile",
        str(EXAMPLES / "profile.yaml"),
        "--as",
        "casey",
    ).strip()
    until(incident_id, lambda s: s["phase"] == "awaiting_approval")
    pack = tmp_path / "pack.zip"
    written = herald("evidence", incident_id, "--out", str(pack))
    assert f"wrote {pack}" in written
    root = written.split("root ")[1].split()[0]
    assert root in herald("evidence", "verify", str(pack), "--root", root)
    assert "root differs" in herald("evidence", "verify", str(pack), "--root", "0" * 64, code=1)
    again = tmp_path / "again.zip"
    assert "wrote" in herald("evidence", "export", incident_id, "--out", str(again))
    with zipfile.ZipFile(again) as archive:
        assert json.loads(archive.read(MANIFEST))["incident_id"] == incident_id
    assert "no such incident" in herald("evidence", "INC-NOPE", "--out", str(pack), code=1)
