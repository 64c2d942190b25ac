"""Opening the database: connection settings, migrations, and SQLite failures as StorageError."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain.errors import StorageError
from optrain.storage import (
    MIGRATIONS,
    configure,
    list_attempts,
    list_decision_log,
    open_db,
    schema_version,
    start_attempt,
)
from optrain.storage.db import utc_iso, write_transaction
from optrain.storage.errors import (
    BUSY_MESSAGE,
    FULL_MESSAGE,
    IO_MESSAGE,
    NOT_A_DATABASE_MESSAGE,
    READONLY_MESSAGE,
    storage_errors,
    user_message,
)

NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
TABLES = {"attempts", "decisions", "decision_log", "qa_answers", "trainer_notes", "login_events"}


def start(db: Database, username: str = "sam") -> int:
    attempt = start_attempt(
        db, username=username, display_name=None, scenario_id="sla", scenario_version=1, seed=7, now=NOW
    )
    return attempt.id


def schema_sql(db: Database) -> list[tuple[str, str]]:
    return [(row["name"], row["sql"]) for row in db.query("SELECT name, sql FROM sqlite_master ORDER BY name")]


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000), ("synchronous", 2)],
)
def test_open_db_sets_connection_pragmas(tmp_path: Path, pragma: str, expected: object) -> None:
    with open_db(tmp_path / "optrain.db") as db:
        assert db.execute(f"PRAGMA {pragma}").fetchone()[0] == expected


def test_open_db_reads_path_from_environment_and_creates_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "nested" / "folder" / "training.db"
    monkeypatch.setenv("OPTRAIN_DB", str(target))
    with open_db() as db:
        assert TABLES <= set(db.table_names())
    assert target.is_file()


def test_open_db_defaults_to_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPTRAIN_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    open_db().close()
    assert (tmp_path / "data" / "optrain.db").is_file()


def test_open_db_in_memory_is_migrated_with_foreign_keys() -> None:
    db = open_db(":memory:")
    assert TABLES <= set(db.table_names())
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.journal_mode == "memory"


def test_configure_prepares_a_sqlite_utils_memory_database() -> None:
    db = configure(Database(memory=True))
    assert TABLES <= set(db.table_names())
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_connection_works_from_another_thread(tmp_path: Path) -> None:
    """Streamlit reruns may hop threads; a same-thread-only connection would raise ProgrammingError."""
    db = open_db(tmp_path / "optrain.db")
    attempt_id = start(db)
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.extend(a.id for a in list_attempts(db)))
    worker.start()
    worker.join()
    assert seen == [attempt_id]


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "optrain.db"
    with open_db(path) as db:
        first = schema_sql(db)
        MIGRATIONS.apply(db)
        assert schema_sql(db) == first
    with open_db(path) as db:
        assert schema_sql(db) == first
        assert schema_version(db)[0] == "m001_initial"
        assert MIGRATIONS.pending(db) == []


def test_migrate_false_leaves_a_new_database_empty(tmp_path: Path) -> None:
    with open_db(tmp_path / "optrain.db", migrate=False) as db:
        assert db.table_names() == []
        assert schema_version(db) == []


def test_migration_names_are_numbered_in_registration_order() -> None:
    """New migrations are appended (m002_..., m003_...), so file order and name order agree."""
    names = [m.name for m in MIGRATIONS.pending(Database(memory=True))]
    assert names[0] == "m001_initial"
    assert names == sorted(names)
    assert all(name[0] == "m" and name[1:4].isdigit() and name[4] == "_" for name in names)


@pytest.mark.parametrize(
    ("table", "columns", "unique"),
    [
        ("attempts", ["username", "scenario_id", "status"], False),
        ("attempts", ["scenario_id", "scenario_version", "started_at"], False),
        ("attempts", ["started_at"], False),
        ("decisions", ["attempt_id", "item_id"], True),
        ("decisions", ["attempt_id", "seq"], False),
        ("decision_log", ["created_at"], False),
        ("qa_answers", ["part", "created_at"], False),
        ("qa_answers", ["scenario_id"], False),
        ("qa_answers", ["status"], False),
        ("qa_answers", ["attempt_id", "question_id"], True),
        ("trainer_notes", ["attempt_id"], False),
        ("login_events", ["username", "created_at"], False),
    ],
)
def test_initial_migration_creates_indexes(table: str, columns: list[str], unique: bool) -> None:
    db = open_db(":memory:")
    indexes = {(tuple(index.columns), bool(index.unique)) for index in db.table(table).indexes}
    assert (tuple(columns), unique) in indexes


def test_unused_decision_indexes_are_dropped() -> None:
    """Every index is written on each recorded call; these two served no query."""
    db = open_db(":memory:")
    assert {tuple(index.columns) for index in db.table("decisions").indexes} == {
        ("attempt_id", "item_id"),
        ("attempt_id", "seq"),
    }


def test_the_decision_log_keeps_only_its_time_index() -> None:
    """Exports and the retention purge read the log by time; the operator and attempt indexes served no query."""
    db = open_db(":memory:")
    assert [tuple(index.columns) for index in db.table("decision_log").indexes] == [("created_at",)]


def test_dropping_the_decision_log_indexes_keeps_every_record_and_the_attempt_link(tmp_path: Path) -> None:
    path = tmp_path / "optrain.db"
    with Database(path) as old:
        MIGRATIONS.apply(old, stop_before="m005_drop_unqueried_decision_log_indexes")
        old["attempts"].insert_all(
            [
                {
                    "username": "sam",
                    "scenario_id": "sla",
                    "scenario_version": 1,
                    "seed": 1,
                    "started_at": "2026-06-05T14:00:00+00:00",
                }
            ]
            * 2
        )
        old["decision_log"].insert_all(
            {
                "shop_domain": "hotrodan.myshopify.com",
                "action_type": "reply_approved",
                "operator_email": "sam@hotrodan.example",
                "created_at": f"2026-06-05T14:0{n}:00+00:00",
                "payload": f'{{"n": {n}}}',
                "attempt_id": 1 + n % 2,
            }
            for n in range(4)
        )
        before = list(old["decision_log"].rows)
    db = open_db(path)
    assert list(db["decision_log"].rows) == before
    db.execute("DELETE FROM attempts WHERE id = 2")  # the ON DELETE SET NULL works without the index
    assert [r.attempt_id for r in list_decision_log(db)] == [1, None, 1, None]


@pytest.mark.parametrize(
    ("table", "foreign_key_column", "on_delete"),
    [
        ("decisions", "attempt_id", "CASCADE"),
        ("trainer_notes", "attempt_id", "CASCADE"),
        ("decision_log", "attempt_id", "SET NULL"),
        ("qa_answers", "attempt_id", "SET NULL"),
    ],
)
def test_foreign_keys_point_at_attempts(table: str, foreign_key_column: str, on_delete: str) -> None:
    db = open_db(":memory:")
    rows = db.execute(f"PRAGMA foreign_key_list({table})").fetchall()
    assert [(row[2], row[3], row[4], row[6]) for row in rows] == [("attempts", foreign_key_column, "id", on_delete)]


@pytest.mark.parametrize(
    ("table", "row"),
    [
        (
            "attempts",
            {
                "username": "sam",
                "scenario_id": "s",
                "scenario_version": 1,
                "seed": 1,
                "started_at": "2026-06-05T14:00:00+00:00",
                "status": "paused",
            },
        ),
        (
            "attempts",
            {
                "username": "sam",
                "scenario_id": "s",
                "scenario_version": 1,
                "seed": 1,
                "started_at": "2026-06-05T14:00:00+00:00",
                "official": 2,
            },
        ),
        (
            "trainer_notes",
            {"attempt_id": 1, "tag": "boredom", "note": "n", "trainer": "t", "created_at": "2026-06-05T14:00:00+00:00"},
        ),
        ("login_events", {"username": "sam", "created_at": "2026-06-05T14:00:00+00:00", "outcome": "maybe"}),
        (
            "qa_answers",
            {
                "username": "sam",
                "scenario_id": "s",
                "scenario_version": 1,
                "question_id": "q",
                "part": "navigation",
                "kind": "text",
                "created_at": "2026-06-05T14:00:00+00:00",
                "status": "closed",
            },
        ),
    ],
)
def test_check_constraints_reject_unknown_values(table: str, row: dict[str, object]) -> None:
    db = open_db(":memory:")
    start(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        db.table(table).insert(row)


@pytest.mark.parametrize(
    ("moment", "stored"),
    [
        (datetime(2026, 6, 5, 14, 0, tzinfo=UTC), "2026-06-05T14:00:00+00:00"),
        (datetime(2026, 6, 5, 16, 0, tzinfo=timezone(timedelta(hours=2))), "2026-06-05T14:00:00+00:00"),
        (datetime(2026, 6, 5, 14, 0, 0, 250000, tzinfo=UTC), "2026-06-05T14:00:00.250000+00:00"),
    ],
)
def test_times_are_stored_as_utc_iso_text(moment: datetime, stored: str) -> None:
    assert utc_iso(moment) == stored


def test_naive_datetime_is_rejected_and_nothing_is_written() -> None:
    db = open_db(":memory:")
    with pytest.raises(ValueError, match="no time zone"):
        start_attempt(
            db,
            username="sam",
            display_name=None,
            scenario_id="s",
            scenario_version=1,
            seed=1,
            now=datetime(2026, 6, 5, 14, 0),
        )
    assert list_attempts(db) == ()


@pytest.mark.parametrize(
    ("sqlite_message", "expected"),
    [
        ("database is locked", BUSY_MESSAGE),
        ("attempt to write a readonly database", READONLY_MESSAGE),
        ("database or disk is full", FULL_MESSAGE),
        ("disk I/O error", IO_MESSAGE),
        ("file is not a database", NOT_A_DATABASE_MESSAGE),
        ("no such table: attempts", None),
        ('near "SELCT": syntax error', None),
    ],
)
def test_user_message_for_sqlite_errors(sqlite_message: str, expected: str | None) -> None:
    assert user_message(sqlite3.OperationalError(sqlite_message)) == expected


def test_programming_errors_are_not_disguised_as_storage_errors() -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"), storage_errors():
        raise sqlite3.OperationalError("no such table: attempts")


def test_locked_database_raises_busy_storage_error_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "optrain.db"
    db = open_db(path, busy_timeout_ms=20)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StorageError, match="busy; try again") as caught:
        start(db)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert not db.conn.in_transaction
    other.execute("ROLLBACK")
    assert start(db) == 1


def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """A block that reads before it writes must not lose the lock to a writer that came in between."""
    path = tmp_path / "optrain.db"
    db = open_db(path)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    with write_transaction(db), pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")


def test_a_failing_write_transaction_keeps_nothing_and_a_nested_one_is_part_of_the_outer(tmp_path: Path) -> None:
    db = open_db(tmp_path / "optrain.db")
    with pytest.raises(ValueError, match="stop"), write_transaction(db):
        start(db, "alex")
        raise ValueError("stop")
    assert not db.conn.in_transaction
    with write_transaction(db):
        start(db, "sam")
        with pytest.raises(ValueError, match="inner"), write_transaction(db):
            start(db, "kim")
            raise ValueError("inner")
        assert db.conn.in_transaction
    assert [a.username for a in list_attempts(db)] == ["sam"]


def test_read_only_database_file_refuses_writes_with_storage_error(tmp_path: Path) -> None:
    """Tests run as root, which ignores file permissions, so chmod alone would not stop a write.

    The `mode=ro` connection that `read_only=True` opens is refused by SQLite
    itself, which is what a non-root user on a 0444 file gets too.
    """
    folder = tmp_path / "ro"
    path = folder / "optrain.db"
    with open_db(path) as db:
        start(db, "alex")
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with open_db(path, read_only=True) as db:
            assert [a.username for a in list_attempts(db)] == ["alex"]
            with pytest.raises(StorageError, match="read-only") as caught:
                start(db)
            assert "readonly" in str(caught.value.__cause__)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_query_only_connection_refuses_writes_with_storage_error() -> None:
    db = open_db(":memory:")
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageError, match="read-only"):
        start(db)


def test_full_disk_raises_storage_error_and_keeps_nothing(tmp_path: Path) -> None:
    """`max_page_count` makes SQLite report SQLITE_FULL exactly as a full disk does."""
    db = open_db(tmp_path / "optrain.db")
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(StorageError, match="disk is full"):
        start(db, "x" * 200_000)
    assert list_attempts(db) == ()
    assert not db.conn.in_transaction


@pytest.mark.parametrize(
    ("setup", "read_only", "message"),
    [
        ("missing", True, "There is no training database at"),
        ("garbage", False, "damaged or is not a database"),
        ("unmigrated", True, "needs upgrading"),
        ("under_a_file", False, "could not be created"),
    ],
)
def test_open_db_explains_unusable_files(tmp_path: Path, setup: str, read_only: bool, message: str) -> None:
    path = tmp_path / "optrain.db"
    if setup == "garbage":
        path.write_bytes(b"not a database at all " * 100)
    elif setup == "unmigrated":
        Database(path).table("other").insert({"x": 1})
    elif setup == "under_a_file":
        (tmp_path / "blocker").write_text("a file, not a folder")
        path = tmp_path / "blocker" / "optrain.db"
    with pytest.raises(StorageError, match=message):
        open_db(path, read_only=read_only)


def test_a_write_that_is_not_a_call_commits_at_normal_and_leaves_the_connection_at_full(tmp_path: Path) -> None:
    db = open_db(tmp_path / "optrain.db")
    db.execute("CREATE TABLE notes (text TEXT)")
    seen: list[int] = []
    with write_transaction(db, durable=False):
        db.execute("INSERT INTO notes VALUES ('draft')")
        seen.append(db.execute("PRAGMA synchronous").fetchone()[0])
    with pytest.raises(ZeroDivisionError), write_transaction(db, durable=False):
        db.execute("INSERT INTO notes VALUES ('lost')")
        raise ZeroDivisionError
    assert seen == [1]  # NORMAL while the draft is written
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again, after a commit and a rollback
    assert [row[0] for row in db.execute("SELECT text FROM notes")] == ["draft"]
