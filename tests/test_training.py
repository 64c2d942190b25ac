"""The attempt service: every call durable before it is confirmed, once only, resumable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from optrain import storage, training
from optrain.errors import AlreadyDecided, AttemptError, DecisionError
from optrain.scenarios.loader import load_scenario_file

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
CASEY = training.Operator("casey", "Casey Morgan", "casey@hotrodan.example")


def expected_call(state: training.AttemptState, item_id: str) -> training.CallInput:
    item = state.queue.item(item_id)
    note = "Over the $500 limit" if item.expected.call == "escalate_manager" else None
    return training.CallInput(item_id, item.expected.call, item.expected.template, note=note)


def work_all(db, state: training.AttemptState) -> training.AttemptState:  # type: ignore[no-untyped-def]
    minute = 0
    while state.pending:
        minute += 1
        training.record_call(
            db,
            state,
            CASEY,
            expected_call(state, state.pending[0]),
            now=T0 + timedelta(minutes=minute),
            elapsed_seconds=30,
        )
        state = training.load_state(db, SCENARIO, state.attempt.id, CASEY.username)
    return state


def test_a_call_is_durable_and_logged_before_submit_returns(db, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    attempt = training.start_attempt(db, SCENARIO, CASEY, T0)
    state = training.load_state(db, SCENARIO, attempt.id, "casey")
    first = state.pending[0]
    verdict = training.record_call(db, state, CASEY, expected_call(state, first), now=T0, elapsed_seconds=12.5)[0]
    assert verdict.verdict == "correct"
    other = storage.open_db(db_path, migrate=False)
    rows = storage.list_decisions(other, attempt.id)
    log = storage.list_decision_log(other, attempt_id=attempt.id)
    assert [(r.item_id, r.verdict, r.elapsed_seconds) for r in rows] == [(first, "correct", 12.5)]
    assert len(log) == 1 and log[0].operator_email == "casey@hotrodan.example"
    assert (first, log[0].action_type) == (
        "alex_rivera_sla",
        "reply_approved",
    )  # approve_template, as the dashboard logs it
    assert log[0].payload["item_id"] == first and log[0].shop_domain == SCENARIO.shop_domain


def test_template_reply_body_is_prefilled_with_the_customer(db) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    alex = next(i for i in state.pending if state.queue.item(i).expected.template == "ack_delay")
    training.record_call(db, state, CASEY, expected_call(state, alex), now=T0, elapsed_seconds=1)
    body = storage.list_decisions(db, state.attempt.id)[0].body
    assert body is not None and "Alex" in body and "{{" not in body and "Casey Morgan" in body


def test_the_same_item_is_never_recorded_twice(db) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    call = expected_call(state, state.pending[0])
    training.record_call(db, state, CASEY, call, now=T0, elapsed_seconds=1)
    with pytest.raises(AlreadyDecided):
        training.record_call(db, state, CASEY, call, now=T0, elapsed_seconds=1)  # stale state: a double click
    fresh = training.load_state(db, SCENARIO, state.attempt.id, "casey")
    with pytest.raises(AlreadyDecided):
        training.record_call(db, fresh, CASEY, call, now=T0, elapsed_seconds=1)
    assert len(storage.list_decisions(db, state.attempt.id)) == 1
    assert len(storage.list_decision_log(db, attempt_id=state.attempt.id)) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (training.CallInput("jordan_lee_refund", "escalate_manager", note="   "), "Give the manager a reason"),
        (training.CallInput("alex_rivera_sla", "approve_template", "ack_delay", body="  "), "The reply is empty"),
        (
            training.CallInput("alex_rivera_sla", "approve_template", "ack_delay", body="x" * 5001),
            "keep it under 5,000",
        ),
        (training.CallInput("alex_rivera_sla", "approve_draft"), "needs|no AI draft"),
        (training.CallInput("alex_rivera_sla", "reorder"), "not a call for a conversation item"),
        (training.CallInput("ghost", "no_action"), "'ghost' is not an item"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(db, call: training.CallInput, message: str) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    assert call.item_id in {i.id for i in state.queue.all_items()} or call.item_id == "ghost"
    with pytest.raises(DecisionError, match=message):
        training.record_call(db, state, CASEY, call, now=T0, elapsed_seconds=1)
    assert storage.list_decisions(db, state.attempt.id) == ()
    assert storage.list_decision_log(db, attempt_id=state.attempt.id) == ()


def test_an_attempt_resumes_from_the_database_alone(db, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    for item_id in state.pending[:2]:
        training.record_call(db, state, CASEY, expected_call(state, item_id), now=T0, elapsed_seconds=1)
    db.close()
    reopened = storage.open_db(db_path)
    found = storage.find_in_progress(reopened, "casey", SCENARIO.id)
    assert found is not None
    resumed = training.load_state(reopened, SCENARIO, found.id, "casey")
    assert resumed.progress[0] == 2 and resumed.decided_ids == set(state.pending[:2])


def test_finish_scores_like_the_pure_scorer_and_is_refused_early(db) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    with pytest.raises(AttemptError, match="still need a call"):
        training.finish(db, state, now=T0)
    state = work_all(db, state)
    result = training.finish(db, state, now=T0 + timedelta(hours=1))
    stored = storage.get_attempt(db, state.attempt.id)
    assert result.percent == 1.0 and result.passed
    assert (stored.status, stored.score, stored.passed) == ("completed", result.score, True)
    assert training.result_of(training.load_state(db, SCENARIO, state.attempt.id, "casey")) == result
    with pytest.raises(AttemptError, match="finished"):
        training.record_call(
            db,
            training.load_state(db, SCENARIO, state.attempt.id, "casey"),
            CASEY,
            training.CallInput("x", "no_action"),
            now=T0,
            elapsed_seconds=1,
        )


def test_someone_elses_attempt_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    attempt = training.start_attempt(db, SCENARIO, CASEY, T0)
    with pytest.raises(AttemptError, match="belongs to someone else"):
        training.load_state(db, SCENARIO, attempt.id, "mallory")
    with pytest.raises(AttemptError, match="belongs to someone else"):  # the row passed in is checked the same
        training.load_state(db, SCENARIO, attempt.id, "mallory", attempt=attempt)


def test_a_row_passed_in_is_used_only_for_its_own_attempt(db) -> None:  # type: ignore[no-untyped-def]
    first = training.start_attempt(db, SCENARIO, CASEY, T0)
    second = training.start_attempt(db, SCENARIO, CASEY, T0 + timedelta(minutes=5))
    state = training.load_state(db, SCENARIO, second.id, "casey")
    training.record_call(db, state, CASEY, expected_call(state, state.pending[0]), now=T0, elapsed_seconds=1)
    # The row of another attempt is not taken for this one: the attempt asked for is read.
    assert training.load_state(db, SCENARIO, second.id, "casey", attempt=first).attempt.id == second.id
    same = training.load_state(db, SCENARIO, second.id, "casey", attempt=storage.get_attempt(db, second.id))
    assert same == training.load_state(db, SCENARIO, second.id, "casey") and len(same.decisions) == 1


def test_elapsed_time_comes_from_the_database(db) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    assert training.elapsed_since_previous(state, T0 + timedelta(seconds=42)) == 42
    training.record_call(
        db, state, CASEY, expected_call(state, state.pending[0]), now=T0 + timedelta(minutes=5), elapsed_seconds=300
    )
    state = training.load_state(db, SCENARIO, state.attempt.id, "casey")
    assert training.elapsed_since_previous(state, T0 + timedelta(minutes=6)) == 60


@pytest.mark.parametrize(
    ("call", "text"),
    [
        ("approve_template", "Reply sent to Alex Rivera"),
        ("escalate_manager", "within 2 hours"),
        ("no_action", "logged"),
    ],
)
def test_confirmations_match_the_dashboard(db, call: str, text: str) -> None:  # type: ignore[no-untyped-def]
    state = training.load_state(db, SCENARIO, training.start_attempt(db, SCENARIO, CASEY, T0).id, "casey")
    assert text in training.confirmation(call, state.queue.entry("alex_rivera_sla"))


@pytest.mark.parametrize(
    "scenario_file", ["hands_on_practice.yaml", "cx_escalations_basics.yaml", "certification_exam.yaml"]
)
def test_pending_after_a_call_is_what_the_database_says_afterwards(db, scenario_file: str) -> None:  # type: ignore[no-untyped-def]
    """The decision panel moves to the next item without reading the attempt back: both must agree,
    follow-ups revealed by a call included."""
    scenario = load_scenario_file(ROOT / "scenarios" / scenario_file)
    state = training.load_state(db, scenario, training.start_attempt(db, scenario, CASEY, T0).id, "casey")
    minute = 0
    while state.pending:
        minute += 1
        call = expected_call(state, state.pending[-1])  # from the back, so the order is not the queue's
        predicted = training.pending_after(state, call.item_id, call.call, call.template)
        training.record_call(db, state, CASEY, call, now=T0 + timedelta(minutes=minute), elapsed_seconds=30)
        state = training.load_state(db, scenario, state.attempt.id, "casey")
        assert predicted == state.pending
    assert minute >= 5
