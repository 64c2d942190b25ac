"""Trainer read models: attempt lists, scenario statistics and item analysis, all aggregated in SQL.

Filters travel as parameters only: an absent filter is NULL, a multi-value
filter is a JSON array read with `json_each`, so every statement here is a
constant and the page never loads whole tables to filter them in Python.

Item analysis follows Moodle's quiz statistics: the facility index is the
mean item score over its maximum, the discrimination index the correlation
between the item score and the score on the rest of the scenario; items
under 15 % discrimination are doubtful. Sums come from SQL; only the square
root of the correlation is taken in Python (SQLite may lack math functions).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso

DOUBTFUL_DISCRIMINATION = 0.15


@dataclass(frozen=True)
class AttemptFilter:
    usernames: tuple[str, ...] = ()
    scenario_ids: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    passed: bool | None = None
    status: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "usernames": json.dumps(list(self.usernames)) if self.usernames else None,
            "scenario_ids": json.dumps(list(self.scenario_ids)) if self.scenario_ids else None,
            "since": utc_iso(self.since) if self.since else None,
            "until": utc_iso(self.until) if self.until else None,
            "passed": None if self.passed is None else int(self.passed),
            "status": self.status,
        }


_WHERE = """
    a.official = 1
    AND (:usernames IS NULL OR a.username IN (SELECT value FROM json_each(:usernames)))
    AND (:scenario_ids IS NULL OR a.scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
    AND (:since IS NULL OR a.started_at >= :since)
    AND (:until IS NULL OR a.started_at < :until)
    AND (:passed IS NULL OR a.passed = :passed)
    AND (:status IS NULL OR a.status = :status)
"""


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    username: str
    display_name: str | None
    scenario_id: str
    scenario_version: int
    status: str
    percent: float | None
    passed: bool | None
    critical_failures: int | None
    started_at: datetime
    duration_seconds: float | None
    decisions: int


def list_attempt_summaries(db: Database, f: AttemptFilter, *, limit: int = 500) -> tuple[AttemptSummary, ...]:
    sql = f"""
        SELECT a.id, a.username, a.display_name, a.scenario_id, a.scenario_version, a.status, a.percent,
               a.passed, a.critical_failures, a.started_at,
               (julianday(a.finished_at) - julianday(a.started_at)) * 86400.0 AS duration_seconds,
               (SELECT COUNT(*) FROM decisions d WHERE d.attempt_id = a.id) AS decisions
        FROM attempts a WHERE {_WHERE}
        ORDER BY a.started_at DESC, a.id DESC LIMIT :limit
    """
    return fetch_all(db, sql, {**f.params(), "limit": limit}, lambda r: AttemptSummary(**{
        **r, "passed": None if r["passed"] is None else bool(r["passed"]),
        "started_at": cast(datetime, from_iso(r["started_at"]))}))


@dataclass(frozen=True)
class ScenarioStats:
    scenario_id: str
    trainees: int
    attempts: int
    pass_rate: float
    mean_percent: float
    median_percent: float
    first_mean_percent: float
    best_mean_percent: float
    attempts_to_first_pass: float | None


def scenario_stats(db: Database, f: AttemptFilter) -> tuple[ScenarioStats, ...]:
    """Completed attempts only: pass rate, mean/median, first vs best, attempts until the first pass.

    Each figure comes from one grouped pass joined on the scenario (correlated
    subqueries over `per_trainee` cost twice the time on a large history). The
    median is found on the counts of each distinct score, not by numbering
    every attempt: scores repeat, so there are far fewer rows to sort.
    """
    sql = f"""
        WITH c AS (
            SELECT a.username, a.scenario_id, a.percent, a.passed,
                   ROW_NUMBER() OVER (PARTITION BY a.username, a.scenario_id ORDER BY a.started_at, a.id) AS rn
            FROM attempts a WHERE a.status = 'completed' AND {_WHERE}
        ),
        per_trainee AS (
            SELECT scenario_id, MAX(percent) AS best, MIN(CASE WHEN passed = 1 THEN rn END) AS first_pass
            FROM c GROUP BY scenario_id, username
        ),
        per_scenario AS (
            SELECT scenario_id, COUNT(*) AS trainees, AVG(best) AS best_mean, AVG(first_pass) AS first_pass_mean
            FROM per_trainee GROUP BY scenario_id
        ),
        scores AS (
            SELECT scenario_id, percent, COUNT(*) AS k FROM c GROUP BY scenario_id, percent
        ),
        running AS (
            SELECT scenario_id, percent, k, SUM(k) OVER (PARTITION BY scenario_id ORDER BY percent) AS upto,
                   SUM(k) OVER (PARTITION BY scenario_id) AS n
            FROM scores
        ),
        medians AS (
            SELECT scenario_id, AVG(percent) AS median FROM running
            WHERE (upto >= (n + 1) / 2 AND upto - k < (n + 1) / 2) OR (upto >= (n + 2) / 2 AND upto - k < (n + 2) / 2)
            GROUP BY scenario_id
        ),
        totals AS (
            SELECT scenario_id, COUNT(*) AS attempts, AVG(passed) AS pass_rate, AVG(percent) AS mean_percent,
                   AVG(CASE WHEN rn = 1 THEN percent END) AS first_mean_percent
            FROM c GROUP BY scenario_id
        )
        SELECT t.scenario_id, s.trainees, t.attempts, t.pass_rate, t.mean_percent, m.median AS median_percent,
               t.first_mean_percent, s.best_mean AS best_mean_percent, s.first_pass_mean AS attempts_to_first_pass
        FROM totals t
        JOIN per_scenario s ON s.scenario_id = t.scenario_id
        JOIN medians m ON m.scenario_id = t.scenario_id
        ORDER BY t.scenario_id
    """
    return fetch_all(db, sql, f.params(), lambda r: ScenarioStats(**r))


def score_histogram(db: Database, f: AttemptFilter) -> tuple[tuple[int, int], ...]:
    """(bucket start in %, completed attempts) in 10-point buckets; 100 % falls in the 90 bucket."""
    sql = f"""
        SELECT MIN(CAST(a.percent * 10 AS INTEGER), 9) * 10 AS bucket, COUNT(*) AS n
        FROM attempts a WHERE a.status = 'completed' AND {_WHERE}
        GROUP BY bucket ORDER BY bucket
    """
    return fetch_all(db, sql, f.params(), lambda r: (int(r["bucket"]), int(r["n"])))


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    responses: int
    facility: float
    discrimination: float | None
    wrong: int
    partial: int
    median_seconds: float | None

    @property
    def doubtful(self) -> bool:
        return self.discrimination is not None and self.discrimination < DOUBTFUL_DISCRIMINATION


_ITEM_BASE = """
    WITH base AS (
        SELECT id, score FROM (
            SELECT a.id, a.score,
                   ROW_NUMBER() OVER (PARTITION BY a.username ORDER BY a.started_at, a.id) AS rn
            FROM attempts a
            WHERE a.scenario_id = :scenario_id AND a.scenario_version = :version
              AND a.status = 'completed' AND a.official = 1
        ) WHERE :all_attempts = 1 OR rn = 1
    ),
    x AS (
        SELECT d.item_id, COALESCE(d.points, 0) AS p, COALESCE(d.max_points, 1) AS m,
               b.score - COALESCE(d.points, 0) AS rest, d.elapsed_seconds AS secs, d.verdict,
               d.call, d.template
        FROM decisions d JOIN base b ON b.id = d.attempt_id
    )
"""


def _correlation(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if n < 2 or var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


def item_stats(db: Database, scenario_id: str, version: int, *, all_attempts: bool = False) -> tuple[ItemStats, ...]:
    """Per item, on first attempts (default) or all completed attempts of one scenario version."""
    params = {"scenario_id": scenario_id, "version": version, "all_attempts": int(all_attempts)}
    sums = _ITEM_BASE + """
        SELECT item_id, COUNT(*) AS n, AVG(p / m) AS facility, SUM(p) AS sx, SUM(rest) AS sy,
               SUM(p * rest) AS sxy, SUM(p * p) AS sxx, SUM(rest * rest) AS syy,
               SUM(verdict IN ('wrong', 'unanswered')) AS wrong, SUM(verdict = 'partial') AS partial
        FROM x GROUP BY item_id
    """
    medians = _ITEM_BASE + """
        SELECT item_id, AVG(secs) AS median FROM (
            SELECT item_id, secs, ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY secs) AS pos,
                   COUNT(*) OVER (PARTITION BY item_id) AS n
            FROM x WHERE secs IS NOT NULL
        ) WHERE pos IN ((n + 1) / 2, (n + 2) / 2) GROUP BY item_id
    """
    median_by_item = dict(fetch_all(db, medians, params, lambda r: (r["item_id"], r["median"])))
    return fetch_all(db, sums, params, lambda r: ItemStats(
        item_id=r["item_id"], responses=int(r["n"]), facility=float(r["facility"] or 0),
        discrimination=_correlation(int(r["n"]), r["sx"], r["sy"], r["sxy"], r["sxx"], r["syy"]),
        wrong=int(r["wrong"] or 0), partial=int(r["partial"] or 0), median_seconds=median_by_item.get(r["item_id"]),
    ))


@dataclass(frozen=True)
class CallCount:
    item_id: str
    call: str
    template: str | None
    verdict: str
    count: int


def call_matrix(db: Database, scenario_id: str, version: int, *, all_attempts: bool = False) -> tuple[CallCount, ...]:
    """How often each call was chosen per item (expected vs chosen), most common first."""
    sql = _ITEM_BASE + """
        SELECT item_id, call, template, verdict, COUNT(*) AS count FROM x
        GROUP BY item_id, call, template, verdict ORDER BY item_id, count DESC
    """
    params = {"scenario_id": scenario_id, "version": version, "all_attempts": int(all_attempts)}
    return fetch_all(db, sql, params, lambda r: CallCount(**r))


@dataclass(frozen=True)
class TraineeProgress:
    username: str
    display_name: str | None
    attempts: int
    completed: int
    passed_scenarios: tuple[str, ...]
    mean_percent: float | None
    seconds_spent: float
    last_started: datetime


def trainee_progress(db: Database, f: AttemptFilter) -> tuple[TraineeProgress, ...]:
    sql = f"""
        SELECT a.username, MAX(a.display_name) AS display_name, COUNT(*) AS attempts,
               SUM(a.status = 'completed') AS completed,
               json_group_array(DISTINCT CASE WHEN a.passed = 1 THEN a.scenario_id END) AS passed_json,
               AVG(CASE WHEN a.status = 'completed' THEN a.percent END) AS mean_percent,
               COALESCE(SUM((julianday(a.finished_at) - julianday(a.started_at)) * 86400.0), 0) AS seconds_spent,
               MAX(a.started_at) AS last_started
        FROM attempts a WHERE {_WHERE}
        GROUP BY a.username ORDER BY a.username
    """
    return fetch_all(db, sql, f.params(), lambda r: TraineeProgress(
        username=r["username"], display_name=r["display_name"], attempts=int(r["attempts"]),
        completed=int(r["completed"] or 0),
        passed_scenarios=tuple(sorted(s for s in json.loads(r["passed_json"]) if s)),
        mean_percent=r["mean_percent"], seconds_spent=float(r["seconds_spent"]),
        last_started=cast(datetime, from_iso(r["last_started"])),
    ))


def trend(db: Database, username: str, scenario_ids: Sequence[str] = ()) -> tuple[tuple[datetime, str, float], ...]:
    """(finished, scenario, percent) of a trainee's completed attempts, oldest first."""
    sql = """
        SELECT finished_at, scenario_id, percent FROM attempts
        WHERE username = :username AND status = 'completed' AND official = 1
          AND (:scenario_ids IS NULL OR scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
        ORDER BY finished_at
    """
    params = {"username": username, "scenario_ids": json.dumps(list(scenario_ids)) if scenario_ids else None}
    return fetch_all(db, sql, params, lambda r: (cast(datetime, from_iso(r["finished_at"])), r["scenario_id"],
                                                 float(r["percent"] or 0)))


def trainee_names(db: Database) -> tuple[str, ...]:
    """Everyone with an official attempt, for the filters (read from the username index alone)."""
    return fetch_all(db, "SELECT DISTINCT username FROM attempts WHERE official = 1 ORDER BY username", {},
                     lambda r: str(r["username"]))


def completed_counts(db: Database) -> dict[str, int]:
    """Completed official attempts per scenario, for ordering pickers by where the data is."""
    rows = fetch_all(db, "SELECT scenario_id, COUNT(*) AS n FROM attempts WHERE status = 'completed' AND official = 1 "
                         "GROUP BY scenario_id", {}, lambda r: (str(r["scenario_id"]), int(r["n"])))
    return dict(rows)
