"""Checking an evidence pack: its signature, then every member against the signed manifest.

A pack is hostile input. Nothing is inflated before its size has been read
from the ZIP's central directory and found within limits, and no read goes
past that size (zipfile stops at the declared size and checks the CRC), so
a small pack cannot take gigabytes of memory or hours. Members are hashed
in chunks. Refused outright: duplicate names (a forged `qa.csv` before the
real one), absolute or `..` names, encrypted members, compression other
than stored or deflated. The manifest is trusted only once its Ed25519
signature matches the signer's public key.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from optrain.exports.evidence import MANIFEST
from optrain.exports.signing import SIGNATURE, SIGNATURE_BYTES, signature_matches

HASH_CHUNK_BYTES = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = 64 * 1024**3
MAX_MEMBERS = 1_000_000
SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)


def _unsafe_name(name: str) -> str | None:
    """Why a member name cannot be trusted (it could be written outside the folder it is unpacked in), or None."""
    if not name or "\x00" in name:
        return "an empty name or a NUL character"
    if "\\" in name:
        return "a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "a '..' part"
    return None


def _header_problems(infos: list[zipfile.ZipInfo]) -> list[str]:
    """What the central directory alone shows is wrong, before any member is read."""
    problems: list[str] = []
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        unsafe = _unsafe_name(name)
        if unsafe:
            problems.append(f"{name!r}: refused, its name has {unsafe}.")
        if name in seen:
            problems.append(f"{name}: refused, the pack holds more than one member of this name.")
        seen.add(name)
        if info.flag_bits & 0x1:
            problems.append(f"{name}: refused, the member is encrypted.")
        if info.compress_type not in SUPPORTED_COMPRESSION:
            problems.append(
                f"{name}: refused, compression method {info.compress_type} is not supported (only stored and deflated)."
            )
    return problems


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise ValueError(f"{info.file_size:,} bytes, more than the {limit:,} allowed")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"more than the {limit:,} bytes allowed")
    return data


def _member_sha256(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as member:
        while chunk := member.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _listed_files(manifest: Any) -> dict[str, tuple[str, int]] | None:
    """name -> (sha256, bytes) from a parsed manifest, or None when it is not shaped like one."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    listed: dict[str, tuple[str, int]] = {}
    for entry in manifest["files"]:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("sha256"), str)
            and type(entry.get("bytes")) is int
        ):
            return None
        if entry["name"] in listed:
            return None
        listed[entry["name"]] = (entry["sha256"], entry["bytes"])
    return listed


def verify_pack(path: Path, public_key: Ed25519PublicKey) -> list[str]:
    """Problems found in the pack (bad signature, unsafe member, missing file, hash mismatch, extra file, damage);
    empty when it is intact and signed by the holder of `public_key`."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        return [f"{path} is not a readable ZIP file ({exc}); export the pack again."]
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            return [f"{path}: refused, it holds {len(infos):,} members (at most {MAX_MEMBERS:,} are checked)."]
        problems = _header_problems(infos)
        if problems:
            return problems
        by_name = {info.filename: info for info in infos}
        for name in (MANIFEST, SIGNATURE):
            if name not in by_name:
                return [f"{name}: missing, so nothing in the pack can be checked."]
        try:
            manifest_bytes = _read_small(archive, by_name[MANIFEST], MAX_MANIFEST_BYTES)
            signature = _read_small(archive, by_name[SIGNATURE], SIGNATURE_BYTES)
        except _READ_ERRORS as exc:
            return [f"{MANIFEST} or {SIGNATURE}: refused, cannot be read ({exc})."]
        if len(signature) != SIGNATURE_BYTES or not signature_matches(public_key, manifest_bytes, signature):
            return [
                f"{SIGNATURE}: the signature does not match {MANIFEST} and this public key: the pack was "
                "changed after export, or signed by another key."
            ]
        try:
            listed = _listed_files(json.loads(manifest_bytes.decode("utf-8")))
        except RecursionError:
            return [f"{MANIFEST}: refused, it is nested too deeply to be a manifest."]
        except ValueError as exc:
            return [f"{MANIFEST}: not readable JSON ({exc})."]
        if listed is None:
            return [f"{MANIFEST}: has no valid 'files' list of names, sizes and SHA-256 hashes."]
        for name, (expected, size) in listed.items():
            unsafe = _unsafe_name(name)
            if unsafe:
                problems.append(f"{name!r}: refused, the manifest lists a name with {unsafe}.")
                continue
            info = by_name.get(name)
            if info is None:
                problems.append(f"{name}: listed in {MANIFEST} but missing from the pack.")
                continue
            if info.file_size != size or size > MAX_MEMBER_BYTES:
                problems.append(
                    f"{name}: refused, its size ({info.file_size:,} bytes) is not the "
                    f"{size:,} bytes {MANIFEST} lists, or over the limit."
                )
                continue
            try:
                actual = _member_sha256(archive, info)
            except _READ_ERRORS as exc:
                problems.append(f"{name}: damaged, cannot be read ({exc}).")
                continue
            if actual != expected:
                problems.append(f"{name}: SHA-256 does not match {MANIFEST}; the file was changed after export.")
        problems.extend(
            f"{name}: in the pack but not listed in {MANIFEST}."
            for name in sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE})
        )
        return problems
