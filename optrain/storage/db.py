"""Opening the training database, and turning SQLite failures into messages people understand.

Connection settings, and why:

- `journal_mode=WAL`: trainer views keep reading while trainees write. It is
  set outside any transaction because SQLite ignores it inside one.
- `synchronous=FULL`: every commit is on disk before it returns, so a call
  the screen has confirmed survives a power cut or an OS crash too, not only
  a crash of the app. In WAL mode that is one fsync per commit. Drafts and
  review flags (`durable=False`) commit at `NORMAL` instead: a crash of the
  app keeps them, a power cut may lose the last few, and a click that saves
  one does not wait for the disk (about 0.3 ms here).
- `foreign_keys=ON`: off by default in SQLite, and the cascades rely on it.
- `busy_timeout`: a write waits this long for another writer before failing
  with "database is locked", which `storage_errors` turns into `StorageError`.
- `check_same_thread=False`: Streamlit may run a session's reruns on
  different threads. One connection must still not be used by two threads at
  once; open one per session.

Every write runs in `write_transaction`, which starts with `BEGIN IMMEDIATE`
through sqlite-utils: in WAL mode a transaction that reads first and writes
later can fail at once with SQLITE_BUSY instead of waiting for the busy
timeout.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from optrain.errors import StorageError
from optrain.storage.errors import CANTOPEN_MESSAGE, storage_errors, user_message
from optrain.storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

T = TypeVar("T")

DB_ENV_VAR = "OPTRAIN_DB"
DEFAULT_DB_PATH = Path("data") / "optrain.db"
DEFAULT_BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"


@contextmanager
def write_transaction(db: Database, *, durable: bool = True) -> Iterator[Database]:
    """The one way repository code writes: a single transaction, committed on exit.

    `BEGIN IMMEDIATE` takes the write lock first (waiting up to the busy
    timeout). sqlite-utils' `atomic()` begins a deferred transaction, which in
    WAL mode fails at once with SQLITE_BUSY, without waiting, when it has read
    and then writes after another connection committed: `record_decision`
    reads the attempt's status before it inserts. Inside an open transaction
    the block is `atomic()`'s savepoint, so it still commits or rolls back as
    a whole. `storage_errors` also covers BEGIN and COMMIT, so a busy lock or
    a failing commit reaches the caller as `StorageError`.
    """
    with storage_errors():
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        if not durable:
            db.execute("PRAGMA synchronous = NORMAL")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()  # a no-op when SQLite has already rolled back
                raise
        finally:
            if not durable:
                db.execute("PRAGMA synchronous = FULL")


def fetch_all(db: Database, sql: str, params: dict[str, Any], convert: Callable[[dict[str, Any]], T]) -> tuple[T, ...]:
    """Run a parameterised SELECT and convert every row, with storage failures reported readably.

    `sql` is always a constant of the calling module; values travel in `params` only. Read through
    `db.execute`: `db.query` wraps each SELECT in a savepoint of its own, three statements where one does.
    """
    with storage_errors():
        cursor = db.execute(sql, params)
        keys = [column[0] for column in cursor.description]
        return tuple(convert(dict(zip(keys, row, strict=True))) for row in cursor)


def utc_iso(moment: datetime) -> str:
    """Store times as ISO-8601 UTC text, which also sorts chronologically."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; pass an aware datetime (for example in UTC)")
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def open_db(
    path: str | Path | None = None,
    *,
    migrate: bool = True,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> Database:
    """Open (creating if needed) the training database, configured and migrated.

    `path` defaults to `$OPTRAIN_DB`, else `data/optrain.db`; `":memory:"`
    gives a private in-memory database. `read_only=True` opens an existing
    file through a read-only connection (for views that must never write); it
    neither creates nor migrates the file.
    """
    target = default_db_path() if path is None else path
    try:
        with storage_errors():
            if str(target) == MEMORY:
                conn = sqlite3.connect(MEMORY, check_same_thread=False)
            elif read_only:
                conn = _connect_read_only(Path(target))
            else:
                conn = _connect_read_write(Path(target))
            db = Database(conn)
            try:
                configure(db, migrate=migrate, read_only=read_only, busy_timeout_ms=busy_timeout_ms)
            except BaseException:
                db.close()
                raise
    except StorageError as exc:
        if str(target) in str(exc):
            raise
        raise StorageError(f"{exc} (database file: {target})") from exc
    return db


def configure(
    db: Database,
    *,
    migrate: bool = True,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> Database:
    """Apply the connection settings (and migrations) to an open database, e.g. `Database(memory=True)`.

    A read-only connection cannot migrate, so it refuses a database that
    still needs migrations instead of failing later on a missing table.
    """
    with storage_errors():
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        db.execute("PRAGMA foreign_keys = ON")
        if read_only:
            db.execute("PRAGMA query_only = ON")
            if migrate and MIGRATIONS.pending(db):
                raise StorageError(
                    "The training database needs upgrading before it can be read; "
                    "open the app once with write access to upgrade it."
                )
            return db
        if db.journal_mode != "memory":
            db.enable_wal()
            db.execute("PRAGMA synchronous = FULL")
        if migrate and (pending := MIGRATIONS.pending(db)):
            logger.info("Upgrading the training database: %s", ", ".join(m.name for m in pending))
            MIGRATIONS.apply(db)
    return db


PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def _connect_read_write(path: Path) -> sqlite3.Connection:
    """A new database and its folder are private to the app's user; SQLite gives the WAL the file's mode."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"The folder for the training database ({path.parent}) could not be created "
            f"({exc.strerror}); create it or set {DB_ENV_VAR} to a writable location."
        ) from exc
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
        except OSError as exc:
            raise StorageError(
                f"The training database could not be created at {path} ({exc.strerror}); make its folder "
                f"writable by the app's user or set {DB_ENV_VAR} to a writable location."
            ) from exc
    return sqlite3.connect(path, check_same_thread=False)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StorageError(f"There is no training database at {path}; check {DB_ENV_VAR} or the path given.")
    return connect_read_only(path)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """`mode=ro` makes SQLite refuse writes even for root, who ignores file permissions.

    A WAL database needs its -shm file even to be read; on a read-only file
    system or folder that file cannot be made, so there the database is opened
    as immutable: nothing can change it while the folder is not writable, and
    reports, exports and `optrain db backup` still work.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        if user_message(exc) != CANTOPEN_MESSAGE or os.access(path.parent, os.W_OK):
            raise
        conn.close()
        logger.info("%s: folder not writable, opened as immutable (%s)", path, exc)
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return conn
