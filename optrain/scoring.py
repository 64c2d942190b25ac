"""Pure scoring: a scenario's queue and a trainee's calls -> points, verdicts, feedback.

Branching scenarios are scored over the path actually taken (each decided item,
then the follow-up its call leads to); the maximum is that of the best path, so
a trainee who takes a worse branch cannot reach full marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from optrain.errors import DecisionError
from optrain.queue import Queue, generate_queue
from optrain.rules import RULES
from optrain.scenarios.checks import follow_up_key_matches
from optrain.scenarios.model import CALL_LABELS, CALLS_BY_KIND, Call, Item, Scenario
from optrain.templates import BUILTIN_TEMPLATES

Verdict = Literal["correct", "partial", "wrong", "unanswered"]


@dataclass(frozen=True)
class Decision:
    """One call as the trainee made it (what storage records and scoring reads)."""

    item_id: str
    call: str
    template: str | None = None
    body: str | None = None
    note: str | None = None
    elapsed_seconds: float | None = None


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    title: str
    kind: str
    call: str | None
    template: str | None
    expected_call: str
    expected_template: str | None
    points: float
    max_points: float
    verdict: Verdict
    critical: bool
    critical_failure: bool
    feedback: str
    rule: str
    rule_text: str
    elapsed_seconds: float | None
    target_seconds: int
    is_follow_up: bool

    @property
    def within_target(self) -> bool | None:
        if self.elapsed_seconds is None:
            return None
        return self.elapsed_seconds <= self.target_seconds

    @property
    def call_label(self) -> str:
        return call_label(self.call, self.template) if self.call else "(no call)"

    @property
    def expected_label(self) -> str:
        return call_label(self.expected_call, self.expected_template)


@dataclass(frozen=True)
class AttemptResult:
    items: tuple[ItemResult, ...]
    score: float
    max_score: float
    pass_mark: float
    critical_failures: tuple[str, ...]

    @property
    def percent(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def passed(self) -> bool:
        return not self.critical_failures and self.percent + 1e-9 >= self.pass_mark

    @property
    def unanswered(self) -> int:
        return sum(1 for r in self.items if r.verdict == "unanswered")


def call_label(call: str, template: str | None = None, templates: Mapping[str, str] | None = None) -> str:
    label = CALL_LABELS.get(call, call)
    if template:
        names = templates or {t.id: t.title for t in BUILTIN_TEMPLATES.values()}
        label += f": {template}" + (f" ({names[template]})" if template in names else "")
    return label


def _matches(call: Call, decision: Decision) -> bool:
    return call.call == decision.call and (call.template or None) == (decision.template or None)


def judge(item: Item, decision: Decision | None, *, is_follow_up: bool = False) -> ItemResult:
    """Verdict, points and feedback for one item (None: no call was made)."""
    expected = call_label(item.expected.call, item.expected.template)
    rule = RULES.get(item.rule)
    rule_text = f"{rule.situation}: {rule.right_call}." if rule else item.rule
    points = 0.0
    if decision is None:
        verdict: Verdict = "unanswered"
        feedback = f"No call was made. The right call: {expected}. {item.rationale}"
    elif _matches(item.expected, decision):
        verdict, points = "correct", float(item.points)
        feedback = f"Right call. {item.rationale}"
    else:
        alternative = next((a for a in item.alternatives if _matches(a, decision)), None)
        if alternative is not None and alternative.credit > 0:
            points = round(float(item.points) * alternative.credit, 4)
            verdict = "correct" if alternative.credit >= 1 else "partial"
            extra = f" {alternative.feedback}" if alternative.feedback else ""
            feedback = (
                f"Partly right ({alternative.credit:.0%} of the points).{extra} "
                f"The best call: {expected}. {item.rationale}"
                if verdict == "partial"
                else f"Right call.{extra} {item.rationale}"
            )
        else:
            verdict = "wrong"
            chosen = call_label(decision.call, decision.template)
            feedback = f"Not the right call: you chose {chosen}; the right call is {expected}. {item.rationale}"
    critical_failure = item.critical and verdict in ("wrong", "unanswered")
    if critical_failure:
        feedback = "Critical item: this mistake fails the attempt. " + feedback
    return ItemResult(
        item_id=item.id,
        title=item.title or item.id,
        kind=item.kind,
        call=decision.call if decision else None,
        template=decision.template if decision else None,
        expected_call=item.expected.call,
        expected_template=item.expected.template,
        points=points,
        max_points=float(item.points),
        verdict=verdict,
        critical=item.critical,
        critical_failure=critical_failure,
        feedback=feedback.strip(),
        rule=item.rule,
        rule_text=rule_text,
        elapsed_seconds=decision.elapsed_seconds if decision else None,
        target_seconds=item.time_target_seconds,
        is_follow_up=is_follow_up,
    )


def next_item_id(item: Item, decision: Decision) -> str | None:
    """The follow-up this call leads to: an exact `call:template` key wins over a bare `call`."""
    for exact in (True, False):
        for key, target in item.follow_ups.items():
            if (":" in key) == exact and follow_up_key_matches(key, decision.call, decision.template):
                return target
    return None


def best_path_points(queue: Queue, item_id: str) -> float:
    item = queue.item(item_id)
    children = [best_path_points(queue, child) for child in item.follow_ups.values()]
    return float(item.points) + (max(children) if children else 0.0)


def validate_decision(queue: Queue, decision: Decision) -> Item:
    """The item a call is for, refusing unknown items and calls that do not fit its kind."""
    try:
        item = queue.item(decision.item_id)
    except KeyError:
        raise DecisionError(f"'{decision.item_id}' is not an item of this scenario") from None
    allowed = CALLS_BY_KIND[item.kind]
    if decision.call not in allowed:
        raise DecisionError(
            f"{decision.item_id}: '{decision.call}' is not a call for a {item.kind} item; use one of: {', '.join(allowed)}"
        )
    if decision.call == "approve_template" and not decision.template:
        raise DecisionError(f"{decision.item_id}: approve_template needs a template")
    return item


def walk(queue: Queue, decisions: Mapping[str, Decision]) -> Iterable[tuple[Item, Decision | None, bool]]:
    """Each item on the path taken, root by root, with its decision (None where the path stops)."""
    for root_id in queue.root_ids():
        item: Item | None = queue.item(root_id)
        follow_up = False
        while item is not None:
            decision = decisions.get(item.id)
            yield item, decision, follow_up
            if decision is None:
                break
            target = next_item_id(item, decision)
            item = queue.item(target) if target else None
            follow_up = True


def pending_item_ids(queue: Queue, decisions: Sequence[Decision]) -> tuple[str, ...]:
    """Items waiting for a call: the first undecided item on each root's path."""
    by_item = {d.item_id: d for d in decisions}
    return tuple(item.id for item, decision, _ in walk(queue, by_item) if decision is None)


def score_attempt(scenario: Scenario, decisions: Sequence[Decision], queue: Queue | None = None) -> AttemptResult:
    """Score the path actually taken; calls for items off that path are ignored."""
    queue = queue or generate_queue(scenario)
    by_item: dict[str, Decision] = {}
    for decision in decisions:
        validate_decision(queue, decision)
        if decision.item_id in by_item:
            raise DecisionError(f"{decision.item_id}: decided twice")
        by_item[decision.item_id] = decision
    results = tuple(judge(item, decision, is_follow_up=fu) for item, decision, fu in walk(queue, by_item))
    max_score = sum(best_path_points(queue, root) for root in queue.root_ids())
    return AttemptResult(
        items=results,
        score=round(sum(r.points for r in results), 4),
        max_score=round(max_score, 4),
        pass_mark=scenario.pass_mark,
        critical_failures=tuple(r.item_id for r in results if r.critical_failure),
    )
