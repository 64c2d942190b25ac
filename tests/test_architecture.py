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


PRINT_CALL = re.compile(r"^\s*print\(", re.MULTILINE)


def test_no_print_for_diagnostics() -> None:
    """Diagnostics go through logging (optrain/log.py); what the CLI tells its user goes through click.echo."""
    files = [*CORE.rglob("*.py"), *(ROOT / "app_pages").rglob("*.py"), ROOT / "streamlit_app.py"]
    assert [str(p.relative_to(ROOT)) for p in files if PRINT_CALL.search(p.read_text())] == []


# A closed set spelled out again (all four roles; two statuses or tags in a row): a second definition of it.
VOCABULARY_RESTATED = re.compile(
    r"""["'](trainee["'],\s*["']trainer["'],\s*["']support["'],\s*["']admin|new["'],\s*["']ticket_filed|low["'],\s*["']medium["'],\s*["']high["'],\s*["']critical"""
    r"""|confusion["'],\s*["']hesitation|in_progress["'],\s*["']completed)["']"""
)
CALL_TABLE_RESTATED = re.compile(r"""["']approve_template["']\s*:\s*["']""")  # a dict from call to something


@pytest.mark.parametrize("folder", ["optrain", "app_pages"])
def test_roles_statuses_severities_tags_and_calls_are_defined_once(folder: str) -> None:
    """Roles, statuses, severities and tags live in optrain/vocab.py; what a call is, in optrain/calls.py."""
    owners = {CORE / "vocab.py", CORE / "calls.py", CORE / "storage" / "migrations.py"}  # DDL CHECKs name the words
    files = [p for p in (ROOT / folder).rglob("*.py") if p not in owners]
    restated = [
        str(p.relative_to(ROOT))
        for p in files
        if VOCABULARY_RESTATED.search(p.read_text()) or CALL_TABLE_RESTATED.search(p.read_text())
    ]
    assert restated == []


TEST_MODULE_IMPORT = re.compile(
    r"^\s*(from\s+\.*(test_\w+|conftest)\s+import|import\s+(test_\w+|conftest))\b", re.MULTILINE
)


def test_test_modules_do_not_import_each_other() -> None:
    """Shared helpers live in helper modules (tests/app/harness.py, tests/exports_records.py) or fixtures."""
    files = (ROOT / "tests").rglob("*.py")
    assert [str(p.relative_to(ROOT)) for p in files if TEST_MODULE_IMPORT.search(p.read_text())] == []


def _readme_layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Repository layout", 1)[1].split("```", 2)[1]


def test_the_readme_layout_names_every_module_and_page() -> None:
    layout = _readme_layout()
    modules = [p for p in CORE.rglob("*.py") if p.name != "__init__.py"] + list((ROOT / "app_pages").glob("*.py"))
    missing = [str(p.relative_to(ROOT)) for p in modules if not re.search(rf"\b{re.escape(p.stem)}\b", layout)]
    assert missing == []


def test_every_module_the_readme_layout_names_exists() -> None:
    named = set(re.findall(r"\b(\w+)\.py\b", _readme_layout()))
    existing = {p.stem for p in ROOT.glob("*.py")} | {p.stem for p in CORE.rglob("*.py")}
    assert sorted(named - existing) == []
