"""Helper processes reading the snapshot of an export's own read transaction, so SQLite writes lines on every core.

`snapshot_readers(db)` opens a read transaction on `db` (like
`export_queries.read_snapshot`) and starts `READERS` helper processes
(`snapshot_child.py`), each with a read-only connection that took its
snapshot at the same moment. The export hands them batch queries
(`submit`) a few ahead and reads the answers in order, while its own
thread compresses what came back.

The snapshots are the same when no write committed while they were taken:
a watcher connection's `PRAGMA data_version`, which changes whenever any
other connection commits, is read before the first and after the last;
if it moved, all of them start again (`SNAPSHOT_TRIES` times). When there
is no database file (in memory), the export runs inside a transaction
already, the helpers cannot start, or the tries run out, every batch runs
on `db`'s own connection instead: same bytes, one core.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from optrain.errors import StorageError
from optrain.storage.db import DEFAULT_BUSY_TIMEOUT_MS, storage_errors
from optrain.storage.export_queries import read_snapshot
from optrain.storage.snapshot_child import _COUNTS, read_frame, write_frame

READERS = 2
SNAPSHOT_TRIES = 3
CHILD = Path(__file__).with_name("snapshot_child.py")
HELPER_STOPPED = ("A helper process of the export stopped unexpectedly; export again, and if it keeps "
                  "happening, check the server's memory and process limits.")
# The lines, the rows matched and the lines SQLite could write; or, when a deflated batch was asked for
# and every line was written, the length of the lines and their deflate segment (see
# `snapshot_child.deflate_segment`).
BatchResult = tuple[bytes | int, int, int, bytes | None]


def _raise_reported(info: dict[str, Any]) -> None:
    """Raise the SQLite error a helper reported, mapped like any storage error of the app."""
    kind = getattr(sqlite3, str(info.get("class")), None)
    if not (isinstance(kind, type) and issubclass(kind, sqlite3.Error)):
        kind = sqlite3.OperationalError
    error = kind(str(info.get("message")))
    error.sqlite_errorcode = info.get("code")  # type: ignore[attr-defined,assignment]
    with storage_errors():
        raise error


class _Helper:
    def __init__(self, uri: str, busy_timeout_ms: int):
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), uri, str(busy_timeout_ms)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.statements: dict[str, int] = {}

    def send(self, request: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            write_frame(self.process.stdin, json.dumps(request).encode("utf-8"))
        except (BrokenPipeError, OSError) as exc:
            raise StorageError(HELPER_STOPPED) from exc

    def reply(self) -> bytes:
        assert self.process.stdout is not None
        frame = read_frame(self.process.stdout)
        if frame is None:
            raise StorageError(HELPER_STOPPED)
        if frame[:1] == b"E":
            _raise_reported(json.loads(frame[1:]))
        return frame[1:]

    def batch(self, sql: str, params: dict[str, Any], deflate: int | None) -> None:
        if sql not in self.statements:
            self.statements[sql] = len(self.statements)
            self.send({"op": "sql", "id": self.statements[sql], "sql": sql})
        self.send({"op": "batch", "id": self.statements[sql], "params": params, "deflate": deflate})

    def batch_result(self) -> BatchResult:
        answer = memoryview(self.reply())
        rows, lines, size, segment = _COUNTS.unpack_from(answer)
        body = bytes(answer[_COUNTS.size:_COUNTS.size + (segment or size)])
        return (size, rows, lines, body) if segment else (body, rows, lines, None)

    def hang_up(self) -> None:
        """Close both pipes: the helper stops at the end of its input, even while writing answers nobody reads."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass

    def wait(self) -> None:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _stop(helpers: list[_Helper]) -> None:
    """Hang up on every helper first, then wait for each: they stop side by side."""
    for helper in helpers:
        helper.hang_up()
    for helper in helpers:
        helper.wait()


class Reply:
    """A batch's answer; `result()` waits for it. Answers must be read in the order batches were submitted."""

    def __init__(self, helper: _Helper | None = None, done: BatchResult | None = None,
                 error: BaseException | None = None):
        self._helper = helper
        self._done = done
        self._error = error

    def result(self) -> BatchResult:
        if self._error is not None:
            raise self._error
        if self._done is None:
            assert self._helper is not None
            self._done = self._helper.batch_result()
        return self._done


class SnapshotReaders:
    """Runs batch queries (one result row each) on the helpers in turn, or on `db` itself without them."""

    def __init__(self, db: Database, helpers: list[_Helper]):
        self._db = db
        self._helpers = helpers
        self._next = 0
        self.parallel = bool(helpers)

    def submit(self, sql: str, params: dict[str, Any], deflate: int | None = None) -> Reply:
        """Run a batch query; a helper deflates its lines at level `deflate` (None: sends them as they are)."""
        if not self._helpers:
            try:
                with storage_errors():
                    blob, rows, lines = self._db.conn.execute(sql, params).fetchone()
            except (sqlite3.Error, StorageError) as exc:
                return Reply(error=exc)
            return Reply(done=(bytes(blob or b""), rows, lines, None))
        helper = self._helpers[self._next % len(self._helpers)]
        self._next += 1
        helper.batch(sql, params, deflate)
        return Reply(helper=helper)


def _database_file(db: Database) -> Path | None:
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


def _begin_read(conn: sqlite3.Connection) -> None:
    """Start a read transaction now: a deferred BEGIN takes its snapshot at its first read."""
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _start_helpers(db: Database, path: Path, count: int, stack: ExitStack) -> list[_Helper] | None:
    """`count` helpers whose snapshot is the one `db`'s new read transaction sees, or None."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    busy = int(db.execute("PRAGMA busy_timeout").fetchone()[0] or DEFAULT_BUSY_TIMEOUT_MS)
    try:
        watcher = sqlite3.connect(uri, uri=True)
        stack.callback(watcher.close)
        helpers: list[_Helper] = []
        stack.callback(_stop, helpers)
        for _ in range(count):
            helpers.append(_Helper(uri, busy))
        for helper in helpers:
            helper.reply()  # ready: its connection is open
        for _ in range(SNAPSHOT_TRIES):
            before = watcher.execute("PRAGMA data_version").fetchone()[0]
            _begin_read(db.conn)
            for helper in helpers:
                helper.send({"op": "begin"})
            for helper in helpers:
                helper.reply()
            if watcher.execute("PRAGMA data_version").fetchone()[0] == before:
                return helpers
            db.conn.rollback()
            for helper in helpers:
                helper.send({"op": "rollback"})
            for helper in helpers:
                helper.reply()
    except (OSError, sqlite3.Error, StorageError):
        pass
    if db.conn.in_transaction:
        db.conn.rollback()
    return None


@contextmanager
def snapshot_readers(db: Database, count: int = READERS) -> Iterator[SnapshotReaders]:
    """`read_snapshot(db)`, plus `count` helper processes reading the same snapshot when they can start."""
    path = None if db.conn.in_transaction or count < 1 else _database_file(db)
    with ExitStack() as stack:
        helpers = None if path is None else _start_helpers(db, path, count, stack)
        if helpers is None:
            stack.close()  # stop any helper that did start
            with read_snapshot(db):
                yield SnapshotReaders(db, [])
            return
        try:
            yield SnapshotReaders(db, helpers)
        finally:
            if db.conn.in_transaction:
                db.conn.rollback()
