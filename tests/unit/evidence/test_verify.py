"""Verifying a pack: any altered, added, removed or reordered byte is named."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.evidence.pack import Pack, build_pack
from herald.evidence.store import store_receipt
from herald.evidence.verify import MANIFEST, ROOT_FILE, canonical_json, verify_pack
from herald.settings import get_settings
from tests.unit.evidence import INCIDENT, flip, make_record, rewrite


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pack]:
    """One pack with a stored receipt, built once (printing the PDF takes a moment)."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HERALD_HOME", str(home))
        get_settings.cache_clear()
        source = home / "receipt.pdf"
        source.write_bytes(b"%PDF-1.4 receipt")
        yield build_pack(make_record(store_receipt(source, INCIDENT)))
    get_settings.cache_clear()


def saved(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pack.zip"
    path.write_bytes(data)
    return path


def first_failure(tmp_path: Path, data: bytes, root: str | None = None) -> str:
    result = verify_pack(saved(tmp_path, data), root=root)
    assert not result.ok
    return str(result.failures[0])


def test_an_untouched_pack_verifies(pack: Pack, tmp_path: Path) -> None:
    result = verify_pack(saved(tmp_path, pack.data), root=pack.root)
    assert result.ok, result.failures
    assert result.root == pack.root and result.incident_id == INCIDENT
    assert result.files == len(pack.members) - 2


def test_one_flipped_byte_in_any_member_fails_naming_it(pack: Pack, tmp_path: Path) -> None:
    for name in pack.members:

        def change(members: list[tuple[zipfile.ZipInfo, bytes]], target: str = name) -> None:
            for index, (info, content) in enumerate(members):
                if info.filename == target:
                    members[index] = (info, flip(content))

        failure = first_failure(tmp_path, rewrite(pack.data, change))
        assert failure.startswith(f"{name}: "), (name, failure)


def test_every_byte_of_the_manifest_is_covered(pack: Pack, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        manifest = archive.read(MANIFEST)
    # Flip bytes spread over the whole manifest: header, paths, hashes, sizes, chain, root.
    for offset in range(0, len(manifest), max(1, len(manifest) // 97)):

        def change(members: list[tuple[zipfile.ZipInfo, bytes]], at: int = offset) -> None:
            info, content = members[-1]
            members[-1] = (info, flip(content, at))

        failure = first_failure(tmp_path, rewrite(pack.data, change))
        assert failure.startswith(f"{MANIFEST}: "), (offset, failure)


def test_a_removed_member_fails(pack: Pack, tmp_path: Path) -> None:
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        del members[3]

    assert first_failure(tmp_path, rewrite(pack.data, change)) == (
        f"{pack.members[3]}: missing from the pack"
    )


def test_an_added_member_fails(pack: Pack, tmp_path: Path) -> None:
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        members.insert(5, (zipfile.ZipInfo("evidence/extra.txt"), b"planted"))

    assert first_failure(tmp_path, rewrite(pack.data, change)) == (
        "evidence/extra.txt: not listed in the manifest"
    )


def test_a_duplicated_member_fails(pack: Pack, tmp_path: Path) -> None:
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        members.insert(5, (zipfile.ZipInfo(members[4][0].filename), b"{}"))

    with pytest.warns(UserWarning, match="Duplicate name"):
        data = rewrite(pack.data, change)
    assert first_failure(tmp_path, data) == f"{pack.members[4]}: present twice in the zip"


def _edit_manifest(data: bytes, edit: object) -> bytes:
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        info, content = members[-1]
        manifest = json.loads(content)
        assert callable(edit)
        edit(manifest)
        members[-1] = (info, canonical_json(manifest))

    return rewrite(data, change)


def test_reordered_manifest_entries_fail(pack: Pack, tmp_path: Path) -> None:
    def swap(manifest: dict[str, list[object]]) -> None:
        entries = manifest["entries"]
        entries[2], entries[3] = entries[3], entries[2]

    failure = first_failure(tmp_path, _edit_manifest(pack.data, swap))
    assert failure == f"{MANIFEST}: chain broken at {pack.members[3]} (entry edited or reordered)"


def test_an_edited_root_fails(pack: Pack, tmp_path: Path) -> None:
    def edit(manifest: dict[str, str]) -> None:
        manifest["root"] = "0" * 64

    assert first_failure(tmp_path, _edit_manifest(pack.data, edit)) == f"{MANIFEST}: root altered"


def test_a_re_sealed_forgery_fails_only_against_the_recorded_root(
    pack: Pack, tmp_path: Path
) -> None:
    """Someone who rewrites a file and rebuilds the whole chain is caught by --root."""
    from herald.evidence.verify import chain_next, chain_start, sha256_hex

    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["evidence/waivers.json"] = b"[]\n"
    manifest = json.loads(files[MANIFEST])
    chain = chain_start(INCIDENT)
    for entry in manifest["entries"]:
        content = files[entry["path"]]
        entry["sha256"], entry["size"] = sha256_hex(content), len(content)
        chain = entry["chain"] = chain_next(chain, entry["path"], entry["sha256"])
    manifest["root"] = chain
    files[ROOT_FILE], files[MANIFEST] = f"{chain}\n".encode(), canonical_json(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    forged = saved(tmp_path, out.getvalue())
    assert verify_pack(forged).ok
    result = verify_pack(forged, root=pack.root)
    assert [str(f) for f in result.failures] == [f"{MANIFEST}: root differs from the recorded root"]


def test_a_wrong_recorded_root_fails(pack: Pack, tmp_path: Path) -> None:
    failure = first_failure(tmp_path, pack.data, root="ab" * 32)
    assert failure == f"{MANIFEST}: root differs from the recorded root"


def test_reordered_zip_members_fail(pack: Pack, tmp_path: Path) -> None:
    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        members[1], members[2] = members[2], members[1]

    failure = first_failure(tmp_path, rewrite(pack.data, change))
    assert failure == f"{pack.members[2]}: out of the manifest's order in the zip"


def test_a_corrupt_file_is_not_a_pack(tmp_path: Path) -> None:
    assert "not a readable zip file" in first_failure(tmp_path, b"not a zip")


def test_the_cli_verifies_and_names_the_altered_file(pack: Pack, tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.zip"
    good.write_bytes(pack.data)
    done = runner.invoke(app, ["evidence", "verify", str(good), "--root", pack.root])
    assert done.exit_code == 0, done.output
    assert "verified" in done.output and pack.root in done.output

    def change(members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        info, content = members[5]
        members[5] = (info, flip(content))

    bad = tmp_path / "bad.zip"
    bad.write_bytes(rewrite(pack.data, change))
    done = runner.invoke(app, ["evidence", "verify", str(bad)])
    assert done.exit_code == 1
    assert f"error: {pack.members[5]}: altered" in done.output
    done = runner.invoke(app, ["evidence", "verify", str(tmp_path / "nope.zip")])
    assert done.exit_code == 2
