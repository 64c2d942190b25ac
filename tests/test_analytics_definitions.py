"""The Review read models give the figures of their definitions, under every filter.

The history below is small enough to work every figure out by hand; the
working is in the comments, and the expected values are written out.
Attempts are numbered #1.. in the order they are started (their ids).
Every attempt is finished 7 minutes after its start (abandoned after 5), so
each completed attempt counts 420 s and the abandoned one 300 s.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import storage
from optrain.storage.analytics import (
    AttemptFilter,
    ScenarioStats,
    TraineeProgress,
    scenario_overview,
    trainee_names,
    trainee_progress,
)
from optrain.storage.item_analysis import CallCount, ItemStats, scenario_item_analysis

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# (trainee, display name, scenario, start minute, official, status, decisions (item, points, max, seconds, call))
# brakes is worth 4 (pads 2, rotor 1, fluid 1), sla 2 (late 2); an attempt passes at 75 %.
# fmt: off
HISTORY = (
    ("ana", "Ana", "brakes", 0, True, "completed", (("pads", 2, 2, 10, "reorder"), ("rotor", 1, 1, 20, "reorder"), ("fluid", 1, 1, 5, "approve"))),  #1: 4/4 = 100 %, passed
    ("ben", "Ben", "brakes", 0, True, "completed", (("pads", 0, 2, 30, "no_action"), ("rotor", 1, 1, None, "reorder"), ("fluid", 0, 1, 15, "no_action"))),  #2: 1/4 = 25 %
    ("ben", "Ben", "brakes", 0, True, "completed", (("pads", 2, 2, 12, "reorder"), ("rotor", 1, 1, 14, "reorder"), ("fluid", 0, 1, None, "no_action"))),  #3: 3/4 = 75 %, passed; same start as #2, so #2 is ben's first
    ("cy", None, "brakes", 10, True, "completed", (("pads", 1, 2, None, "escalate"), ("rotor", 0, 1, 40, "no_action"), ("fluid", 1, 1, 25, "approve"))),  #4: 2/4 = 50 %
    ("cy", None, "brakes", 20, True, "abandoned", ()),  # #5
    ("dee", "Dee", "brakes", 20, False, "completed", (("pads", 0, 2, 1, "no_action"), ("rotor", 0, 1, 1, "no_action"), ("fluid", 0, 1, 1, "no_action"))),  #6: a "try it" run, left out everywhere
    ("ana", "Ana", "sla", 30, True, "completed", (("late", 1, 2, 60, "escalate"),)),  # #7: 1/2 = 50 %
    ("cy", None, "sla", 30, True, "in_progress", ()),  # #8: never finished, no time spent
    ("ana", "Ana", "sla", 40, True, "completed", (("late", 2, 2, 50, "reorder"),)),  # #9: 2/2 = 100 %, passed
)
# fmt: on


def record_history(db: Database) -> None:
    for seed, (user, name, scenario, minute, official, status, decisions) in enumerate(HISTORY, start=1):
        start = T0 + timedelta(minutes=minute)
        attempt = storage.start_attempt(
            db,
            username=user,
            display_name=name,
            scenario_id=scenario,
            scenario_version=1,
            seed=seed,
            now=start,
            official=official,
        )
        assert attempt.id == seed
        for item, points, most, seconds, call in decisions:
            storage.record_decision(
                db,
                attempt.id,
                item_id=item,
                call=call,
                template="ack_delay" if call == "approve" else None,
                body=None,
                note=None,
                decided_at=start,
                elapsed_seconds=seconds,
                points=points,
                max_points=most,
                verdict="correct" if points == most else ("partial" if points else "wrong"),
                log=storage.DecisionLogEntry("shop", "call", f"{user}@x", {}),
            )
        if status == "completed":
            score = sum(d[1] for d in decisions)
            top = sum(d[2] for d in decisions)
            storage.finish_attempt(
                db,
                attempt.id,
                now=start + timedelta(minutes=7),
                score=score,
                max_score=top,
                percent=score / top,
                passed=score / top >= 0.75,
                critical_failures=0,
            )
        elif status == "abandoned":
            storage.abandon_attempt(db, attempt.id, now=start + timedelta(minutes=5))


@pytest.fixture
def db(db: Database) -> Database:
    """The shared empty database with the history above."""
    record_history(db)
    return db


def minute(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


NOBODY = AttemptFilter(usernames=("nobody",))
ANA_CY = AttemptFilter(usernames=("ana", "cy"))
SLA = AttemptFilter(scenario_ids=("sla",))
FAILED = AttemptFilter(passed=False)
ABANDONED = AttemptFilter(status="abandoned")
MIDDLE = AttemptFilter(since=minute(10), until=minute(35))  # #4, #5, #7, #8 (and the unofficial #6)

# ScenarioStats: trainees, attempts, pass rate, mean, median, first-attempt mean, best mean, attempts to first pass.
BRAKES_ALL = ScenarioStats(
    "brakes",
    3,  # ana, ben, cy (dee's run is unofficial)
    4,  # #1 100 %, #2 25 %, #3 75 %, #4 50 %
    2 / 4,  # #1 and #3 passed
    2.5 / 4,  # (1 + 0.25 + 0.75 + 0.5) / 4
    0.625,  # 0.25 0.5 | 0.75 1.0: (0.5 + 0.75) / 2
    1.75 / 3,  # firsts #1, #2, #4: (1 + 0.25 + 0.5) / 3
    0.75,  # bests 1.0, 0.75, 0.5
    1.5,  # ana passes at her 1st attempt, ben at his 2nd, cy never
)
SLA_ALL = ScenarioStats("sla", 1, 2, 0.5, 0.75, 0.75, 0.5, 1.0, 2.0)  # #7 50 %, #9 100 %: ana passes at her 2nd
ONE_FAIL_AT_HALF = ScenarioStats("brakes", 1, 1, 0.0, 0.5, 0.5, 0.5, 0.5, None)  # cy's #4 alone

EXPECTED_STATS = {
    AttemptFilter(): (BRAKES_ALL, SLA_ALL),
    ANA_CY: (ScenarioStats("brakes", 2, 2, 0.5, 0.75, 0.75, 0.75, 0.75, 1.0), SLA_ALL),  # #1 100 %, #4 50 %
    SLA: (SLA_ALL,),
    # #2 25 %, #4 50 % and #7 50 %: nobody passes, so there is no attempt to a first pass.
    FAILED: (
        ScenarioStats("brakes", 2, 2, 0.0, 0.375, 0.375, 0.375, 0.375, None),
        ScenarioStats("sla", 1, 1, 0.0, 0.5, 0.5, 0.5, 0.5, None),
    ),
    ABANDONED: (),  # statistics count completed attempts only
    MIDDLE: (ONE_FAIL_AT_HALF, ScenarioStats("sla", 1, 1, 0.0, 0.5, 0.5, 0.5, 0.5, None)),  # #4 and #7
    NOBODY: (),
}

# Histogram buckets (10 points wide, named by their start): 25 % -> 20, 50 % -> 50, 75 % -> 70, 100 % -> 90.
EXPECTED_HISTOGRAM = {
    AttemptFilter(): ((20, 1), (50, 2), (70, 1), (90, 2)),  # #2 | #4 #7 | #3 | #1 #9
    ANA_CY: ((50, 2), (90, 2)),  # #4 #7 | #1 #9
    SLA: ((50, 1), (90, 1)),
    FAILED: ((20, 1), (50, 2)),
    ABANDONED: (),
    MIDDLE: ((50, 2),),
    NOBODY: (),
}

ANA_ALL = TraineeProgress("ana", "Ana", 3, 3, ("brakes", "sla"), 2.5 / 3, 1260.0, minute(40))  # #1 #7 #9
BEN_ALL = TraineeProgress("ben", "Ben", 2, 2, ("brakes",), 0.5, 840.0, minute(0))  # #2 #3: (0.25 + 0.75) / 2
CY_ALL = TraineeProgress("cy", None, 3, 1, (), 0.5, 720.0, minute(30))  # #4 420 s, #5 300 s, #8 none yet

EXPECTED_PROGRESS = {
    AttemptFilter(): (ANA_ALL, BEN_ALL, CY_ALL),
    ANA_CY: (ANA_ALL, CY_ALL),
    SLA: (
        TraineeProgress("ana", "Ana", 2, 2, ("sla",), 0.75, 840.0, minute(40)),  # #7 #9
        TraineeProgress("cy", None, 1, 0, (), None, 0.0, minute(30)),  # #8: no score, no time yet
    ),
    FAILED: (  # completed and failed: #7, #2, #4
        TraineeProgress("ana", "Ana", 1, 1, (), 0.5, 420.0, minute(30)),
        TraineeProgress("ben", "Ben", 1, 1, (), 0.25, 420.0, minute(0)),
        TraineeProgress("cy", None, 1, 1, (), 0.5, 420.0, minute(10)),
    ),
    ABANDONED: (TraineeProgress("cy", None, 1, 0, (), None, 300.0, minute(20)),),
    MIDDLE: (
        TraineeProgress("ana", "Ana", 1, 1, (), 0.5, 420.0, minute(30)),  # #7
        TraineeProgress("cy", None, 3, 1, (), 0.5, 720.0, minute(30)),  # #4 #5 #8
    ),
    NOBODY: (),
}


def assert_close(got: object, want: object) -> None:
    """Equal, floats to 1e-9 (julianday() keeps times to about 1e-5 s, so time spent to 1e-3)."""
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-3), (got, want)
    elif isinstance(want, tuple) and isinstance(got, tuple):
        assert len(got) == len(want), (got, want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w)
    elif hasattr(want, "__dataclass_fields__"):
        assert type(got) is type(want), (got, want)
        assert_close(tuple(vars(got).values()), tuple(vars(want).values()))
    else:
        assert got == want, (got, want)


@pytest.mark.parametrize("f", EXPECTED_STATS, ids=repr)
def test_scenario_statistics_and_histogram(db: Database, f: AttemptFilter) -> None:
    overview = scenario_overview(db, f)
    assert_close(overview.stats, EXPECTED_STATS[f])
    assert overview.histogram == EXPECTED_HISTOGRAM[f]


@pytest.mark.parametrize("f", EXPECTED_PROGRESS, ids=repr)
def test_trainee_progress(db: Database, f: AttemptFilter) -> None:
    assert_close(trainee_progress(db, f), EXPECTED_PROGRESS[f])


def test_names_are_everyone_with_an_official_attempt(db: Database) -> None:
    assert trainee_names(db) == ("ana", "ben", "cy")  # not dee, whose only run is unofficial


# Item analysis of brakes v1 on each trainee's first completed attempt: #1 (score 4), #2 (1), #4 (2).
# Discrimination is Pearson's r between the item's points x and the rest of the score y = score - x.
FIRST_ITEMS = (
    # x = (2, 0, 1), y = (2, 1, 1): dx = (1, -1, 0), dy = (2/3, -1/3, -1/3); sum dx*dy = 1,
    # sum dx^2 = 2, sum dy^2 = 2/3, r = 1 / sqrt(4/3) = sqrt(3)/2. Facility (1 + 0 + 1/2) / 3. Times 10, 30 (and none).
    ItemStats("pads", 3, 0.5, math.sqrt(3) / 2, wrong=1, partial=1, median_seconds=20.0),
    # x = (1, 1, 0), y = (3, 0, 2): dx = (1, 1, -2)/3, dy = (4, -5, 1)/3; sum dx*dy = -3/9,
    # sum dx^2 = 6/9, sum dy^2 = 42/9, r = -3 / sqrt(252) = -1/sqrt(28): doubtful. Times 20, 40 (and none).
    ItemStats("rotor", 3, 2 / 3, -1 / math.sqrt(28), wrong=1, partial=0, median_seconds=30.0),
    # x = (1, 0, 1), y = (3, 1, 1): dx = (1, -2, 1)/3, dy = (4, -2, -2)/3; sum dx*dy = 6/9,
    # sum dx^2 = 6/9, sum dy^2 = 24/9, r = 6 / sqrt(144) = 0.5. Times 5, 15, 25.
    ItemStats("fluid", 3, 2 / 3, 0.5, wrong=1, partial=0, median_seconds=15.0),
)
# The same on all completed attempts: #1 (4), #2 (1), #3 (3), #4 (2).
ALL_ITEMS = (
    # x = (2, 0, 2, 1), y = (2, 1, 1, 1): dx = (3, -5, 3, -1)/4, dy = (3, -1, -1, -1)/4; sum dx*dy = 12/16,
    # sum dx^2 = 44/16, sum dy^2 = 12/16, r = 12 / sqrt(528) = 3 / sqrt(33). Times 10, 12, 30.
    ItemStats("pads", 4, 0.625, 3 / math.sqrt(33), wrong=1, partial=1, median_seconds=12.0),
    # x = (1, 1, 1, 0), y = (3, 0, 2, 2): dx = (1, 1, 1, -3)/4, dy = (5, -7, 1, 1)/4; sum dx*dy = -4/16,
    # sum dx^2 = 12/16, sum dy^2 = 76/16, r = -4 / sqrt(912) = -1/sqrt(57). Times 14, 20, 40.
    ItemStats("rotor", 4, 0.75, -1 / math.sqrt(57), wrong=1, partial=0, median_seconds=20.0),
    # x = (1, 0, 0, 1), y = (3, 1, 3, 1): dx = (1, -1, -1, 1)/2, dy = (1, -1, 1, -1); sum dx*dy = 0: r = 0.
    ItemStats("fluid", 4, 0.5, 0.0, wrong=2, partial=0, median_seconds=15.0),
)


@pytest.mark.parametrize(
    ("all_attempts", "expected", "doubtful"),
    [(False, FIRST_ITEMS, {"rotor"}), (True, ALL_ITEMS, {"rotor", "fluid"})],  # r under 0.15
)
def test_item_statistics(db: Database, all_attempts: bool, expected: tuple[ItemStats, ...], doubtful: set[str]) -> None:
    got = scenario_item_analysis(db, "brakes", 1, all_attempts=all_attempts).items
    assert_close(tuple(sorted(got, key=lambda s: s.item_id)), tuple(sorted(expected, key=lambda s: s.item_id)))
    assert {s.item_id for s in got if s.doubtful} == doubtful


def test_item_analysis_takes_the_first_attempt_the_filter_selects(db: Database) -> None:
    """Passed attempts only: ben's first is then #3, not #2. With two responses per item and both
    scores at the top, nothing varies enough for a discrimination."""
    got = scenario_item_analysis(db, "brakes", 1, AttemptFilter(passed=True)).items
    assert_close(
        tuple(sorted(got, key=lambda s: s.item_id)),
        (
            ItemStats("fluid", 2, 0.5, None, wrong=1, partial=0, median_seconds=5.0),  # #1 1 point, #3 none
            ItemStats("pads", 2, 1.0, None, wrong=0, partial=0, median_seconds=11.0),  # 10 and 12 s
            ItemStats("rotor", 2, 1.0, None, wrong=0, partial=0, median_seconds=17.0),  # 20 and 14 s
        ),
    )
    assert scenario_item_analysis(db, "brakes", 1, NOBODY).items == ()
    assert scenario_item_analysis(db, "brakes", 2).items == ()  # no attempt on version 2


def test_item_analysis_counts_the_calls_most_common_first(db: Database) -> None:
    calls = scenario_item_analysis(db, "brakes", 1, all_attempts=True).calls
    assert calls == (
        CallCount("fluid", "approve", "ack_delay", "correct", 2),  # #1 #4; a tie with no_action, by call
        CallCount("fluid", "no_action", None, "wrong", 2),  # #2 #3
        CallCount("pads", "reorder", None, "correct", 2),  # #1 #3
        CallCount("pads", "escalate", None, "partial", 1),  # #4
        CallCount("pads", "no_action", None, "wrong", 1),  # #2
        CallCount("rotor", "reorder", None, "correct", 3),  # #1 #2 #3
        CallCount("rotor", "no_action", None, "wrong", 1),  # #4
    )


def test_the_review_rollups_are_gone_and_every_attempt_kept(tmp_path: Path) -> None:
    """m007 drops the trigger-maintained totals that m006 once created from a database that has them."""
    path = tmp_path / "old.db"
    with Database(path) as old:
        old.execute("PRAGMA synchronous = OFF")  # a test database: no need to wait for the disk
        storage.MIGRATIONS.apply(old, stop_before="m007_review_from_attempts")
        # What m006 used to add besides its index: the totals table, its four triggers and a score index.
        old.execute("CREATE TABLE attempt_rollups (username TEXT, scenario_id TEXT, attempts INTEGER)")
        for trigger, event in (("insert", "INSERT"), ("update", "UPDATE"), ("rekey", "UPDATE"), ("delete", "DELETE")):
            old.execute(
                f"CREATE TRIGGER attempt_rollups_{trigger} AFTER {event} ON attempts "
                "BEGIN INSERT INTO attempt_rollups VALUES ('x', 'y', 1); END"
            )
        old.execute("CREATE INDEX idx_attempts_scores ON attempts (official, status, scenario_id, percent, username)")
        record_history(old)
        assert old["attempt_rollups"].count > 0
        before = old.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    db = storage.open_db(path)
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert not {n for n in names if n.startswith("attempt_rollups") or n == "idx_attempts_scores"}
    assert {"idx_attempts_version_first", "idx_attempts_review"} <= names
    assert db.execute("SELECT * FROM attempts ORDER BY id").fetchall() == before
    storage.start_attempt(
        db, username="new", display_name=None, scenario_id="sla", scenario_version=1, seed=1, now=T0
    )  # no trigger left behind writes into a missing table
    assert trainee_names(db)[-1] == "new"
    db.close()
