"""Uploaded screenshots: accepted by content (not by name) and stored under names the app picks."""

from __future__ import annotations

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
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    except OSError as exc:
        raise UploadError(f"The screenshot could not be saved ({exc.strerror}); try again later.") from None
    return name
