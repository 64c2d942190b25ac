"""The Review read models give the figures of their definitions, on seeded random histories, under every filter.

The reference statements at the end are written out here, independently of
the module: straightforward SQL (window functions, one query per figure) that
says what each figure means, which the faster read models must agree with.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from optrain import storage
from optrain.storage.analytics import (
    AttemptFilter,
    scenario_overview,
    trainee_names,
    trainee_progress,
)
from optrain.storage.item_analysis import scenario_item_analysis

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
USERS = ("ana", "ben", "cy", "dee", "eve", "fay")
SCENARIOS = ("brakes", "returns", "sla")
ITEMS = ("pads", "rotor", "late", "refund")


def seeded_history(db: Database, seed: int) -> None:
    """Attempts started and finished in random order: some abandoned, some left open, some unofficial,
    several trainees starting at the very same moment, scores that repeat."""
    rng = random.Random(seed)
    open_ids: list[int] = []
    for step in range(160):
        now = T0 + timedelta(minutes=step // 3)  # three starts share each minute
        user, scenario = rng.choice(USERS), rng.choice(SCENARIOS)
        attempt = storage.start_attempt(
            db,
            username=user,
            display_name=user.title() if rng.random() < 0.8 else None,
            scenario_id=scenario,
            scenario_version=1,
            seed=step,
            now=now,
            official=rng.random() < 0.9,
        )
        open_ids.append(attempt.id)
        if len(open_ids) > 4 or rng.random() < 0.3:
            finishing = open_ids.pop(rng.randrange(len(open_ids)))  # not always the oldest
            if rng.random() < 0.15:
                storage.abandon_attempt(db, finishing, now=now + timedelta(minutes=5))
            else:
                points = [rng.choice((0, 0.5, 1, 1, 2)) for _ in ITEMS]
                for item, got in zip(ITEMS, points, strict=False):
                    storage.record_decision(
                        db,
                        finishing,
                        item_id=item,
                        call=rng.choice(("reorder", "no_action", "escalate")),
                        template=rng.choice((None, "ack_delay")),
                        body=None,
                        note=None,
                        decided_at=now,
                        elapsed_seconds=rng.choice((None, 5.0, 12.5, 12.5, 30.0, rng.uniform(1, 90))),
                        points=got,
                        max_points=2,
                        verdict="correct" if got == 2 else ("partial" if got else "wrong"),
                        log=storage.DecisionLogEntry("shop", "call", f"{user}@x", {}),
                    )
                score = sum(points)
                storage.finish_attempt(
                    db,
                    finishing,
                    now=now + timedelta(minutes=7),
                    score=score,
                    max_score=8,
                    percent=score / 8,
                    passed=score / 8 >= 0.75,
                    critical_failures=0,
                )


def assert_close(got: Any, want: Any, where: str = "") -> None:
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-3), where  # julianday() keeps about 1e-5 s
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want), where
        for n, (g, w) in enumerate(zip(got, want, strict=False)):
            assert_close(g, w, f"{where}[{n}]")
    elif hasattr(want, "__dataclass_fields__"):
        assert_close(astuple(got), astuple(want), where)
    else:
        assert got == want, where


@pytest.fixture(params=[1, 2, 3])
def db(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    database = storage.open_db(":memory:")
    seeded_history(database, request.param)
    yield database
    database.close()


def test_the_review_rollups_are_gone_and_every_attempt_kept(tmp_path: Path) -> None:
    """m007 drops the trigger-maintained totals of m006 from a database that had them."""
    path = tmp_path / "old.db"
    with Database(path) as old:
        old.execute("PRAGMA synchronous = OFF")  # a test database: no need to wait for the disk
        storage.MIGRATIONS.apply(old, stop_before="m007_review_from_attempts")
        seeded_history(old, 7)
        assert "attempt_rollups" in old.table_names()
        before = old.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    db = storage.open_db(path)
    assert "attempt_rollups" not in db.table_names()
    assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'attempt_rollups%'").fetchall() == []
    assert db.execute("SELECT * FROM attempts ORDER BY id").fetchall() == before
    storage.start_attempt(
        db, username="new", display_name=None, scenario_id="sla", scenario_version=1, seed=1, now=T0
    )  # no trigger left behind writes into a missing table
    assert trainee_names(db)[-1] == "new"


@pytest.mark.parametrize(
    "f",
    [
        AttemptFilter(),
        AttemptFilter(usernames=("ana", "cy")),
        AttemptFilter(scenario_ids=("sla",)),
        AttemptFilter(usernames=("ben",), scenario_ids=("brakes", "returns")),
        AttemptFilter(passed=True),
        AttemptFilter(passed=False),
        AttemptFilter(status="completed"),
        AttemptFilter(status="abandoned"),
        AttemptFilter(since=T0 + timedelta(minutes=20), until=T0 + timedelta(minutes=45)),
        AttemptFilter(usernames=("nobody",)),
    ],
    ids=lambda f: repr(f),
)
def test_statistics_and_progress_equal_their_definitions(db: Database, f: AttemptFilter) -> None:
    overview = scenario_overview(db, f)
    assert_close([astuple(s) for s in overview.stats], [tuple(r) for r in db.execute(STATS, f.params())])
    assert overview.histogram == tuple(tuple(r) for r in db.execute(HISTOGRAM, f.params()))
    old = [
        (r[0], r[1], r[2], r[3] or 0, tuple(sorted(s for s in json.loads(r[4]) if s)), r[5], r[6], r[7])
        for r in db.execute(PROGRESS, f.params())
    ]
    assert_close(
        [
            (
                p.username,
                p.display_name,
                p.attempts,
                p.completed,
                p.passed_scenarios,
                p.mean_percent,
                p.seconds_spent,
                p.last_started.isoformat(),
            )
            for p in trainee_progress(db, f)
        ],
        old,
    )


def test_names_equal_their_definition(db: Database) -> None:
    assert trainee_names(db) == tuple(
        r[0] for r in db.execute("SELECT DISTINCT username FROM attempts WHERE official = 1 ORDER BY username")
    )


@pytest.mark.parametrize(
    "f",
    [
        AttemptFilter(),
        AttemptFilter(usernames=("ana", "cy")),
        AttemptFilter(passed=True),
        AttemptFilter(passed=False),
        AttemptFilter(since=T0 + timedelta(minutes=20), until=T0 + timedelta(minutes=45)),
    ],
    ids=lambda f: repr(f),
)
@pytest.mark.parametrize("all_attempts", [False, True])
def test_item_analysis_equals_its_definition(db: Database, all_attempts: bool, f: AttemptFilter) -> None:
    checked = 0
    for scenario_id in SCENARIOS:
        params = {**f.params(), "scenario_id": scenario_id, "version": 1, "all_attempts": int(all_attempts)}
        got = scenario_item_analysis(db, scenario_id, 1, f, all_attempts=all_attempts)
        medians = dict(db.execute(ITEM_BASE + ITEM_MEDIANS, params).fetchall())
        sums = db.execute(ITEM_BASE + ITEM_SUMS, params).fetchall()
        checked += len(sums)
        assert_close(
            [
                (s.item_id, s.responses, s.facility, s.discrimination, s.wrong, s.partial, s.median_seconds)
                for s in got.items
            ],
            [(r[0], r[1], r[2], correlation(*r[1:2], *r[3:8]), r[8], r[9], medians.get(r[0])) for r in sums],
        )
        calls = db.execute(ITEM_BASE + CALLS, params).fetchall()
        assert sorted(map(astuple, got.calls), key=repr) == sorted(map(tuple, calls), key=repr)
        assert [(c.item_id, c.count) for c in got.calls] == [(r[0], r[4]) for r in calls]  # most common first
    assert checked or f.usernames, "the history gave the filter nothing to check"


def correlation(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """Pearson's r from the sums, None where a side does not vary (as the item analysis reports it)."""
    var_x, var_y = n * sxx - sx * sx, n * syy - sy * sy
    if n < 2 or var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


# What each figure means, as plain SQL.
WHERE = """
    a.official = 1
    AND (:usernames IS NULL OR a.username IN (SELECT value FROM json_each(:usernames)))
    AND (:scenario_ids IS NULL OR a.scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
    AND (:since IS NULL OR a.started_at >= :since)
    AND (:until IS NULL OR a.started_at < :until)
    AND (:passed IS NULL OR a.passed = :passed)
    AND (:status IS NULL OR a.status = :status)
"""

STATS = f"""
        WITH c AS (
            SELECT a.username, a.scenario_id, a.percent, a.passed,
                   ROW_NUMBER() OVER (PARTITION BY a.username, a.scenario_id ORDER BY a.started_at, a.id) AS rn
            FROM attempts a WHERE a.status = 'completed' AND {WHERE}
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

PROGRESS = f"""
    SELECT a.username, MAX(a.display_name) AS display_name, COUNT(*) AS attempts,
           SUM(a.status = 'completed') AS completed,
           json_group_array(DISTINCT CASE WHEN a.passed = 1 THEN a.scenario_id END) AS passed_json,
           AVG(CASE WHEN a.status = 'completed' THEN a.percent END) AS mean_percent,
           COALESCE(SUM((julianday(a.finished_at) - julianday(a.started_at)) * 86400.0), 0) AS seconds_spent,
           MAX(a.started_at) AS last_started
    FROM attempts a WHERE {WHERE}
    GROUP BY a.username ORDER BY a.username
"""

HISTOGRAM = f"""
        SELECT MIN(CAST(a.percent * 10 AS INTEGER), 9) * 10 AS bucket, COUNT(*) AS n
        FROM attempts a WHERE a.status = 'completed' AND {WHERE}
        GROUP BY bucket ORDER BY bucket
    """

# Each trainee's first completed attempt the filter selects (or all of them), and its decisions.
ITEM_BASE = """
    WITH base AS (
        SELECT id, score FROM (
            SELECT a.id, a.score,
                   ROW_NUMBER() OVER (PARTITION BY a.username ORDER BY a.started_at, a.id) AS rn
            FROM attempts a
            WHERE a.scenario_id = :scenario_id AND a.scenario_version = :version
              AND a.status = 'completed' AND a.official = 1
              AND (:usernames IS NULL OR a.username IN (SELECT value FROM json_each(:usernames)))
              AND (:since IS NULL OR a.started_at >= :since)
              AND (:until IS NULL OR a.started_at < :until)
              AND (:passed IS NULL OR a.passed = :passed)
        ) WHERE :all_attempts = 1 OR rn = 1
    ),
    x AS (
        SELECT d.item_id, COALESCE(d.points, 0) AS p, COALESCE(d.max_points, 1) AS m,
               b.score - COALESCE(d.points, 0) AS rest, d.elapsed_seconds AS secs, d.verdict,
               d.call, d.template
        FROM decisions d JOIN base b ON b.id = d.attempt_id
    )
"""

ITEM_SUMS = """
        SELECT item_id, COUNT(*) AS n, AVG(p / m) AS facility, SUM(p) AS sx, SUM(rest) AS sy,
               SUM(p * rest) AS sxy, SUM(p * p) AS sxx, SUM(rest * rest) AS syy,
               SUM(verdict IN ('wrong', 'unanswered')) AS wrong, SUM(verdict = 'partial') AS partial
        FROM x GROUP BY item_id
    """

ITEM_MEDIANS = """
        SELECT item_id, AVG(secs) AS median FROM (
            SELECT item_id, secs, ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY secs) AS pos,
                   COUNT(*) OVER (PARTITION BY item_id) AS n
            FROM x WHERE secs IS NOT NULL
        ) WHERE pos IN ((n + 1) / 2, (n + 2) / 2) GROUP BY item_id
    """

CALLS = """
        SELECT item_id, call, template, verdict, COUNT(*) AS count FROM x
        GROUP BY item_id, call, template, verdict ORDER BY item_id, count DESC
    """
