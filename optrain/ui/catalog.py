"""The scenario catalog for the pages: `optrain.catalog`, cached until a file or the studio changes it."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from optrain.catalog import load_builtin, merge_catalog
from optrain.config import Settings
from optrain.scenario_versions import published_scenarios
from optrain.scenarios.loader import Catalog, is_scenario_name
from optrain.scenarios.model import Scenario
from optrain.storage.scenario_store import archived_ids, custom_fingerprint
from optrain.ui.db import get_db


def _fingerprint(folder: Path) -> str:
    """Names, sizes and mtimes: a file added, edited or broken while the app runs reloads the catalog.

    Returned as one digest: the cache hashes its arguments on every page run, and a short string
    hashes far faster than a tuple per file.
    """
    if not folder.is_dir():
        return ""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not is_scenario_name(Path(name)):
                continue
            path = os.path.join(root, name)  # the folder is one argument of the cache: no need to make it relative
            try:
                stat = os.stat(path)
            except OSError:
                continue
            out.append((path, stat.st_size, stat.st_mtime_ns))
    return hashlib.blake2b(repr(out).encode(), digest_size=16).hexdigest()


# `lru_cache`, not `st.cache_resource`: both are asked on every page run, and Streamlit's hashes its
# arguments each time (about 0.3 ms a call); the built-in curriculum loads in tens of milliseconds.
@lru_cache(maxsize=8)
def _load(folder: str, fingerprint: str) -> Catalog:
    return load_builtin(Path(folder))


@lru_cache(maxsize=8)
def _studio(db_path: str, fingerprint: tuple[int, str]) -> tuple[dict[str, Scenario], frozenset[str]]:
    db = get_db()
    return published_scenarios(db), archived_ids(db)


def builtin_catalog(settings: Settings | None = None) -> Catalog:
    settings = settings or Settings.from_env()
    folder = str(settings.scenarios_dir)
    return _load(folder, _fingerprint(Path(folder)))


def get_catalog(settings: Settings | None = None) -> Catalog:
    """What trainees see (`optrain.catalog.load_catalog`): built-ins and published studio scenarios."""
    settings = settings or Settings.from_env()
    builtin = builtin_catalog(settings)
    studio, archived = _studio(str(settings.db_path), custom_fingerprint(get_db(settings)))
    if not studio and not archived:
        return builtin
    return merge_catalog(builtin, studio, archived)
