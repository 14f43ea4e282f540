"""The evidence pack over HTTP: the zip `herald evidence` writes, sealed and verifiable."""

from __future__ import annotations

import zipfile
from pathlib import Path

from herald.evidence.verify import verify_pack
from tests.api.stack import ApiStack
from tests.api.test_incidents_api import example_facts, settled, until


async def test_the_evidence_pack_downloads_and_verifies(api: ApiStack, tmp_path: Path) -> None:
    body = {"facts": example_facts(), "incident_id": "INC-API-EVIDENCE"}
    started = await api.as_user("rory").post("/api/incidents/from-facts", json=body)
    assert started.status_code == 201, started.text
    vera = api.as_user("vera")
    await until(vera, "INC-API-EVIDENCE", settled)

    answer = await vera.get("/api/incidents/INC-API-EVIDENCE/evidence")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert 'filename="INC-API-EVIDENCE-evidence.zip"' in answer.headers["content-disposition"]
    pack = tmp_path / "pack.zip"
    pack.write_bytes(answer.content)
    root = answer.headers["x-herald-evidence-root"]
    result = verify_pack(pack, root=root)
    assert result.ok, result.failures
    assert result.incident_id == "INC-API-EVIDENCE" and result.files > 5

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack) as original, zipfile.ZipFile(tampered, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            copy.writestr(name, data + b" " if name.endswith("timeline.txt") else data)
    assert not verify_pack(tampered, root=root).ok
    assert (await vera.get("/api/incidents/INC-NOPE/evidence")).status_code == 404
    assert (await api.client().get("/api/incidents/INC-API-EVIDENCE/evidence")).status_code == 401
