"""Checking an evidence pack against its own manifest, so tampering or damage is noticed before it is relied on."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from optrain.exports.evidence import MANIFEST

HASH_CHUNK_BYTES = 1024 * 1024


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _listed_files(manifest: Any) -> dict[str, str] | None:
    """name -> sha256 from a parsed manifest, or None when it is not shaped like one."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    listed: dict[str, str] = {}
    for entry in manifest["files"]:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("sha256"), str)):
            return None
        listed[entry["name"]] = entry["sha256"]
    return listed


def verify_pack(path: Path) -> list[str]:
    """Problems found in the pack (missing file, hash mismatch, extra file, damage); empty when it is intact."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path} is not a readable ZIP file ({exc}); export the pack again."]
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            return [f"{MANIFEST}: missing, so nothing in the pack can be checked."]
        try:
            listed = _listed_files(json.loads(archive.read(MANIFEST).decode("utf-8")))
        except (ValueError, zipfile.BadZipFile) as exc:
            return [f"{MANIFEST}: not readable JSON ({exc})."]
        if listed is None:
            return [f"{MANIFEST}: has no valid 'files' list of names and SHA-256 hashes."]
        problems: list[str] = []
        for name, expected in listed.items():
            if name not in names:
                problems.append(f"{name}: listed in {MANIFEST} but missing from the pack.")
                continue
            try:
                actual = _member_sha256(archive, name)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                problems.append(f"{name}: damaged, cannot be read ({exc}).")
                continue
            if actual != expected:
                problems.append(f"{name}: SHA-256 does not match {MANIFEST}; the file was changed after export.")
        problems.extend(
            f"{name}: in the pack but not listed in {MANIFEST}." for name in sorted(names - set(listed) - {MANIFEST})
        )
        return problems
