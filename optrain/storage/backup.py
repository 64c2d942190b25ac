"""A consistent copy of the training database while the app keeps running.

Copying the file with `cp` can catch a half-written page or miss the WAL; the
SQLite online backup API copies one committed snapshot instead. The copy is
written to a temporary file next to the destination and renamed into place,
so an interrupted backup never leaves a truncated file behind (not even on a
full disk: the partial file is removed whatever fails), and it is
switched to a single-file journal so it can be moved or mailed as one file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from optrain.errors import StorageError
from optrain.storage.db import connect_read_only, storage_errors


def backup(db_path: str | Path, dest_path: str | Path) -> Path:
    """Copy the database at `db_path` to `dest_path` (replacing it) and return the destination.

    The copy is private to the app's user (mode 0600), like the database itself.
    """
    source = Path(db_path)
    dest = Path(dest_path)
    if not source.is_file():
        raise StorageError(f"There is no training database at {source}; check the path to back up.")
    if dest.is_dir():
        raise StorageError(f"{dest} is a folder; give the backup a file name, for example {dest / 'optrain.db'}.")
    if _same_file(source, dest) or _is_companion_file(source, dest):
        raise StorageError(f"The backup would overwrite the database itself ({source}); choose another destination.")
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    except OSError as exc:
        raise StorageError(_cannot_write(dest, exc)) from None
    try:
        with storage_errors():
            with closing(_connect_source(source)) as src, closing(sqlite3.connect(partial)) as out:
                src.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
                (check,) = out.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise StorageError(f"The backup of {source} failed its integrity check ({check}); try again.")
        os.replace(partial, dest)
    except OSError as exc:
        raise StorageError(_cannot_write(dest, exc)) from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass  # a read-only folder: nothing could have been written there
    return dest


def _cannot_write(dest: Path, exc: OSError) -> str:
    return (
        f"The backup could not be written to {dest} ({exc.strerror or exc}); choose a folder the app's user "
        "can write to, with enough free space."
    )


def _connect_source(source: Path) -> sqlite3.Connection:
    """Read-only, so a mistyped path can never create or change a database (and a read-only disk can be saved)."""
    return connect_read_only(source)


def _is_companion_file(source: Path, dest: Path) -> bool:
    """The WAL, shared-memory and rollback-journal files belong to the live database."""
    companions = {source.name + suffix for suffix in ("-wal", "-shm", "-journal")}
    return dest.name in companions and _same_file(source.parent, dest.parent)


def _same_file(a: Path, b: Path) -> bool:
    if b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()
