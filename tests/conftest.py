"""Fixtures shared by every test module."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import storage


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
