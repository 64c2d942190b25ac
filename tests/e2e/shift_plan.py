"""What a perfect shift looks like, read from the scenario file and its generated queue.

The browser tests compute the right call of every item (background
conversations included) the same way the app does, instead of hard-coding
answers that would go stale when the curriculum changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from optrain import training
from optrain.calls import CALLS
from optrain.queue import Queue, generate_queue
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import ConversationItem, Item, Scenario
from optrain.scoring import AttemptResult, Decision, judge, next_item_id, score_attempt

from .server import ROOT


@dataclass(frozen=True)
class Step:
    """One item of the queue and everything the screen should show around its right call."""

    item: Item
    queue_text: str  # how the item is named in the work queue
    customer: str | None
    first_name: str | None
    call_label: str
    submit_label: str
    template_option: str | None
    confirmation: str
    verdict: str
    feedback: str

    @property
    def decision(self) -> Decision:
        return Decision(self.item.id, self.item.expected.call, self.item.expected.template)


def load(scenario_id: str) -> tuple[Scenario, Queue]:
    scenario = load_scenario_file(ROOT / "scenarios" / f"{scenario_id}.yaml")
    return scenario, generate_queue(scenario)


def _queue_text(queue: Queue, item_id: str) -> str:
    entry = training.root_entry(queue, item_id)
    payload = entry.payload
    if entry.item.kind == "conversation":
        return str(payload["meta"]["sender"]["name"])
    if entry.item.kind == "inventory":
        return str(payload["sku"])
    return f"{payload['title']} tile"


def _step(scenario: Scenario, queue: Queue, item: Item) -> Step:
    call, template = item.expected.call, item.expected.template
    entry = training.root_entry(queue, item.id)
    customer = str(entry.payload["meta"]["sender"]["name"]) if isinstance(entry.item, ConversationItem) else None
    result = judge(item, Decision(item.id, call, template), is_follow_up=item.id in queue.follow_ups)
    templates = training.templates_for(scenario)
    return Step(
        item=item,
        queue_text=_queue_text(queue, item.id),
        customer=customer,
        first_name=customer.split(" ")[0] if customer else None,
        call_label=CALLS[call].label,
        submit_label=CALLS[call].button_text,
        template_option=f"{templates[template].title} ({template})" if template else None,
        confirmation=training.confirmation(call, entry),
        verdict=f"{result.verdict.capitalize()} ({result.points:g}/{result.max_points:g})",
        feedback=result.feedback,
    )


def perfect_shift(scenario: Scenario, queue: Queue) -> Iterator[Step]:
    """Queue order, each item followed by the follow-ups its right call leads to."""
    for entry in queue.entries:
        item: Item | None = entry.item
        while item is not None:
            yield _step(scenario, queue, item)
            follow = next_item_id(item, Decision(item.id, item.expected.call, item.expected.template))
            item = queue.item(follow) if follow else None


def perfect_result(scenario: Scenario, queue: Queue) -> AttemptResult:
    return score_attempt(scenario, [step.decision for step in perfect_shift(scenario, queue)], queue)
