"""Build the evidence pack of one incident: a deterministic zip sealed by a hash chain.

Building the same `EvidenceRecord` twice gives the same bytes: members are written in a
fixed order, with the record's `generated_at` as every timestamp, fixed permissions and a
fixed compression level, and the JSON is dumped the same way each time.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from herald import __version__
from herald.evidence import summary
from herald.evidence.store import load_receipt, receipt_path
from herald.evidence.verify import (
    FOLDER,
    FORMAT,
    MANIFEST,
    META,
    ROOT_FILE,
    canonical_json,
    chain_next,
    chain_start,
    sha256_hex,
)
from herald.models.drafts import Draft, DraftVersion, content_hash
from herald.models.evidence import EvidenceRecord
from herald.models.incident import IncidentStatus
from herald.models.reports import RegulatorReport

GENERATOR = f"herald {__version__}"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MissingReceiptsError(RuntimeError):
    """Receipts the incident recorded are not in the evidence store (or were altered there)."""

    def __init__(self, missing: list[dict[str, Any]]) -> None:
        """Keep the missing receipts for the caller to list."""
        self.missing = missing
        listed = "; ".join(
            f"{m['report']}: {m['name']} ({m['sha256'][:12]}…, {m['reason']})" for m in missing
        )
        super().__init__(f"{len(missing)} receipt(s) missing from the evidence store: {listed}")


@dataclass
class Pack:
    """A built pack: its bytes, root, member list and the receipts it had to leave out."""

    data: bytes
    root: str
    members: list[str]
    missing_receipts: list[dict[str, Any]] = field(default_factory=list)


def safe_name(text: str, *, limit: int = 120) -> str:
    """A path component made of letters, digits, dot, dash and underscore only."""
    cleaned = _UNSAFE.sub("_", text).strip("._") or "unnamed"
    return cleaned[:limit]


def _json(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return canonical_json(value)


def version_text(version: DraftVersion) -> bytes:
    """One draft version as approved: subject and link lines, a blank line, the body."""
    head = f"Subject: {version.subject}\n" if version.subject is not None else ""
    head += f"Link: {version.link}\n" if version.link else ""
    return f"{head}\n{version.body}".encode() if head else version.body.encode()


def _draft_versions(draft: Draft) -> list[DraftVersion]:
    earlier = [v for v in draft.history if v.version != draft.version]
    return sorted([*earlier, draft.version_text(draft.version)], key=lambda v: v.version)


def _draft_record(draft: Draft, versions: list[DraftVersion], folder: str) -> dict[str, Any]:
    by_hash = {v.content_hash: v.version for v in versions}
    return {
        "id": draft.id,
        "obligation_id": draft.obligation_id,
        "audience": str(draft.audience),
        "channel": str(draft.channel),
        "language": draft.language,
        "current_version": draft.version,
        "state": str(draft.state),
        "versions": [
            {
                "version": v.version,
                "file": f"{folder}v{v.version}.txt",
                "author": v.author,
                "created_at": v.created_at.isoformat(),
                "content_hash": v.content_hash,
                "hash_matches_text": content_hash(v.subject, v.body, v.link) == v.content_hash,
            }
            for v in versions
        ],
        "approvals": [
            {
                "approver": a.approver,
                "at": a.at.isoformat(),
                "content_hash": a.content_hash,
                "version": by_hash.get(a.content_hash),
                "comment": a.comment,
            }
            for a in draft.approvals
        ],
        "missing_elements": list(draft.missing_elements),
        "problems": list(draft.problems),
        "change_requests": list(draft.change_requests),
    }


def _obligations(status: IncidentStatus) -> list[dict[str, Any]]:
    return [
        {**item.model_dump(mode="json"), "state": summary.obligation_state(item, status)}
        for item in status.obligations
    ]


def _timeline_text(status: IncidentStatus) -> bytes:
    lines = [f"Timeline of incident {status.incident_id} (UTC)", ""]
    for event in status.timeline:
        when = event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        detail = " ".join(event.detail.split())
        lines.append(f"{when}  {event.actor}  {event.kind}" + (f"  {detail}" if detail else ""))
    return ("\n".join(lines) + "\n").encode()


class _Members:
    """Ordered members with unique names (sanitising can make two ids collide)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []
        self._folders: set[str] = set()

    def folder(self, base: str) -> str:
        """A folder name not used yet: `base`, else `base~2`, `base~3` …"""
        candidate, counter = base, 2
        while candidate in self._folders:
            candidate, counter = f"{base}~{counter}", counter + 1
        self._folders.add(candidate)
        return candidate

    def add(self, path: str, data: bytes) -> None:
        name = f"{FOLDER}{path}"
        if any(name == existing for existing, _ in self.items):
            raise ValueError(f"duplicate member {name}")
        self.items.append((name, data))


def _report_members(
    members: _Members, report: RegulatorReport, incident_id: str, missing: list[dict[str, Any]]
) -> None:
    folder = members.folder(f"reports/{safe_name(report.id)}")
    receipts: list[dict[str, Any]] = []
    files: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for change in report.history:
        ref = change.receipt
        if ref is None or ref.sha256 in seen:
            continue
        seen.add(ref.sha256)
        data = load_receipt(incident_id, ref)
        entry: dict[str, Any] = {**ref.model_dump(mode="json"), "status": str(change.status)}
        if data is None:
            reason = (
                "stored file differs from its recorded SHA-256"
                if receipt_path(incident_id, ref).exists()
                else "not in the evidence store"
            )
            missing.append({"report": report.id, **ref.model_dump(mode="json"), "reason": reason})
            receipts.append({**entry, "file": None, "missing": reason})
            continue
        path = f"{folder}/receipts/{ref.sha256}-{safe_name(ref.name, limit=100)}"
        receipts.append({**entry, "file": f"{FOLDER}{path}"})
        files.append((path, data))
    members.add(f"{folder}.json", _json({**report.model_dump(mode="json"), "receipts": receipts}))
    for path, data in files:
        members.add(path, data)


def build_pack(
    record: EvidenceRecord,
    *,
    allow_missing_receipts: bool = False,
    templates_dir: Path | None = None,
) -> Pack:
    """The evidence pack of one incident, as zip bytes.

    Raises:
        MissingReceiptsError: a recorded receipt is not in the store (or its bytes differ),
            unless `allow_missing_receipts`; the manifest then lists it as missing.
    """
    status = record.status
    incident_id = status.incident_id
    missing: list[dict[str, Any]] = []
    body = _Members()  # everything after pack.json, which must know the missing receipts
    for facts in sorted(record.facts_history, key=lambda v: v.version):
        body.add(f"facts/v{facts.version}.json", _json(facts))
    body.add(
        "facts/current.json",
        _json({"version": status.facts_version, "facts": status.facts.model_dump(mode="json")}),
    )
    body.add(
        "assessment.json",
        _json(status.assessment.model_dump(mode="json") if status.assessment else None),
    )
    body.add("obligations.json", _json(_obligations(status)))
    body.add("decisions.json", _json(status.decisions))
    for draft in sorted(record.drafts, key=lambda d: d.id):
        folder = body.folder(f"drafts/{safe_name(draft.id)}")
        versions = _draft_versions(draft)
        for version in versions:
            body.add(f"{folder}/v{version.version}.txt", version_text(version))
        body.add(
            f"{folder}/record.json", _json(_draft_record(draft, versions, f"{FOLDER}{folder}/"))
        )
    body.add("deliveries.json", _json(status.deliveries))
    body.add("waivers.json", _json(status.waivers))
    for report in sorted(status.reports, key=lambda r: r.id):
        _report_members(body, report, incident_id, missing)
    body.add("timeline.json", _json(status.timeline))
    body.add("timeline.txt", _timeline_text(status))
    if missing and not allow_missing_receipts:
        raise MissingReceiptsError(missing)
    pdf = summary.summary_pdf(record, missing_receipts=missing, templates_dir=templates_dir)
    body.add("summary.pdf", pdf)

    generated_at = record.generated_at.astimezone(UTC)
    header: dict[str, Any] = {
        "format": FORMAT,
        "incident_id": incident_id,
        "generator": GENERATOR,
        "generated_at": generated_at.isoformat(),
        "missing_receipts": missing,
    }
    about = {**header, "files": [name for name, _ in body.items]}
    sealed = [(META, _json(about)), *body.items]

    chain = chain_start(incident_id)
    entries: list[dict[str, Any]] = []
    for name, data in sealed:
        digest = sha256_hex(data)
        chain = chain_next(chain, name, digest)
        entries.append({"path": name, "size": len(data), "sha256": digest, "chain": chain})
    manifest = {**header, "entries": entries, "root": chain}
    files = [*sealed, (ROOT_FILE, f"{chain}\n".encode()), (MANIFEST, canonical_json(manifest))]
    return Pack(
        data=_zip(files, generated_at),
        root=chain,
        members=[name for name, _ in files],
        missing_receipts=missing,
    )


def _zip(files: list[tuple[str, bytes]], at: datetime) -> bytes:
    stamp = max(at, datetime(1980, 1, 1, tzinfo=UTC))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def write_pack(
    record: EvidenceRecord,
    out: Path,
    *,
    allow_missing_receipts: bool = False,
    templates_dir: Path | None = None,
) -> Pack:
    """Build the pack and write it to `out` atomically (a crash leaves no half pack).

    Raises:
        MissingReceiptsError: see `build_pack`.
    """
    pack = build_pack(
        record, allow_missing_receipts=allow_missing_receipts, templates_dir=templates_dir
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pack.data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return pack
