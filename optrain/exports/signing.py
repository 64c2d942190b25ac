"""The evidence signing key: who made a pack, not only whether it changed.

Each pack's manifest.json is signed with an Ed25519 key (the `cryptography`
package); the 64-byte signature is the pack's `manifest.sig`. The private
key is created at first use, as PEM (PKCS #8) in the config folder, readable
by its owner only (0600, folder 0700) and never committed. An auditor gets
the public key from `optrain export public-key` and checks a pack with
`optrain export verify PACK.zip --public-key FILE`, or without the app:
`openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in manifest.json -sigfile manifest.sig`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from optrain.errors import ExportError

SIGNATURE = "manifest.sig"
KEY_FILE_NAME = "evidence_signing_key.pem"
SIGNATURE_BYTES = 64


def default_key_path(config_dir: Path) -> Path:
    return config_dir / KEY_FILE_NAME


def _create_key(path: Path) -> None:
    """Write a new key under a temporary name and link it into place, so two first exports agree on one key."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:  # mkstemp creates it with mode 0600
                stream.write(pem)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another export created it first: use that one
        finally:
            os.unlink(temporary)
    except OSError as exc:
        raise ExportError(
            f"The evidence signing key {path} could not be created ({exc.strerror or exc}); make its folder "
            "writable, then export again."
        ) from exc


def load_signing_key(path: Path, *, create: bool = True) -> Ed25519PrivateKey:
    """The private key at `path`, created at first use (unless `create` is False)."""
    if create and not path.exists():
        _create_key(path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExportError(
            f"There is no evidence signing key at {path}; export a pack first (that creates it), "
            "or pass the signer's public key with --public-key."
        ) from None
    except OSError as exc:
        raise ExportError(f"The evidence signing key {path} cannot be read ({exc.strerror or exc}).") from exc
    if stat.S_IMODE(mode) & 0o077:
        raise ExportError(
            f"The evidence signing key {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}` (and rotate the key if others may have copied it)."
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ExportError(f"{path} is not a readable PEM private key ({exc}); see the README on rotating it.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ExportError(f"{path} is not an Ed25519 key; see the README on rotating the evidence signing key.")
    return key


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"The public key {path} cannot be read ({exc.strerror or exc}).") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ExportError(f"{path} is not a PEM public key ({exc}); get one with `optrain export public-key`.") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ExportError(f"{path} is not an Ed25519 public key; get one with `optrain export public-key`.")
    return key


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def signature_matches(key: Ed25519PublicKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
