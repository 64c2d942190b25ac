"""The scenario catalog: built-in files plus custom scenarios from the studio, reloaded on change."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from optrain.config import Settings
from optrain.scenario_versions import custom_scenarios
from optrain.scenarios.loader import Catalog, load_scenarios
from optrain.storage.scenario_store import custom_fingerprint
from optrain.ui.db import get_db


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes: a file added, edited or broken while the app runs reloads the catalog."""
    if not folder.is_dir():
        return ()
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


@st.cache_resource(show_spinner="Loading scenarios...", max_entries=8)
def _load(folder: str, fingerprint: tuple[object, ...]) -> Catalog:
    return load_scenarios([Path(folder)] if Path(folder).is_dir() else [])


@st.cache_resource(show_spinner=False, max_entries=8)
def _custom(db_path: str, fingerprint: tuple[int, str]) -> dict:  # type: ignore[type-arg]
    return custom_scenarios(get_db())


def builtin_catalog(settings: Settings | None = None) -> Catalog:
    settings = settings or Settings.from_env()
    folder = str(settings.scenarios_dir)
    return _load(folder, _fingerprint(Path(folder)))


def get_catalog(settings: Settings | None = None) -> Catalog:
    """Built-ins win over a custom scenario of the same id (the studio refuses such ids anyway)."""
    settings = settings or Settings.from_env()
    builtin = builtin_catalog(settings)
    custom = _custom(str(settings.db_path), custom_fingerprint(get_db(settings)))
    if not custom:
        return builtin
    merged = {**{k: v for k, v in custom.items() if k not in builtin.scenarios}, **builtin.scenarios}
    return Catalog(scenarios=merged, problems=builtin.problems)
