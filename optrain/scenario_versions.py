"""Scenario versions over time: custom scenarios saved from the studio, and snapshots of the
versions attempts were taken on.

Saving a changed scenario that already has attempts creates a new version; the
old attempts keep pointing at the version they were taken on, which stays in
the database and is used to show and score them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import yaml
from sqlite_utils import Database

from optrain.errors import AttemptError, ScenarioError
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.model import Scenario
from optrain.storage import scenario_store

SaveAction = Literal["created", "updated", "new_version", "unchanged"]


def content_hash(scenario: Scenario) -> str:
    """Of everything but the version number, so a re-save with only a new number is 'unchanged'."""
    data = scenario.model_copy(update={"version": 1}).model_dump_json()
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def snapshot(db: Database, scenario: Scenario, *, source: str, now: datetime) -> None:
    """Keep this version for as long as attempts may refer to it (first snapshot wins)."""
    scenario_store.put_version(
        db, scenario_id=scenario.id, version=scenario.version, source=source,
        model_json=scenario.model_dump_json(), yaml_text=None, content_hash=content_hash(scenario),
        saved_by=None, now=now,
    )


def resolve(db: Database, current: Scenario | None, scenario_id: str, version: int) -> Scenario:
    """The scenario an attempt was taken on: the current one if the version matches, else its snapshot."""
    if current is not None and current.version == version:
        return current
    stored = scenario_store.get_version(db, scenario_id, version)
    if stored is None:
        raise AttemptError(f"Version {version} of '{scenario_id}' is no longer available.")
    return Scenario.model_validate_json(stored.model_json)


def custom_scenarios(db: Database) -> dict[str, Scenario]:
    return {s.scenario_id: Scenario.model_validate_json(s.model_json) for s in scenario_store.latest_custom(db)}


def to_yaml(scenario: Scenario) -> str:
    """A clean YAML rendering for download (defaults left out so the file stays readable)."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    first: tuple[str, ...] = ("id", "title", "version", "module", "difficulty")
    ordered: dict[str, object] = {k: data[k] for k in first if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


@dataclass(frozen=True)
class SaveOutcome:
    scenario: Scenario
    action: SaveAction

    @property
    def message(self) -> str:
        s = self.scenario
        return {
            "created": f"Saved '{s.id}' as version {s.version}.",
            "updated": f"Updated '{s.id}' version {s.version} (nobody has attempted it yet).",
            "new_version": f"Saved '{s.id}' as version {s.version}; earlier attempts keep their own version.",
            "unchanged": f"No changes: '{s.id}' version {s.version} is already saved.",
        }[self.action]


def save_custom(db: Database, text: str, *, author: str, now: datetime, builtin_ids: Collection[str]) -> SaveOutcome:
    """Validate pasted or uploaded YAML and store it as a custom scenario version."""
    scenario = parse_scenario_text(text, "pasted scenario")
    if scenario.id in builtin_ids:
        raise ScenarioError(
            f"'{scenario.id}' is a built-in scenario; built-ins are edited in the scenarios folder. "
            "Give your scenario another id."
        )
    versions = scenario_store.versions_of(db, scenario.id)
    digest = content_hash(scenario)
    action: SaveAction = "created"
    if versions:
        latest = versions[0]
        if latest.content_hash == digest:
            return SaveOutcome(Scenario.model_validate_json(latest.model_json), "unchanged")
        if scenario_store.attempts_on(db, scenario.id, latest.version):
            scenario = scenario.model_copy(update={"version": latest.version + 1})
            action = "new_version"
        else:
            scenario = scenario.model_copy(update={"version": latest.version})
            action = "updated"
    scenario_store.put_version(
        db, scenario_id=scenario.id, version=scenario.version, source="custom",
        model_json=scenario.model_dump_json(), yaml_text=text, content_hash=digest,
        saved_by=author, now=now, replace=action == "updated",
    )
    return SaveOutcome(scenario, action)
