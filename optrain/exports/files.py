"""Where export files go, and how they get there without half-written leftovers.

File names are chosen by the app (kind of export plus a UTC time stamp),
never taken from user text; even so the final path is resolved and must lie
directly inside the exports folder. Each file is written under a hidden
temporary name and renamed into place only when complete, so a failed or
empty export leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from optrain.errors import ExportError

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

EXPORTS_ENV_VAR = "OPTRAIN_EXPORTS"
WRITE_BUFFER_BYTES = 64 * 1024


def utc_stamp(now: datetime) -> str:
    """The time stamp in export file names, e.g. 20261122T031500Z."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def utc_text(moment: datetime) -> str:
    """ISO-8601 UTC to the second with a Z, the form ticket importers read."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unwritable(folder: Path, exc: OSError) -> ExportError:
    reason = exc.strerror or exc.__class__.__name__
    return ExportError(
        f"The exports folder {folder} cannot be written ({reason}); create it with write access "
        f"or set {EXPORTS_ENV_VAR} to a writable folder, then export again."
    )


def export_target(folder: Path, name: str) -> Path:
    """A free path for `name` directly inside `folder` (created if needed): `-2`, `-3`... on a clash."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        root = folder.resolve(strict=True)
    except OSError as exc:
        raise unwritable(folder, exc) from exc
    stem, dot, suffix = name.partition(".")
    candidate = root / name
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = root / f"{stem}-{counter}{dot}{suffix}"
    if candidate.resolve().parent != root:
        raise ExportError(f"Refusing to write {name!r} outside the exports folder {folder}.")
    return candidate


@contextmanager
def published_file(folder: Path, name: str) -> Iterator[tuple[Path, BinaryIO]]:
    """Yield (final path, open temporary file); on success the file is renamed to the final path.

    Any exception (an `ExportError` for "nothing to export" included) removes
    the temporary file, so no partial or empty export is ever published.
    """
    target = export_target(folder, name)
    partial = target.with_name(f".{target.name}.partial")
    try:
        handle = open(partial, "wb")  # noqa: SIM115 - closed below, before the rename
    except OSError as exc:
        raise unwritable(folder, exc) from exc
    try:
        with handle:
            yield target, handle
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        logger.error("Export %s not written: %s", target.name, exc)
        raise unwritable(folder, exc) from exc
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        logger.info("Export %s not written: %s", target.name, exc)
        raise
    logger.info("Export written: %s (%d bytes)", target, target.stat().st_size)


class HashingWriter(io.RawIOBase):
    """Passes bytes on to `sink` while computing their SHA-256 and size, so nothing is read back."""

    def __init__(self, sink: IO[bytes]) -> None:
        super().__init__()
        self._sink = sink
        self._hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        view = memoryview(data)
        self._hash.update(view)
        self._sink.write(view)
        self.size += len(view)
        return len(view)

    def close(self) -> None:
        if not self.closed:
            self._sink.close()
        super().close()

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def text_stream(raw: HashingWriter) -> io.TextIOWrapper:
    """UTF-8 text over `raw` with `newline=""`, as the csv module requires."""
    return io.TextIOWrapper(io.BufferedWriter(raw, WRITE_BUFFER_BYTES), encoding="utf-8", newline="")
