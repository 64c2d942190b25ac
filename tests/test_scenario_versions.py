"""Custom scenarios and versions: a change after attempts makes a new version; old attempts keep theirs."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from optrain import training
from optrain.errors import AttemptError, ScenarioError
from optrain.scenario_versions import custom_scenarios, resolve, save_custom, to_yaml
from optrain.scenarios.loader import ScenarioFileError, parse_scenario_text

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=timezone.utc)
TEXT = (ROOT / "fixtures" / "scenarios" / "valid" / "brake_day.yaml").read_text(encoding="utf-8")
CASEY = training.Operator("casey", "Casey Morgan", "casey@x.test")


def test_save_update_and_version_after_attempts(db) -> None:  # type: ignore[no-untyped-def]
    first = save_custom(db, TEXT, author="riley", now=NOW, builtin_ids=())
    assert (first.action, first.scenario.version) == ("created", 1)
    assert save_custom(db, TEXT, author="riley", now=NOW, builtin_ids=()).action == "unchanged"
    edited = TEXT.replace("units: 4", "units: 5")
    assert save_custom(db, edited, author="riley", now=NOW, builtin_ids=()).action == "updated"
    scenario = custom_scenarios(db)["brake_day"]
    attempt = training.start_attempt(db, scenario, CASEY, NOW)
    bumped = save_custom(db, TEXT.replace("units: 4", "units: 6"), author="riley", now=NOW, builtin_ids=())
    assert (bumped.action, bumped.scenario.version) == ("new_version", 2)
    current = custom_scenarios(db)["brake_day"]
    assert current.version == 2
    old = resolve(db, current, "brake_day", attempt.scenario_version)
    assert old.version == 1 and old.scripted_items[0].units == 5


def test_builtin_versions_are_snapshotted_when_attempted(db) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario_text(TEXT.replace("module: custom", "module: hands_on"), "x")
    training.start_attempt(db, scenario, CASEY, NOW)
    newer = scenario.model_copy(update={"version": 2})
    assert resolve(db, newer, scenario.id, 1) == scenario
    with pytest.raises(AttemptError, match="no longer available"):
        resolve(db, newer, scenario.id, 7)


def test_saving_refuses_builtin_ids_and_broken_yaml(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="is a built-in scenario"):
        save_custom(db, TEXT, author="riley", now=NOW, builtin_ids=("brake_day",))
    with pytest.raises(ScenarioFileError, match="pasted scenario: queue\\[0\\].expected.call"):
        save_custom(db, TEXT.replace("call: reorder", "call: reordr"), author="riley", now=NOW, builtin_ids=())
    assert custom_scenarios(db) == {}


def test_download_yaml_round_trips(db) -> None:  # type: ignore[no-untyped-def]
    saved = save_custom(db, TEXT, author="riley", now=NOW, builtin_ids=()).scenario
    assert parse_scenario_text(to_yaml(saved), "dl") == saved
