"""The pack's seal and its check: a hash chain over every file, in order.

Format (`herald-evidence/1`): every file lives under `evidence/`. `MANIFEST.json`, the
last member, lists the others in zip order as `{path, size, sha256, chain}` where

    chain_0 = sha256(incident_id)
    chain_i = sha256(chain_{i-1} + path_i + "\\n" + sha256_i)      (hex strings, UTF-8)

and `root` is the last chain value; `MANIFEST.sha256` holds the root on one line so it can
be recorded elsewhere. The first file, `pack.json`, repeats the manifest's header (incident,
generator, generated_at, receipts missing from the store), so the chain covers the header
too, and the manifest must be byte for byte the canonical JSON of its own content: no byte
of any member can change unnoticed. Only an independently recorded root (`--root`) also
detects a pack rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "herald-evidence/1"
FOLDER = "evidence/"
META = f"{FOLDER}pack.json"
MANIFEST = f"{FOLDER}MANIFEST.json"
ROOT_FILE = f"{FOLDER}MANIFEST.sha256"
HEADER_KEYS = ("format", "incident_id", "generator", "generated_at", "missing_receipts")


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def chain_start(incident_id: str) -> str:
    """The chain's first value: the SHA-256 of the incident id."""
    return sha256_hex(incident_id.encode())


def chain_next(previous: str, path: str, digest: str) -> str:
    """The chain value after one file."""
    return sha256_hex(f"{previous}{path}\n{digest}".encode())


def canonical_json(value: Any) -> bytes:
    """How every JSON file of the pack is written (and the manifest is checked)."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


@dataclass
class Failure:
    """One thing wrong with a pack, naming the member it concerns."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Verification:
    """What `verify_pack` found; `ok` only when nothing failed."""

    incident_id: str | None = None
    root: str | None = None
    files: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No failure at all."""
        return not self.failures


def _read_manifest(data: bytes, result: Verification) -> dict[str, Any] | None:
    try:
        manifest = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError):
        result.failures.append(Failure(MANIFEST, "not valid JSON"))
        return None
    entries = manifest.get("entries") if isinstance(manifest, dict) else None
    keys = {"path", "size", "sha256", "chain"}
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("incident_id"), str)
        or not isinstance(manifest.get("root"), str)
        or not isinstance(entries, list)
        or not all(isinstance(e, dict) and set(e) == keys for e in entries)
    ):
        result.failures.append(Failure(MANIFEST, f"not a {FORMAT} manifest"))
        return None
    if canonical_json(manifest) != data:
        result.failures.append(Failure(MANIFEST, "altered (not the manifest as written)"))
    return manifest


def _check_chain(manifest: dict[str, Any], result: Verification) -> None:
    """The manifest agrees with itself: chain, root, sizes, header and root file."""
    chain = chain_start(manifest["incident_id"])
    for entry in manifest["entries"]:
        chain = chain_next(chain, str(entry["path"]), str(entry["sha256"]))
        if entry["chain"] != chain:
            result.failures.append(
                Failure(MANIFEST, f"chain broken at {entry['path']} (entry edited or reordered)")
            )
            break
    else:
        if manifest["root"] != chain:
            result.failures.append(Failure(MANIFEST, "root altered"))
    result.root = chain


def verify_pack(path: Path, *, root: str | None = None) -> Verification:
    """Check every file of a pack against its manifest (and a root recorded elsewhere).

    Reports a file whose bytes changed, a listed file missing, a file present but not
    listed, entries reordered or edited, and a root that differs from the chain's or from
    `root`. Failures come in a useful order: the manifest's own, then the files'.
    """
    result = Verification()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        result.failures.append(Failure(path.name, f"not a readable zip file ({err})"))
        return result
    with archive:
        names = archive.namelist()
        members: dict[str, bytes] = {}
        for name in names:
            try:
                members[name] = archive.read(name)
            except Exception as err:  # noqa: BLE001 - any corruption (CRC, zlib) is a failure
                result.failures.append(Failure(name, f"cannot be read ({err})"))
                members[name] = b""
    if MANIFEST not in members:
        result.failures.append(Failure(MANIFEST, "missing"))
        return result
    manifest = _read_manifest(members[MANIFEST], result)
    if manifest is None:
        return result
    result.incident_id = manifest["incident_id"]
    entries: list[dict[str, Any]] = manifest["entries"]
    result.files = len(entries)
    _check_chain(manifest, result)
    if root is not None and root.strip().lower() != result.root:
        result.failures.append(Failure(MANIFEST, "root differs from the recorded root"))
    if members.get(ROOT_FILE) != f"{manifest['root']}\n".encode():
        result.failures.append(Failure(ROOT_FILE, "does not hold the manifest's root"))
    _check_members(names, members, entries, result)
    if not any(failure.path == META for failure in result.failures):
        _check_header(manifest, members.get(META), result)
    return result


def _check_header(manifest: dict[str, Any], meta: bytes | None, result: Verification) -> None:
    try:
        header = json.loads(meta.decode()) if meta is not None else None
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or any(
        header.get(key) != manifest.get(key) for key in HEADER_KEYS
    ):
        result.failures.append(Failure(MANIFEST, f"header differs from {META}"))


def _check_members(
    names: list[str],
    members: dict[str, bytes],
    entries: list[dict[str, Any]],
    result: Verification,
) -> None:
    listed = [str(entry["path"]) for entry in entries]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            result.failures.append(Failure(name, "present twice in the zip"))
        seen.add(name)
    for entry in entries:
        name = str(entry["path"])
        if name not in members:
            result.failures.append(Failure(name, "missing from the pack"))
            continue
        data = members[name]
        digest = sha256_hex(data)
        if digest != entry["sha256"]:
            result.failures.append(Failure(name, "altered (SHA-256 differs from the manifest)"))
        elif len(data) != entry["size"]:
            result.failures.append(Failure(MANIFEST, f"size of {name} altered"))
    for name in names:
        if name not in listed and name not in (MANIFEST, ROOT_FILE):
            result.failures.append(Failure(name, "not listed in the manifest"))
    expected = [*listed, ROOT_FILE, MANIFEST]
    if sorted(set(names)) == sorted(expected) and names != expected:
        moved = next(n for n, e in zip(names, expected, strict=False) if n != e)
        result.failures.append(Failure(moved, "out of the manifest's order in the zip"))
