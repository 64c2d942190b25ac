"""The text of the evidence pack's tables, a batch of lines at a time, so Python never touches a single cell.

SQLite writes each CSV line (see `optrain.storage.csv_sql`) and each NDJSON
line. The two large members (decisions and the decision log) come as one
BLOB per batch, written by the snapshot's helper processes well ahead
(`LargeMembers`); the small ones as rows of parts, joined here with
C-level `map` and `join`, floats formatted by `%s` exactly as the csv module
writes them. A batch that holds a row SQLite could not write exactly (a
NULL part or line) has those rows re-formatted from their stored values by
`SafeCsvWriter`, the writer the SQL mirrors, so the bytes are the same
either way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import chain

from sqlite_utils import Database

from optrain.exports.csv_safety import csv_line
from optrain.storage import export_queries as q
from optrain.storage.csv_sql import CsvLines
from optrain.storage.snapshot_readers import READERS, BatchResult, Reply, SnapshotReaders

# UTF-8 text, how many rows it holds, and the text as a deflate segment when a helper made one
# (then the text's length stands in for it: the segment is inflated where it is written).
Chunk = tuple[bytes | int, int, bytes | None]
DECISIONS = "decisions.csv"
DECISION_LOG = "decision_log.ndjson"
_YES_NO = {0: "no", 1: "yes"}
# Batches handed to the snapshot's helper processes and not yet written: enough for the helpers to
# work on while the summaries and the small tables are written here. A helper holds only the deflate
# segments of its unread batches (about a tenth of their lines): 13-17 MiB of private memory at 60,000
# and at 600,000 decisions.
READ_AHEAD = 64 * READERS


def _python_line(db: Database, lines: CsvLines, key: int) -> str:
    """The line the csv module writes for a row: 0/1 flags as no/yes, every cell through `SafeCsvWriter`."""
    cells = list(q.csv_source_row(db, lines, key))
    for flag in lines.flags:
        index = lines.header.index(flag)
        cells[index] = _YES_NO.get(cells[index], cells[index])
    return csv_line(cells)


def _exact_line(db: Database, lines: CsvLines, row: q.Row) -> str:
    parts = row[1:]
    if None in parts:
        return _python_line(db, lines, row[0])
    line: str = lines.template % parts
    return line


def _parts_text(db: Database, lines: CsvLines, batch: list[q.Row]) -> str:
    """A batch of `(key, *parts)` rows as CSV text."""
    _, *parts = zip(*batch, strict=True)
    if any(None in part for part in parts):
        return "".join(_exact_line(db, lines, row) for row in batch)
    return "".join(map(lines.template.__mod__, zip(*parts, strict=True)))


def csv_chunks(db: Database, lines: CsvLines, filters: q.EvidenceFilter) -> Iterator[Chunk]:
    """The header, then the member's rows as one chunk per batch."""
    yield csv_line(lines.header).encode("utf-8"), 0, None
    for batch in q.iter_csv_parts(db, lines, filters):
        yield _parts_text(db, lines, batch).encode("utf-8"), len(batch), None


class LargeMembers:
    """decisions.csv and decision_log.ndjson, their batches handed to the helpers well before they are written.

    Batches are submitted in the order the two members are written (all of
    decisions, then the log) and at most `ahead` of them are outstanding, so
    the helpers keep working while the export writes the summaries and the
    smaller tables, and between the two members. Each helper holds the
    answers it has not yet handed over, a bounded number whatever the size
    of the database. Without helpers a batch runs when it is needed.
    """

    def __init__(self, db: Database, readers: SnapshotReaders, filters: q.EvidenceFilter, *,
                 deflate: int | None, ahead: int | None = None):
        self._db = db
        self._readers = readers
        self._deflate = deflate if readers.parallel else None
        self._ahead = (READ_AHEAD if ahead is None else ahead) if readers.parallel else 1
        self._batches = chain(((DECISIONS, batch) for batch in q.decision_batches(db, filters)),
                              ((DECISION_LOG, batch) for batch in q.decision_log_batches(db, filters)))
        self._pending: deque[tuple[str, q.Batch, Reply]] = deque()
        self._exhausted = False
        if readers.parallel:
            self._fill()

    def _fill(self) -> None:
        while not self._exhausted and len(self._pending) < self._ahead:
            step = next(self._batches, None)
            if step is None:
                self._exhausted = True
                return
            member, batch = step
            self._pending.append((member, batch, self._readers.submit(batch.sql, batch.params, self._deflate)))

    def _results(self, member: str) -> Iterator[tuple[q.Batch, BatchResult]]:
        while True:
            self._fill()
            if not self._pending or self._pending[0][0] != member:
                return
            _, batch, reply = self._pending.popleft()
            yield batch, reply.result()

    def decisions(self) -> Iterator[Chunk]:
        """decisions.csv: the header, then one chunk per batch that holds rows."""
        lines = q.DECISIONS_CSV
        yield csv_line(lines.header).encode("utf-8"), 0, None
        for batch, (text, rows, written, segment) in self._results(DECISIONS):
            if written < rows:  # a line only Python can write
                text = "".join(_parts_text(self._db, lines, part)
                               for part in q.iter_csv_range_parts(self._db, lines, batch)).encode("utf-8")
                segment = None
            if rows:
                yield text, rows, segment

    def decision_log(self) -> Iterator[Chunk]:
        """decision_log.ndjson, one JSON object a line, one chunk per batch that holds records."""
        for _, (text, rows, _, segment) in self._results(DECISION_LOG):
            if rows:
                yield text, rows, segment
