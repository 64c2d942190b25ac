"""SQLite failures as messages people understand: the one place storage turns a sqlite3 error into `StorageError`.

Kept apart from `optrain.storage.db` so that the migrations, which `db` runs
when it opens a database, can report failures without importing `db` back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from optrain.errors import StorageError

BUSY_MESSAGE = "The training database is busy; try again in a moment."
READONLY_MESSAGE = (
    "The training database is read-only; ask an administrator to make the database file "
    "and its folder writable, then try again."
)
FULL_MESSAGE = "The disk is full, so nothing was saved; free some disk space and try again."
IO_MESSAGE = "The training database could not be read or written (disk I/O error); check the disk and try again."
NOT_A_DATABASE_MESSAGE = (
    "The training database file is damaged or is not a database. To restore it: stop the app, move the damaged "
    "file (and any -wal and -shm files beside it) aside, copy your latest backup made with `optrain db backup` "
    "in its place, then start the app again."
)
CANTOPEN_MESSAGE = (
    "The training database file could not be opened: its folder is missing, read-only or not accessible to the "
    "app's user. Make the folder and the file writable by that user, or set OPTRAIN_DB to a writable location."
)

_MESSAGES_BY_CODE: dict[int, str] = {
    sqlite3.SQLITE_BUSY: BUSY_MESSAGE,
    sqlite3.SQLITE_LOCKED: BUSY_MESSAGE,
    sqlite3.SQLITE_READONLY: READONLY_MESSAGE,
    sqlite3.SQLITE_FULL: FULL_MESSAGE,
    sqlite3.SQLITE_IOERR: IO_MESSAGE,
    sqlite3.SQLITE_NOTADB: NOT_A_DATABASE_MESSAGE,
    sqlite3.SQLITE_CORRUPT: NOT_A_DATABASE_MESSAGE,
    sqlite3.SQLITE_CANTOPEN: CANTOPEN_MESSAGE,
}
# Used when an error carries no SQLite code (raised by hand, or by an old driver).
_MESSAGES_BY_TEXT: tuple[tuple[str, str], ...] = (
    ("database is locked", BUSY_MESSAGE),
    ("database table is locked", BUSY_MESSAGE),
    ("readonly database", READONLY_MESSAGE),
    ("database or disk is full", FULL_MESSAGE),
    ("disk i/o error", IO_MESSAGE),
    ("file is not a database", NOT_A_DATABASE_MESSAGE),
    ("database disk image is malformed", NOT_A_DATABASE_MESSAGE),
    ("unable to open database file", CANTOPEN_MESSAGE),
)


def user_message(exc: sqlite3.Error) -> str | None:
    """The user-facing message for an environmental SQLite failure, None for a programming error."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _MESSAGES_BY_CODE:
        return _MESSAGES_BY_CODE[code & 0xFF]
    text = str(exc).lower()
    return next((message for needle, message in _MESSAGES_BY_TEXT if needle in text), None)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise locked / read-only / full / I/O failures as `StorageError`; anything else unchanged.

    Bugs such as a wrong column name stay `sqlite3.OperationalError` so they
    are not disguised as a busy database.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        message = user_message(exc)
        if message is None:
            raise
        raise StorageError(message) from exc
