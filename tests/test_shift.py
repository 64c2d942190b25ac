"""The simulated shift clock and SLA indicators against it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from optrain.scenarios.model import Scenario
from optrain.scenarios.summary import decision_count, estimated_minutes
from optrain.shift import duration, shift_end, shift_now, sla_at

SCENARIO = Scenario.model_validate(
    {
        "id": "s",
        "title": "t",
        "version": 1,
        "module": "custom",
        "difficulty": "beginner",
        "briefing": "b",
        "shift_minutes": 60,
        "queue": [
            {
                "id": "a",
                "kind": "inventory",
                "sku": "X",
                "product": "P",
                "units": 1,
                "days_of_cover": 1,
                "expected": {"call": "reorder"},
                "rationale": "r",
                "rule": "low_cover_reorder",
            },
            {"generated": {"count": 3, "intents": {"defect": 1}}},
        ],
    }
)


@pytest.mark.parametrize(("decided", "total", "minutes"), [(0, 4, 0), (1, 4, 15), (4, 4, 60), (5, 4, 60), (0, 0, 60)])
def test_the_clock_moves_with_the_work(decided: int, total: int, minutes: int) -> None:
    assert shift_now(SCENARIO, decided, total) == SCENARIO.starts_at + timedelta(minutes=minutes)
    assert shift_end(SCENARIO) == SCENARIO.starts_at + timedelta(minutes=60)


@pytest.mark.parametrize(
    ("waited", "breached", "label"),
    [
        (10 * 60, False, "50m to SLA breach"),
        (3600, False, "0 s to SLA breach"),
        (3600 + 125 * 60, True, "SLA breached 2h 05m ago"),
    ],
)
def test_sla_indicator(waited: int, breached: bool, label: str) -> None:
    now = SCENARIO.starts_at
    payload = {"waiting_since": int(now.timestamp()) - waited, "sla_policy": {"first_response_time_threshold": 3600}}
    view = sla_at(payload, now)
    assert view is not None and (view.breached, view.label) == (breached, label)
    assert sla_at({}, now) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (42, "42 s"), (59, "59 s"), (61, "1m"), (3 * 3600 + 60, "3h 01m"), (50 * 3600, "2d 2h")],
)
def test_duration(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_catalog_facts() -> None:
    assert decision_count(SCENARIO) == 4
    assert estimated_minutes(SCENARIO) == 8  # 120 s briefing + 60 s item + 3 x 90 s background
    assert estimated_minutes(SCENARIO.model_copy(update={"estimated_minutes": 25})) == 25
