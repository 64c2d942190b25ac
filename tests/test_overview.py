"""Home's and My results' figures: the agenda per part, every past attempt, every shift in progress."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from optrain import storage, training
from optrain.overview import agenda_progress, past_attempts, shifts_in_progress
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import AGENDA_TITLES

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
START = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
HANDS_ON = load_scenario_file(SCENARIOS / "hands_on_practice.yaml")
INTRO = load_scenario_file(SCENARIOS / "intro_control_center.yaml")
OPERATOR = training.Operator("trainee", "Casey Morgan", "trainee@hotrodan.example")


def test_agenda_counts_passed_scenarios_per_part_in_agenda_order():
    scenarios = {s.id: s for s in (HANDS_ON, INTRO)}
    parts = agenda_progress(scenarios, {INTRO.id})
    assert [(p.title, p.passed, p.total, p.complete) for p in parts] == sorted(
        [(AGENDA_TITLES[INTRO.module], 1, 1, True), (AGENDA_TITLES[HANDS_ON.module], 0, 1, False)],
        key=lambda row: list(AGENDA_TITLES.values()).index(row[0]),
    )


def test_past_attempts_are_all_listed_past_a_thousand(db):
    with storage.write_transaction(db):  # one commit, not a thousand
        for n in range(1_005):
            storage.start_attempt(
                db,
                username="trainee",
                display_name="Casey",
                scenario_id="s",
                scenario_version=1,
                seed=1,
                now=START + timedelta(seconds=n),
            )
    storage.start_attempt(
        db,
        username="trainee",
        display_name="Casey",
        scenario_id="s",
        scenario_version=1,
        seed=1,
        now=START,
        official=False,
    )
    listed = past_attempts(db, "trainee")
    assert len(listed) == 1_005 and all(a.official for a in listed)
    assert listed[0].started_at > listed[-1].started_at


def test_every_shift_in_progress_most_recent_first_with_its_progress(db):
    older = training.start_attempt(db, HANDS_ON, OPERATOR, START)
    newer = training.start_attempt(db, INTRO, OPERATOR, START + timedelta(hours=1))
    state = training.load_state(db, HANDS_ON, older.id, "trainee")
    first = state.queue.entries[1].item  # an inventory item takes a call without typing
    training.record_call(
        db,
        state,
        OPERATOR,
        training.CallInput(first.id, "no_action"),
        now=START + timedelta(minutes=5),
        elapsed_seconds=5.0,
    )
    shifts = shifts_in_progress(db, "trainee", {s.id: s for s in (HANDS_ON, INTRO)})
    assert [s.attempt.id for s in shifts] == [newer.id, older.id]
    assert (shifts[1].title, shifts[1].decided, shifts[1].total) == (HANDS_ON.title, 1, len(HANDS_ON.queue))
    assert shifts[0].decided == 0
