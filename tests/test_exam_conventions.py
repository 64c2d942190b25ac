"""Exam conventions of the attempt service: a time limit, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import storage, training
from optrain.errors import AttemptError, TimeLimitReached
from optrain.scenarios.loader import load_scenario_file

ROOT = Path(__file__).resolve().parent.parent
HANDS_ON = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
TIMED = HANDS_ON.model_copy(update={"time_limit_minutes": 30})
T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
CASEY = training.Operator("casey", "Casey Morgan", "casey@hotrodan.example")


def expected_call(state: training.AttemptState, item_id: str) -> training.CallInput:
    item = state.queue.item(item_id)
    note = "Over the $500 limit" if item.expected.call == "escalate_manager" else None
    return training.CallInput(item_id, item.expected.call, item.expected.template, note=note)


def started(db: Database, scenario=TIMED) -> training.AttemptState:  # type: ignore[no-untyped-def]
    attempt = training.start_attempt(db, scenario, CASEY, T0)
    return training.load_state(db, scenario, attempt.id, CASEY.username)


def decide_first(db: Database, state: training.AttemptState, at: datetime) -> training.AttemptState:
    training.submit_call(db, state, CASEY, expected_call(state, state.pending[0]), now=at, elapsed_seconds=60)
    return training.load_state(db, state.scenario, state.attempt.id, CASEY.username)


# ---------------------------------------------------------------- time limit


@pytest.mark.parametrize(
    ("after", "left", "reached"),
    [
        (timedelta(0), timedelta(minutes=30), False),
        (timedelta(minutes=29, seconds=59), timedelta(seconds=1), False),
        (timedelta(minutes=30), timedelta(0), True),
        (timedelta(hours=5), timedelta(0), True),
    ],
)
def test_time_left_counts_down_from_the_start(db: Database, after: timedelta, left: timedelta, reached: bool) -> None:
    state = started(db)
    assert training.time_left(state, T0 + after) == left
    assert training.time_limit_reached(state, T0 + after) is reached


def test_without_a_limit_there_is_nothing_to_count(db: Database) -> None:
    state = started(db, HANDS_ON)
    assert training.time_left(state, T0 + timedelta(days=3)) is None
    assert not training.time_limit_reached(state, T0 + timedelta(days=3))


def test_a_call_after_the_limit_is_refused_and_not_recorded(db: Database) -> None:
    state = started(db)
    with pytest.raises(TimeLimitReached, match="time limit of 30 min is reached"):
        training.submit_call(
            db, state, CASEY, expected_call(state, state.pending[0]), now=T0 + timedelta(minutes=31), elapsed_seconds=1
        )
    assert storage.list_decisions(db, state.attempt.id) == ()
    assert storage.list_decision_log(db, attempt_id=state.attempt.id) == ()


def test_at_the_limit_the_attempt_closes_with_waiting_items_unanswered(db: Database) -> None:
    state = decide_first(db, started(db), T0 + timedelta(minutes=5))
    waiting = len(state.pending)
    assert waiting > 0
    result = training.finish_at_time_limit(db, state, now=T0 + timedelta(minutes=31))
    assert result.unanswered == waiting
    assert [r.verdict for r in result.items if r.item_id == state.decisions[0].item_id] == ["correct"]
    closed = training.load_state(db, TIMED, state.attempt.id, CASEY.username)
    assert closed.attempt.status == "completed" and closed.attempt.score == result.score
    assert training.ended_at_time_limit(closed)
    assert not result.passed  # hands_on_practice has critical items, and they went unanswered


def test_closing_at_the_limit_is_refused_before_it(db: Database) -> None:
    state = started(db)
    with pytest.raises(AttemptError, match="has not run out"):
        training.finish_at_time_limit(db, state, now=T0 + timedelta(minutes=29))
    assert storage.get_attempt(db, state.attempt.id).in_progress


def test_a_shift_finished_in_time_did_not_end_at_the_limit(db: Database) -> None:
    state = started(db)
    while state.pending:
        state = decide_first(db, state, T0 + timedelta(minutes=1))
    training.finish(db, state, now=T0 + timedelta(minutes=10))
    assert not training.ended_at_time_limit(training.load_state(db, TIMED, state.attempt.id, CASEY.username))
