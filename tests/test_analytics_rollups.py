"""`attempt_rollups` stays equal to a recount after every kind of write, and the Review read models built on
it give the same figures as the queries they replaced, on a seeded random history."""

from __future__ import annotations

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
    AttemptFilter,
    completed_counts,
    scenario_stats,
    score_histogram,
    trainee_names,
    trainee_progress,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
USERS = ("ana", "ben", "cy", "dee", "eve", "fay")
SCENARIOS = ("brakes", "returns", "sla")


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
                score = rng.choice((0, 1, 2, 3, 4, 5, 5, 6))
                storage.finish_attempt(db, finishing, now=now + timedelta(minutes=7), score=score, max_score=6,
                                       percent=score / 6, passed=score / 6 >= 0.8, critical_failures=0)


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
def db(tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    database = storage.open_db(tmp_path / "r.db")
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
        storage.MIGRATIONS.apply(old, stop_before="m006_review_rollups")
        seeded_history(old, 7)
        assert "attempt_rollups" not in old.table_names()
    db = storage.open_db(path)
    want = recount(db)
    assert want and stored(db).keys() == want.keys()
    for key, row in stored(db).items():
        assert_close(row, want[key], str(key))
