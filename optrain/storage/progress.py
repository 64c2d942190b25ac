"""Per-trainee progress read models: best score and pass status per scenario."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlite_utils import Database

from optrain.storage.db import from_iso
from optrain.storage.errors import storage_errors


@dataclass(frozen=True)
class ScenarioProgress:
    scenario_id: str
    attempts: int
    completed: int
    best_percent: float | None
    passed: bool
    last_started: datetime
    in_progress_id: int | None


def progress_by_scenario(db: Database, username: str) -> dict[str, ScenarioProgress]:
    """One row per scenario the user has touched; official attempts only."""
    sql = """
        SELECT scenario_id,
               COUNT(*) AS attempts,
               SUM(status = 'completed') AS completed,
               MAX(CASE WHEN status = 'completed' THEN percent END) AS best_percent,
               MAX(COALESCE(passed, 0)) AS passed,
               MAX(started_at) AS last_started,
               MAX(CASE WHEN status = 'in_progress' THEN id END) AS in_progress_id
        FROM attempts
        WHERE username = :username AND official = 1
        GROUP BY scenario_id
    """
    with storage_errors():
        rows = list(db.query(sql, {"username": username}))
    return {
        row["scenario_id"]: ScenarioProgress(
            scenario_id=row["scenario_id"],
            attempts=int(row["attempts"]),
            completed=int(row["completed"] or 0),
            best_percent=row["best_percent"],
            passed=bool(row["passed"]),
            last_started=cast(datetime, from_iso(row["last_started"])),
            in_progress_id=row["in_progress_id"],
        )
        for row in rows
    }
