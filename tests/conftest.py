"""Fixtures shared by every test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
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


@pytest.fixture
def db_path(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    """Where `db` lives: a folder of its own, so a test's tmp_path holds only what the test wrote."""
    path = tmp_path_factory.mktemp("db") / "training.db"
    shutil.copyfile(migrated_db_file, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty training database in a file, opened as the app opens it (WAL, foreign keys, migrations checked).

    A module that needs seeded records overrides it with a `db(db)` fixture that adds them.
    """
    database = storage.open_db(db_path)
    # No fsync per commit: durability has tests of its own (test_faults, the kill-and-resume browser
    # test); here it would only multiply the suite's time on a busy disk.
    database.execute("PRAGMA synchronous = OFF")
    yield database
    database.close()
