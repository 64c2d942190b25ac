"""Read queries for exports, streamed from a cursor so an export's memory does not grow with the database.

The `iter_*` functions are generators: rows are fetched in batches of
`FETCH_BATCH` and handed on one at a time, never `fetchall`-ed. The
evidence tables come as plain tuples in the order of their `*_COLUMNS`
constant (the header of the exported file), because building an object per
row would halve the export speed on large decision tables. The evidence
pack itself reads whole lines that SQLite writes (`iter_csv_parts`, see
`csv_sql`), a batch of `LINE_BATCH` at a time; its two large members come as
`Batch` queries (`decision_batches`, `decision_log_batches`), each returning
a whole batch of lines as one BLOB, for `snapshot_readers` to run.

Wrap the queries of one export in `read_snapshot` so that every file of the
export sees the same data while trainees keep writing (in WAL mode a reader
never blocks a writer).

Filters: `since` is inclusive and `until` exclusive, compared as ISO-8601
UTC text; a filter left as None matches everything. Attempts, their
decisions and trainer notes are selected by the attempt's start time;
the decision log and Q&A answers by their own time, because both outlive
the attempt they came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from optrain.storage.csv_sql import CSV_PARAMS, Cells, CsvLines, csv_lines, grouped_batch_sql
from optrain.storage.db import storage_errors, utc_iso
from optrain.storage.qa import AnswerStatus, QaAnswer, answer_from_row

FETCH_BATCH = 1000
# Rows per batch of SQL-written lines: under a megabyte of decision lines, a block zlib compresses well.
LINE_BATCH = 2000
Row = tuple[Any, ...]


@dataclass(frozen=True)
class AnswerFilter:
    """Which Q&A answers become tickets; `severity="none"` selects answers given without one."""

    ids: tuple[int, ...] = ()
    part: str | None = None
    question_id: str | None = None
    scenario_id: str | None = None
    severity: str | None = None
    status: AnswerStatus | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class EvidenceFilter:
    since: datetime | None = None
    until: datetime | None = None
    trainee: str | None = None
    scenario_id: str | None = None


@dataclass(frozen=True)
class AnswerForTicket:
    answer: QaAnswer
    display_name: str | None


ATTEMPT_COLUMNS: tuple[str, ...] = (
    "attempt", "trainee", "display_name", "scenario", "version", "started_at", "finished_at", "status",
    "score", "max_score", "percent", "passed", "critical_failures", "official",
)
DECISION_COLUMNS: tuple[str, ...] = (
    "attempt", "trainee", "scenario", "version", "item", "call", "template", "body", "note", "decided_at",
    "elapsed_seconds", "points", "max_points", "verdict",
)
DECISION_LOG_FIELDS: tuple[str, ...] = ("shop_domain", "action_type", "operator_email", "created_at", "payload")
QA_COLUMNS: tuple[str, ...] = (
    "answer_id", "attempt", "trainee", "scenario", "version", "question", "part", "kind", "answer", "skipped",
    "severity", "screenshot", "created_at", "status",
)
NOTE_COLUMNS: tuple[str, ...] = (
    "note_id", "attempt", "trainee", "scenario", "version", "item", "tag", "note", "trainer", "created_at",
)



def _evidence_condition(time_column: str, user_column: str, scenario_column: str) -> str:
    """The four evidence filters on the given columns; column names are constants here, values are parameters."""
    return f"""
    (:since IS NULL OR {time_column} >= :since)
    AND (:until IS NULL OR {time_column} < :until)
    AND (:trainee IS NULL OR {user_column} = :trainee)
    AND (:scenario_id IS NULL OR {scenario_column} = :scenario_id)
    """


_ATTEMPT_FILTER = _evidence_condition("a.started_at", "a.username", "a.scenario_id")

ATTEMPTS_CSV = csv_lines(ATTEMPT_COLUMNS, (
    ("a.id", "key"), ("a.username", "text"), ("a.display_name", "text"), ("a.scenario_id", "text"),
    ("a.scenario_version", "cell"), ("a.started_at", "text"), ("a.finished_at", "text"), ("a.status", "text"),
    ("a.score", "real"), ("a.max_score", "real"), ("a.percent", "real"), ("a.passed", "flag"),
    ("a.critical_failures", "cell"), ("a.official", "flag"),
), key="a.id", tables="attempts AS a", where=_ATTEMPT_FILTER, order="a.username, a.started_at, a.id")

_DECISION_ATTEMPT_CELLS: Cells = (
    ("a.id", "key"), ("a.username", "text"), ("a.scenario_id", "text"), ("a.scenario_version", "cell"),
)
_DECISION_CELLS: Cells = (
    ("d.item_id", "text"), ("d.call", "text"), ("d.template", "text"), ("d.body", "text"), ("d.note", "text"),
    ("d.decided_at", "text"), ("d.elapsed_seconds", "real"), ("d.points", "real"), ("d.max_points", "real"),
    ("d.verdict", "text"),
)
DECISIONS_CSV = csv_lines(
    DECISION_COLUMNS, _DECISION_ATTEMPT_CELLS + _DECISION_CELLS, key="d.id",
    tables="attempts AS a JOIN decisions AS d ON d.attempt_id = a.id", where=_ATTEMPT_FILTER, order="a.id, d.seq")

NOTES_CSV = csv_lines(NOTE_COLUMNS, (
    ("n.id", "key"), ("a.id", "key"), ("a.username", "text"), ("a.scenario_id", "text"),
    ("a.scenario_version", "cell"), ("n.item_id", "text"), ("n.tag", "text"), ("n.note", "text"),
    ("n.trainer", "text"), ("n.created_at", "text"),
), key="n.id", tables="attempts AS a JOIN trainer_notes AS n ON n.attempt_id = a.id", where=_ATTEMPT_FILTER,
   order="a.id, n.created_at, n.id")

_QA_FILTER = _evidence_condition("q.created_at", "q.username", "q.scenario_id")

QA_CSV = csv_lines(QA_COLUMNS, (
    ("q.id", "key"), ("q.attempt_id", "cell"), ("q.username", "text"), ("q.scenario_id", "text"),
    ("q.scenario_version", "cell"), ("q.question_id", "text"), ("q.part", "text"), ("q.kind", "text"),
    ("q.answer", "text"), ("q.skipped", "flag"), ("q.severity", "text"), ("q.screenshot", "text"),
    ("q.created_at", "text"), ("q.status", "text"),
), key="q.id", tables="qa_answers AS q", where=_QA_FILTER, order="q.created_at, q.id")

_QA_SCREENSHOTS_SQL = """
    SELECT q.screenshot FROM qa_answers AS q
    WHERE q.screenshot IS NOT NULL AND q.screenshot <> '' AND """ + _QA_FILTER + """
    ORDER BY q.created_at, q.id
"""

# SQLite builds each NDJSON line itself (json_object keeps the key order of
# DECISION_LOG_FIELDS; json() checks the stored payload and embeds it as an
# object): four times faster than decoding and re-encoding in Python.
# Records without an attempt (none today, but the column allows it) only
# match when no trainee or scenario is asked for. The attempt filter is a
# subquery run once, and only when a trainee or scenario is asked for: a join
# would look up the attempt of every record, which doubled the time of a
# whole-database export.
_DECISION_LOG_LINE = """
    json_object('shop_domain', l.shop_domain, 'action_type', l.action_type,
                'operator_email', l.operator_email, 'created_at', l.created_at,
                'payload', json(l.payload)) || '\n'
"""
_DECISION_LOG_WHERE = """
    (:since IS NULL OR l.created_at >= :since)
    AND (:until IS NULL OR l.created_at < :until)
    AND ((:trainee IS NULL AND :scenario_id IS NULL) OR l.attempt_id IN (
        SELECT a.id FROM attempts AS a
        WHERE (:trainee IS NULL OR a.username = :trainee) AND (:scenario_id IS NULL OR a.scenario_id = :scenario_id)))
"""
# Batches of the two large members, each a range of the member's own order that the next
# batch's bound query finds by skipping LINE_BATCH index entries (a covering index each, so
# walking the bounds reads no table row). Decisions are cut between attempts (a.id, then seq).
_DECISION_BOUNDS = "a.id > :lo AND a.id <= :hi"
_DECISION_BATCH_SQL = grouped_batch_sql(
    _DECISION_ATTEMPT_CELLS, _DECISION_CELLS, parent="attempts AS a", parent_key="a.id",
    parent_where=_ATTEMPT_FILTER, child="decisions AS d", child_key="d.attempt_id", child_order="d.attempt_id, d.seq")
_DECISION_NEXT_BOUND = """
    SELECT attempt_id FROM decisions WHERE attempt_id > :lo ORDER BY attempt_id LIMIT 1 OFFSET :skip
"""
# The log is cut on (created_at, id), the order it is exported in; the last batch has no upper bound.
_LOG_LOWER = "(l.created_at, l.id) > (:lo_at, :lo_id)"
_LOG_UPPER = "(l.created_at, l.id) <= (:hi_at, :hi_id)"
_LOG_BATCH = """
    SELECT CAST(group_concat(line, '') AS BLOB), count(*), count(line) FROM (
        SELECT {line} AS line FROM decision_log AS l WHERE ({where}) AND {bounds} ORDER BY l.created_at, l.id)
"""
_LOG_BATCH_SQL = _LOG_BATCH.format(line=_DECISION_LOG_LINE, where=_DECISION_LOG_WHERE,
                                   bounds=f"{_LOG_LOWER} AND {_LOG_UPPER}")
_LOG_TAIL_SQL = _LOG_BATCH.format(line=_DECISION_LOG_LINE, where=_DECISION_LOG_WHERE, bounds=_LOG_LOWER)
_LOG_NEXT_BOUND = """
    SELECT created_at, id FROM decision_log AS l WHERE (l.created_at, l.id) > (:lo_at, :lo_id)
    ORDER BY l.created_at, l.id LIMIT 1 OFFSET :skip
"""
# Below every key: ids are positive and created_at is never NULL ('' is the least text).
_LOG_START = {"lo_at": "", "lo_id": -1}
_MAX_ID = 2**63 - 1

_TICKET_ANSWERS_SQL = """
    SELECT q.id, q.attempt_id, q.username, q.scenario_id, q.scenario_version, q.question_id, q.part, q.kind,
           q.answer, q.skipped, q.severity, q.screenshot, q.created_at, q.status, a.display_name
    FROM qa_answers AS q LEFT JOIN attempts AS a ON a.id = q.attempt_id
    WHERE q.skipped = 0 AND q.answer IS NOT NULL
      AND (:ids IS NULL OR q.id IN (SELECT value FROM json_each(:ids)))
      AND (:part IS NULL OR q.part = :part)
      AND (:question_id IS NULL OR q.question_id = :question_id)
      AND (:scenario_id IS NULL OR q.scenario_id = :scenario_id)
      AND (:severity IS NULL OR q.severity = :severity OR (:severity = 'none' AND q.severity IS NULL))
      AND (:status IS NULL OR q.status = :status)
      AND (:since IS NULL OR q.created_at >= :since)
      AND (:until IS NULL OR q.created_at < :until)
    ORDER BY q.created_at, q.id
"""


@contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """One read transaction around several queries, so the files of one export agree with each other.

    It never writes, so it ends with ROLLBACK; inside an open transaction it
    simply joins it.
    """
    if db.conn.in_transaction:
        yield db
        return
    with storage_errors():
        db.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.rollback()


def _stream(db: Database, sql: str, params: dict[str, Any]) -> Iterator[Row]:
    for batch in _batches(db, sql, params, FETCH_BATCH):
        yield from batch


def _batches(db: Database, sql: str, params: dict[str, Any], size: int) -> Iterator[list[Row]]:
    with storage_errors():
        cursor = db.execute(sql, params)
        try:
            while batch := cursor.fetchmany(size):
                yield batch
        finally:
            cursor.close()


def _evidence_params(filters: EvidenceFilter) -> dict[str, Any]:
    return {
        "since": None if filters.since is None else utc_iso(filters.since),
        "until": None if filters.until is None else utc_iso(filters.until),
        "trainee": filters.trainee,
        "scenario_id": filters.scenario_id,
    }


def iter_attempts(db: Database, filters: EvidenceFilter) -> Iterator[Row]:
    """Grouped by trainee (username), then oldest first: the order of the per-trainee summary."""
    return _stream(db, ATTEMPTS_CSV.select_sql, _evidence_params(filters))


def iter_decisions(db: Database, filters: EvidenceFilter) -> Iterator[Row]:
    """Every call of the selected attempts, attempt by attempt, in the order it was made."""
    return _stream(db, DECISIONS_CSV.select_sql, _evidence_params(filters))


def iter_notes(db: Database, filters: EvidenceFilter) -> Iterator[Row]:
    return _stream(db, NOTES_CSV.select_sql, _evidence_params(filters))


def iter_qa(db: Database, filters: EvidenceFilter) -> Iterator[Row]:
    """All answers, skipped ones included: a skip is part of the record."""
    return _stream(db, QA_CSV.select_sql, _evidence_params(filters))


def iter_csv_parts(db: Database, lines: CsvLines, filters: EvidenceFilter) -> Iterator[list[Row]]:
    """Batches of `(key, *parts)` in the member's order; `lines.template % parts` is a CSV line (see csv_sql)."""
    return _batches(db, lines.lines_sql, {**_evidence_params(filters), **CSV_PARAMS}, LINE_BATCH)


def csv_source_row(db: Database, lines: CsvLines, key: int) -> Row:
    """The stored values of one row of a CSV member, for a line SQLite could not write."""
    with storage_errors():
        row = db.execute(lines.row_sql, {"key": key}).fetchone()
    return tuple(row)


def iter_qa_screenshots(db: Database, filters: EvidenceFilter) -> Iterator[str]:
    """The screenshot names of the answers `iter_qa` selects, in its order (repeats included)."""
    return (row[0] for row in _stream(db, _QA_SCREENSHOTS_SQL, _evidence_params(filters)))


def iter_answers_for_tickets(db: Database, filters: AnswerFilter) -> Iterator[AnswerForTicket]:
    """Answered (not skipped) questions matching the filter, oldest first, with the trainee's display name."""
    params = {
        "ids": json.dumps(list(filters.ids)) if filters.ids else None,
        "part": filters.part,
        "question_id": filters.question_id,
        "scenario_id": filters.scenario_id,
        "severity": filters.severity,
        "status": filters.status,
        "since": None if filters.since is None else utc_iso(filters.since),
        "until": None if filters.until is None else utc_iso(filters.until),
    }
    with storage_errors():
        for row in db.query(_TICKET_ANSWERS_SQL, params):
            display_name = row.pop("display_name")
            yield AnswerForTicket(answer=answer_from_row(row), display_name=display_name)


def count_decision_log_before(db: Database, *, older_than: datetime) -> int:
    """How many audit records `purge_decision_log(older_than=...)` would delete (for a dry run)."""
    with storage_errors():
        row = db.execute(
            "SELECT COUNT(*) FROM decision_log WHERE created_at < :cutoff", {"cutoff": utc_iso(older_than)}
        ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class Batch:
    """One batch query of a large member: `sql` with `params`, and the bounds of the rows it covers."""

    sql: str
    params: dict[str, Any]
    bounds: str


def decision_batches(db: Database, filters: EvidenceFilter) -> Iterator[Batch]:
    """The batches of decisions.csv in order: whole attempts, about LINE_BATCH decisions each."""
    params = {**_evidence_params(filters), **CSV_PARAMS}
    sql = _DECISION_BATCH_SQL
    low = 0
    while True:
        with storage_errors():
            row = db.execute(_DECISION_NEXT_BOUND, {"lo": low, "skip": LINE_BATCH - 1}).fetchone()
        high = _MAX_ID if row is None else int(row[0])
        yield Batch(sql, {**params, "lo": low, "hi": high}, _DECISION_BOUNDS)
        if row is None:
            return
        low = high


def decision_log_batches(db: Database, filters: EvidenceFilter) -> Iterator[Batch]:
    """The batches of decision_log.ndjson in order, LINE_BATCH records each (fewer when filtered)."""
    params = _evidence_params(filters)
    low: dict[str, Any] = dict(_LOG_START)
    while True:
        with storage_errors():
            row = db.execute(_LOG_NEXT_BOUND, {**low, "skip": LINE_BATCH - 1}).fetchone()
        if row is None:
            yield Batch(_LOG_TAIL_SQL, {**params, **low}, _LOG_LOWER)
            return
        high = {"hi_at": row[0], "hi_id": row[1]}
        yield Batch(_LOG_BATCH_SQL, {**params, **low, **high}, f"{_LOG_LOWER} AND {_LOG_UPPER}")
        low = {"lo_at": row[0], "lo_id": row[1]}


def iter_csv_range_parts(db: Database, lines: CsvLines, batch: Batch) -> Iterator[list[Row]]:
    """`iter_csv_parts` for the rows of one batch: for a batch with a line SQLite could not write."""
    return _batches(db, lines.range_lines_sql(batch.bounds), batch.params, LINE_BATCH)
