"""The lifecycle of studio scenarios, and snapshots of the versions attempts were taken on.

A studio scenario is a draft until a trainer publishes it; trainees only ever see
published versions. Editing a published scenario saves a new draft version beside
it, so the learning path does not move until the draft is published. Published
versions are never changed: attempts keep pointing at the version they were taken
on. An archived scenario is hidden from trainees and the path (attempts kept) until
restored; only a scenario that was never published and has no attempts can be deleted.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from sqlite_utils import Database

from optrain.errors import AttemptError, ScenarioError
from optrain.scenarios.loader import parse_scenario_text, read_scenario_bytes, scenario_files
from optrain.scenarios.model import Scenario
from optrain.scenarios.roundtrip import set_version
from optrain.storage import scenario_store
from optrain.storage.scenario_store import ScenarioEvent, StoredScenario

SaveAction = Literal["created", "updated", "new_version", "unchanged"]
Status = Literal["draft", "published", "published_with_draft", "archived"]


def content_hash(scenario: Scenario) -> str:
    """Of everything but the version number, so a re-save with only a new number is 'unchanged'."""
    data = scenario.model_copy(update={"version": 1}).model_dump_json()
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def snapshot(db: Database, scenario: Scenario, *, source: str, now: datetime) -> None:
    """Keep this version for as long as attempts may refer to it (first snapshot wins)."""
    scenario_store.put_version(
        db,
        scenario_id=scenario.id,
        version=scenario.version,
        source=source,
        model_json=scenario.model_dump_json(),
        yaml_text=None,
        content_hash=content_hash(scenario),
        saved_by=None,
        now=now,
    )


def resolve(db: Database, current: Scenario | None, scenario_id: str, version: int) -> Scenario:
    """The scenario an attempt was taken on: the current one if the version matches, else its snapshot."""
    if current is not None and current.version == version:
        return current
    stored = scenario_store.get_version(db, scenario_id, version)
    if stored is None:
        raise AttemptError(f"Version {version} of '{scenario_id}' is no longer available.")
    return Scenario.model_validate_json(stored.model_json)


def _model(stored: StoredScenario) -> Scenario:
    return Scenario.model_validate_json(stored.model_json)


def published_scenarios(db: Database) -> dict[str, Scenario]:
    """What trainees see of the studio: the newest published version of each scenario not archived."""
    archived = scenario_store.archived_ids(db)
    return {
        s.scenario_id: _model(s) for s in scenario_store.latest_published_custom(db) if s.scenario_id not in archived
    }


def custom_scenarios(db: Database) -> dict[str, Scenario]:
    """The newest version of every studio scenario, drafts included (for the studio, not for trainees)."""
    return {s.scenario_id: _model(s) for s in scenario_store.latest_custom(db)}


def to_yaml(scenario: Scenario) -> str:
    """A clean YAML rendering for a version that has no source text (a snapshot); defaults left out."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    first: tuple[str, ...] = ("id", "title", "version", "module", "difficulty")
    ordered: dict[str, object] = {k: data[k] for k in first if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


def source_text(stored: StoredScenario) -> str:
    """The YAML of a stored version as its author wrote it (only the version number is kept current)."""
    return stored.yaml_text if stored.yaml_text is not None else to_yaml(_model(stored))


@dataclass(frozen=True)
class SaveOutcome:
    scenario: Scenario
    action: SaveAction

    @property
    def message(self) -> str:
        s = self.scenario
        return {
            "created": f"Saved '{s.id}' as a draft, version {s.version}. Trainees see it once you publish it.",
            "updated": f"Updated the draft of '{s.id}', version {s.version}.",
            "new_version": f"Saved '{s.id}' as a draft, version {s.version}; trainees keep the published "
            "version until you publish this one.",
            "unchanged": f"No changes: '{s.id}' version {s.version} is already saved.",
        }[self.action]


def save_draft(
    db: Database, text: str, *, author: str, now: datetime, builtin_ids: Collection[str], name: str = "pasted scenario"
) -> SaveOutcome:
    """Validate pasted or uploaded YAML and store it as the scenario's draft.

    The draft is updated in place while nobody has attempted it (a trial run counts);
    otherwise, and always after a published version, the draft is a new version.
    The text is kept as written, with its `version:` set to the version it is stored as.
    """
    scenario = parse_scenario_text(text, name)
    if scenario.id in builtin_ids:
        raise ScenarioError(
            f"'{scenario.id}' is a built-in scenario; built-ins are edited in the scenarios folder. "
            "Give your scenario another id."
        )
    versions = scenario_store.versions_of(db, scenario.id)
    digest = content_hash(scenario)
    action: SaveAction = "created"
    version = 1
    if versions:
        latest = versions[0]
        if latest.content_hash == digest:
            return SaveOutcome(_model(latest), "unchanged")
        if latest.is_draft and not scenario_store.attempts_on(db, scenario.id, latest.version):
            version, action = latest.version, "updated"
        else:
            version, action = latest.version + 1, "new_version"
    if scenario.version != version:
        text = set_version(text, version)
        scenario = scenario.model_copy(update={"version": version})
    scenario_store.put_version(
        db,
        scenario_id=scenario.id,
        version=version,
        source="custom",
        model_json=scenario.model_dump_json(),
        yaml_text=text,
        content_hash=digest,
        saved_by=author,
        now=now,
        replace=action == "updated",
    )
    return SaveOutcome(scenario, action)


def publish(db: Database, scenario_id: str, *, by: str | None, now: datetime) -> Scenario:
    """Publish the scenario's draft: trainees get it from their next catalog load on."""
    versions = scenario_store.versions_of(db, scenario_id)
    if not versions or versions[0].source != "custom":
        raise ScenarioError(f"'{scenario_id}' is not a studio scenario; save it in the studio first.")
    latest = versions[0]
    if scenario_id in scenario_store.archived_ids(db):
        raise ScenarioError(f"'{scenario_id}' is archived; restore it before publishing.")
    if not latest.is_draft or not scenario_store.mark_published(db, scenario_id, latest.version, by=by, now=now):
        raise ScenarioError(f"'{scenario_id}' has no draft to publish: version {latest.version} is already published.")
    return _model(latest)


def archive(db: Database, scenario_id: str, *, by: str | None, now: datetime, known_ids: Collection[str]) -> None:
    """Hide a scenario from trainees and the learning path; its attempts and versions stay."""
    if scenario_id not in known_ids and not scenario_store.versions_of(db, scenario_id):
        raise ScenarioError(f"There is no scenario '{scenario_id}'.")
    if not scenario_store.set_archived(db, scenario_id, True, by=by, now=now):
        raise ScenarioError(f"'{scenario_id}' is already archived.")


def restore(db: Database, scenario_id: str, *, by: str | None, now: datetime) -> None:
    if not scenario_store.set_archived(db, scenario_id, False, by=by, now=now):
        raise ScenarioError(f"'{scenario_id}' is not archived.")


def delete_draft(db: Database, scenario_id: str, *, by: str | None, now: datetime) -> int:
    """Delete a studio scenario that was never published and has no attempts (a trial run counts)."""
    versions = scenario_store.versions_of(db, scenario_id)
    if not versions:
        raise ScenarioError(f"There is no studio scenario '{scenario_id}'.")
    if any(not v.is_draft for v in versions):
        raise ScenarioError(f"'{scenario_id}' has been published; archive it instead (its attempts are kept).")
    if scenario_store.attempts_on(db, scenario_id):
        raise ScenarioError(f"'{scenario_id}' has attempts (trial runs count); archive it instead.")
    deleted = scenario_store.delete_unpublished(db, scenario_id, by=by, now=now)
    if not deleted:
        raise ScenarioError(f"'{scenario_id}' changed while deleting; look again and retry.")
    return deleted


# ---------------------------------------------------------------- listing and history


@dataclass(frozen=True)
class StudioEntry:
    scenario_id: str
    title: str
    status: Status
    published_version: int | None
    draft_version: int | None
    attempts: int


def studio_entries(db: Database) -> tuple[StudioEntry, ...]:
    """Every studio scenario with its state, for the studio's list and `optrain scenario list`."""
    archived = scenario_store.archived_ids(db)
    out: list[StudioEntry] = []
    for latest in scenario_store.latest_custom(db):
        versions = scenario_store.versions_of(db, latest.scenario_id)
        published = next((v.version for v in versions if not v.is_draft), None)
        draft = latest.version if latest.is_draft else None
        status: Status = (
            "archived"
            if latest.scenario_id in archived
            else "draft"
            if published is None
            else "published_with_draft"
            if draft is not None
            else "published"
        )
        out.append(
            StudioEntry(
                latest.scenario_id,
                _model(latest).title,
                status,
                published,
                draft,
                scenario_store.attempts_on(db, latest.scenario_id),
            )
        )
    return tuple(out)


STATUS_LABELS: dict[str, str] = {
    "draft": "draft (not published)",
    "published": "published",
    "published_with_draft": "published, with a newer draft",
    "archived": "archived",
}


def history(db: Database, scenario_id: str) -> tuple[ScenarioEvent, ...]:
    """Who saved, published, archived, restored or deleted what and when, newest first."""
    return scenario_store.events_of(db, scenario_id)


def versions(db: Database, scenario_id: str) -> tuple[StoredScenario, ...]:
    return scenario_store.versions_of(db, scenario_id)


def version_diff(db: Database, scenario_id: str, old: int, new: int) -> str:
    """A unified diff of the YAML of two versions, as an author reads a change."""
    texts: list[str] = []
    for number in (old, new):
        stored = scenario_store.get_version(db, scenario_id, number)
        if stored is None:
            raise ScenarioError(f"'{scenario_id}' has no version {number}.")
        texts.append(source_text(stored))
    return "".join(
        difflib.unified_diff(
            texts[0].splitlines(keepends=True),
            texts[1].splitlines(keepends=True),
            fromfile=f"{scenario_id} version {old}",
            tofile=f"{scenario_id} version {new}",
        )
    )


def builtin_source(folder: Path, scenario_id: str) -> bytes | None:
    """The file of a built-in scenario, byte for byte (its id is its file name)."""
    for path in scenario_files([folder] if folder.is_dir() else []):
        if path.stem == scenario_id:
            return read_scenario_bytes(path)
    return None


def scenario_source(folder: Path, db: Database | None, scenario_id: str, version: int | None = None) -> bytes:
    """The YAML an author would edit: a built-in's file as it is, a studio version as it was saved."""
    if version is None:
        found = builtin_source(folder, scenario_id)
        if found is not None:
            return found
    stored = scenario_store.versions_of(db, scenario_id) if db is not None else ()
    chosen = next((v for v in stored if version is None or v.version == version), None)
    if chosen is None or chosen.source != "custom":
        what = f"version {version} of '{scenario_id}'" if version is not None else f"scenario '{scenario_id}'"
        raise ScenarioError(f"There is no {what} in the scenarios folder or the studio.")
    return source_text(chosen).encode("utf-8")


def studio_version(db: Database, scenario_id: str, version: int) -> Scenario | None:
    """A stored studio version (draft or published, archived or not), for attempts already made on it."""
    stored = scenario_store.get_version(db, scenario_id, version)
    return _model(stored) if stored is not None and stored.source == "custom" else None
