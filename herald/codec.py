"""Payload encryption: every Temporal payload Herald writes is AES-256-GCM encrypted.

Keys carry an id stored in the payload metadata, so keys can rotate: new payloads use the
newest key, and payloads written under an older key still decrypt while that key is listed.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from herald.secret_files import read_or_create_private

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
_NONCE_BYTES = 12


class CodecKeyError(ValueError):
    """Raised for a malformed key list or a payload whose key is not available."""


def parse_keys(spec: str) -> dict[str, bytes]:
    """Parse `id:base64key,id:base64key` (newest last) into an ordered mapping."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise CodecKeyError("codec keys must look like 'id:base64key,id2:base64key'")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as err:
            raise CodecKeyError(f"codec key {key_id!r} is not valid base64") from err
        if len(key) != 32:
            raise CodecKeyError(f"codec key {key_id!r} must be 32 bytes (AES-256)")
        keys[key_id] = key
    if not keys:
        raise CodecKeyError("no codec keys given")
    return keys


def load_or_create_key_file(path: Path) -> dict[str, bytes]:
    """Read the local key file, creating it with one fresh key on first use (local mode only)."""

    def new_key() -> str:
        key_id = f"k{secrets.token_hex(4)}"
        return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}\n"

    return parse_keys(read_or_create_private(path, new_key).replace("\n", ","))


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM payload codec with key ids; the newest key encrypts."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        """Create a codec from an ordered mapping of key id to 32-byte key (newest last)."""
        if not keys:
            raise CodecKeyError("no codec keys given")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = list(keys)[-1]

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload under the newest key."""
        cipher = self._ciphers[self._current]
        out = []
        for payload in payloads:
            nonce = secrets.token_bytes(_NONCE_BYTES)
            # The key id is bound as associated data so a payload cannot be relabelled.
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), self._current.encode())
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID_METADATA: self._current.encode()},
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt encrypted payloads; pass others through (e.g. written before encryption)."""
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding", b"") != ENCODING:
                out.append(payload)
                continue
            key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise CodecKeyError(f"payload was encrypted with unknown key id {key_id!r}")
            nonce, sealed = payload.data[:_NONCE_BYTES], payload.data[_NONCE_BYTES:]
            decoded = Payload()
            decoded.ParseFromString(cipher.decrypt(nonce, sealed, key_id.encode()))
            out.append(decoded)
        return out
