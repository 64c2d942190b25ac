"""Read queries for exports, streamed from a cursor so an export's memory does not grow with the database.

Storage returns rows; the exports format them (CSV, NDJSON, ZIP). Rows are
fetched in batches of `FETCH_BATCH`, never `fetchall`-ed. The evidence
tables come as plain tuples in the order of their `*_COLUMNS` constant (the
header of the exported file).

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
from typing import Any, Literal

from sqlite_utils import Database

from optrain.storage.db import storage_errors, utc_iso
from optrain.storage.qa import AnswerStatus, QaAnswer, answer_from_row

FETCH_BATCH = 1000
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
    "attempt",
    "trainee",
    "display_name",
    "scenario",
    "version",
    "started_at",
    "finished_at",
    "status",
    "score",
    "max_score",
    "percent",
    "passed",
    "critical_failures",
    "official",
)
DECISION_COLUMNS: tuple[str, ...] = (
    "attempt",
    "trainee",
    "scenario",
    "version",
    "item",
    "call",
    "template",
    "body",
    "note",
    "decided_at",
    "elapsed_seconds",
    "points",
    "max_points",
    "verdict",
)
QA_COLUMNS: tuple[str, ...] = (
    "answer_id",
    "attempt",
    "trainee",
    "scenario",
    "version",
    "question",
    "part",
    "kind",
    "answer",
    "skipped",
    "severity",
    "screenshot",
    "created_at",
    "status",
)
NOTE_COLUMNS: tuple[str, ...] = (
    "note_id",
    "attempt",
    "trainee",
    "scenario",
    "version",
    "item",
    "tag",
    "note",
    "trainer",
    "created_at",
)
# Trainers' rubric reviews of sent replies and their score overrides, one table with a `record` column.
REPLY_REVIEW_COLUMNS: tuple[str, ...] = (
    "record",
    "attempt",
    "trainee",
    "scenario",
    "version",
    "item",
    "reviewer",
    "scale",
    "factuality",
    "helpfulness",
    "tone",
    "policy",
    "comment",
    "points",
    "original_points",
    "max_points",
    "reason",
    "at",
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
_QA_FILTER = _evidence_condition("q.created_at", "q.username", "q.scenario_id")

_ATTEMPTS_SQL = f"""
    SELECT a.id, a.username, a.display_name, a.scenario_id, a.scenario_version, a.started_at, a.finished_at,
           a.status, a.score, a.max_score, a.percent, a.passed, a.critical_failures, a.official
    FROM attempts AS a WHERE {_ATTEMPT_FILTER} ORDER BY a.username, a.started_at, a.id
"""
_DECISIONS_SQL = f"""
    SELECT a.id, a.username, a.scenario_id, a.scenario_version, d.item_id, d.call, d.template, d.body, d.note,
           d.decided_at, d.elapsed_seconds, d.points, d.max_points, d.verdict
    FROM attempts AS a JOIN decisions AS d ON d.attempt_id = a.id WHERE {_ATTEMPT_FILTER} ORDER BY a.id, d.seq
"""
_NOTES_SQL = f"""
    SELECT n.id, a.id, a.username, a.scenario_id, a.scenario_version, n.item_id, n.tag, n.note, n.trainer,
           n.created_at
    FROM attempts AS a JOIN trainer_notes AS n ON n.attempt_id = a.id WHERE {_ATTEMPT_FILTER}
    ORDER BY a.id, n.created_at, n.id
"""
_QA_SQL = f"""
    SELECT q.id, q.attempt_id, q.username, q.scenario_id, q.scenario_version, q.question_id, q.part, q.kind,
           q.answer, q.skipped, q.severity, q.screenshot, q.created_at, q.status
    FROM qa_answers AS q WHERE {_QA_FILTER} ORDER BY q.created_at, q.id
"""
_REPLY_REVIEWS_SQL = f"""
    SELECT 'review' AS record, r.attempt_id, a.username, a.scenario_id, a.scenario_version, r.item_id,
           r.reviewer, r.scale, r.factuality, r.helpfulness, r.tone, r.policy, r.comment,
           NULL AS points, NULL AS original_points, NULL AS max_points, NULL AS reason, r.reviewed_at AS at
    FROM reply_reviews r JOIN attempts a ON a.id = r.attempt_id WHERE {_ATTEMPT_FILTER}
    UNION ALL
    SELECT 'override', o.attempt_id, a.username, a.scenario_id, a.scenario_version, o.item_id,
           o.overridden_by, NULL, NULL, NULL, NULL, NULL, NULL, o.points, o.original_points, o.max_points,
           o.reason, o.overridden_at
    FROM score_overrides o JOIN attempts a ON a.id = o.attempt_id WHERE {_ATTEMPT_FILTER}
    ORDER BY at, record, attempt_id, item_id
"""
_QA_SCREENSHOTS_SQL = f"""
    SELECT q.screenshot FROM qa_answers AS q
    WHERE q.screenshot IS NOT NULL AND q.screenshot <> '' AND {_QA_FILTER}
    ORDER BY q.created_at, q.id
"""
# Records without an attempt (none today, but the column allows it) only match when no trainee or
# scenario is asked for. The attempt filter is a subquery, run only when a trainee or scenario is asked for.
_DECISION_LOG_WHERE = """
    (:since IS NULL OR l.created_at >= :since)
    AND (:until IS NULL OR l.created_at < :until)
    AND ((:trainee IS NULL AND :scenario_id IS NULL) OR l.attempt_id IN (
        SELECT a.id FROM attempts AS a
        WHERE (:trainee IS NULL OR a.username = :trainee) AND (:scenario_id IS NULL OR a.scenario_id = :scenario_id)))
"""
# The log in the order it was written (its id), the payload as the app stored it (one line of JSON text).
# Sorting by the time stamp's index instead, or compacting each payload with json(), cost SQLite more than
# the rest of the read on 600,000 records (bench/evidence.py).
_DECISION_LOG_SQL = f"""
    SELECT l.shop_domain, l.action_type, l.operator_email, l.created_at, l.payload
    FROM decision_log AS l WHERE {_DECISION_LOG_WHERE} ORDER BY l.id
"""
_COUNTS_SQL = f"""
    SELECT (SELECT count(*) FROM attempts AS a WHERE {_ATTEMPT_FILTER}),
           (SELECT count(*) FROM attempts AS a JOIN decisions AS d ON d.attempt_id = a.id WHERE {_ATTEMPT_FILTER}),
           (SELECT count(*) FROM decision_log AS l WHERE {_DECISION_LOG_WHERE}),
           (SELECT count(*) FROM qa_answers AS q WHERE {_QA_FILTER}),
           (SELECT count(*) FROM attempts AS a JOIN trainer_notes AS n ON n.attempt_id = a.id WHERE {_ATTEMPT_FILTER}),
           (SELECT count(*) FROM attempts AS a JOIN reply_reviews AS r ON r.attempt_id = a.id WHERE {_ATTEMPT_FILTER})
           + (SELECT count(*) FROM attempts AS a JOIN score_overrides AS o ON o.attempt_id = a.id WHERE {_ATTEMPT_FILTER})
"""

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


def _batches(db: Database, sql: str, params: dict[str, Any]) -> Iterator[list[Row]]:
    with storage_errors():
        cursor = db.execute(sql, params)
        try:
            while batch := cursor.fetchmany(FETCH_BATCH):
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


EvidenceTable = Literal["attempts", "decisions", "decision_log", "qa", "notes", "reply_reviews"]
# Attempts are grouped by trainee, then oldest first (the order of the per-trainee summary); Q&A
# includes skipped answers (a skip is part of the record); the log's payload is JSON text.
_EVIDENCE_SQL: dict[EvidenceTable, str] = {
    "attempts": _ATTEMPTS_SQL,
    "decisions": _DECISIONS_SQL,
    "decision_log": _DECISION_LOG_SQL,
    "qa": _QA_SQL,
    "notes": _NOTES_SQL,
    "reply_reviews": _REPLY_REVIEWS_SQL,
}


def evidence_batches(db: Database, table: EvidenceTable, filters: EvidenceFilter) -> Iterator[list[Row]]:
    """The rows of an evidence table, FETCH_BATCH at a time."""
    return _batches(db, _EVIDENCE_SQL[table], _evidence_params(filters))


def iter_attempts(db: Database, filters: EvidenceFilter) -> Iterator[Row]:
    for batch in evidence_batches(db, "attempts", filters):
        yield from batch


def iter_qa_screenshots(db: Database, filters: EvidenceFilter) -> Iterator[str]:
    """The screenshot names of the Q&A answers selected, in their order (repeats included)."""
    for batch in _batches(db, _QA_SCREENSHOTS_SQL, _evidence_params(filters)):
        yield from (row[0] for row in batch)


def count_evidence_rows(db: Database, filters: EvidenceFilter) -> dict[str, int]:
    """How many rows each evidence table will hold, for progress."""
    with storage_errors():
        row = db.execute(_COUNTS_SQL, _evidence_params(filters)).fetchone()
    return dict(zip(_EVIDENCE_SQL, map(int, row), strict=True))


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
