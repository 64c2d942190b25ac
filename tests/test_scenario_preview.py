"""The studio's preview is what a trainee gets: same queue, same dashboard states, same scoring,
for every built-in scenario, read from its file and from the studio after publishing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from optrain import storage, training
from optrain.dashboard import build_dashboard
from optrain.scenario_preview import preview_score, preview_shift
from optrain.scenario_versions import publish, published_scenarios, save_draft
from optrain.scenarios.loader import load_scenario_file
from optrain.scoring import Decision

ROOT = Path(__file__).resolve().parent.parent
BUILTINS = sorted((ROOT / "scenarios").glob("*.yaml"))
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
CASEY = training.Operator("casey", "Casey Morgan", "casey@x.test")


def expected_path(queue) -> list[Decision]:  # type: ignore[no-untyped-def]
    """The expected call on every item, walking into the follow-ups those calls lead to."""
    decisions: list[Decision] = []
    pending = list(queue.root_ids())
    while pending:
        item = queue.item(pending.pop(0))
        decisions.append(Decision(item.id, item.expected.call, item.expected.template))
        for key, target in item.follow_ups.items():
            name, _, template = key.partition(":")
            if name == item.expected.call and (not template or template == item.expected.template):
                pending.append(target)
                break
    return decisions


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_preview_equals_the_trainees_shift(path: Path, tmp_path: Path) -> None:
    db = storage.open_db(tmp_path / "p.db")
    text = path.read_text(encoding="utf-8").replace(f"id: {path.stem}", "id: studio_copy", 1)
    save_draft(db, text, author="riley", now=NOW, builtin_ids=())
    publish(db, "studio_copy", by="riley", now=NOW)
    for scenario in (load_scenario_file(path), published_scenarios(db)["studio_copy"]):
        attempt = training.start_attempt(db, scenario, CASEY, NOW)
        state = training.load_state(db, scenario, attempt.id, "casey")
        shown = preview_shift(scenario)
        assert shown.queue.to_dict() == state.queue.to_dict()
        assert shown.pending == state.pending
        trainee_board = build_dashboard(scenario, state.queue, revealed=set(state.pending) | state.decided_ids)
        assert shown.dashboard == trainee_board
        decisions = expected_path(state.queue)
        for _n, d in enumerate(decisions):
            state = training.load_state(db, scenario, attempt.id, "casey")
            note = "over the limit" if d.call.startswith("escalate") else None
            training.record_call(
                db,
                state,
                CASEY,
                training.CallInput(d.item_id, d.call, d.template, None, note),
                now=NOW,
                elapsed_seconds=30.0,
            )
        state = training.load_state(db, scenario, attempt.id, "casey")
        assert preview_shift(scenario, decisions).dashboard == build_dashboard(
            scenario, state.queue, revealed=set(state.pending) | state.decided_ids
        )
        trainee, previewed = training.result_of(state), preview_score(scenario, decisions)
        assert (previewed.score, previewed.max_score, previewed.passed, previewed.critical_failures) == (
            trainee.score,
            trainee.max_score,
            trainee.passed,
            trainee.critical_failures,
        )
        assert [(r.item_id, r.verdict, r.points, r.max_points) for r in previewed.items] == [
            (r.item_id, r.verdict, r.points, r.max_points) for r in trainee.items
        ]
        training.finish(db, state, now=NOW)
    db.close()
