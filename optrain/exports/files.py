"""Where export files go, and how they get there without half-written leftovers.

File names are chosen by the app (kind of export plus a UTC time stamp),
never taken from user text; even so the final path is resolved and must lie
directly inside the exports folder. Each file is written under a hidden
temporary name (`.<name>.partial`) and renamed into place only when
complete, so a failed or empty export leaves nothing behind. The writer
holds an exclusive `flock` on its temporary file while it writes; a
temporary file nobody holds is the leftover of a killed export, and the
next export removes it. Folders are created 0700 and files 0600: exports
hold trainees' records.
"""

from __future__ import annotations

import fcntl
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
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
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


PARTIAL_SUFFIX = ".partial"


def remove_abandoned_partials(folder: Path) -> list[Path]:
    """Remove temporary export files no export is writing (left by a killed one); returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(PARTIAL_SUFFIX)]
    except OSError:
        return removed
    for path in candidates:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # an export is writing it right now
        else:
            path.unlink(missing_ok=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


@contextmanager
def published_file(folder: Path, name: str) -> Iterator[tuple[Path, BinaryIO]]:
    """Yield (final path, open temporary file); on success the file is renamed to the final path.

    Any exception (an `ExportError` for "nothing to export", a full disk)
    removes the temporary file, so no partial or empty export is ever
    published. The file is created 0600.
    """
    target = export_target(folder, name)
    remove_abandoned_partials(target.parent)
    partial = target.with_name(f".{target.name}{PARTIAL_SUFFIX}")
    try:
        # The lock is held on its own descriptor until the rename, however the caller closes its handle.
        lock = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise unwritable(folder, exc) from exc
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(partial, "wb") as handle:
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
    finally:
        os.close(lock)
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
