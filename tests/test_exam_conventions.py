"""Exam conventions of the attempt service: a time limit (the clock passed in), and a call changed before Finish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import storage, training
from optrain.errors import AlreadyDecided, AttemptError, DecisionError, TimeLimitReached
from optrain.scenarios.loader import load_scenario_file

ROOT = Path(__file__).resolve().parent.parent
HANDS_ON = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
TIMED = HANDS_ON.model_copy(update={"time_limit_minutes": 30})
T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
BASICS = load_scenario_file(ROOT / "scenarios" / "cx_escalations_basics.yaml")
EXAM = BASICS.model_copy(update={"feedback_mode": "exam"})
REFUND, WHEN, ANGRY = "brake_kit_refund_1180", "brake_kit_when", "brake_kit_angry"
REASON = "Refund is over the $500 limit"
CASEY = training.Operator("casey", "Casey Morgan", "casey@hotrodan.example")


def expected_call(state: training.AttemptState, item_id: str) -> training.CallInput:
    item = state.queue.item(item_id)
    note = "Over the $500 limit" if item.expected.call == "escalate_manager" else None
    return training.CallInput(item_id, item.expected.call, item.expected.template, note=note)


def started(db: Database, scenario=TIMED) -> training.AttemptState:  # type: ignore[no-untyped-def]
    attempt = training.start_attempt(db, scenario, CASEY, T0)
    return training.load_state(db, scenario, attempt.id, CASEY.username)


def decide_first(db: Database, state: training.AttemptState, at: datetime) -> training.AttemptState:
    training.record_call(db, state, CASEY, expected_call(state, state.pending[0]), now=at, elapsed_seconds=60)
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
        training.record_call(
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


# ---------------------------------------------------------------- changing a call in exam mode


def call(
    db: Database, state: training.AttemptState, item_id: str, what: str, template: str | None = None, **kw: object
) -> training.AttemptState:
    note = REASON if what == "escalate_manager" else None
    training.record_call(
        db,
        state,
        CASEY,
        training.CallInput(item_id, what, template, note=note, **kw),  # type: ignore[arg-type]
        now=T0 + timedelta(minutes=len(state.decisions) + 1),
        elapsed_seconds=20,
    )
    return training.load_state(db, state.scenario, state.attempt.id, CASEY.username)


def stored(state: training.AttemptState) -> dict[str, str]:
    return {d.item_id: d.call for d in state.decisions}


def test_in_exam_mode_the_last_call_counts_and_every_call_is_logged(db: Database) -> None:
    state = call(db, started(db, EXAM), REFUND, "approve_template", "refund_offer")
    first = state.decisions[0]
    state = call(db, state, REFUND, "escalate_manager", replaces=first.id)
    assert stored(state) == {REFUND: "escalate_manager"}
    (row,) = state.decisions
    assert row.seq == first.seq and row.verdict == "correct" and row.elapsed_seconds == 40
    assert row.id > first.id, "a new id past every earlier one: the shift tells stale states by it"
    log = storage.list_decision_log(db, attempt_id=state.attempt.id)
    assert [r.action_type for r in log] == ["reply_approved", "escalated_to_manager"]
    assert log[1].payload["replaces"] == {
        "call": "approve_template",
        "template": "refund_offer",
        "decided_at": first.decided_at.isoformat(),
    }
    result = training.result_of(state)
    assert [r.verdict for r in result.items if r.item_id == REFUND] == ["correct"]


def test_a_changed_call_withdraws_the_follow_up_the_old_call_opened(db: Database) -> None:
    state = call(db, started(db, EXAM), REFUND, "escalate_manager")
    assert WHEN in state.pending
    state = call(db, state, WHEN, "approve_template", "ack_delay")
    refund = next(d for d in state.decisions if d.item_id == REFUND)
    state = call(db, state, REFUND, "approve_template", "refund_offer", replaces=refund.id)
    assert stored(state) == {REFUND: "approve_template"}, "the follow-up's call is withdrawn"
    assert ANGRY in state.pending and WHEN not in state.pending
    log = storage.list_decision_log(db, attempt_id=state.attempt.id)
    assert len(log) == 3 and log[-1].payload["withdrawn"] == [WHEN]
    # Back to the first call: its follow-up waits for a call again (its old call is not revived).
    refund = next(d for d in state.decisions if d.item_id == REFUND)
    state = call(db, state, REFUND, "escalate_manager", replaces=refund.id)
    assert WHEN in state.pending and stored(state) == {REFUND: "escalate_manager"}


def test_a_change_that_keeps_the_branch_keeps_the_follow_up(db: Database) -> None:
    state = call(db, started(db, EXAM), REFUND, "escalate_manager")
    state = call(db, state, WHEN, "approve_template", "ack_delay")
    refund = next(d for d in state.decisions if d.item_id == REFUND)
    training.record_call(
        db,
        state,
        CASEY,
        training.CallInput(
            REFUND, "escalate_manager", note="Manager must approve refunds over $500", replaces=refund.id
        ),
        now=T0 + timedelta(minutes=9),
        elapsed_seconds=5,
    )
    state = training.load_state(db, EXAM, state.attempt.id, CASEY.username)
    assert stored(state) == {REFUND: "escalate_manager", WHEN: "approve_template"}
    assert [d.item_id for d in state.decisions] == [REFUND, WHEN], "the changed call keeps its place"


def test_the_same_change_sent_twice_is_recorded_once(db: Database) -> None:
    state = call(db, started(db, EXAM), REFUND, "approve_template", "refund_offer")
    stale = state
    first = state.decisions[0]
    call(db, state, REFUND, "escalate_manager", replaces=first.id)
    with pytest.raises(AlreadyDecided, match="already changed"):
        call(db, stale, REFUND, "escalate_specialist", replaces=first.id)  # a double click, or another tab
    fresh = training.load_state(db, EXAM, state.attempt.id, CASEY.username)
    with pytest.raises(AlreadyDecided, match="already changed"):
        call(db, fresh, REFUND, "escalate_specialist", replaces=first.id)
    assert stored(fresh) == {REFUND: "escalate_manager"}
    assert len(storage.list_decision_log(db, attempt_id=state.attempt.id)) == 2


def test_coach_mode_calls_are_final(db: Database) -> None:
    state = call(db, started(db, BASICS), REFUND, "approve_template", "refund_offer")
    with pytest.raises(DecisionError, match="In coach mode a call is final"):
        call(db, state, REFUND, "escalate_manager", replaces=state.decisions[0].id)
    with pytest.raises(AlreadyDecided):
        call(db, state, REFUND, "escalate_manager")
    assert stored(training.load_state(db, BASICS, state.attempt.id, CASEY.username)) == {REFUND: "approve_template"}


def test_no_change_after_finish_or_on_an_undecided_item(db: Database) -> None:
    state = started(db, EXAM)
    with pytest.raises(DecisionError, match="no call to change"):
        call(db, state, REFUND, "escalate_manager", replaces=1)
    state = call(db, state, REFUND, "escalate_manager")
    state = call(db, state, WHEN, "approve_template", "ack_delay")
    while state.pending:
        item = state.queue.item(state.pending[0])
        state = call(db, state, item.id, item.expected.call, item.expected.template)
    training.finish(db, state, now=T0 + timedelta(hours=1))
    closed = training.load_state(db, EXAM, state.attempt.id, CASEY.username)
    with pytest.raises(AttemptError, match="finished"):
        call(db, closed, REFUND, "escalate_specialist", replaces=closed.decisions[0].id)
