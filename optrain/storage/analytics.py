"""Trainer read models: attempt lists, scenario statistics and trainee progress.

Filters travel as parameters only: an absent filter is NULL, a multi-value
filter is a JSON array read with `json_each`, so every statement here is a
constant and the page never loads whole tables to filter them in Python.
Every figure is computed from the attempts on each call, whatever the filter
(one path, no stored totals). Aggregates are SQL's, except where numbering
each trainee's attempts is needed: there one ordered read of a covering index
(`idx_attempts_review`) and a pass in Python replace window functions, which
SQLite evaluates slowly over many small partitions.

Item analysis lives in `optrain.storage.item_analysis`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso
from optrain.storage.errors import storage_errors


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


_FILTERS = """
    (:usernames IS NULL OR a.username IN (SELECT value FROM json_each(:usernames)))
    AND (:scenario_ids IS NULL OR a.scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
    AND (:since IS NULL OR a.started_at >= :since)
    AND (:until IS NULL OR a.started_at < :until)
    AND (:passed IS NULL OR a.passed = :passed)
    AND (:status IS NULL OR a.status = :status)
"""
_WHERE = "a.official = 1 AND " + _FILTERS


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
    """The newest attempts first, read backwards along `idx_attempts_started` until `limit` match.

    The unary `+` keeps SQLite from choosing an index that starts with `official`
    instead, which would read every official attempt and sort them all.
    """
    sql = f"""
        SELECT a.id, a.username, a.display_name, a.scenario_id, a.scenario_version, a.status, a.percent,
               a.passed, a.critical_failures, a.started_at,
               (julianday(a.finished_at) - julianday(a.started_at)) * 86400.0 AS duration_seconds,
               (SELECT COUNT(*) FROM decisions d WHERE d.attempt_id = a.id) AS decisions
        FROM attempts a WHERE +a.official = 1 AND {_FILTERS}
        ORDER BY a.started_at DESC, a.id DESC LIMIT :limit
    """
    return fetch_all(
        db,
        sql,
        {**f.params(), "limit": limit},
        lambda r: AttemptSummary(
            **{
                **r,
                "passed": None if r["passed"] is None else bool(r["passed"]),
                "started_at": cast(datetime, from_iso(r["started_at"])),
            }
        ),
    )


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


# Completed attempts in the order "attempt number" counts them.
_COMPLETED_IN_ORDER = f"""
    SELECT a.username, a.scenario_id, a.percent, a.passed
    FROM attempts a WHERE a.status = 'completed' AND {_WHERE}
    ORDER BY a.username, a.scenario_id, a.started_at, a.id
"""

# Per scenario: trainees, attempts, pass rate, mean, first-attempt mean, best mean, attempts to first pass.
_Figures = tuple[int, int, float | None, float | None, float | None, float | None, float | None]


@dataclass(frozen=True)
class ScenarioOverview:
    """The Scenarios tab's two read models, from the same reads."""

    stats: tuple[ScenarioStats, ...]
    histogram: tuple[tuple[int, int], ...]


def scenario_overview(db: Database, f: AttemptFilter) -> ScenarioOverview:
    """Per-scenario statistics and the score histogram of the completed attempts the filter selects.

    Pass rate, mean/median, first vs best, attempts until the first pass.
    "First" is each trainee's first completed attempt the filter selects,
    ordered by start time (then id); attempts to the first pass counts those
    attempts up to and including the first passed one. The histogram has
    10-point buckets (bucket start in %), 100 % falling in the 90 bucket.
    """
    with storage_errors():
        rows = db.execute(_COMPLETED_IN_ORDER, f.params()).fetchall()
    figures, scores = _figures_from_attempts(rows)
    stats = tuple(
        ScenarioStats(
            scenario_id,
            trainees,
            attempts,
            cast(float, pass_rate),
            cast(float, mean),
            cast(float, _median(scores[scenario_id])),
            cast(float, first_mean),
            cast(float, best_mean),
            first_pass_mean,
        )
        for scenario_id, (trainees, attempts, pass_rate, mean, first_mean, best_mean, first_pass_mean) in sorted(
            figures.items()
        )
    )
    buckets: dict[int, int] = {}
    for counts in scores.values():
        for percent, k in counts.items():
            if percent is not None:
                bucket = min(int(percent * 10), 9) * 10  # int() truncates as SQL's CAST(... AS INTEGER)
                buckets[bucket] = buckets.get(bucket, 0) + k
    return ScenarioOverview(stats=stats, histogram=tuple(sorted(buckets.items())))


def _median(counts: dict[float | None, int]) -> float | None:
    """The middle score, or the mean of the two middle ones, from how often each score occurs.

    NULL scores sort first and are left out of that mean, as SQL's AVG did.
    """
    n = sum(counts.values())
    wanted = {(n + 1) // 2, (n + 2) // 2}
    middle: list[float] = []
    upto = 0
    for percent in sorted(counts, key=lambda p: (p is not None, p or 0.0)):
        upto += counts[percent]
        hits = {w for w in wanted if w <= upto}
        if hits and percent is not None:
            middle.append(percent)
        wanted -= hits
    return sum(middle) / len(middle) if middle else None


def _mean(values: list[float | None]) -> float | None:
    """SQL's AVG: NULLs are skipped, and no value at all gives NULL."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _figures_from_attempts(
    rows: list[tuple[str, str, float | None, int | None]],
) -> tuple[dict[str, _Figures], dict[str, dict[float | None, int]]]:
    """One pass over each trainee's completed attempts of each scenario, oldest first.

    Numbering the attempts here rather than with ROW_NUMBER() matters on a
    large history: SQLite's window functions buffer every partition, and one
    partition per trainee and scenario cost several times this whole pass.
    """
    firsts: dict[str, list[float | None]] = {}
    bests: dict[str, list[float | None]] = {}
    first_passes: dict[str, list[float | None]] = {}
    percents: dict[str, list[float | None]] = {}
    results: dict[str, list[float | None]] = {}
    current: tuple[str, str] | None = None
    number, best, first_pass = 0, None, None
    for username, scenario_id, percent, passed in rows:
        if current != (username, scenario_id):
            if current is not None:
                bests[current[1]].append(best)
                first_passes[current[1]].append(first_pass)
            current, number, best, first_pass = (username, scenario_id), 0, None, None
            if scenario_id not in firsts:
                for per_scenario in (firsts, bests, first_passes, percents, results):
                    per_scenario[scenario_id] = []
            firsts[scenario_id].append(percent)
        number += 1
        percents[scenario_id].append(percent)
        results[scenario_id].append(passed)
        if percent is not None and (best is None or percent > best):
            best = percent
        if passed == 1 and first_pass is None:
            first_pass = number
    if current is not None:
        bests[current[1]].append(best)
        first_passes[current[1]].append(first_pass)
    figures = {
        s: (
            len(bests[s]),
            len(percents[s]),
            _mean(results[s]),
            _mean(percents[s]),
            _mean(firsts[s]),
            _mean(bests[s]),
            _mean(first_passes[s]),
        )
        for s in firsts
    }
    scores: dict[str, dict[float | None, int]] = {}
    for scenario_id, values in percents.items():
        counts = scores[scenario_id] = {}
        for percent in values:
            counts[percent] = counts.get(percent, 0) + 1
    return figures, scores


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


_PROGRESS = f"""
    SELECT a.username, MAX(a.display_name) AS display_name, COUNT(*) AS attempts,
           SUM(a.status = 'completed') AS completed,
           json_group_array(DISTINCT CASE WHEN a.passed = 1 THEN a.scenario_id END) AS passed_json,
           AVG(CASE WHEN a.status = 'completed' THEN a.percent END) AS mean_percent,
           COALESCE(SUM((julianday(a.finished_at) - julianday(a.started_at)) * 86400.0), 0) AS seconds_spent,
           MAX(a.started_at) AS last_started
    FROM attempts a WHERE {_WHERE}
    GROUP BY a.username ORDER BY a.username
"""


def trainee_progress(db: Database, f: AttemptFilter) -> tuple[TraineeProgress, ...]:
    """Per trainee: attempts, completed, scenarios passed, mean score, time spent, last start."""
    return fetch_all(
        db,
        _PROGRESS,
        f.params(),
        lambda r: TraineeProgress(
            username=r["username"],
            display_name=r["display_name"],
            attempts=int(r["attempts"]),
            completed=int(r["completed"] or 0),
            passed_scenarios=tuple(sorted(s for s in json.loads(r["passed_json"]) if s)),
            mean_percent=r["mean_percent"],
            seconds_spent=float(r["seconds_spent"]),
            last_started=cast(datetime, from_iso(r["last_started"])),
        ),
    )


def trend(db: Database, username: str, scenario_ids: Sequence[str] = ()) -> tuple[tuple[datetime, str, float], ...]:
    """(finished, scenario, percent) of a trainee's completed attempts, oldest first."""
    sql = """
        SELECT finished_at, scenario_id, percent FROM attempts
        WHERE username = :username AND status = 'completed' AND official = 1
          AND (:scenario_ids IS NULL OR scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
        ORDER BY finished_at
    """
    params = {"username": username, "scenario_ids": json.dumps(list(scenario_ids)) if scenario_ids else None}
    return fetch_all(
        db,
        sql,
        params,
        lambda r: (cast(datetime, from_iso(r["finished_at"])), r["scenario_id"], float(r["percent"] or 0)),
    )


def trainee_names(db: Database) -> tuple[str, ...]:
    """Everyone with an official attempt, for the filters."""
    return fetch_all(
        db,
        "SELECT DISTINCT username FROM attempts WHERE official = 1 ORDER BY username",
        {},
        lambda r: str(r["username"]),
    )
