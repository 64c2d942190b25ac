"""Coverage of the built-in curriculum: the whole agenda, every rule, rising difficulty, a certification.

The product promise is that a trainee who passes the built-in path has met
every runbook rule more than once, in more than one setting, and that the
path can be passed by making the runbook's call on every item.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import mean

import pytest

from optrain.dashboard import escalation_row
from optrain.queue import generate_queue
from optrain.reply_checks import fixed_draft
from optrain.rules import RULES
from optrain.scenarios.loader import load_scenarios
from optrain.scenarios.model import AGENDA, ConversationItem, Scenario, TileItem
from optrain.scoring import Decision, pending_item_ids, score_attempt

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
CATALOG = load_scenarios([SCENARIO_DIR])
SCENARIOS = sorted(CATALOG.scenarios.values(), key=lambda s: (AGENDA.index(s.module), s.id))
PATH_PARTS = AGENDA[: AGENDA.index("hands_on") + 1]
RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}

MIN_SCENARIOS = 12
MIN_SCRIPTED_ITEMS = 120
MIN_ITEMS_PER_RULE = 3
MIN_SCENARIOS_PER_RULE = 2
MIN_BRANCHING_SCENARIOS = 3
QUESTIONS_PER_SCENARIO = range(2, 6)
MAX_GENERATED_BLOCKS = 3


def scripted_count() -> int:
    return sum(len(s.scripted_items) for s in SCENARIOS)


# ---------------------------------------------------------------- size and validity


def test_every_file_in_scenarios_validates() -> None:
    assert [str(p) for p in CATALOG.problems] == []
    assert sorted(CATALOG.scenarios) == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def test_curriculum_is_large_enough() -> None:
    assert len(SCENARIOS) >= MIN_SCENARIOS
    assert scripted_count() >= MIN_SCRIPTED_ITEMS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_item_has_a_title_and_explains_itself(scenario: Scenario) -> None:
    assert [i.id for i in scenario.scripted_items if not i.rationale.strip()] == []
    assert [i.id for i in scenario.scripted_items if not i.title] == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_questions_and_generated_blocks_stay_in_bounds(scenario: Scenario) -> None:
    assert len(scenario.questions) in QUESTIONS_PER_SCENARIO
    assert "text" in {q.kind for q in scenario.questions}
    assert len(scenario.generated_specs) <= MAX_GENERATED_BLOCKS
    assert [spec.count for spec in scenario.generated_specs if not 2 <= spec.count <= 4] == []
    assert scenario.estimated_minutes is not None


# ---------------------------------------------------------------- rules and agenda


def test_every_rule_is_taught_often_enough_in_several_scenarios() -> None:
    items: dict[str, int] = defaultdict(int)
    scenarios: dict[str, set[str]] = defaultdict(set)
    for scenario in SCENARIOS:
        for item in scenario.scripted_items:
            items[item.rule] += 1
            scenarios[item.rule].add(scenario.id)
    assert {r: items[r] for r in RULES if items[r] < MIN_ITEMS_PER_RULE} == {}
    assert {r: sorted(scenarios[r]) for r in RULES if len(scenarios[r]) < MIN_SCENARIOS_PER_RULE} == {}


def test_every_agenda_part_has_a_scenario() -> None:
    covered = {s.module for s in SCENARIOS}
    assert [part for part in PATH_PARTS if part not in covered] == []


def test_difficulty_rises_along_the_agenda() -> None:
    means = [mean(RANK[s.difficulty] for s in SCENARIOS if s.module == part) for part in PATH_PARTS]
    assert means == sorted(means)
    assert {s.difficulty for s in SCENARIOS if s.module in ("introduction", "navigation")} == {"beginner"}
    assert "advanced" in {s.difficulty for s in SCENARIOS if s.module == "hands_on"}


def test_enough_scenarios_branch() -> None:
    branching = [s.id for s in SCENARIOS if any(i.follow_ups for i in s.scripted_items)]
    assert len(branching) >= MIN_BRANCHING_SCENARIOS


def test_exactly_one_certification_in_exam_mode() -> None:
    certs = [s for s in SCENARIOS if s.certification]
    assert len(certs) == 1
    cert = certs[0]
    assert (cert.feedback_mode, cert.module, cert.difficulty) == ("exam", "hands_on", "advanced")
    assert cert.pass_mark >= 0.85
    assert sum(1 for i in cert.scripted_items if i.critical) >= 3
    assert {i.kind for i in cert.scripted_items} == {"conversation", "inventory", "tile"}


def test_only_extra_practice_is_optional() -> None:
    optional = [s for s in SCENARIOS if not s.required]
    assert all(not s.certification for s in optional)
    assert len(optional) < len(SCENARIOS) // 2


# ---------------------------------------------------------------- realistic, consistent items


def root_conversations(scenario: Scenario) -> list[ConversationItem]:
    return [i for i in scenario.scripted_items if isinstance(i, ConversationItem) and not i.follow_up]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scripted_conversations_are_fully_described(scenario: Scenario) -> None:
    missing = [
        i.id
        for i in root_conversations(scenario)
        if not (i.customer and i.customer.name and i.intent and i.priority and i.labels and i.order)
        or i.waiting_minutes is None
    ]
    assert missing == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_customers_and_orders_do_not_repeat_within_a_scenario(scenario: Scenario) -> None:
    conversations = root_conversations(scenario)
    names = [i.customer.name for i in conversations if i.customer]
    orders = [i.order.id for i in conversations if i.order and i.order.id]
    assert len(names) == len(set(names))
    assert len(orders) == len(set(orders))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_no_tracking_news_is_said_explicitly(scenario: Scenario) -> None:
    """ack_delay items name their missing carrier; otherwise the queue would invent tracking news."""
    vague = [
        i.id
        for i in root_conversations(scenario)
        if i.expected.template == "ack_delay" and not (i.order and i.order.carrier)
    ]
    assert vague == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_each_tile_has_one_state_at_the_start(scenario: Scenario) -> None:
    tiles = [i.tile for i in scenario.scripted_items if isinstance(i, TileItem) and not i.follow_up]
    assert len(tiles) == len(set(tiles))


def has_empty_escalations_tile(scenario: Scenario) -> bool:
    return any(
        isinstance(i, TileItem) and (i.tile, i.state) == ("cx_escalations", "empty") for i in scenario.scripted_items
    )


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if has_empty_escalations_tile(s)], ids=lambda s: s.id)
def test_an_empty_escalations_tile_is_not_contradicted_by_the_queue(scenario: Scenario) -> None:
    """ "No SLA breaches detected" must be true of the conversations the trainee works on."""
    queue = generate_queue(scenario)
    entries = [*queue.entries, *queue.follow_ups.values()]
    assert [e.item.id for e in entries if escalation_row(e, queue.now) is not None] == []


# ---------------------------------------------------------------- the runbook's calls pass every scenario


def expected_walk(scenario: Scenario) -> list[Decision]:
    """Make the expected call on every pending item until the path ends, as a trainee would."""
    queue = generate_queue(scenario)
    decisions: list[Decision] = []
    while pending := pending_item_ids(queue, decisions):
        for item_id in pending:
            item = queue.item(item_id)
            expected = item.expected
            # an edit sends the draft with its declared defects fixed; unedited, they are still in it
            body = fixed_draft(item) if isinstance(item, ConversationItem) and expected.call == "edit_draft" else None
            decisions.append(Decision(item_id, expected.call, expected.template, body))
    return decisions


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_the_expected_calls_score_full_marks_and_pass(scenario: Scenario) -> None:
    decisions = expected_walk(scenario)
    result = score_attempt(scenario, decisions)
    assert (result.score, result.passed, result.critical_failures) == (result.max_score, True, ())
    assert result.unanswered == 0
    assert set(generate_queue(scenario).root_ids()) <= {d.item_id for d in decisions}


def critical_roots(scenario: Scenario) -> set[str]:
    return {i.id for i in scenario.scripted_items if i.critical and not i.follow_up}


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if critical_roots(s)], ids=lambda s: s.id)
def test_missing_a_critical_item_fails_the_attempt(scenario: Scenario) -> None:
    critical = critical_roots(scenario)
    decisions = [d for d in expected_walk(scenario) if d.item_id not in critical]
    result = score_attempt(scenario, decisions)
    assert not result.passed and set(result.critical_failures) == critical
