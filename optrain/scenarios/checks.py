"""Cross-field rules of the scenario format, each reported with its own path.

Structure and types are the model's job; these checks need the whole scenario
(templates defined elsewhere in the file, items referring to each other).
"""

from __future__ import annotations

from collections.abc import Iterator

from optrain.calls import CALLS_BY_KIND, DRAFT_CALLS
from optrain.rules import RULES
from optrain.scenarios.model import (
    Call,
    ConversationItem,
    GeneratedBlock,
    InventoryItem,
    Item,
    Scenario,
)
from optrain.scenarios.problems import did_you_mean
from optrain.templates import ALIASES, BUILTIN_TEMPLATES, KNOWN_VARIABLES, unknown_variables

Found = tuple[tuple[object, ...], str]

# Generated conversations per scenario, all blocks together: a thousand build in about
# a third of a second; a file asking for 200,000 would run for minutes and take gigabytes.
MAX_GENERATED_TOTAL = 1_000


def template_ids(scenario: Scenario) -> tuple[str, ...]:
    return tuple(BUILTIN_TEMPLATES) + tuple(t.id for t in scenario.templates)


def check_scenario(scenario: Scenario) -> list[Found]:
    """Every cross-field problem as (location, message); empty when the scenario is sound."""
    return [
        *_check_templates(scenario),
        *_check_items(scenario),
        *_check_follow_ups(scenario),
        *_check_questions(scenario),
        *_check_generated_total(scenario),
    ]


def _check_generated_total(scenario: Scenario) -> Iterator[Found]:
    total = 0
    for index, entry in enumerate(scenario.queue):
        if isinstance(entry, GeneratedBlock):
            total += entry.generated.count
            if total > MAX_GENERATED_TOTAL:
                yield (
                    ("queue", index, "generated", "count"),
                    f"brings the generated conversations to {total:,}; a scenario may generate at most "
                    f"{MAX_GENERATED_TOTAL:,} in all its blocks together",
                )
                return


def _check_templates(scenario: Scenario) -> Iterator[Found]:
    seen: set[str] = set()
    for i, template in enumerate(scenario.templates):
        if template.id in BUILTIN_TEMPLATES:
            yield ("templates", i, "id"), f"'{template.id}' is a built-in template; pick another id"
        elif template.id in seen:
            yield ("templates", i, "id"), f"duplicate template id '{template.id}'"
        seen.add(template.id)
        for name in unknown_variables(template.body):
            hint = variable_hint(name)
            yield (
                ("templates", i, "body"),
                f"unknown variable {{{{{name}}}}}"
                + (hint or f"; use one of: {', '.join(KNOWN_VARIABLES + tuple(ALIASES))}"),
            )


def variable_hint(name: str) -> str:
    """Did-you-mean over the variables a template can use, by full name or by the part after the dot
    (`{{nme}}` -> 'name', `{{first_name}}` -> 'contact.first_name')."""
    choices = KNOWN_VARIABLES + tuple(ALIASES)
    hint = did_you_mean(name, choices)
    if hint:
        return hint
    by_tail = {v.rpartition(".")[2]: v for v in reversed(choices)}
    match = did_you_mean(name.rpartition(".")[2], by_tail)
    if match:
        tail = match.split("'")[1]
        return f"; did you mean '{by_tail[tail]}'?"
    return ""


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _item_entries(scenario: Scenario) -> Iterator[tuple[int, Item]]:
    for index, entry in enumerate(scenario.queue):
        if not isinstance(entry, GeneratedBlock):
            yield index, entry


def _check_call(scenario: Scenario, item: Item, call: Call, loc: tuple[object, ...]) -> Iterator[Found]:
    allowed = CALLS_BY_KIND[item.kind]
    if call.call not in allowed:
        yield (
            (*loc, "call"),
            f"'{call.call}' is not a call for {_a(item.kind)} item"
            + (did_you_mean(call.call, allowed) or f"; use one of: {', '.join(allowed)}"),
        )
        return
    if call.call == "approve_template":
        if call.template is None:
            yield (*loc, "template"), "approve_template needs a template"
        elif call.template not in template_ids(scenario):
            ids = template_ids(scenario)
            yield (
                (*loc, "template"),
                f"'{call.template}' is not a template"
                + (did_you_mean(call.template, ids) or f"; use one of: {', '.join(ids)}"),
            )
    elif call.template is not None:
        yield (*loc, "template"), f"only approve_template takes a template, not {call.call}"
    if call.call in DRAFT_CALLS and not (isinstance(item, ConversationItem) and item.ai_draft):
        yield (*loc, "call"), f"'{call.call}' needs an ai_draft on the item"


def _check_items(scenario: Scenario) -> Iterator[Found]:
    first_seen: dict[str, int] = {}
    for index, item in _item_entries(scenario):
        loc: tuple[object, ...] = ("queue", index)
        if item.id in first_seen:
            yield (*loc, "id"), f"duplicate item id '{item.id}' (first used at queue[{first_seen[item.id]}])"
        else:
            first_seen[item.id] = index
        if item.rule not in RULES:
            yield (
                (*loc, "rule"),
                f"'{item.rule}' is not a rule" + (did_you_mean(item.rule, RULES) or "; see docs/scenario-format.md"),
            )
        yield from _check_call(scenario, item, item.expected, (*loc, "expected"))
        keys = [(item.expected.call, item.expected.template)]
        for a, alt in enumerate(item.alternatives):
            yield from _check_call(scenario, item, alt, (*loc, "alternatives", a))
            key = (alt.call, alt.template)
            if key in keys:
                yield (*loc, "alternatives", a), "repeats the expected call or an earlier alternative"
            keys.append(key)
        if isinstance(item, ConversationItem) and item.message and not item.follow_up:
            yield (*loc, "message"), "message is for follow-up items; use messages for the thread"
        if isinstance(item, ConversationItem):
            yield from _check_draft_defects(item, loc)
        if (
            isinstance(item, InventoryItem)
            and item.reorder_quantity
            and item.reorder_quantity.min > item.reorder_quantity.max
        ):
            yield (
                (*loc, "reorder_quantity", "max"),
                f"must be at least min ({item.reorder_quantity.min}); the range is min to max, both included",
            )


def _check_draft_defects(item: ConversationItem, loc: tuple[object, ...]) -> Iterator[Found]:
    """Each declared defect must quote the draft, or fixing it could never be checked."""
    draft = " ".join((item.ai_draft or "").split()).casefold()
    for d, defect in enumerate(item.draft_defects):
        if not item.ai_draft:
            yield (*loc, "draft_defects"), "draft_defects need an ai_draft on the item"
            return
        if " ".join(defect.text.split()).casefold() not in draft:
            yield (*loc, "draft_defects", d, "text"), f"'{defect.text}' is not in the item's ai_draft"


def follow_up_key_matches(key: str, call: str, template: str | None) -> bool:
    """A follow-up key is a call ('escalate_manager') or a call with its template ('approve_template:ack_delay')."""
    name, _, tmpl = key.partition(":")
    return name == call and (not tmpl or tmpl == template)


def _check_follow_ups(scenario: Scenario) -> Iterator[Found]:
    items = {item.id: (index, item) for index, item in _item_entries(scenario)}
    parents: dict[str, str] = {}
    for index, item in _item_entries(scenario):
        for key, target in item.follow_ups.items():
            loc = ("queue", index, "follow_ups", key)
            name, _, tmpl = key.partition(":")
            allowed = CALLS_BY_KIND[item.kind]
            if name not in allowed:
                yield loc, f"'{name}' is not a call for {_a(item.kind)} item" + did_you_mean(name, allowed)
                continue
            if tmpl and tmpl not in template_ids(scenario):
                yield loc, f"'{tmpl}' is not a template" + did_you_mean(tmpl, template_ids(scenario))
            if target not in items:
                yield (
                    loc,
                    f"'{target}' is not an item in this scenario"
                    + (
                        did_you_mean(target, [i for i, (_, it) in items.items() if it.follow_up])
                        or f"; add an item with id: {target} and follow_up: true"
                    ),
                )
                continue
            t_index, t_item = items[target]
            if target == item.id:
                yield loc, "an item cannot follow up on itself"
            elif not t_item.follow_up:
                yield loc, f"'{target}' must set follow_up: true to be used as a follow-up"
            elif t_item.kind != item.kind:
                yield loc, f"'{target}' is {_a(t_item.kind)} item; a follow-up must be {_a(item.kind)} item"
            elif target in parents:
                yield loc, f"'{target}' already follows up '{parents[target]}'; each follow-up has one parent"
            else:
                parents[target] = item.id
    for index, item in _item_entries(scenario):
        if item.follow_up and item.id not in parents:
            yield ("queue", index, "follow_up"), f"'{item.id}' is marked follow_up but no item's follow_ups lead to it"
    if not any(not item.follow_up for _, item in _item_entries(scenario)) and not scenario.generated_specs:
        yield ("queue",), "needs at least one item that is not a follow-up"
    # A cycle makes every item on it a follow-up whose root is never reached.
    for start in parents:
        seen = {start}
        node = parents.get(start)
        while node is not None:
            if node in seen:
                yield ("queue", items[start][0], "follow_up"), f"'{start}' is part of a follow-up cycle"
                break
            seen.add(node)
            node = parents.get(node)


def _check_questions(scenario: Scenario) -> Iterator[Found]:
    seen: set[str] = set()
    for i, question in enumerate(scenario.questions):
        if question.id in seen:
            yield ("questions", i, "id"), f"duplicate question id '{question.id}'"
        seen.add(question.id)
