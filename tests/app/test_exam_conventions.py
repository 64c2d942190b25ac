"""Exam conventions on the shift: a time limit beside the elapsed time, and what happens when it runs out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from optrain import storage, training
from optrain.storage.db import utc_iso
from optrain.storage.drafts import drafts_of

from .harness import SCENARIOS, Env, Seed, TrainSteps, operator, texts

HANDS_ON = "hands_on_practice"
HOODIE = "hoodie_blk_m"


@pytest.fixture
def scenario_with(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """A built-in scenario (hands_on_practice by default) with `changes` applied, in a private scenarios folder."""

    def write(scenario_id: str = HANDS_ON, **changes: object) -> None:
        folder = tmp_path / "scenarios"
        folder.mkdir(exist_ok=True)
        data = yaml.safe_load((SCENARIOS / f"{scenario_id}.yaml").read_text(encoding="utf-8"))
        data.update(changes)
        (folder / f"{scenario_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("OPTRAIN_SCENARIOS", str(folder))

    return write


def start_now(seed: Seed, scenario_id: str = HANDS_ON) -> int:
    """A shift started at this moment (the time limit runs on the real clock)."""
    return training.start_attempt(seed.db, seed.scenario(scenario_id), operator("trainee"), datetime.now(UTC)).id


def move_start_back(env: Env, attempt_id: int, minutes: int) -> None:
    """As if the shift had been started `minutes` ago: the only way to let time pass under AppTest."""
    db = env.db()
    with db.conn:
        db.execute(
            "UPDATE attempts SET started_at = ? WHERE id = ?",
            (utc_iso(datetime.now(UTC) - timedelta(minutes=minutes)), attempt_id),
        )
    db.close()


def shift_caption(at: AppTest) -> str:
    (caption,) = [c for c in texts(at.caption) if c.startswith("Shift clock")]
    return caption


def test_the_time_limit_is_shown_beside_the_elapsed_time(app, seed: Seed, scenario_with) -> None:
    scenario_with(time_limit_minutes=30)
    at = app("trainee", "train", attempt=str(start_now(seed)))
    caption = shift_caption(at)
    assert "elapsed **" in caption and "of a 30 min time limit (**29m** left)" in caption, caption


def test_without_a_limit_the_caption_names_none(app, seed: Seed) -> None:
    at = app("trainee", "train", attempt=str(start_now(seed)))
    assert "time limit" not in shift_caption(at)


def test_the_briefing_names_the_limit(app, scenario_with) -> None:
    scenario_with(time_limit_minutes=45)
    at = app("trainee", "train", scenario=HANDS_ON)
    assert any("time limit 45 min" in c for c in texts(at.caption))


def test_a_reload_after_the_limit_shows_the_results_and_says_why(app, env: Env, seed: Seed, scenario_with) -> None:
    scenario_with(time_limit_minutes=30)
    attempt_id = start_now(seed)
    seed.decide(attempt_id, {HOODIE: ("reorder", None)})
    move_start_back(env, attempt_id, 31)
    at = app("trainee", "train", attempt=str(attempt_id))
    (notice,) = [w for w in texts(at.warning) if "Time is up" in w]
    assert "time limit of 30 min was reached" in notice and "6 item(s) had no call" in notice, notice
    assert at.button(key="try_again") and not [r for r in at.radio if r.key == f"pick_{attempt_id}"]
    attempt = storage.get_attempt(env.db(), attempt_id)
    assert attempt.status == "completed" and attempt.score == 1


def test_a_call_sent_after_the_limit_is_not_recorded(app, env: Env, seed: Seed, scenario_with, train) -> None:
    scenario_with(time_limit_minutes=30)
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.pick(at, attempt_id, HOODIE)
    train.prepare(at, attempt_id, HOODIE, "reorder")
    move_start_back(env, attempt_id, 30)  # the trainee was slow: the limit ran out with the call on screen
    train.submit(at, attempt_id, HOODIE)
    assert any("Time is up" in w for w in texts(at.warning))
    assert storage.list_decisions(env.db(), attempt_id) == ()
    assert storage.get_attempt(env.db(), attempt_id).status == "completed"


def test_a_shift_within_its_limit_stays_open(app, env: Env, seed: Seed, scenario_with, train: TrainSteps) -> None:
    scenario_with(time_limit_minutes=30)
    attempt_id = start_now(seed)
    seed.decide(attempt_id, {HOODIE: ("reorder", None)})
    at = app("trainee", "train", attempt=str(attempt_id))
    assert "1 of 7 decided" in [p.text for p in at.get("progress")][0]
    assert not [w for w in texts(at.warning) if "Time is up" in w]


# ---------------------------------------------------------------- changing a call in exam mode


def your_call(at: AppTest) -> str:
    (line,) = [m for m in texts(at.markdown) if m.startswith("**Your call:**")]
    return line


def test_in_exam_mode_a_call_can_be_changed_until_finish(
    app, env: Env, seed: Seed, scenario_with, train: TrainSteps
) -> None:
    scenario_with(feedback_mode="exam")
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.decide(at, attempt_id, HOODIE, "no_action")
    train.pick(at, attempt_id, HOODIE)
    assert "No action" in your_call(at)
    at.button(key=f"change_button_{attempt_id}_{HOODIE}").click().run()
    assert not at.exception
    assert at.radio(key=f"call_{attempt_id}_{HOODIE}").value == "no_action", "the choice starts from the call made"
    assert any("Changing your call (No action)" in c for c in texts(at.caption))
    train.prepare(at, attempt_id, HOODIE, "reorder")
    train.submit(at, attempt_id, HOODIE)
    assert "Reorder" in your_call(at), "the panel stays on the item and shows the new call"
    assert not [a for a in texts([*at.success, *at.error]) if "**Correct**" in a or "**Wrong**" in a]
    db = env.db()
    assert [(d.item_id, d.call) for d in storage.list_decisions(db, attempt_id)] == [(HOODIE, "reorder")]
    log = storage.list_decision_log(db, attempt_id=attempt_id)
    assert [r.payload["call"] for r in log] == ["no_action", "reorder"]
    assert log[1].payload["replaces"]["call"] == "no_action"
    assert "1 of 7 decided" in [p.text for p in at.get("progress")][0]


def test_keep_my_call_leaves_the_call_as_it_was(app, env: Env, seed: Seed, scenario_with, train: TrainSteps) -> None:
    scenario_with(feedback_mode="exam")
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.decide(at, attempt_id, HOODIE, "no_action")
    train.pick(at, attempt_id, HOODIE)
    at.button(key=f"change_button_{attempt_id}_{HOODIE}").click().run()
    at.radio(key=f"call_{attempt_id}_{HOODIE}").set_value("reorder").run()
    at.button(key=f"keep_{attempt_id}_{HOODIE}").click().run()
    assert not at.exception
    assert "No action" in your_call(at)
    assert [d.call for d in storage.list_decisions(env.db(), attempt_id)] == ["no_action"]
    assert drafts_of(env.db(), attempt_id, HOODIE) == {}, "the abandoned change leaves no draft behind"


def test_in_coach_mode_a_call_is_final(app, seed: Seed, train: TrainSteps) -> None:
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.decide(at, attempt_id, HOODIE, "no_action")
    train.pick(at, attempt_id, HOODIE)
    assert not [b for b in at.button if b.key == f"change_button_{attempt_id}_{HOODIE}"]
    assert any("**Wrong**" in e for e in texts(at.error)), "the coach's verdict is shown instead"


def test_a_changed_call_takes_its_follow_up_with_it(
    app, env: Env, seed: Seed, scenario_with, train: TrainSteps
) -> None:
    basics, refund, when, angry = "cx_escalations_basics", "brake_kit_refund_1180", "brake_kit_when", "brake_kit_angry"
    scenario_with(basics, feedback_mode="exam")
    attempt_id = start_now(seed, basics)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.decide(at, attempt_id, refund, "escalate_manager")
    train.decide(at, attempt_id, when, "approve_template", "ack_delay")
    train.pick(at, attempt_id, refund)
    at.button(key=f"change_button_{attempt_id}_{refund}").click().run()
    train.prepare(at, attempt_id, refund, "approve_template", "refund_offer")
    train.submit(at, attempt_id, refund)
    state = training.load_state(env.db(), seed.scenario(basics), attempt_id, "trainee")
    assert [d.item_id for d in state.decisions] == [refund] and angry in state.pending
    shown = [p.text for p in at.get("progress")][0]
    assert shown.startswith("1 of ") and "a follow-up was added (0 decided)" in shown, shown
    train.pick(at, attempt_id, angry)  # the new call's follow-up is in the queue, waiting
    assert [r for r in at.radio if r.key == f"call_{attempt_id}_{angry}"]


# ---------------------------------------------------------------- the reorder quantity


def with_hoodie_range(scenario_with) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((SCENARIOS / f"{HANDS_ON}.yaml").read_text(encoding="utf-8"))
    queue = [{**e, "reorder_quantity": {"min": 40, "max": 80}} if e.get("id") == HOODIE else e for e in data["queue"]]
    scenario_with(queue=queue)


def test_the_reorder_quantity_is_validated_then_judged_against_the_range(
    app, env: Env, seed: Seed, scenario_with, train: TrainSteps
) -> None:
    with_hoodie_range(scenario_with)
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.pick(at, attempt_id, HOODIE)
    train.prepare(at, attempt_id, HOODIE, "reorder")
    quantity = at.number_input(key=f"quantity_{attempt_id}_{HOODIE}")
    assert quantity.label == "Quantity to order (units)" and quantity.value is None
    for typed, message in (
        (None, "Give the quantity to order, in units."),
        (0, "The quantity to order must be at least 1 (units); got 0."),
        (-5, "The quantity to order must be at least 1 (units); got -5."),
        (250_000, "250,000 units is not a plausible quantity for one SKU"),
    ):
        if typed is not None:
            at.number_input(key=f"quantity_{attempt_id}_{HOODIE}").set_value(typed).run()
        train.submit(at, attempt_id, HOODIE)
        assert any(message in e for e in texts(at.error)), (typed, texts(at.error))
        assert storage.list_decisions(env.db(), attempt_id) == ()
    at.number_input(key=f"quantity_{attempt_id}_{HOODIE}").set_value(500).run()
    train.submit(at, attempt_id, HOODIE)
    (row,) = storage.list_decisions(env.db(), attempt_id)
    assert (row.call, row.quantity) == ("reorder", 500)
    (verdict,) = [w for w in texts(at.warning) if "**Partial**" in w]
    assert "500 units is outside the expected 40-80 units" in verdict.replace("\\", ""), verdict
    train.pick(at, attempt_id, HOODIE)
    assert "· 500 units ·" in your_call(at)


def test_a_typed_quantity_survives_a_reload(app, seed: Seed, train: TrainSteps) -> None:
    attempt_id = start_now(seed)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.pick(at, attempt_id, HOODIE)
    train.prepare(at, attempt_id, HOODIE, "reorder")
    at.number_input(key=f"quantity_{attempt_id}_{HOODIE}").set_value(60).run()
    again = app("trainee", "train", attempt=str(attempt_id), **{f"pick_{attempt_id}": HOODIE})
    assert again.number_input(key=f"quantity_{attempt_id}_{HOODIE}").value == 60
