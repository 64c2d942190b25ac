"""Trainer statistics computed in SQL, checked against straightforward Python on the same data."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database

from optrain import storage
from optrain.storage.analytics import (
    AttemptFilter,
    list_attempt_summaries,
    scenario_overview,
    trainee_progress,
)
from optrain.storage.item_analysis import scenario_item_analysis

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
# (trainee, [(item, points, elapsed)] per attempt in order); items a,b,c worth 1 each.
ATTEMPTS = {
    "ana": [[("a", 1, 10), ("b", 1, 20), ("c", 1, 30)]],
    "ben": [[("a", 0, 40), ("b", 1, 25), ("c", 0, 35)], [("a", 1, 12), ("b", 1, 22), ("c", 1, 32)]],
    "cy": [[("a", 0, 50), ("b", 0, 60), ("c", 1, 70)], [("a", 0, 20), ("b", 1, 20), ("c", 1, 20)]],
    "dee": [[("a", 1, 15), ("b", 0, 15), ("c", 0.5, 15)]],
}


@pytest.fixture()
def db(db: Database) -> Database:
    """The shared empty database with the attempts above."""
    database = db
    moment = T0
    for user, runs in ATTEMPTS.items():
        for run in runs:
            moment += timedelta(hours=1)
            attempt = storage.start_attempt(
                database,
                username=user,
                display_name=user.title(),
                scenario_id="s",
                scenario_version=1,
                seed=1,
                now=moment,
            )
            for item, points, secs in run:
                verdict = "correct" if points == 1 else ("partial" if points else "wrong")
                storage.record_decision(
                    database,
                    attempt.id,
                    item_id=item,
                    call="reorder" if points else "no_action",
                    template=None,
                    body=None,
                    note=None,
                    decided_at=moment,
                    elapsed_seconds=secs,
                    points=points,
                    max_points=1,
                    verdict=verdict,
                    log=storage.DecisionLogEntry("shop", "x", f"{user}@x", {}),
                )
            score = sum(p for _, p, _ in run)
            storage.finish_attempt(
                database,
                attempt.id,
                now=moment + timedelta(minutes=10),
                score=score,
                max_score=3,
                percent=score / 3,
                passed=score / 3 >= 0.8,
                critical_failures=0,
            )
    return database


def pearson(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(xs, ys)


@pytest.mark.parametrize("all_attempts", [False, True])
def test_item_analysis_matches_the_definitions(db, all_attempts: bool) -> None:  # type: ignore[no-untyped-def]
    runs = [r for rs in ATTEMPTS.values() for r in (rs if all_attempts else rs[:1])]
    got = {s.item_id: s for s in scenario_item_analysis(db, "s", 1, all_attempts=all_attempts).items}
    for item in "abc":
        scores = [dict((i, p) for i, p, _ in r)[item] for r in runs]
        rest = [sum(p for i, p, _ in r if i != item) for r in runs]
        secs = [dict((i, s) for i, _, s in r)[item] for r in runs]
        assert got[item].responses == len(runs)
        assert got[item].facility == pytest.approx(sum(scores) / len(scores))
        assert got[item].discrimination == pytest.approx(pearson(scores, rest))
        assert got[item].median_seconds == pytest.approx(statistics.median(secs))


def test_scenario_statistics(db) -> None:  # type: ignore[no-untyped-def]
    (stats,) = scenario_overview(db, AttemptFilter()).stats
    percents = [sum(p for _, p, _ in r) / 3 for rs in ATTEMPTS.values() for r in rs]
    assert stats.attempts == 6 and stats.trainees == 4
    assert stats.mean_percent == pytest.approx(statistics.mean(percents))
    assert stats.median_percent == pytest.approx(statistics.median(percents))
    assert stats.pass_rate == pytest.approx(sum(p >= 0.8 for p in percents) / 6)
    assert stats.first_mean_percent == pytest.approx(
        statistics.mean(sum(p for _, p, _ in rs[0]) / 3 for rs in ATTEMPTS.values())
    )
    assert stats.best_mean_percent == pytest.approx(
        statistics.mean(max(sum(p for _, p, _ in r) / 3 for r in rs) for rs in ATTEMPTS.values())
    )
    assert stats.attempts_to_first_pass == pytest.approx((1 + 2) / 2)  # ana first try, ben second try


def test_filters_and_summaries(db) -> None:  # type: ignore[no-untyped-def]
    assert {a.username for a in list_attempt_summaries(db, AttemptFilter(usernames=("ben", "cy")))} == {"ben", "cy"}
    passed = list_attempt_summaries(db, AttemptFilter(passed=True))
    assert {a.username for a in passed} == {"ana", "ben"} and all(
        a.duration_seconds == pytest.approx(600) for a in passed
    )
    assert list_attempt_summaries(db, AttemptFilter(scenario_ids=("other",))) == ()
    late = list_attempt_summaries(db, AttemptFilter(since=T0 + timedelta(hours=4)))
    assert len(late) == 3
    assert all(a.decisions == 3 for a in late)


def test_histogram_and_progress(db) -> None:  # type: ignore[no-untyped-def]
    assert dict(scenario_overview(db, AttemptFilter()).histogram) == {30: 2, 50: 1, 60: 1, 90: 2}
    progress = {p.username: p for p in trainee_progress(db, AttemptFilter())}
    assert progress["ben"].passed_scenarios == ("s",) and progress["cy"].passed_scenarios == ()
    assert progress["ben"].seconds_spent == pytest.approx(1200)
