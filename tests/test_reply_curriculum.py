"""The built-in curriculum uses reply checks: every reply item has them, and the AI-draft module's drafts carry their defects."""

from __future__ import annotations

from pathlib import Path

import pytest

from optrain.queue import generate_queue
from optrain.reply_checks import REPLY_CALLS, fixed_draft, item_checks, model_reply
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import ConversationItem
from optrain.scenarios.reply_model import DEFECT_DIMENSIONS, DEFECT_KINDS, DIMENSIONS
from optrain.scoring import Decision, context_for, judge

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))
AI_MODULE = load_scenario_file(ROOT / "scenarios" / "cx_ai_draft_review.yaml")
AI_QUEUE = generate_queue(AI_MODULE)
DRAFTS = [i for i in AI_QUEUE.all_items() if isinstance(i, ConversationItem) and i.ai_draft]
FLAWED = [i for i in DRAFTS if i.draft_defects]


def reply_items() -> list[tuple[str, str]]:
    return [
        (path.stem, item.id)
        for path in BUILTIN
        for item in generate_queue(load_scenario_file(path)).all_items()
        if item.expected.call in REPLY_CALLS
    ]


@pytest.mark.parametrize(("scenario_id", "item_id"), reply_items())
def test_every_builtin_reply_item_has_checks_in_every_dimension(scenario_id: str, item_id: str) -> None:
    scenario = load_scenario_file(ROOT / "scenarios" / f"{scenario_id}.yaml")
    queue = generate_queue(scenario)
    item = queue.item(item_id)
    assert isinstance(item, ConversationItem)
    context = context_for(scenario, queue, item_id)
    assert context is not None
    checks = item_checks(item, context, model_reply(item, item.expected.call, item.expected.template, context))
    assert {c.dimension for c in checks} == set(DIMENSIONS)
    assert any(c.check.startswith("fact:") for c in checks) and any(c.critical for c in checks)


def test_the_ai_draft_module_has_twenty_drafts_covering_every_dimension_and_defect_kind() -> None:
    assert len(DRAFTS) >= 20
    kinds = {d.kind for item in FLAWED for d in item.draft_defects}
    assert kinds == set(DEFECT_KINDS)
    assert {DEFECT_DIMENSIONS[k][0] for k in kinds} == set(DIMENSIONS)


@pytest.mark.parametrize(
    "item", [i for i in DRAFTS if not i.draft_defects and i.expected.call == "approve_draft"], ids=lambda i: i.id
)
def test_a_sound_draft_approved_as_is_is_right(item: ConversationItem) -> None:
    result = judge(item, Decision(item.id, "approve_draft"), context=context_for(AI_MODULE, AI_QUEUE, item.id))
    assert (result.verdict, result.points) == ("correct", item.points)


@pytest.mark.parametrize("item", FLAWED, ids=lambda i: i.id)
def test_a_flawed_draft_is_wrong_approved_wrong_or_partial_unedited_and_right_fixed(item: ConversationItem) -> None:
    context = context_for(AI_MODULE, AI_QUEUE, item.id)
    assert item.expected.call == "edit_draft"
    approved = judge(item, Decision(item.id, "approve_draft"), context=context)
    assert (approved.verdict, approved.points) == ("wrong", 0)
    unedited = judge(item, Decision(item.id, "edit_draft", None, item.ai_draft), context=context)
    assert unedited.verdict in ("wrong", "partial") and unedited.points < item.points
    for defect in item.draft_defects:
        assert f"“{' '.join(defect.text.split())}”" in unedited.feedback
    fixed = judge(item, Decision(item.id, "edit_draft", None, fixed_draft(item)), context=context)
    assert (fixed.verdict, fixed.points) == ("correct", item.points), fixed.feedback


@pytest.mark.parametrize("item", [i for i in FLAWED if len(i.draft_defects) > 1], ids=lambda i: i.id)
def test_fixing_only_some_defects_is_partial_unless_a_critical_one_is_left(item: ConversationItem) -> None:
    context = context_for(AI_MODULE, AI_QUEUE, item.id)
    some = fixed_draft(item.model_copy(update={"draft_defects": item.draft_defects[:1]}))
    unedited = judge(item, Decision(item.id, "edit_draft", None, item.ai_draft), context=context)
    result = judge(item, Decision(item.id, "edit_draft", None, some), context=context)
    if any(DEFECT_DIMENSIONS[d.kind][1] for d in item.draft_defects[1:]):
        assert (result.verdict, result.points) == ("wrong", 0)
    else:
        assert result.verdict == "partial" and unedited.points < result.points < item.points
