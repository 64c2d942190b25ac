"""Online backups: a consistent copy of committed data while the app keeps writing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from optrain.errors import StorageError
from optrain.storage import (
    backup,
    list_attempts,
    open_db,
    schema_version,
    start_attempt,
)

T0 = datetime(2026, 6, 5, 18, 0, tzinfo=UTC)


def database_with(path: Path, *usernames: str) -> None:
    with open_db(path) as db:
        for username in usernames:
            start_attempt(
                db, username=username, display_name=None, scenario_id="sla", scenario_version=1, seed=1, now=T0
            )


def usernames_in(path: Path) -> list[str]:
    with open_db(path, read_only=True) as db:
        return sorted(a.username for a in list_attempts(db))


def test_backup_during_an_open_write_transaction_copies_only_committed_rows(tmp_path: Path) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex", "jordan")
    app = open_db(source)
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO attempts (username, scenario_id, scenario_version, seed, started_at) VALUES (?, ?, ?, ?, ?)",
        ("uncommitted", "sla", 1, 1, T0.isoformat()),
    )
    try:
        copy = backup(source, tmp_path / "backups" / "optrain-copy.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert copy == tmp_path / "backups" / "optrain-copy.db"
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert usernames_in(copy) == ["alex", "jordan"]
    with open_db(copy) as restored, app:
        assert schema_version(restored) == schema_version(app)
    assert sorted(p.name for p in copy.parent.iterdir()) == ["optrain-copy.db"]


def test_backup_of_a_closed_database_replaces_an_older_copy(tmp_path: Path) -> None:
    source, dest = tmp_path / "optrain.db", tmp_path / "copy.db"
    database_with(source, "alex")
    backup(source, dest)
    database_with(source, "sam")
    backup(source, dest)
    assert usernames_in(dest) == ["alex", "sam"]


@pytest.mark.parametrize(
    "dest_name", ["optrain.db", "./optrain.db", "sub/../optrain.db", "optrain.db-wal", "optrain.db-shm"]
)
def test_backup_refuses_to_overwrite_the_database(tmp_path: Path, dest_name: str) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex")
    (tmp_path / "sub").mkdir()
    with pytest.raises(StorageError, match="would overwrite the database itself"):
        backup(source, tmp_path / dest_name)
    assert usernames_in(source) == ["alex"]


def test_backup_name_that_only_starts_like_the_database_is_allowed(tmp_path: Path) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex")
    assert usernames_in(backup(source, tmp_path / "optrain.db-2026-06-05")) == ["alex"]


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="There is no training database"):
        backup(tmp_path / "missing.db", tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_folder_asks_for_a_file_name(tmp_path: Path) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex")
    (tmp_path / "backups").mkdir()
    with pytest.raises(StorageError, match="is a folder; give the backup a file name"):
        backup(source, tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_backup_of_a_damaged_database_says_so_and_leaves_nothing(tmp_path: Path, damage: str) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex")
    data = source.read_bytes()
    source.write_bytes(b"not a database " * 300 if damage == "garbage" else data[: len(data) // 3])
    with pytest.raises(StorageError, match="damaged or is not a database"):
        backup(source, tmp_path / "out" / "copy.db")
    assert list((tmp_path / "out").iterdir()) == []  # no copy, no .partial, no -journal


def test_backup_is_private_to_the_apps_user_and_its_folder_too(tmp_path: Path) -> None:
    source = tmp_path / "optrain.db"
    database_with(source, "alex")
    copy = backup(source, tmp_path / "new_folder" / "copy.db")
    assert (copy.stat().st_mode & 0o777, copy.parent.stat().st_mode & 0o777) == (0o600, 0o700)


def test_a_later_backup_over_a_world_readable_copy_is_private(tmp_path: Path) -> None:
    source, dest = tmp_path / "optrain.db", tmp_path / "copy.db"
    database_with(source, "alex")
    dest.write_bytes(b"old copy")
    dest.chmod(0o644)
    backup(source, dest)
    assert dest.stat().st_mode & 0o777 == 0o600 and usernames_in(dest) == ["alex"]
