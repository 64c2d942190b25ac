"""The built-in scenarios one by one: each file on its own, the brief's hands-on cases, consistent dashboards.

The curriculum as a whole (coverage, rules, difficulty, the path) is tests/test_curriculum.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from optrain.queue import generate_queue, template_context
from optrain.scenarios.loader import load_scenario_file, load_scenarios
from optrain.scenarios.model import ConversationItem, InventoryItem, Item, Scenario, TileItem
from optrain.scoring import best_path_points
from optrain.templates import BUILTIN_TEMPLATES, render

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
FILES = sorted(SCENARIO_DIR.glob("*.yaml"))
CATALOG = load_scenarios([SCENARIO_DIR])
SCENARIOS = [CATALOG.scenarios[p.stem] for p in FILES if p.stem in CATALOG.scenarios]


def by_id(scenario_id: str) -> Scenario:
    return CATALOG.scenarios[scenario_id]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_loads_on_its_own_with_id_equal_to_its_name(path: Path) -> None:
    assert load_scenario_file(path).id == path.stem


@pytest.mark.parametrize(
    ("scenario_id", "module", "difficulty"),
    [
        ("cx_escalations_basics", "cx_escalations", "beginner"),
        ("inventory_and_errors", "error_handling", "intermediate"),
        ("hands_on_practice", "hands_on", "intermediate"),
    ],
)
def test_curriculum_scenarios_exist_with_their_module(scenario_id: str, module: str, difficulty: str) -> None:
    scenario = by_id(scenario_id)
    assert (scenario.module, scenario.difficulty, scenario.feedback_mode) == (module, difficulty, "coach")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_critical_items_are_worth_two_points(scenario: Scenario) -> None:
    assert {i.id: i.points for i in scenario.scripted_items if i.critical} == {
        i.id: 2 for i in scenario.scripted_items if i.critical
    }


def test_cx_basics_has_a_generated_block_and_a_judged_ai_draft() -> None:
    scenario = by_id("cx_escalations_basics")
    assert [spec.count for spec in scenario.generated_specs] == [3]
    drafts = [i for i in scenario.scripted_items if isinstance(i, ConversationItem) and i.ai_draft]
    assert [(i.rule, i.expected.call) for i in drafts] == [("ai_draft_flawed", "edit_draft")]
    assert [(a.call, a.credit) for a in drafts[0].alternatives] == [("reject_draft", 1)]


def _customer(name: str) -> Callable[[Item], bool]:
    return lambda i: isinstance(i, ConversationItem) and i.customer is not None and i.customer.name == name


def _sku(sku: str) -> Callable[[Item], bool]:
    return lambda i: isinstance(i, InventoryItem) and i.sku == sku


def _tile(tile: str, state: str) -> Callable[[Item], bool]:
    return lambda i: isinstance(i, TileItem) and i.tile == tile and i.state == state


HANDS_ON_CASES = [
    ("Alex Rivera breached SLA", _customer("Alex Rivera"), "approve_template", "ack_delay", "sla_breached_no_news"),
    ("HOODIE-BLK-M low cover", _sku("HOODIE-BLK-M"), "reorder", None, "low_cover_reorder"),
    ("Jordan Lee refund over $500", _customer("Jordan Lee"), "escalate_manager", None, "refund_over_500"),
    ("helpdesk tile error", _tile("cx_escalations", "error"), "file_ticket", None, "tile_integration_error"),
]


@pytest.mark.parametrize(
    ("case", "matches", "call", "template", "rule"), HANDS_ON_CASES, ids=[c[0] for c in HANDS_ON_CASES]
)
def test_hands_on_case_is_present_with_the_right_call(
    case: str, matches: Callable[[Item], bool], call: str, template: str | None, rule: str
) -> None:
    found = [i for i in by_id("hands_on_practice").scripted_items if matches(i)]
    assert [(i.expected.call, i.expected.template, i.rule) for i in found] == [(call, template, rule)]


def test_hands_on_case_facts_match_the_brief() -> None:
    items = by_id("hands_on_practice").scripted_items
    hoodie = next(i for i in items if _sku("HOODIE-BLK-M")(i))
    jordan = next(i for i in items if _customer("Jordan Lee")(i))
    assert isinstance(hoodie, InventoryItem)
    assert (hoodie.units, hoodie.days_of_cover) == (15, 5)
    assert isinstance(jordan, ConversationItem) and jordan.order is not None
    assert jordan.critical and (jordan.order.value or 0) > 500


def test_hands_on_adds_two_to_four_more_items() -> None:
    roots = [i for i in by_id("hands_on_practice").scripted_items if not i.follow_up]
    assert 6 <= len(roots) <= 8


# ---------------------------------------------------------------- the dashboard agrees with the items

TILE_STATUS_FOR_STATE = {"error": "error", "unconfigured": "unconfigured", "empty": "healthy"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_dashboard_shows_what_tile_items_describe(scenario: Scenario) -> None:
    for item in scenario.scripted_items:
        if not isinstance(item, TileItem):
            continue
        tile = getattr(scenario.dashboard, item.tile)
        if item.state in TILE_STATUS_FOR_STATE:
            assert (item.id, tile.status) == (item.id, TILE_STATUS_FOR_STATE[item.state])
        if item.state == "rate_limited":
            assert (item.id, tile.banner) == (item.id, "API rate limit exceeded.")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_heatmap_lists_every_inventory_item(scenario: Scenario) -> None:
    heatmap = {s.sku: (s.units, s.days_of_cover) for s in scenario.dashboard.inventory_heatmap.skus}
    for item in scenario.scripted_items:
        if isinstance(item, InventoryItem):
            assert heatmap.get(item.sku) == (item.units, item.days_of_cover), item.id


# ---------------------------------------------------------------- the queue can be played


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_expected_template_replies_render(scenario: Scenario) -> None:
    queue = generate_queue(scenario)
    for item in queue.all_items():
        if item.expected.call == "approve_template" and item.expected.template in BUILTIN_TEMPLATES:
            body = BUILTIN_TEMPLATES[item.expected.template].body
            reply = render(body, template_context(queue.entry(item.id)))
            assert "{{" not in reply, item.id


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_best_path_is_worth_more_than_the_roots_alone(scenario: Scenario) -> None:
    queue = generate_queue(scenario)
    best = sum(best_path_points(queue, root) for root in queue.root_ids())
    roots = sum(float(queue.item(root).points) for root in queue.root_ids())
    has_branch = any(i.follow_ups for i in scenario.scripted_items)
    assert best > roots if has_branch else best == roots
