"""Pure scoring: a scenario's queue and a trainee's calls -> points, verdicts, feedback.

Branching scenarios are scored over the path actually taken (each decided item,
then the follow-up its call leads to). The maximum is that of the expected path
(a follow-up that only another call opens does not raise the maximum of a
trainee who never opened it), or, when the path a trainee took could have
earned more, that path's; a trainee who takes a worse branch cannot reach full
marks. A call that sends a reply is scored with
its reply: the reply's checks (see `optrain.reply_checks`) scale its points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from optrain.errors import DecisionError
from optrain.queue import Queue, generate_queue
from optrain.reply_checks import (
    REPLY_CALLS,
    ReplyContext,
    ReplyVerdict,
    check_reply,
    reply_context,
    sent_reply,
)
from optrain.rules import RULES
from optrain.scenarios.checks import follow_up_key_matches
from optrain.scenarios.model import (
    CALL_LABELS,
    CALLS_BY_KIND,
    DRAFT_CALLS,
    MAX_ORDER_QUANTITY,
    Call,
    ConversationItem,
    InventoryItem,
    Item,
    QuantityRange,
    Scenario,
)
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
    quantity: float | None = None  # reorder and adjust_quantity: how many, in the item's unit


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
    reply: ReplyVerdict | None = None

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


def call_credit(item: Item, decision: Decision) -> tuple[float, Call | None]:
    """The share of the item's points a call earns before its reply is read, and the matching call."""
    if _matches(item.expected, decision):
        return 1.0, item.expected
    alternative = next((a for a in item.alternatives if _matches(a, decision)), None)
    if alternative is not None and alternative.credit > 0:
        return alternative.credit, alternative
    return 0.0, None


def judge(
    item: Item, decision: Decision | None, *, is_follow_up: bool = False, context: ReplyContext | None = None
) -> ItemResult:
    """Verdict, points and feedback for one item (None: no call was made).

    With a reply context, a call that sends a reply has its reply checked, and
    each failed check costs its weight's share of the call's points.
    """
    expected = call_label(item.expected.call, item.expected.template)
    rule = RULES.get(item.rule)
    rule_text = f"{rule.situation}: {rule.right_call}." if rule else item.rule
    points = 0.0
    reply: ReplyVerdict | None = None
    if decision is None:
        verdict: Verdict = "unanswered"
        feedback = f"No call was made. The right call: {expected}. {item.rationale}"
    else:
        credit, matched = call_credit(item, decision)
        alt_feedback = getattr(matched, "feedback", None)
        extra = f" {alt_feedback}" if alt_feedback else ""
        if matched is None:
            verdict = "wrong"
            chosen = call_label(decision.call, decision.template)
            reply = _check_sent_reply(item, decision, context)
            sent = (
                ""
                if reply is None or not reply.failed
                else (" The reply as sent also fails: " + " ".join(o.describe() + "." for o in reply.failed))
            )
            feedback = f"Not the right call: you chose {chosen}; the right call is {expected}.{sent} {item.rationale}"
        else:
            points = float(item.points) * credit if credit < 1 else float(item.points)
            verdict = "correct" if credit >= 1 else "partial"
            reply = _check_sent_reply(item, decision, context)
            head = "Right call." if verdict == "correct" else f"Partly right ({credit:.0%} of the points).{extra}"
            if verdict == "correct":
                head += extra
            if reply is not None and reply.failed:
                points = points * reply.share
                failed = reply.failed
                if reply.critical_failed:
                    verdict = "wrong"
                    head = (
                        f"{'Right' if credit >= 1 else 'An acceptable'} call, but the reply fails a critical "
                        "check, so the item scores nothing."
                    )
                else:
                    verdict = "partial"
                    head = (
                        f"{'Right' if credit >= 1 else 'An acceptable'} call, but the reply fails "
                        f"{len(failed)} check{'s' if len(failed) > 1 else ''} "
                        f"({reply.share:.0%} of the call's points kept)."
                    )
                head += " " + " ".join(o.describe() + "." for o in failed)
            missed = _quantity_range_missed(item, decision)
            if missed is not None and decision.quantity is not None:
                points *= missed.credit_outside
                verdict = "partial" if points > 0 else "wrong"
                head = (
                    f"{'Right' if credit >= 1 else 'An acceptable'} call, but {decision.quantity:,.0f} {missed.unit} "
                    f"is outside the expected {missed.min:,}-{missed.max:,} {missed.unit} "
                    f"({missed.credit_outside:.0%} of the call's points kept)."
                )
            best = "" if credit >= 1 else f" The best call: {expected}."
            feedback = f"{head}{best} {item.rationale}"
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
        reply=reply,
    )


QUANTITY_CALLS: tuple[str, ...] = ("reorder", "adjust_quantity")


def quantity_unit(item: Item) -> str:
    """What a quantity on this item counts: the scenario's unit for its reorder range, else units."""
    return item.reorder_quantity.unit if isinstance(item, InventoryItem) and item.reorder_quantity else "units"


def quantity_problem(item: Item, call: str, quantity: object) -> str | None:
    """What is wrong with a call's quantity, in words for the trainee; None when it can be recorded.

    A reorder needs a quantity when the scenario gives the item an expected range (it is judged against
    it); elsewhere it is optional. The range itself is never named here, only in the feedback.
    """
    unit = quantity_unit(item)
    if quantity is None:
        if call == "reorder" and isinstance(item, InventoryItem) and item.reorder_quantity:
            return f"Give the quantity to order, in {unit}."
        return None
    if call not in QUANTITY_CALLS:
        return f"A quantity goes with {' or '.join(QUANTITY_CALLS)}, not with {call}."
    if isinstance(quantity, bool) or not isinstance(quantity, int | float) or not math.isfinite(quantity):
        return f"The quantity must be a number of {unit}, such as 40; got {quantity!r}."
    if quantity != int(quantity):
        return f"The quantity must be a whole number of {unit}; got {quantity:g}."
    if call == "reorder" and quantity <= 0:
        return f"The quantity to order must be at least 1 ({unit}); got {quantity:g}."
    if quantity < 0:
        return f"An on-hand quantity cannot be negative; got {quantity:g} {unit}."
    if quantity > MAX_ORDER_QUANTITY:
        return (
            f"{quantity:,.0f} {unit} is not a plausible quantity for one SKU (at most {MAX_ORDER_QUANTITY:,}); "
            "check the number."
        )
    return None


def _quantity_range_missed(item: Item, decision: Decision) -> QuantityRange | None:
    """The item's expected reorder range when this reorder's quantity falls outside it."""
    if decision.call != "reorder" or decision.quantity is None or not isinstance(item, InventoryItem):
        return None
    expected = item.reorder_quantity
    if expected is None or expected.min <= decision.quantity <= expected.max:
        return None
    return expected


def _check_sent_reply(item: Item, decision: Decision, context: ReplyContext | None) -> ReplyVerdict | None:
    if context is None or decision.call not in REPLY_CALLS or not isinstance(item, ConversationItem):
        return None
    text = sent_reply(item, decision.call, decision.template, decision.body, context)
    return None if text is None else check_reply(item, text, decision.call, decision.template, context)


def templates_of(scenario: Scenario) -> dict[str, str]:
    """Template id -> body: the built-in ones and the scenario's own."""
    return {**{t.id: t.body for t in BUILTIN_TEMPLATES.values()}, **{t.id: t.body for t in scenario.templates}}


def context_for(scenario: Scenario, queue: Queue, item_id: str) -> ReplyContext | None:
    """The reply context of a conversation item (None for inventory rows and tiles)."""
    if queue.item(item_id).kind != "conversation":
        return None
    return reply_context(queue, item_id, templates_of(scenario))


def next_item_id(item: Item, decision: Decision) -> str | None:
    """The follow-up this call leads to: an exact `call:template` key wins over a bare `call`."""
    for exact in (True, False):
        for key, target in item.follow_ups.items():
            if (":" in key) == exact and follow_up_key_matches(key, decision.call, decision.template):
                return target
    return None


def best_path_points(queue: Queue, item_id: str) -> float:
    """The points of the expected path from an item: its points, then the follow-up its expected call opens.

    A follow-up that only another call opens adds nothing, so a trainee who
    makes every expected call reaches exactly the maximum.
    """
    item = queue.item(item_id)
    target = next_item_id(item, Decision(item.id, item.expected.call, item.expected.template))
    return float(item.points) + (best_path_points(queue, target) if target else 0.0)


def reached_points(queue: Queue, root_id: str, decisions: Mapping[str, Decision]) -> float:
    """The most the items this trainee actually reached could have earned.

    Each decided item counts its full points, then the best of what the path
    still offers where it stops; a wrong call that opens a richer follow-up
    than the right path therefore raises the maximum for that trainee only.
    """
    total, item_id = 0.0, root_id
    while True:
        item = queue.item(item_id)
        decision = decisions.get(item_id)
        if decision is None:
            return total + best_path_points(queue, item_id)
        total += float(item.points)
        target = next_item_id(item, decision)
        if target is None:
            return total
        item_id = target


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
    if decision.call != "approve_template" and decision.template:
        raise DecisionError(
            f"{decision.item_id}: '{decision.call}' takes no template (only approve_template does); "
            f"drop ':{decision.template}'"
        )
    if decision.call in DRAFT_CALLS and not (isinstance(item, ConversationItem) and item.ai_draft):
        raise DecisionError(
            f"{decision.item_id}: '{decision.call}' needs an AI draft and this conversation has none; "
            "use one of: approve_template, escalate_manager, escalate_specialist"
        )
    return item


def validate_template(scenario: Scenario, decision: Decision) -> None:
    """A template call must name a template this scenario offers."""
    if decision.call == "approve_template" and decision.template:
        known = templates_of(scenario)
        if decision.template not in known:
            raise DecisionError(
                f"{decision.item_id}: '{decision.template}' is not a template of this scenario; "
                f"use one of: {', '.join(known)}"
            )


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
        item = validate_decision(queue, decision)
        validate_template(scenario, decision)
        problem = quantity_problem(item, decision.call, decision.quantity)
        if problem:
            raise DecisionError(f"{decision.item_id}: {problem}")
        if decision.item_id in by_item:
            raise DecisionError(f"{decision.item_id}: decided twice")
        by_item[decision.item_id] = decision
    results = tuple(
        judge(
            item,
            decision,
            is_follow_up=fu,
            context=context_for(scenario, queue, item.id) if decision is not None else None,
        )
        for item, decision, fu in walk(queue, by_item)
    )
    max_score = math.fsum(
        max(best_path_points(queue, root), reached_points(queue, root, by_item)) for root in queue.root_ids()
    )
    return AttemptResult(
        items=results,
        score=round(math.fsum(r.points for r in results), 4),  # fsum: the same total in any order
        max_score=round(max_score, 4),
        pass_mark=scenario.pass_mark,
        critical_failures=tuple(r.item_id for r in results if r.critical_failure),
    )
