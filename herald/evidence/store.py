"""Receipts a person attaches (a portal's confirmation, an authority's letter).

Files never travel in workflow payloads: `store_receipt` copies one into
`<HERALD_HOME>/evidence/<incident_id>/<sha256>` and returns the `ReceiptRef` (name, size,
SHA-256) that the incident's history records; the evidence pack later finds the file by
that hash and proves it is the one recorded.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from herald.models.reports import ReceiptRef
from herald.settings import get_settings

MAX_RECEIPT_BYTES = 20 * 1024 * 1024
_INCIDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CHUNK = 1 << 20


class ReceiptError(ValueError):
    """A receipt that cannot be stored: missing, not a file, or too large."""


def evidence_dir(incident_id: str) -> Path:
    """The folder holding one incident's receipts (not created).

    Raises:
        ReceiptError: the incident id is not one Herald accepts (it names a folder).
    """
    if not _INCIDENT_ID.match(incident_id):
        raise ReceiptError(f"not an incident id: {incident_id!r}")
    return get_settings().home / "evidence" / incident_id


def receipt_path(incident_id: str, ref: ReceiptRef) -> Path:
    """Where the store keeps the file a `ReceiptRef` names (it may be missing)."""
    return evidence_dir(incident_id) / ref.sha256


def store_receipt(path: Path, incident_id: str, *, name: str | None = None) -> ReceiptRef:
    """Copy a file into the incident's evidence folder and return its reference.

    The copy is named by its SHA-256, so storing the same file twice keeps one copy, and
    it is written under a temporary name first, so a crash never leaves half a receipt.

    Args:
        path: the file to keep.
        incident_id: the incident it belongs to.
        name: the name to record; defaults to the file's own name.

    Raises:
        ReceiptError: the file is missing, not a regular file, or over 20 MB.
    """
    folder = evidence_dir(incident_id)
    if not path.is_file():
        raise ReceiptError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_RECEIPT_BYTES:
        raise ReceiptError(
            f"{path}: {size / 1024 / 1024:.1f} MB; receipts may be at most "
            f"{MAX_RECEIPT_BYTES // 1024 // 1024} MB (attach the portal's confirmation, "
            "not the whole filing)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out, path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > MAX_RECEIPT_BYTES:
                    raise ReceiptError(f"{path}: grew past 20 MB while it was copied")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        target = folder / digest.hexdigest()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    label = (name or path.name).strip() or "receipt"
    return ReceiptRef(name=label[:255], sha256=digest.hexdigest(), size=written)


def load_receipt(incident_id: str, ref: ReceiptRef) -> bytes | None:
    """The stored bytes of a receipt, or None when the store lacks it or holds other bytes."""
    stored = receipt_path(incident_id, ref)
    if not stored.is_file():
        return None
    data = stored.read_bytes()
    if hashlib.sha256(data).hexdigest() != ref.sha256 or len(data) != ref.size:
        return None
    return data
