"""Attempts: one trainee's run through one scenario version, from start to score.

An attempt stores the seed it was generated with, so the queue can be rebuilt
and the attempt resumed from the database alone (see `list_decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, cast

from sqlite_utils import Database

from optrain.errors import AttemptError
from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction
from optrain.vocab import AttemptStatus as AttemptStatus

_SELECT_ATTEMPT = """
    SELECT id, username, display_name, scenario_id, scenario_version, seed, started_at, finished_at,
           status, score, max_score, percent, passed, critical_failures, official
    FROM attempts
"""


@dataclass(frozen=True)
class Attempt:
    id: int
    username: str
    display_name: str | None
    scenario_id: str
    scenario_version: int
    seed: int
    started_at: datetime
    finished_at: datetime | None
    status: AttemptStatus
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    critical_failures: int | None
    official: bool

    @property
    def in_progress(self) -> bool:
        return self.status == "in_progress"


def _attempt_from_row(row: dict[str, Any]) -> Attempt:
    return Attempt(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        scenario_id=row["scenario_id"],
        scenario_version=row["scenario_version"],
        seed=row["seed"],
        started_at=cast(datetime, from_iso(row["started_at"])),
        finished_at=from_iso(row["finished_at"]),
        status=row["status"],
        score=row["score"],
        max_score=row["max_score"],
        percent=row["percent"],
        passed=None if row["passed"] is None else bool(row["passed"]),
        critical_failures=row["critical_failures"],
        official=bool(row["official"]),
    )


def _query_attempts(db: Database, where: str, params: dict[str, Any]) -> tuple[Attempt, ...]:
    return fetch_all(db, _SELECT_ATTEMPT + where, params, _attempt_from_row)


def start_attempt(
    db: Database,
    *,
    username: str,
    display_name: str | None,
    scenario_id: str,
    scenario_version: int,
    seed: int,
    now: datetime,
    official: bool = True,
) -> Attempt:
    """Open a new in-progress attempt; `official=False` marks a "try it" run that reports ignore."""
    row = {
        "username": username,
        "display_name": display_name,
        "scenario_id": scenario_id,
        "scenario_version": scenario_version,
        "seed": seed,
        "started_at": utc_iso(now),
        "official": int(official),
    }
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO attempts (username, display_name, scenario_id, scenario_version, seed, started_at, official)
            VALUES (:username, :display_name, :scenario_id, :scenario_version, :seed, :started_at, :official)
            """,
            row,
        )
        attempt_id = cursor.lastrowid
        assert attempt_id is not None
        return get_attempt(db, attempt_id)


def get_attempt(db: Database, attempt_id: int) -> Attempt:
    found = _query_attempts(db, "WHERE id = :id", {"id": attempt_id})
    if not found:
        raise AttemptError(f"Attempt {attempt_id} does not exist; start the scenario again from the scenario list.")
    return found[0]


def find_in_progress(db: Database, username: str, scenario_id: str) -> Attempt | None:
    """The attempt to resume when a trainee reopens a scenario (the latest, if several)."""
    found = _query_attempts(
        db,
        """
        WHERE username = :username AND scenario_id = :scenario_id AND status = 'in_progress'
        ORDER BY started_at DESC, id DESC LIMIT 1
        """,
        {"username": username, "scenario_id": scenario_id},
    )
    return found[0] if found else None


def list_attempts(
    db: Database,
    *,
    username: str | None = None,
    scenario_id: str | None = None,
    limit: int = 500,
) -> tuple[Attempt, ...]:
    """Newest first; a filter left as None matches everything."""
    return _query_attempts(
        db,
        """
        WHERE (:username IS NULL OR username = :username)
          AND (:scenario_id IS NULL OR scenario_id = :scenario_id)
        ORDER BY started_at DESC, id DESC LIMIT :limit
        """,
        {"username": username, "scenario_id": scenario_id, "limit": limit},
    )


def finish_attempt(
    db: Database,
    attempt_id: int,
    *,
    now: datetime,
    score: float,
    max_score: float,
    percent: float,
    passed: bool,
    critical_failures: int,
) -> Attempt:
    """Record the result; only an in-progress attempt can be finished, and only once."""
    return _close_attempt(
        db,
        attempt_id,
        """
        UPDATE attempts
        SET status = 'completed', finished_at = :finished_at, score = :score, max_score = :max_score,
            percent = :percent, passed = :passed, critical_failures = :critical_failures
        WHERE id = :id AND status = 'in_progress'
        """,
        {
            "id": attempt_id,
            "finished_at": utc_iso(now),
            "score": score,
            "max_score": max_score,
            "percent": percent,
            "passed": int(passed),
            "critical_failures": critical_failures,
        },
    )


def abandon_attempt(db: Database, attempt_id: int, *, now: datetime) -> Attempt:
    """Give up an in-progress attempt (it keeps its decisions, and gets no score)."""
    return _close_attempt(
        db,
        attempt_id,
        """
        UPDATE attempts SET status = 'abandoned', finished_at = :finished_at
        WHERE id = :id AND status = 'in_progress'
        """,
        {"id": attempt_id, "finished_at": utc_iso(now)},
    )


def _close_attempt(db: Database, attempt_id: int, update: str, params: dict[str, Any]) -> Attempt:
    """The UPDATE comes first so the transaction takes the write lock before it reads."""
    with write_transaction(db):
        if db.execute(update, params).rowcount == 0:
            raise_not_in_progress(db, attempt_id)
        return get_attempt(db, attempt_id)


def raise_not_in_progress(db: Database, attempt_id: int) -> NoReturn:
    """Explain why a write guarded by `status = 'in_progress'` changed nothing."""
    attempt = get_attempt(db, attempt_id)
    raise AttemptError(
        f"Attempt {attempt_id} is {attempt.status.replace('_', ' ')}, not in progress; "
        "start a new attempt to make more calls."
    )
