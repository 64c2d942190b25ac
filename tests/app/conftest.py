"""AppTest fixtures: the real router, a private database and accounts file per test.

`app(role, page, **query)` returns an AppTest that has already run on that
page as that role (None: signed out). `st.cache_resource` is shared by every
AppTest in the process; the app's caches are keyed by file paths and mtimes,
so a private path per test keeps tests apart.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optrain import accounts

from .harness import APP, PAGES, SCENARIOS, TIMEOUT, Env, Seed, TrainSteps, sign_in


@pytest.fixture(scope="session")
def demo_accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hashing four demo passwords is slow; each test copies this file instead."""
    path = tmp_path_factory.mktemp("accounts") / "auth.yaml"
    accounts.init_config(path, demo=True)
    return path


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_accounts_file: Path) -> Env:
    auth = tmp_path / "auth.yaml"
    shutil.copy(demo_accounts_file, auth)
    paths = Env(tmp_path / "optrain.db", auth, tmp_path / "uploads")
    for name, value in {
        "OPTRAIN_DATA": tmp_path / "data",
        "OPTRAIN_DB": paths.db_path,
        "OPTRAIN_AUTH": paths.auth_path,
        "OPTRAIN_UPLOADS": paths.uploads,
        "OPTRAIN_EXPORTS": tmp_path / "exports",
        "OPTRAIN_SCENARIOS": SCENARIOS,
        "OPTRAIN_DEMO": "1",
    }.items():
        monkeypatch.setenv(name, str(value))
    return paths


@pytest.fixture
def app(env: Env) -> Callable[..., AppTest]:
    def make(role: str | None = "trainee", page: str = "home", **query: str) -> AppTest:
        """The app after its first run, switched to `page` and run again when it is not Home."""
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if role is not None:
            sign_in(at, role)
        at.query_params.update(query)
        at.run()
        assert not at.exception
        if page != "home":
            at.switch_page(PAGES[page]).run()
            assert not at.exception
        return at

    return make


@pytest.fixture
def seed(env: Env) -> Seed:
    return Seed(env)


@pytest.fixture
def train() -> TrainSteps:
    return TrainSteps()
