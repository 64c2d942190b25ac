"""Default paths follow OPTRAIN_HOME or the working directory, never the package's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from optrain.config import ENV_NAMES, Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def where(settings: Settings) -> tuple[Path, ...]:
    return settings.db_path, settings.scenarios_dir, settings.auth_path, settings.exports_dir, settings.uploads_dir


def test_defaults_resolve_against_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert where(Settings.from_env()) == (
        tmp_path / "data/optrain.db",
        tmp_path / "scenarios",
        tmp_path / "config/auth.yaml",
        tmp_path / "exports",
        tmp_path / "data/uploads",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert Settings.from_env().db_path == elsewhere / "data/optrain.db"


def test_optrain_home_moves_every_default_and_a_setting_of_its_own_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPTRAIN_HOME", "/srv/optrain")
    monkeypatch.setenv("OPTRAIN_EXPORTS", "/var/exports")
    home = Path("/srv/optrain")
    assert where(Settings.from_env()) == (
        home / "data/optrain.db",
        home / "scenarios",
        home / "config/auth.yaml",
        Path("/var/exports"),
        home / "data/uploads",
    )
