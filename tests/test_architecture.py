"""House rules that keep the layers apart: the core is UI-free and SQL lives in storage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "optrain"
STREAMLIT_IMPORT = re.compile(r"^\s*(import streamlit(\s|\.|$)|from streamlit(\s|\.))", re.MULTILINE)
SQL = re.compile(r"\b(SELECT\s|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE)", re.IGNORECASE)


def _core_files() -> list[Path]:
    return [p for p in CORE.rglob("*.py") if "ui" not in p.relative_to(CORE).parts]


def test_core_never_imports_streamlit() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _core_files() if STREAMLIT_IMPORT.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("folder", ["optrain", "app_pages"])
def test_sql_only_in_storage(folder: str) -> None:
    files = [p for p in (ROOT / folder).rglob("*.py") if "storage" not in p.relative_to(ROOT).parts]
    files += [ROOT / "streamlit_app.py"]
    offenders = [str(p.relative_to(ROOT)) for p in files if SQL.search(p.read_text())]
    assert offenders == []


def test_no_legacy_pages_folder() -> None:
    """A pages/ folder beside the entry file turns on Streamlit's URL-reachable legacy routing."""
    assert not (ROOT / "pages").exists()
