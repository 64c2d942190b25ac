"""The scenario catalog: built-in files plus custom scenarios from the studio, reloaded on change."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

from optrain.config import Settings
from optrain.scenario_versions import custom_scenarios
from optrain.scenarios.loader import Catalog, load_scenarios
from optrain.storage.scenario_store import custom_fingerprint
from optrain.ui.db import get_db


def _fingerprint(folder: Path) -> str:
    """Names, sizes and mtimes: a file added, edited or broken while the app runs reloads the catalog.

    Returned as one digest: the cache hashes its arguments on every page run, and a short string
    hashes far faster than a tuple per file.
    """
    if not folder.is_dir():
        return ""
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            stat = entry.stat()
        except OSError:
            continue
        out.append((entry.name, stat.st_size, stat.st_mtime_ns))
    return hashlib.blake2b(repr(out).encode(), digest_size=16).hexdigest()


@st.cache_resource(show_spinner="Loading scenarios...", max_entries=8)
def _load(folder: str, fingerprint: str) -> Catalog:
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
