"""Scoring: verdicts, partial credit, critical items, and branching follow-ups."""

from __future__ import annotations

from typing import Any

import pytest

from optrain.errors import DecisionError
from optrain.queue import generate_queue
from optrain.scenarios.model import Scenario
from optrain.scoring import Decision, judge, next_item_id, pending_item_ids, score_attempt


def conversation(item_id: str, expected: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "kind": "conversation",
        "expected": expected,
        "rationale": f"why {item_id}",
        "rule": extra.pop("rule", "sla_breached_no_news"),
        **extra,
    }


SCENARIO = Scenario.model_validate(
    {
        "id": "scoring",
        "title": "Scoring",
        "version": 1,
        "module": "custom",
        "difficulty": "beginner",
        "briefing": "b",
        "pass_mark": 0.75,
        "queue": [
            conversation(
                "late",
                {"call": "approve_template", "template": "ship_update"},
                rule="shipping_delay",
                alternatives=[
                    {
                        "call": "approve_template",
                        "template": "ack_delay",
                        "credit": 0.5,
                        "feedback": "ack_delay is fine without tracking news.",
                    },
                    {"call": "escalate_specialist", "credit": 1},
                ],
            ),
            conversation(
                "refund",
                {"call": "escalate_manager"},
                rule="refund_over_500",
                critical=True,
                points=2,
                follow_ups={
                    "escalate_manager": "refund_ack",
                    "approve_template:refund_offer": "refund_angry",
                    "approve_template": "refund_generic",
                },
            ),
            conversation(
                "refund_ack",
                {"call": "approve_template", "template": "ack_delay"},
                follow_up=True,
                message="When will I hear back?",
                points=1,
                follow_ups={"approve_template": "refund_thanks"},
            ),
            conversation(
                "refund_thanks",
                {"call": "approve_template", "template": "ack_delay"},
                follow_up=True,
                message="Thanks!",
                points=3,
            ),
            conversation(
                "refund_angry", {"call": "escalate_manager"}, follow_up=True, message="You promised!", points=1
            ),
            conversation("refund_generic", {"call": "escalate_manager"}, follow_up=True, message="Hello?", points=1),
            {
                "id": "hoodie",
                "kind": "inventory",
                "sku": "HOODIE-BLK-M",
                "product": "Hoodie",
                "units": 15,
                "days_of_cover": 5,
                "expected": {"call": "reorder"},
                "rationale": "r",
                "rule": "low_cover_reorder",
            },
            {
                "id": "helpdesk",
                "kind": "tile",
                "tile": "cx_escalations",
                "state": "error",
                "message": "502",
                "expected": {"call": "file_ticket"},
                "rationale": "r",
                "rule": "tile_integration_error",
                "alternatives": [{"call": "alert_reliability", "credit": 0.5}],
            },
        ],
    }
)
QUEUE = generate_queue(SCENARIO)
ITEMS = {item.id: item for item in QUEUE.all_items()}


@pytest.mark.parametrize(
    ("item_id", "call", "template", "verdict", "points", "critical_failure", "feedback_starts"),
    [
        ("late", "approve_template", "ship_update", "correct", 1, False, "Right call."),
        (
            "late",
            "approve_template",
            "ack_delay",
            "partial",
            0.5,
            False,
            "Partly right (50% of the points). ack_delay is fine",
        ),
        ("late", "escalate_specialist", None, "correct", 1, False, "Right call."),
        (
            "late",
            "approve_template",
            "refund_offer",
            "wrong",
            0,
            False,
            "Not the right call: you chose Approve template reply: refund_offer",
        ),
        ("late", "escalate_manager", None, "wrong", 0, False, "Not the right call"),
        ("refund", "escalate_manager", None, "correct", 2, False, "Right call."),
        (
            "refund",
            "approve_template",
            "refund_offer",
            "wrong",
            0,
            True,
            "Critical item: this mistake fails the attempt.",
        ),
        ("hoodie", "reorder", None, "correct", 1, False, "Right call."),
        ("hoodie", "mark_intentional", None, "wrong", 0, False, "Not the right call"),
        ("helpdesk", "alert_reliability", None, "partial", 0.5, False, "Partly right"),
        ("helpdesk", "no_action", None, "wrong", 0, False, "Not the right call"),
    ],
)
def test_judge_every_verdict(
    item_id: str,
    call: str,
    template: str | None,
    verdict: str,
    points: float,
    critical_failure: bool,
    feedback_starts: str,
) -> None:
    result = judge(ITEMS[item_id], Decision(item_id, call, template))
    assert (result.verdict, result.points, result.critical_failure) == (verdict, points, critical_failure)
    assert result.feedback.startswith(feedback_starts)
    assert f"why {item_id}" in result.feedback or result.rule in ("low_cover_reorder", "tile_integration_error")


def test_unanswered_item_scores_zero_and_fails_when_critical() -> None:
    result = judge(ITEMS["refund"], None)
    assert (result.verdict, result.points, result.critical_failure) == ("unanswered", 0, True)


@pytest.mark.parametrize(
    ("call", "template", "target"),
    [
        ("escalate_manager", None, "refund_ack"),
        ("approve_template", "refund_offer", "refund_angry"),  # exact call:template wins
        ("approve_template", "ack_delay", "refund_generic"),  # falls back to the bare call
        ("escalate_specialist", None, None),
    ],
)
def test_follow_up_routing(call: str, template: str | None, target: str | None) -> None:
    assert next_item_id(ITEMS["refund"], Decision("refund", call, template)) == target


def calls(*pairs: tuple[str, str]) -> list[Decision]:
    out = []
    for item_id, spec in pairs:
        call, _, template = spec.partition(":")
        out.append(Decision(item_id, call, template or None))
    return out


ROOTS = QUEUE.root_ids()
BG = [i for i in ROOTS if i.startswith("bg")]
MAX = 1 + (2 + 1 + 3) + 1 + 1  # best path through the refund branch is escalate -> ack -> thanks


@pytest.mark.parametrize(
    ("path", "score", "passed", "critical"),
    [
        # the best path: every expected call
        (
            [
                ("late", "approve_template:ship_update"),
                ("refund", "escalate_manager"),
                ("refund_ack", "approve_template:ack_delay"),
                ("refund_thanks", "approve_template:ack_delay"),
                ("hoodie", "reorder"),
                ("helpdesk", "file_ticket"),
            ],
            9,
            True,
            (),
        ),
        # wrong critical call: branch to the angry follow-up, fails whatever the score
        (
            [
                ("late", "approve_template:ship_update"),
                ("refund", "approve_template:refund_offer"),
                ("refund_angry", "escalate_manager"),
                ("hoodie", "reorder"),
                ("helpdesk", "file_ticket"),
            ],
            4,
            False,
            ("refund",),
        ),
        # partial credit on two items, right critical call, short branch
        (
            [
                ("late", "approve_template:ack_delay"),
                ("refund", "escalate_manager"),
                ("refund_ack", "escalate_manager"),
                ("hoodie", "reorder"),
                ("helpdesk", "alert_reliability"),
            ],
            4,
            False,
            (),
        ),
    ],
)
def test_score_sums_the_path_taken_and_max_is_the_best_path(
    path: list[tuple[str, str]], score: float, passed: bool, critical: tuple[str, ...]
) -> None:
    decisions = calls(*path) + [Decision(i, QUEUE.item(i).expected.call, QUEUE.item(i).expected.template) for i in BG]
    result = score_attempt(SCENARIO, decisions, QUEUE)
    assert result.max_score == MAX + len(BG)
    assert result.score == score + len(BG)
    assert result.passed is passed
    assert result.critical_failures == critical
    assert [r.item_id for r in result.items if r.is_follow_up] == [p[0] for p in path if p[0].startswith("refund_")]


def test_calls_off_the_path_are_ignored() -> None:
    decisions = calls(("refund", "escalate_manager"), ("refund_angry", "escalate_manager"))
    result = score_attempt(SCENARIO, decisions, QUEUE)
    assert "refund_angry" not in [r.item_id for r in result.items]
    assert "refund_ack" in [r.item_id for r in result.items if r.verdict == "unanswered"]


def test_pending_items_follow_the_branch() -> None:
    assert "refund" in pending_item_ids(QUEUE, [])
    after = pending_item_ids(QUEUE, calls(("refund", "escalate_manager")))
    assert "refund_ack" in after and "refund" not in after


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (Decision("nope", "reorder"), "'nope' is not an item of this scenario"),
        (Decision("hoodie", "escalate_manager"), "hoodie: 'escalate_manager' is not a call for a inventory item"),
        (Decision("late", "approve_template"), "late: approve_template needs a template"),
    ],
)
def test_invalid_decisions_are_refused(decision: Decision, message: str) -> None:
    with pytest.raises(DecisionError, match=message):
        score_attempt(SCENARIO, [decision], QUEUE)


def test_deciding_an_item_twice_is_refused() -> None:
    with pytest.raises(DecisionError, match="decided twice"):
        score_attempt(SCENARIO, calls(("hoodie", "reorder"), ("hoodie", "no_action")), QUEUE)


def test_time_to_decide_is_compared_with_the_target() -> None:
    fast = judge(ITEMS["hoodie"], Decision("hoodie", "reorder", elapsed_seconds=30))
    slow = judge(ITEMS["hoodie"], Decision("hoodie", "reorder", elapsed_seconds=61))
    assert (fast.within_target, slow.within_target, fast.target_seconds) == (True, False, 60)
    assert judge(ITEMS["hoodie"], None).within_target is None


def test_generated_conversations_are_scored_by_their_intent_rule() -> None:
    scenario = Scenario.model_validate(
        {
            "id": "bg",
            "title": "t",
            "version": 1,
            "module": "custom",
            "difficulty": "beginner",
            "briefing": "b",
            "queue": [{"generated": {"count": 5, "intents": {"fitment_doubt": 1}}}],
        }
    )
    queue = generate_queue(scenario)
    assert {queue.item(i).expected.call for i in queue.root_ids()} == {"escalate_specialist"}
    right = [Decision(i, "escalate_specialist") for i in queue.root_ids()]
    assert score_attempt(scenario, right, queue).percent == 1.0
