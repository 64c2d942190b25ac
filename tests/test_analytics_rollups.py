"""`attempt_rollups` stays equal to a recount after every kind of write, and the Review read models give
the figures of the queries they replaced, on seeded random histories.

The reference statements at the end are the ones the Review page ran before
the rollups, the ordered pass and the single item-analysis statement, kept
verbatim as the definition the read models are compared against.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import astuple
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from optrain import storage
from optrain.storage.analytics import (
    _PROGRESS_FROM_ATTEMPTS,
    AttemptFilter,
    completed_counts,
    scenario_overview,
    trainee_names,
    trainee_progress,
)
from optrain.storage.item_analysis import _ITEM_BASE as ITEM_BASE
from optrain.storage.item_analysis import scenario_item_analysis

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
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
        attempt = storage.start_attempt(db, username=user, display_name=user.title() if rng.random() < 0.8 else None,
                                        scenario_id=scenario, scenario_version=1, seed=step, now=now,
                                        official=rng.random() < 0.9)
        open_ids.append(attempt.id)
        if len(open_ids) > 4 or rng.random() < 0.3:
            finishing = open_ids.pop(rng.randrange(len(open_ids)))  # not always the oldest
            if rng.random() < 0.15:
                storage.abandon_attempt(db, finishing, now=now + timedelta(minutes=5))
            else:
                points = [rng.choice((0, 0.5, 1, 1, 2)) for _ in ITEMS]
                for item, got in zip(ITEMS, points):
                    storage.record_decision(
                        db, finishing, item_id=item, call=rng.choice(("reorder", "no_action", "escalate")),
                        template=rng.choice((None, "ack_delay")), body=None, note=None, decided_at=now,
                        elapsed_seconds=rng.choice((None, 5.0, 12.5, 12.5, 30.0, rng.uniform(1, 90))), points=got,
                        max_points=2, verdict="correct" if got == 2 else ("partial" if got else "wrong"),
                        log=storage.DecisionLogEntry("shop", "call", f"{user}@x", {}))
                score = sum(points)
                storage.finish_attempt(db, finishing, now=now + timedelta(minutes=7), score=score, max_score=8,
                                       percent=score / 8, passed=score / 8 >= 0.75, critical_failures=0)


def recount(db: Database) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each rollup row from its definition, straight from the attempts."""
    rows = [dict(zip(("id", "username", "scenario_id", "display_name", "started_at", "finished_at", "status",
                      "percent", "passed"), r))
            for r in db.execute("SELECT id, username, scenario_id, display_name, started_at, finished_at, status, "
                                "percent, passed FROM attempts WHERE official = 1 ORDER BY started_at, id")]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["username"], row["scenario_id"]), []).append(row)
    expected = {}
    for key, attempts in groups.items():
        done = [a for a in attempts if a["status"] == "completed"]
        ended = [datetime.fromisoformat(a["finished_at"]) - datetime.fromisoformat(a["started_at"])
                 for a in attempts if a["finished_at"]]
        names = [a["display_name"] for a in attempts if a["display_name"] is not None]
        first_pass = next((n for n, a in enumerate(done, 1) if a["passed"] == 1), None)
        expected[key] = (
            max(names) if names else None, len(attempts), len(done), int(any(a["passed"] == 1 for a in attempts)),
            sum(d.total_seconds() for d in ended) if ended else None, max(a["started_at"] for a in attempts),
            len(done), sum(a["percent"] for a in done) if done else None, len(done),
            sum(a["passed"] for a in done) if done else None, max((a["percent"] for a in done), default=None),
            done[0]["percent"] if done else None, first_pass,
        )
    return expected


def stored(db: Database) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(r[0], r[1]): tuple(r[2:]) for r in db.execute(
        "SELECT username, scenario_id, display_name, attempts, completed, passed_any, seconds_spent, last_started, "
        "percent_n, percent_sum, passed_n, passed_sum, best_percent, first_percent, first_pass FROM attempt_rollups")}


def assert_close(got: Any, want: Any, where: str = "") -> None:
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-3), where  # julianday() keeps about 1e-5 s
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want), where
        for n, (g, w) in enumerate(zip(got, want)):
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


def test_rollups_equal_a_recount_after_starts_finishes_and_abandons(db: Database) -> None:
    want = recount(db)
    assert want and stored(db).keys() == want.keys()
    for key, row in stored(db).items():
        assert_close(row, want[key], str(key))


def test_rollups_follow_hand_edits_renames_and_deletions(db: Database) -> None:
    with db.conn:
        db.execute("UPDATE attempts SET official = 1 - official WHERE id % 5 = 0")
        db.execute("UPDATE attempts SET username = 'zed' WHERE username = 'ana' AND id % 2 = 0")
        db.execute("UPDATE attempts SET scenario_id = 'returns' WHERE scenario_id = 'sla' AND id % 3 = 0")
        db.execute("DELETE FROM attempts WHERE id % 7 = 0")
        db.execute("DELETE FROM attempts WHERE username = 'dee'")
    want = recount(db)
    assert stored(db).keys() == want.keys() and not any(user == "dee" for user, _ in want)
    for key, row in stored(db).items():
        assert_close(row, want[key], str(key))


def test_rollups_are_built_for_a_database_that_had_attempts_before_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Database(path) as old:
        old.execute("PRAGMA synchronous = OFF")  # a test database: no need to wait for the disk
        storage.MIGRATIONS.apply(old, stop_before="m006_review_rollups")
        seeded_history(old, 7)
        assert "attempt_rollups" not in old.table_names()
    db = storage.open_db(path)
    want = recount(db)
    assert want and stored(db).keys() == want.keys()
    for key, row in stored(db).items():
        assert_close(row, want[key], str(key))


@pytest.mark.parametrize("f", [
    AttemptFilter(), AttemptFilter(usernames=("ana", "cy")), AttemptFilter(scenario_ids=("sla",)),
    AttemptFilter(usernames=("ben",), scenario_ids=("brakes", "returns")), AttemptFilter(passed=True),
    AttemptFilter(passed=False), AttemptFilter(status="completed"), AttemptFilter(status="abandoned"),
    AttemptFilter(since=T0 + timedelta(minutes=20), until=T0 + timedelta(minutes=45)),
    AttemptFilter(usernames=("nobody",)),
], ids=lambda f: repr(f))
def test_statistics_and_progress_equal_the_replaced_queries(db: Database, f: AttemptFilter) -> None:
    overview = scenario_overview(db, f)
    assert_close([astuple(s) for s in overview.stats], [tuple(r) for r in db.execute(STATS, f.params())])
    assert overview.histogram == tuple(tuple(r) for r in db.execute(HISTOGRAM, f.params()))
    old = [(r[0], r[1], r[2], r[3] or 0, tuple(sorted(s for s in json.loads(r[4]) if s)), r[5], r[6], r[7])
           for r in db.execute(PROGRESS, f.params())]
    assert_close([(p.username, p.display_name, p.attempts, p.completed, p.passed_scenarios, p.mean_percent,
                   p.seconds_spent, p.last_started.isoformat()) for p in trainee_progress(db, f)], old)


def test_names_and_counts_equal_the_replaced_queries(db: Database) -> None:
    assert trainee_names(db) == tuple(r[0] for r in db.execute(
        "SELECT DISTINCT username FROM attempts WHERE official = 1 ORDER BY username"))
    assert completed_counts(db) == dict(db.execute(
        "SELECT scenario_id, COUNT(*) FROM attempts WHERE status = 'completed' AND official = 1 GROUP BY scenario_id"
    ).fetchall())


@pytest.mark.parametrize("all_attempts", [False, True])
def test_item_analysis_equals_the_replaced_queries(db: Database, all_attempts: bool) -> None:
    for scenario_id in SCENARIOS:
        params = {"scenario_id": scenario_id, "version": 1, "all_attempts": int(all_attempts)}
        got = scenario_item_analysis(db, scenario_id, 1, all_attempts=all_attempts)
        medians = dict(db.execute(ITEM_BASE + ITEM_MEDIANS, params).fetchall())
        sums = db.execute(ITEM_BASE + ITEM_SUMS, params).fetchall()
        assert sums, scenario_id
        assert_close([(s.item_id, s.responses, s.facility, s.discrimination, s.wrong, s.partial, s.median_seconds)
                      for s in got.items],
                     [(r[0], r[1], r[2], correlation(*r[1:2], *r[3:8]), r[8], r[9], medians.get(r[0])) for r in sums])
        calls = db.execute(ITEM_BASE + CALLS, params).fetchall()
        assert sorted(map(astuple, got.calls), key=repr) == sorted(map(tuple, calls), key=repr)
        assert [(c.item_id, c.count) for c in got.calls] == [(r[0], r[4]) for r in calls]  # most common first


def correlation(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """Pearson's r from the sums, None where a side does not vary (as the item analysis reports it)."""
    var_x, var_y = n * sxx - sx * sx, n * syy - sy * sy
    if n < 2 or var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


# The statements the read models replaced. Two of them are still the module's own and are read from it:
# trainee progress under a date, result or status filter, and the item analysis' base.
PROGRESS = _PROGRESS_FROM_ATTEMPTS
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

HISTOGRAM = f"""
        SELECT MIN(CAST(a.percent * 10 AS INTEGER), 9) * 10 AS bucket, COUNT(*) AS n
        FROM attempts a WHERE a.status = 'completed' AND {WHERE}
        GROUP BY bucket ORDER BY bucket
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
