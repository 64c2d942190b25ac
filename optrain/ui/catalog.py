"""The scenario catalog, loaded once per change of the scenario files."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from optrain.config import Settings
from optrain.scenarios.loader import Catalog, load_scenarios


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes: a file added, edited or broken while the app runs reloads the catalog."""
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, st_.st_size, st_.st_mtime_ns)
        for p in sorted(folder.glob("*.yaml"))
        for st_ in [p.stat()]
    )


@st.cache_resource(show_spinner="Loading scenarios...", max_entries=8)
def _load(folders: tuple[str, ...], fingerprint: tuple[object, ...]) -> Catalog:
    return load_scenarios([Path(f) for f in folders if Path(f).is_dir()])


def get_catalog(settings: Settings | None = None) -> Catalog:
    settings = settings or Settings.from_env()
    folders = (str(settings.scenarios_dir),)
    return _load(folders, tuple(_fingerprint(Path(f)) for f in folders))
