"""waiting_minutes longer than a scripted thread moves the thread back; nothing crashes later."""

from __future__ import annotations

from pathlib import Path

from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenario_file
from optrain.scoring import Decision, score_attempt
from optrain.shift import sla_at

ROOT = Path(__file__).resolve().parent.parent
LONG_WAIT = ROOT / "fixtures" / "scenarios" / "valid" / "long_wait.yaml"


def test_a_scripted_thread_is_moved_back_to_the_waiting_time() -> None:
    scenario = load_scenario_file(LONG_WAIT)
    queue = generate_queue(scenario)
    payload = queue.entry("chatwoot_import").payload
    sla = sla_at(payload, scenario.starts_at)
    assert sla is not None and sla.waiting_seconds == 500 * 60 and sla.breached
    first, last = payload["messages"][0], payload["messages"][-1]
    assert last["created_at"] - first["created_at"] == 10 * 60  # the thread keeps its own spacing


def test_a_follow_up_with_its_own_waiting_time_is_scored() -> None:
    scenario = load_scenario_file(LONG_WAIT)
    queue = generate_queue(scenario)
    follow_up = queue.entry("chatwoot_import_chase").payload
    assert sla_at(follow_up, scenario.starts_at).waiting_seconds == 45 * 60  # type: ignore[union-attr]
    result = score_attempt(
        scenario,
        [
            Decision("chatwoot_import", "escalate_manager", None),
            Decision("chatwoot_import_chase", "approve_template", "ack_delay"),
        ],
        queue,
    )
    assert result.passed and result.score == result.max_score


def test_a_chatwoot_import_with_a_long_wait_runs() -> None:
    """The importer writes waiting_minutes from Chatwoot's waiting_since: often longer than the thread."""
    import yaml as pyyaml

    from optrain.chatwoot_import import import_file
    from optrain.scenarios.loader import parse_scenario_text

    draft = import_file(ROOT / "fixtures" / "chatwoot" / "api_conversation_pii.json")
    newest = min(m["minutes_ago"] for m in draft.item["messages"])
    item = {**draft.item, "waiting_minutes": newest + 600}
    text = pyyaml.safe_dump(
        {
            "id": "imported",
            "title": "Imported",
            "version": 1,
            "module": "custom",
            "difficulty": "beginner",
            "briefing": "From Chatwoot.",
            "queue": [item],
        }
    )
    scenario = parse_scenario_text(text, "imported.yaml")
    queue = generate_queue(scenario)
    assert sla_at(queue.entry(item["id"]).payload, scenario.starts_at).breached  # type: ignore[union-attr]
    assert score_attempt(scenario, [Decision(item["id"], "escalate_manager", None)], queue).passed
