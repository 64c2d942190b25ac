"""Fixtures shared by every test module."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import accounts, storage


@pytest.fixture(scope="session", autouse=True)
def cheap_bcrypt() -> Iterator[None]:
    """Passwords hashed at bcrypt's lowest cost (4: about 1 ms a check, against 250 ms at the app's 12).

    A hash carries its cost and every check reads it from there, so what the tests check (the right
    password matches, an unknown name costs one check at the accounts' cost) holds at any cost.
    Processes the tests start (the browser tests' server, CLI runs in a subprocess) keep the app's
    cost, which `test_accounts.py::test_the_app_hashes_at_cost_12` checks.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "BCRYPT_ROUNDS", 4)
        yield


@pytest.fixture(scope="session")
def migrated_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with every migration applied, made once and copied for each test."""
    path = tmp_path_factory.mktemp("migrated") / "training.db"
    storage.open_db(path).close()
    return path


def _copy(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    path = tmp_path_factory.mktemp("db") / "training.db"
    shutil.copyfile(migrated_db_file, path)
    return path


def _open(path: Path) -> Database:
    database = storage.open_db(path)
    # No fsync per commit: durability has tests of its own (test_faults, the kill-and-resume browser
    # test); here it would only multiply the suite's time on a busy disk.
    database.execute("PRAGMA synchronous = OFF")
    return database


@pytest.fixture
def db_path(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    """Where `db` lives: a folder of its own, so a test's tmp_path holds only what the test wrote."""
    return _copy(tmp_path_factory, migrated_db_file)


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty training database in a file, opened as the app opens it (WAL, foreign keys, migrations checked).

    A module that needs seeded records overrides it with a `db(db)` fixture that adds them.
    """
    database = _open(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def make_db(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Callable[[], Database]:
    """More databases made like `db`, for a module-scoped fixture that seeds a large history once."""
    return lambda: _open(_copy(tmp_path_factory, migrated_db_file))
