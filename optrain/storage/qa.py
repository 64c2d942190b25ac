"""Q&A answers: the trainee's own words after each agenda part, later turned into tickets.

Saving the same question again in the same attempt replaces the answer (the
trainee edited it) and its time, but keeps the support status, so an answer
already filed as a ticket is not reported twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.errors import OptrainError
from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction
from optrain.vocab import AnswerStatus as AnswerStatus

_SELECT_ANSWER = """
    SELECT id, attempt_id, username, scenario_id, scenario_version, question_id, part, kind, answer,
           skipped, severity, screenshot, created_at, status
    FROM qa_answers
"""


@dataclass(frozen=True)
class QaAnswer:
    id: int
    attempt_id: int | None
    username: str
    scenario_id: str
    scenario_version: int
    question_id: str
    part: str
    kind: str
    answer: str | None
    skipped: bool
    severity: str | None
    screenshot: str | None
    created_at: datetime
    status: AnswerStatus


def answer_from_row(row: dict[str, Any]) -> QaAnswer:
    return QaAnswer(
        **{
            **row,
            "skipped": bool(row["skipped"]),
            "created_at": cast(datetime, from_iso(row["created_at"])),
        }
    )


def save_answer(
    db: Database,
    *,
    attempt_id: int | None,
    username: str,
    scenario_id: str,
    scenario_version: int,
    question_id: str,
    part: str,
    kind: str,
    answer: str | None,
    skipped: bool,
    severity: str | None,
    screenshot: str | None,
    now: datetime,
) -> QaAnswer:
    """Insert the answer, or replace the earlier answer to the same question in the same attempt."""
    params = {
        "attempt_id": attempt_id,
        "username": username,
        "scenario_id": scenario_id,
        "scenario_version": scenario_version,
        "question_id": question_id,
        "part": part,
        "kind": kind,
        "answer": answer,
        "skipped": int(skipped),
        "severity": severity,
        "screenshot": screenshot,
        "created_at": utc_iso(now),
    }
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO qa_answers (attempt_id, username, scenario_id, scenario_version, question_id, part,
                                    kind, answer, skipped, severity, screenshot, created_at)
            VALUES (:attempt_id, :username, :scenario_id, :scenario_version, :question_id, :part,
                    :kind, :answer, :skipped, :severity, :screenshot, :created_at)
            ON CONFLICT (attempt_id, question_id) DO UPDATE SET
                answer = excluded.answer, skipped = excluded.skipped, severity = excluded.severity,
                screenshot = excluded.screenshot, created_at = excluded.created_at,
                part = excluded.part, kind = excluded.kind
            """,
            params,
        )
        # Without an attempt there is no conflict (NULLs are distinct); with one, the
        # UPDATE branch leaves lastrowid stale, so the row is found by its key.
        if attempt_id is None:
            found = _query_answers(db, "WHERE id = :id", {"id": cursor.lastrowid})
        else:
            found = _query_answers(
                db,
                "WHERE attempt_id = :attempt_id AND question_id = :question_id",
                {"attempt_id": attempt_id, "question_id": question_id},
            )
        return found[0]


def list_answers(
    db: Database,
    *,
    username: str | None = None,
    attempt_id: int | None = None,
    status: AnswerStatus | None = None,
) -> tuple[QaAnswer, ...]:
    """Oldest first, as the answers were given; a filter left as None matches everything."""
    return _query_answers(
        db,
        """
        WHERE (:username IS NULL OR username = :username)
          AND (:attempt_id IS NULL OR attempt_id = :attempt_id)
          AND (:status IS NULL OR status = :status)
        ORDER BY created_at, id
        """,
        {"username": username, "attempt_id": attempt_id, "status": status},
    )


def set_answer_status(db: Database, answer_id: int, status: AnswerStatus) -> QaAnswer:
    """Support marks an answer as filed as a ticket, or dismissed."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE qa_answers SET status = :status WHERE id = :id", {"status": status, "id": answer_id}
        )
        if cursor.rowcount == 0:
            raise OptrainError(f"Q&A answer {answer_id} does not exist; reload the answer list.")
        return _query_answers(db, "WHERE id = :id", {"id": answer_id})[0]


def _query_answers(db: Database, where: str, params: dict[str, Any]) -> tuple[QaAnswer, ...]:
    return fetch_all(db, _SELECT_ANSWER + where, params, answer_from_row)
