"""The one scenario catalog: the built-in files plus the studio's published scenarios.

The app (through a cache in `optrain.ui.catalog`) and every CLI command read scenarios
through `load_catalog`, so a studio scenario has the same title, questions and agenda
part everywhere. Archived scenarios are left out for trainees and kept for records
(exports still name their questions).
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from optrain.scenario_versions import custom_scenarios, published_scenarios
from optrain.scenarios.loader import Catalog, load_scenarios
from optrain.scenarios.model import Scenario
from optrain.storage.scenario_store import archived_ids


def load_builtin(folder: Path) -> Catalog:
    return load_scenarios([folder] if folder.is_dir() else [])


def merge_catalog(builtin: Catalog, studio: dict[str, Scenario], archived: frozenset[str]) -> Catalog:
    """Built-ins win over a studio scenario of the same id (the studio refuses such ids anyway)."""
    merged = {**{k: v for k, v in studio.items() if k not in builtin.scenarios}, **builtin.scenarios}
    return Catalog(scenarios={k: v for k, v in merged.items() if k not in archived}, problems=builtin.problems)


def load_catalog(folder: Path, db: Database | None, *, for_records: bool = False) -> Catalog:
    """What trainees see: built-ins and published studio scenarios, archived ones left out.

    `for_records` keeps archived scenarios and the newest studio versions (drafts too), for
    naming the questions and parts of answers and attempts that already exist.
    """
    builtin = load_builtin(folder)
    if db is None:
        return builtin
    if for_records:
        return merge_catalog(builtin, custom_scenarios(db), frozenset())
    return merge_catalog(builtin, published_scenarios(db), archived_ids(db))
