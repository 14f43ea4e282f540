"""EncryptionCodec: payloads are unreadable without the key, and keys rotate."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload

from herald.codec import (
    ENCODING,
    KEY_ID_METADATA,
    CodecKeyError,
    EncryptionCodec,
    load_or_create_key_file,
    parse_keys,
)


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_round_trip_hides_plaintext() -> None:
    codec = EncryptionCodec(parse_keys(f"k1:{_key()}"))
    secret = '{"email": "ada@example.org", "name": "Ada Lovelace"}'
    (encoded,) = await codec.encode([_payload(secret)])
    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata[KEY_ID_METADATA] == b"k1"
    assert b"ada@example.org" not in encoded.data and b"Lovelace" not in encoded.data
    (decoded,) = await codec.decode([encoded])
    assert decoded.data.decode() == secret


async def test_rotation_new_key_encrypts_old_key_still_decrypts() -> None:
    old, new = _key(), _key()
    (written_before,) = await EncryptionCodec(parse_keys(f"k1:{old}")).encode([_payload("a")])
    rotated = EncryptionCodec(parse_keys(f"k1:{old},k2:{new}"))
    (written_after,) = await rotated.encode([_payload("b")])
    assert written_after.metadata[KEY_ID_METADATA] == b"k2"
    decoded = await rotated.decode([written_before, written_after])
    assert [p.data for p in decoded] == [b"a", b"b"]


async def test_unknown_key_and_tampering_are_refused() -> None:
    codec = EncryptionCodec(parse_keys(f"k1:{_key()}"))
    (encoded,) = await codec.encode([_payload("x")])
    with pytest.raises(CodecKeyError, match="unknown key id"):
        await EncryptionCodec(parse_keys(f"k9:{_key()}")).decode([encoded])
    flipped = bytes([encoded.data[-1] ^ 0x01])  # always a change, unlike a fixed byte
    tampered = Payload(metadata=dict(encoded.metadata), data=encoded.data[:-1] + flipped)
    with pytest.raises(InvalidTag):
        await codec.decode([tampered])
    relabelled = Payload(metadata={**encoded.metadata, KEY_ID_METADATA: b"k1"}, data=encoded.data)
    assert (await codec.decode([relabelled]))[0].data == b"x"


def test_bad_key_specs() -> None:
    with pytest.raises(CodecKeyError, match="32 bytes"):
        parse_keys(f"k1:{base64.b64encode(b'short').decode()}")
    with pytest.raises(CodecKeyError, match="id:base64key"):
        parse_keys("nocolon")
    with pytest.raises(CodecKeyError, match="no codec keys"):
        parse_keys(" , ")


def test_key_file_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "codec.keys"
    first = load_or_create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key_file(path) == first
