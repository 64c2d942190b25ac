"""The reorder quantity: a whole number in the item's unit, validated, judged against the scenario's range."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from optrain import storage, training
from optrain.answers import parse_answers
from optrain.errors import AnswersFileError, DecisionError
from optrain.scenarios.loader import ScenarioFileError, load_scenario_file, parse_scenario_text
from optrain.scenarios.model import InventoryItem, QuantityRange
from optrain.scoring import Decision, judge, quantity_problem, score_attempt

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
CASEY = training.Operator("casey", "Casey Morgan", "casey@hotrodan.example")
HEAD = """
id: hoodies
title: Hoodies
version: 1
module: sales_inventory
difficulty: beginner
briefing: One low SKU.
queue:
  - kind: inventory
    id: hoodie
    title: Hoodie stock
    sku: HOODIE-BLK-M
    product: Hot Rodan hoodie, black, M
    units: 15
    days_of_cover: 5
    points: 2
    expected: {call: reorder}
    rationale: Under 7 days of cover.
    rule: low_cover_reorder
"""
RANGED = parse_scenario_text(HEAD + "    reorder_quantity: {min: 40, max: 80, unit: hoodies}\n", "hoodies.yaml")
PLAIN = parse_scenario_text(HEAD, "hoodies.yaml")
ITEM = RANGED.scripted_items[0]
PLAIN_ITEM = PLAIN.scripted_items[0]


@pytest.mark.parametrize(
    ("call", "quantity", "message"),
    [
        ("reorder", None, "Give the quantity to order, in hoodies."),
        ("reorder", "lots", "The quantity must be a number of hoodies, such as 40; got 'lots'."),
        ("reorder", True, "The quantity must be a number of hoodies, such as 40; got True."),
        ("reorder", float("nan"), "The quantity must be a number of hoodies, such as 40; got nan."),
        ("reorder", 12.5, "The quantity must be a whole number of hoodies; got 12.5."),
        ("reorder", 0, "The quantity to order must be at least 1 (hoodies); got 0."),
        ("reorder", -5, "The quantity to order must be at least 1 (hoodies); got -5."),
        ("adjust_quantity", -1, "An on-hand quantity cannot be negative; got -1 hoodies."),
        (
            "reorder",
            250_000,
            "250,000 hoodies is not a plausible quantity for one SKU (at most 100,000); check the number.",
        ),
        ("mark_intentional", 10, "A quantity goes with reorder or adjust_quantity, not with mark_intentional."),
        ("reorder", 40, None),
        ("reorder", 500.0, None),  # outside the range is a scoring matter, not an input error
        ("adjust_quantity", 0, None),
        ("mark_intentional", None, None),
    ],
)
def test_quantity_problems_are_named(call: str, quantity: Any, message: str | None) -> None:
    assert quantity_problem(ITEM, call, quantity) == message


def test_without_a_range_a_reorder_needs_no_quantity() -> None:
    assert quantity_problem(PLAIN_ITEM, "reorder", None) is None
    assert quantity_problem(PLAIN_ITEM, "reorder", 0) == "The quantity to order must be at least 1 (units); got 0."


@pytest.mark.parametrize(
    ("quantity", "points", "verdict"),
    [(40, 2.0, "correct"), (80, 2.0, "correct"), (60, 2.0, "correct"), (39, 1.0, "partial"), (500, 1.0, "partial")],
)
def test_a_reorder_is_judged_against_the_range(quantity: int, points: float, verdict: str) -> None:
    result = judge(ITEM, Decision("hoodie", "reorder", quantity=quantity))
    assert (result.points, result.verdict) == (points, verdict)
    assert ("outside the expected 40-80 hoodies" in result.feedback) is (verdict == "partial"), result.feedback


def test_no_credit_outside_makes_it_wrong() -> None:
    assert isinstance(ITEM, InventoryItem) and ITEM.reorder_quantity is not None
    strict = ITEM.model_copy(
        update={"reorder_quantity": ITEM.reorder_quantity.model_copy(update={"credit_outside": 0})}
    )
    result = judge(strict, Decision("hoodie", "reorder", quantity=5))
    assert (result.points, result.verdict) == (0, "wrong")
    assert "5 hoodies is outside the expected 40-80 hoodies (0% of the call's points kept)" in result.feedback


def test_a_wrong_call_is_not_judged_on_its_quantity() -> None:
    result = judge(ITEM, Decision("hoodie", "adjust_quantity", quantity=60))
    assert result.verdict == "wrong" and "expected 40-80" not in result.feedback


def test_scoring_refuses_a_bad_quantity_with_the_item() -> None:
    with pytest.raises(DecisionError, match=r"^hoodie: Give the quantity to order, in hoodies\.$"):
        score_attempt(RANGED, [Decision("hoodie", "reorder")])
    assert score_attempt(PLAIN, [Decision("hoodie", "reorder")]).score == 2


def test_answers_files_carry_the_quantity() -> None:
    (decision,) = parse_answers({"hoodie": {"call": "reorder", "quantity": 60}})
    assert decision.quantity == 60
    with pytest.raises(AnswersFileError, match="hoodie: quantity must be a number, such as 40; got 'sixty'"):
        parse_answers({"hoodie": {"call": "reorder", "quantity": "sixty"}})


def test_a_range_upside_down_is_a_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "hoodies.yaml"
    path.write_text(HEAD + "    reorder_quantity: {min: 80, max: 40}\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError) as caught:
        load_scenario_file(path)
    (problem,) = [str(p) for p in caught.value.problems]
    assert "queue[0].reorder_quantity.max: must be at least min (80)" in problem, problem


def test_the_range_is_a_model_with_defaults() -> None:
    assert QuantityRange(min=1, max=2).unit == "units" and QuantityRange(min=1, max=2).credit_outside == 0.5


# ---------------------------------------------------------------- recorded with the call


def test_the_quantity_is_stored_logged_and_scored(db: Database) -> None:
    attempt = training.start_attempt(db, RANGED, CASEY, T0)
    state = training.load_state(db, RANGED, attempt.id, CASEY.username)
    verdict = training.record_call(
        db, state, CASEY, training.CallInput("hoodie", "reorder", quantity=100), now=T0, elapsed_seconds=10
    )[0]
    assert verdict.verdict == "partial"
    (row,) = storage.list_decisions(db, attempt.id)
    assert row.quantity == 100
    (record,) = storage.list_decision_log(db, attempt_id=attempt.id)
    assert (record.payload["quantity"], record.payload["unit"]) == (100, "hoodies")
    state = training.load_state(db, RANGED, attempt.id, CASEY.username)
    assert training.finish(db, state, now=T0).score == 1


@pytest.mark.parametrize("quantity", [None, 0, -3, 1_000_000, 2.5])
def test_a_bad_quantity_is_refused_and_nothing_is_saved(db: Database, quantity: float | None) -> None:
    attempt = training.start_attempt(db, RANGED, CASEY, T0)
    state = training.load_state(db, RANGED, attempt.id, CASEY.username)
    with pytest.raises(DecisionError, match="quantity"):
        training.record_call(
            db, state, CASEY, training.CallInput("hoodie", "reorder", quantity=quantity), now=T0, elapsed_seconds=1
        )
    assert storage.list_decisions(db, attempt.id) == ()


def test_a_plain_reorder_on_a_built_in_still_scores_as_before() -> None:
    scenario = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
    result = score_attempt(scenario, [Decision("hoodie_blk_m", "reorder")])
    assert [r.verdict for r in result.items if r.item_id == "hoodie_blk_m"] == ["correct"]
