"""The text of the evidence pack's tables, a batch of lines at a time, so Python never touches a single cell.

SQLite writes each CSV line (see `optrain.storage.csv_sql`) and each NDJSON
line; here a batch is joined into one string with C-level `map` and `join`,
floats formatted by `%s` exactly as the csv module writes them. A batch that
holds a row SQLite could not write exactly (a NULL part) has those rows
re-formatted from their stored values by `SafeCsvWriter`, the writer the SQL
mirrors, so the bytes are the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from sqlite_utils import Database

from optrain.exports.csv_safety import csv_line
from optrain.storage import export_queries as q
from optrain.storage.csv_sql import CsvLines

Chunk = tuple[str, int]  # text, and how many rows it holds
_YES_NO = {0: "no", 1: "yes"}
_FIRST = itemgetter(0)


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


def csv_chunks(db: Database, lines: CsvLines, filters: q.EvidenceFilter) -> Iterator[Chunk]:
    """The header, then the member's rows as one string per batch."""
    yield csv_line(lines.header), 0
    for batch in q.iter_csv_parts(db, lines, filters):
        _, *parts = zip(*batch, strict=True)
        text = "".join(map(lines.template.__mod__, zip(*parts, strict=True)))
        if any(None in part for part in parts):
            text = "".join(_exact_line(db, lines, row) for row in batch)
        yield text, len(batch)


def ndjson_chunks(db: Database, filters: q.EvidenceFilter) -> Iterator[Chunk]:
    """The decision log, one JSON object a line, as one string per batch."""
    for batch in q.iter_decision_log_lines(db, filters):
        yield "".join(map(_FIRST, batch)), len(batch)
