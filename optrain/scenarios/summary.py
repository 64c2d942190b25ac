"""Catalog facts about a scenario: how many calls it asks for and how long it takes."""

from __future__ import annotations

import math

from optrain.scenarios.model import Scenario


def decision_count(scenario: Scenario) -> int:
    """Calls every trainee makes at least: root scripted items plus generated conversations."""
    roots = sum(1 for item in scenario.scripted_items if not item.follow_up)
    return roots + sum(spec.count for spec in scenario.generated_specs)


def estimated_minutes(scenario: Scenario) -> int:
    """The author's estimate, else reading the briefing plus each item's time target, plus Q&A."""
    if scenario.estimated_minutes:
        return scenario.estimated_minutes
    scripted = sum(item.time_target_seconds for item in scenario.scripted_items if not item.follow_up)
    generated = 90 * sum(spec.count for spec in scenario.generated_specs)
    seconds = 120 + scripted + generated + 45 * len(scenario.questions)
    return max(1, math.ceil(seconds / 60))
