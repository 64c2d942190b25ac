"""`verify_pack` and `optrain export verify`: the signature, every hash, and hostile packs refused without a traceback.

Hostile packs are built here byte by byte (`raw_zip`), so a test can make
what zipfile itself would not write: duplicate names, a header that claims
encryption or deflate64, a manifest that inflates to 2 GiB.
"""

from __future__ import annotations

import hashlib
import json
import struct
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exports_records import T0, answer, attempt, decide, finish
from sqlite_utils import Database

from optrain.cli import main
from optrain.exports import (
    EvidenceFilter,
    default_key_path,
    export_evidence_pack,
    load_signing_key,
    public_key_pem,
    verify_pack,
)

GIB = 1024**3


@dataclass(frozen=True)
class Raw:
    """One member as it goes into the ZIP: already compressed `data`, and what its headers claim."""

    name: str
    data: bytes
    method: int = zipfile.ZIP_STORED
    flags: int = 0
    size: int | None = None  # the uncompressed size the headers claim (default: len(data))
    crc: int | None = None


def raw_zip(members: list[Raw]) -> bytes:
    """A ZIP written by hand (local headers, central directory, end record), exactly as the members say."""
    out, central = bytearray(), bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        size = len(m.data) if m.size is None else m.size
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        offset = len(out)
        out += (
            struct.pack(
                "<4s5H3I2H", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x21, crc, len(m.data), size, len(name), 0
            )
            + name
            + m.data
        )
        central += (
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                m.flags,
                m.method,
                0,
                0x21,
                crc,
                len(m.data),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def signed(manifest: bytes, key: Ed25519PrivateKey) -> list[Raw]:
    return [Raw("manifest.json", manifest), Raw("manifest.sig", key.sign(manifest))]


def manifest_of(files: dict[str, bytes]) -> bytes:
    return json.dumps(
        {
            "files": [
                {"name": n, "rows": None, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                for n, d in files.items()
            ]
        }
    ).encode()


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return load_signing_key(default_key_path(tmp_path / "config"))


@pytest.fixture
def pack(db: Database, tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    """A real pack, signed with `key`."""
    made = attempt(db, "casey")
    decide(db, made, "alex_rivera_sla")
    finish(db, made, score=8, passed=True)
    answer(db, made, "what_is_confusing", answer="the heatmap")
    return export_evidence_pack(
        db,
        EvidenceFilter(),
        exports_dir=tmp_path / "exports",
        uploads_dir=tmp_path,
        signing_key=default_key_path(tmp_path / "config"),
        now=T0,
    ).path


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_real_pack_verifies(pack: Path, key: Ed25519PrivateKey) -> None:
    assert verify_pack(pack, key.public_key()) == []


def test_a_pack_signed_by_another_key_fails(pack: Path) -> None:
    (problem,) = verify_pack(pack, Ed25519PrivateKey.generate().public_key())
    assert problem.startswith("manifest.sig: the signature does not match manifest.json and this public key")


def test_an_edited_member_with_its_manifest_hash_edited_too_fails_the_signature(
    pack: Path, key: Ed25519PrivateKey
) -> None:
    files = members_of(pack)
    files["qa.csv"] += b"999,forged\r\n"
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["name"] == "qa.csv":
            entry["sha256"] = hashlib.sha256(files["qa.csv"]).hexdigest()
            entry["bytes"] = len(files["qa.csv"])
    files["manifest.json"] = json.dumps(manifest).encode()
    pack.write_bytes(raw_zip([Raw(name, data) for name, data in files.items()]))
    (problem,) = verify_pack(pack, key.public_key())
    assert problem.startswith("manifest.sig: the signature does not match")


def test_an_edited_member_fails_its_hash(pack: Path, key: Ed25519PrivateKey) -> None:
    files = members_of(pack)
    files["decisions.csv"] = files["decisions.csv"].replace(b"casey", b"riley")
    pack.write_bytes(raw_zip([Raw(name, data) for name, data in files.items()]))
    assert verify_pack(pack, key.public_key()) == [
        "decisions.csv: SHA-256 does not match manifest.json; the file was changed after export."
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"qa.csv": None}, "qa.csv: listed in manifest.json but missing from the pack."),
        ({"screenshots/extra.png": b"\x89PNG"}, "screenshots/extra.png: in the pack but not listed in manifest.json."),
        ({"manifest.json": None}, "manifest.json: missing, so nothing in the pack can be checked."),
        ({"manifest.sig": None}, "manifest.sig: missing, so nothing in the pack can be checked."),
    ],
)
def test_missing_and_extra_members_are_named(
    pack: Path, key: Ed25519PrivateKey, change: dict[str, bytes | None], problem: str
) -> None:
    files = members_of(pack)
    for name, data in change.items():
        if data is None:
            files.pop(name)
        else:
            files[name] = data
    pack.write_bytes(raw_zip([Raw(name, data) for name, data in files.items()]))
    assert verify_pack(pack, key.public_key()) == [problem]


def test_a_listed_dot_dot_member_is_refused(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    files = {"qa.csv": b"answer\r\n", "../../etc/cron.d/evil": b"* * * * * root sh\n"}
    path = tmp_path / "pack.zip"
    path.write_bytes(raw_zip([Raw(n, d) for n, d in files.items()] + signed(manifest_of(files), key)))
    assert verify_pack(path, key.public_key()) == ["'../../etc/cron.d/evil': refused, its name has a '..' part."]


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/Windows/evil.dll", "screenshots\\..\\evil", ""])
def test_absolute_and_odd_names_are_refused(tmp_path: Path, key: Ed25519PrivateKey, name: str) -> None:
    files = {name: b"x"}
    path = tmp_path / "pack.zip"
    path.write_bytes(raw_zip([Raw(n, d) for n, d in files.items()] + signed(manifest_of(files), key)))
    (problem,) = verify_pack(path, key.public_key())
    assert problem.startswith(f"{name!r}: refused, its name has ")


def test_a_forged_duplicate_placed_before_the_real_member_is_refused(pack: Path, key: Ed25519PrivateKey) -> None:
    files = members_of(pack)
    forged = Raw("qa.csv", b"answer_id,answer\r\n1,all good\r\n")
    pack.write_bytes(raw_zip([forged] + [Raw(name, data) for name, data in files.items()]))
    assert verify_pack(pack, key.public_key()) == ["qa.csv: refused, the pack holds more than one member of this name."]


def test_an_encrypted_member_is_refused(pack: Path, key: Ed25519PrivateKey) -> None:
    files = members_of(pack)
    pack.write_bytes(raw_zip([Raw(name, data, flags=1 if name == "qa.csv" else 0) for name, data in files.items()]))
    assert verify_pack(pack, key.public_key()) == ["qa.csv: refused, the member is encrypted."]


def test_a_deflate64_member_is_refused(pack: Path, key: Ed25519PrivateKey) -> None:
    files = members_of(pack)
    pack.write_bytes(raw_zip([Raw(name, data, method=9 if name == "qa.csv" else 0) for name, data in files.items()]))
    assert verify_pack(pack, key.public_key()) == [
        "qa.csv: refused, compression method 9 is not supported (only stored and deflated)."
    ]


def zeros_deflated(total: int) -> bytes:
    """A raw deflate stream of `total` zero bytes, built from one repeated 1 MiB segment (about 1 KiB each)."""
    chunk = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return segment * (total // chunk) + b"\x03\x00"  # then an empty final block


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zeros_deflated(2 * GIB)


@pytest.mark.parametrize("claimed", [2 * GIB, 1000], ids=["honest-header", "lying-header"])
def test_a_2_mb_pack_whose_manifest_inflates_to_2_gib_is_refused_in_bounded_memory(
    tmp_path: Path, key: Ed25519PrivateKey, bomb: bytes, claimed: int
) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(
        raw_zip(
            [
                Raw("manifest.json", bomb, method=zipfile.ZIP_DEFLATED, size=claimed, crc=0),
                Raw("manifest.sig", bytes(64)),
            ]
        )
    )
    assert path.stat().st_size < 3 * 1024 * 1024
    tracemalloc.start()
    try:
        (problem,) = verify_pack(path, key.public_key())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem.startswith("manifest.json or manifest.sig: refused, cannot be read (")
    assert peak < 200 * 1024 * 1024


def test_a_deeply_nested_manifest_is_refused(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    path = tmp_path / "nested.zip"
    path.write_bytes(raw_zip(signed(b"[" * 200_000 + b"]" * 200_000, key)))
    assert verify_pack(path, key.public_key()) == ["manifest.json: refused, it is nested too deeply to be a manifest."]


def test_a_member_whose_size_differs_from_the_manifest_is_refused_before_reading(
    pack: Path, key: Ed25519PrivateKey
) -> None:
    files = members_of(pack)
    pack.write_bytes(
        raw_zip([Raw(name, data, size=len(data) * 1000 if name == "qa.csv" else None) for name, data in files.items()])
    )
    (problem,) = verify_pack(pack, key.public_key())
    assert problem.startswith("qa.csv: refused, its size (")


def test_a_file_that_is_not_a_zip(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    bogus = tmp_path / "training_evidence_x.zip"
    bogus.write_bytes(b"not a zip")
    assert verify_pack(bogus, key.public_key()) == [
        f"{bogus} is not a readable ZIP file (File is not a zip file); export the pack again."
    ]


# ---------------------------------------------------------------- the CLI


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPTRAIN_AUTH", str(tmp_path / "config" / "auth.yaml"))
    return tmp_path / "config"


def test_public_key_prints_the_pem_that_verifies_this_installations_packs(
    pack: Path, config: Path, tmp_path: Path
) -> None:
    code, out = run("export", "public-key")
    assert code == 0 and out.startswith("-----BEGIN PUBLIC KEY-----")
    public = tmp_path / "auditor.pem"
    public.write_text(out)
    assert run("export", "verify", str(pack), "--public-key", str(public)) == (
        0,
        f"OK: {pack}: signature valid, every file matches manifest.json\n",
    )
    assert run("export", "verify", str(pack))[0] == 0


def test_verify_with_another_public_key_exits_1(pack: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    code, out = run("export", "verify", str(pack), "--public-key", str(other))
    assert code == 1 and "the signature does not match" in out and "1 problem(s)" in out


@pytest.mark.parametrize("content", [b"not a key", b""])
def test_an_unreadable_public_key_is_named(pack: Path, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_bytes(content)
    code, out = run("export", "verify", str(pack), "--public-key", str(bad))
    assert code == 1 and f"{bad} is not a PEM public key" in out


def test_verify_without_a_key_here_says_to_pass_one(
    pack: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPTRAIN_AUTH", str(tmp_path / "elsewhere" / "auth.yaml"))
    code, out = run("export", "verify", str(pack))
    assert code == 1 and "There is no evidence signing key" in out and "--public-key" in out
    assert not (tmp_path / "elsewhere").exists(), "verifying never creates a key"


def test_the_key_is_created_private_and_a_readable_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new" / "key.pem"
    load_signing_key(path)
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert load_signing_key(path).public_key() == load_signing_key(path).public_key()
    path.chmod(0o644)
    with pytest.raises(Exception, match="can be read by other users"):
        load_signing_key(path)
