"""'Valid' means 'runs': every scenario the loader accepts builds its queue, draws its dashboard and
scores an attempt, in bounded time.

Hypothesis writes scenario files (scripted conversations with long threads in any order, waiting
times longer than their threads, follow-up chains, AI drafts, inventory and tile items, generated
blocks), checks the loader accepts them, then runs queue, dashboard and scoring on the expected path
and on an arbitrary path. The number of examples is fixed and the generated blocks are kept small, so
the test takes seconds; the cap on generated conversations is exercised once at its full size.
"""

from __future__ import annotations

import time
import typing

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optrain.dashboard import build_dashboard
from optrain.queue import generate_queue
from optrain.scenarios.checks import MAX_GENERATED_TOTAL
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.model import CALLS_BY_KIND, Intent, TileId, TileState
from optrain.scoring import Decision, pending_item_ids, score_attempt

INTENTS = typing.get_args(Intent)
TILES = typing.get_args(TileId)
TILE_STATES = typing.get_args(TileState)
TEMPLATES = ("ack_delay", "ship_update", "refund_offer")
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)


@st.composite
def calls(draw: st.DrawFn, kind: str, has_draft: bool) -> dict[str, str]:
    options = [c for c in CALLS_BY_KIND[kind] if has_draft or c not in ("approve_draft", "edit_draft", "reject_draft")]
    call = draw(st.sampled_from(options))
    return (
        {"call": call, "template": draw(st.sampled_from(TEMPLATES))} if call == "approve_template" else {"call": call}
    )


@st.composite
def message(draw: st.DrawFn) -> dict[str, object]:
    return {
        "sender": draw(st.sampled_from(["customer", "agent"])),
        "text": draw(TEXT),
        "minutes_ago": draw(st.integers(0, 100_000)),
    }


@st.composite
def item_chain(draw: st.DrawFn, prefix: str) -> list[dict[str, object]]:
    """A root item and a chain of follow-ups of the same kind, each led to by the expected call."""
    kind = draw(st.sampled_from(["conversation", "inventory", "tile"]))
    depth = draw(st.integers(0, 4))
    items: list[dict[str, object]] = []
    for level in range(depth + 1):
        item_id = f"{prefix}_{level}"
        item: dict[str, object] = {
            "kind": kind,
            "id": item_id,
            "rationale": "Because.",
            "rule": "shipping_delay",
            "points": draw(st.integers(1, 400)) / 4,  # quarter points, as authors write them
            "critical": draw(st.booleans()),
        }
        has_draft = False
        if kind == "conversation":
            if level == 0:
                item["messages"] = draw(st.lists(message(), max_size=25))
            else:
                item["message"] = draw(TEXT)
            if draw(st.booleans()):
                item["waiting_minutes"] = draw(st.integers(0, 100_000))
            if draw(st.booleans()):
                item["ai_draft"] = draw(TEXT)
                has_draft = True
            item["tier"] = draw(st.sampled_from(["self_service", "tier1", "tier2", "tier3", "executive"]))
            item["status"] = draw(st.sampled_from(["open", "pending", "resolved", "snoozed"]))
            if draw(st.booleans()):
                item["order"] = {"value": draw(st.floats(0, 10_000_000, allow_nan=False))}
        elif kind == "inventory":
            item.update(
                sku="SKU-1",
                product="Part",
                units=draw(st.integers(0, 10**6)),
                days_of_cover=draw(st.floats(0, 10_000, allow_nan=False)),
            )
        else:
            item.update(
                tile=draw(st.sampled_from(TILES)),
                state=draw(st.sampled_from(TILE_STATES)),
                message=draw(TEXT),
                retries=draw(st.integers(0, 10)),
            )
        item["expected"] = draw(calls(kind, has_draft))
        if level:
            item["follow_up"] = True
            parent = items[-1]
            expected = typing.cast(dict[str, str], parent["expected"])
            key = expected["call"] + (f":{expected['template']}" if "template" in expected else "")
            parent["follow_ups"] = {key: item_id}
        items.append(item)
    return items


@st.composite
def scenarios(draw: st.DrawFn) -> str:
    queue: list[object] = []
    for n in range(draw(st.integers(1, 4))):
        queue.extend(draw(item_chain(f"item{n}")))
        if draw(st.booleans()):
            intents = draw(st.lists(st.sampled_from(INTENTS), min_size=1, max_size=4, unique=True))
            queue.append(
                {
                    "generated": {
                        "count": draw(st.integers(1, 12)),
                        "intents": {i: draw(st.floats(0.1, 10)) for i in intents},
                    }
                }
            )
    data = {
        "id": "generated_case",
        "title": "Generated",
        "version": draw(st.integers(1, 50)),
        "module": "custom",
        "difficulty": "beginner",
        "briefing": "Work the queue.",
        "pass_mark": draw(st.floats(0, 1)),
        "feedback_mode": draw(st.sampled_from(["coach", "exam"])),
        "seed": draw(st.integers(0, 2**63 - 1)),
        "shift_minutes": draw(st.integers(1, 720)),
        "queue": queue,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def run_everything(text: str) -> None:
    scenario = parse_scenario_text(text, "generated.yaml")
    queue = generate_queue(scenario)
    build_dashboard(scenario, queue, revealed=set(pending_item_ids(queue, ())))
    expected: list[Decision] = []
    wrong: list[Decision] = []
    for pick, out in (
        ((lambda i: (i.expected.call, i.expected.template)), expected),
        ((lambda i: (CALLS_BY_KIND[i.kind][-1], None)), wrong),
    ):
        while pending := pending_item_ids(queue, out):  # a round per follow-up level
            for item_id in pending:
                item = queue.item(item_id)
                call, template = pick(item)
                if call == "approve_template" and template is None:
                    template = "ack_delay"
                out.append(Decision(item.id, call, template))
        result = score_attempt(scenario, out, queue)
        assert 0 <= result.score <= result.max_score
        build_dashboard(scenario, queue, revealed={d.item_id for d in out})
    assert score_attempt(scenario, expected, queue).score == score_attempt(scenario, expected, queue).max_score


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_every_valid_scenario_builds_its_queue_and_scores(text: str) -> None:
    run_everything(text)


def test_the_generated_conversation_cap_runs_in_bounded_time() -> None:
    text = yaml.safe_dump(
        {
            "id": "at_the_cap",
            "title": "At the cap",
            "version": 1,
            "module": "custom",
            "difficulty": "beginner",
            "briefing": "Busy.",
            "queue": [
                {"generated": {"count": MAX_GENERATED_TOTAL // 2, "intents": {i: 1 for i in INTENTS}}},
                {"generated": {"count": MAX_GENERATED_TOTAL // 2, "intents": {"defect": 1}}},
            ],
        }
    )
    started = time.process_time()
    run_everything(text)
    assert time.process_time() - started < 20  # a few seconds here; the bound only catches a runaway
