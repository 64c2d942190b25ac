"""Uploaded screenshots: accepted by content (not by name) and stored under names the app picks."""

from __future__ import annotations

import errno
import os
import secrets
import string
from pathlib import Path

from optrain.errors import UploadError

MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))
NAME_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "-_")


def image_type(data: bytes) -> str:
    """'png' or 'jpg' from the file's first bytes; anything else is refused."""
    if not data:
        raise UploadError("The screenshot is empty; attach a PNG or JPEG image.")
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise UploadError(
            f"The screenshot is {len(data):,} bytes; the limit is {MAX_SCREENSHOT_BYTES:,} bytes "
            f"({MAX_SCREENSHOT_BYTES // 1024 // 1024} MB). Crop it or save it as JPEG."
        )
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    raise UploadError("The screenshot is not a PNG or JPEG image (checked by its content, not its name).")


def store_screenshot(folder: Path, data: bytes, *, prefix: str) -> str:
    """Write the image under a random app-chosen name inside `folder`; returns the file name."""
    kind = image_type(data)
    # ASCII only: str.isalnum() also accepts upper-case and non-Latin letters and digits.
    safe_prefix = "".join(c for c in prefix.lower() if c in NAME_CHARACTERS)[:40] or "shot"
    name = f"{safe_prefix}_{secrets.token_hex(8)}.{kind}"
    _write_private(folder, name, data)
    return name


def _write_private(folder: Path, name: str, data: bytes) -> None:
    """Written under a temporary name and renamed, private to the app's user (0600 in a 0700 folder).

    Whatever fails (a full disk, a read-only folder), no file is left behind:
    neither a 0-byte screenshot nor a half-written one.
    """
    partial = folder / f".{name}.partial"
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            _remove(partial)
            raise
        os.replace(partial, folder / name)
    except OSError as exc:
        _remove(partial)
        reason = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else exc.strerror
        raise UploadError(
            f"The screenshot could not be saved ({reason}); nothing was saved, try again later."
        ) from None


def _remove(path: Path) -> None:
    """Remove a partial file; on a read-only folder even a missing file's unlink fails, and nothing is there."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
