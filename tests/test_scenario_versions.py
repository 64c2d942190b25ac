"""Studio scenarios: drafts until published, versions kept for attempts, archive/restore, delete, history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from optrain import training
from optrain.catalog import load_catalog
from optrain.errors import AttemptError, ScenarioError
from optrain.scenario_versions import (
    archive,
    custom_scenarios,
    delete_draft,
    history,
    publish,
    published_scenarios,
    resolve,
    restore,
    save_draft,
    scenario_source,
    studio_entries,
    to_yaml,
    version_diff,
)
from optrain.scenarios.loader import ScenarioFileError, parse_scenario_text

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
TEXT = (ROOT / "fixtures" / "scenarios" / "valid" / "brake_day.yaml").read_text(encoding="utf-8")
CASEY = training.Operator("casey", "Casey Morgan", "casey@x.test")


def test_a_saved_scenario_is_a_draft_that_trainees_do_not_see(db) -> None:  # type: ignore[no-untyped-def]
    first = save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    assert (first.action, first.scenario.version) == ("created", 1)
    assert published_scenarios(db) == {}
    assert "brake_day" not in load_catalog(SCENARIOS, db).scenarios
    assert save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=()).action == "unchanged"
    assert (
        save_draft(db, TEXT.replace("units: 4", "units: 5"), author="riley", now=NOW, builtin_ids=()).action
        == "updated"
    )
    published = publish(db, "brake_day", by="riley", now=NOW)
    assert published.version == 1 and published.scripted_items[0].units == 5
    assert load_catalog(SCENARIOS, db).scenarios["brake_day"] == published


def test_editing_a_published_scenario_keeps_trainees_on_the_published_version(db) -> None:  # type: ignore[no-untyped-def]
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    v1 = publish(db, "brake_day", by="riley", now=NOW)
    attempt = training.start_attempt(db, v1, CASEY, NOW)
    draft = save_draft(db, TEXT.replace("units: 4", "units: 6"), author="riley", now=NOW, builtin_ids=())
    assert (draft.action, draft.scenario.version) == ("new_version", 2)
    assert load_catalog(SCENARIOS, db).scenarios["brake_day"] == v1  # the learning path did not move
    assert custom_scenarios(db)["brake_day"].version == 2
    v2 = publish(db, "brake_day", by="riley", now=NOW)
    assert load_catalog(SCENARIOS, db).scenarios["brake_day"] == v2
    assert resolve(db, v2, "brake_day", attempt.scenario_version) == v1  # the attempt keeps its version
    with pytest.raises(ScenarioError, match="has no draft to publish: version 2 is already published"):
        publish(db, "brake_day", by="riley", now=NOW)


def test_a_saved_text_keeps_comments_and_gets_the_stored_version_number(db) -> None:  # type: ignore[no-untyped-def]
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    publish(db, "brake_day", by="riley", now=NOW)
    edited = "# my note\n" + TEXT.replace("units: 4", "units: 7")
    save_draft(db, edited, author="riley", now=NOW, builtin_ids=())
    assert scenario_source(SCENARIOS, db, "brake_day").decode() == edited.replace("version: 1", "version: 2", 1)
    assert scenario_source(SCENARIOS, db, "brake_day", 1).decode() == TEXT


def test_archive_hides_and_restore_brings_back(db) -> None:  # type: ignore[no-untyped-def]
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    publish(db, "brake_day", by="riley", now=NOW)
    archive(db, "brake_day", by="riley", now=NOW, known_ids=())
    assert "brake_day" not in load_catalog(SCENARIOS, db).scenarios
    assert "brake_day" in load_catalog(SCENARIOS, db, for_records=True).scenarios
    with pytest.raises(ScenarioError, match="is archived; restore it before publishing"):
        save_draft(db, TEXT.replace("units: 4", "units: 9"), author="riley", now=NOW, builtin_ids=())
        publish(db, "brake_day", by="riley", now=NOW)
    restore(db, "brake_day", by="riley", now=NOW)
    assert "brake_day" in load_catalog(SCENARIOS, db).scenarios
    with pytest.raises(ScenarioError, match="is not archived"):
        restore(db, "brake_day", by="riley", now=NOW)


def test_a_built_in_can_be_archived_too(db) -> None:  # type: ignore[no-untyped-def]
    known = tuple(load_catalog(SCENARIOS, None).scenarios)
    archive(db, "hands_on_practice", by="riley", now=NOW, known_ids=known)
    assert "hands_on_practice" not in load_catalog(SCENARIOS, db).scenarios
    with pytest.raises(ScenarioError, match="There is no scenario 'nope'"):
        archive(db, "nope", by="riley", now=NOW, known_ids=known)


def test_only_a_never_published_draft_without_attempts_can_be_deleted(db) -> None:  # type: ignore[no-untyped-def]
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    trial = training.start_attempt(db, custom_scenarios(db)["brake_day"], CASEY, NOW, official=False)
    with pytest.raises(ScenarioError, match="has attempts \\(trial runs count\\); archive it instead"):
        delete_draft(db, "brake_day", by="riley", now=NOW)
    assert trial.scenario_version == 1
    other = TEXT.replace("id: brake_day", "id: brake_day_two")
    save_draft(db, other, author="riley", now=NOW, builtin_ids=())
    assert delete_draft(db, "brake_day_two", by="riley", now=NOW) == 1
    assert "brake_day_two" not in custom_scenarios(db)
    publish(db, "brake_day", by="riley", now=NOW)
    with pytest.raises(ScenarioError, match="has been published; archive it instead"):
        delete_draft(db, "brake_day", by="riley", now=NOW)


def test_history_says_who_did_what_and_when_and_diffs_two_versions(db) -> None:  # type: ignore[no-untyped-def]
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    publish(db, "brake_day", by="sam", now=NOW + timedelta(minutes=1))
    save_draft(db, TEXT.replace("units: 4", "units: 8"), author="riley", now=NOW + timedelta(minutes=2), builtin_ids=())
    archive(db, "brake_day", by="sam", now=NOW + timedelta(minutes=3), known_ids=())
    assert [(e.action, e.version, e.actor, e.at) for e in history(db, "brake_day")] == [
        ("archived", None, "sam", NOW + timedelta(minutes=3)),
        ("saved", 2, "riley", NOW + timedelta(minutes=2)),
        ("published", 1, "sam", NOW + timedelta(minutes=1)),
        ("saved", 1, "riley", NOW),
    ]
    diff = version_diff(db, "brake_day", 1, 2)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-version: 1", "+version: 2", "-    units: 4", "+    units: 8"]
    assert [(e.scenario_id, e.status, e.published_version, e.draft_version) for e in studio_entries(db)] == [
        ("brake_day", "archived", 1, 2)
    ]


def test_builtin_versions_are_snapshotted_when_attempted(db) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario_text(TEXT.replace("module: custom", "module: hands_on"), "x")
    training.start_attempt(db, scenario, CASEY, NOW)
    newer = scenario.model_copy(update={"version": 2})
    assert resolve(db, newer, scenario.id, 1) == scenario
    with pytest.raises(AttemptError, match="no longer available"):
        resolve(db, newer, scenario.id, 7)
    assert studio_entries(db) == ()  # a snapshot is not a studio scenario


def test_saving_refuses_builtin_ids_and_broken_yaml(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="is a built-in scenario"):
        save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=("brake_day",))
    with pytest.raises(ScenarioFileError, match="pasted scenario: queue\\[0\\].expected.call"):
        save_draft(db, TEXT.replace("call: reorder", "call: reordr"), author="riley", now=NOW, builtin_ids=())
    assert custom_scenarios(db) == {}


def test_a_version_without_source_text_renders_as_yaml_that_loads_back(db) -> None:  # type: ignore[no-untyped-def]
    saved = save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=()).scenario
    assert parse_scenario_text(to_yaml(saved), "dl") == saved


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_builtin_exports_as_its_file_byte_for_byte(path: Path) -> None:
    assert scenario_source(SCENARIOS, None, path.stem) == path.read_bytes()
