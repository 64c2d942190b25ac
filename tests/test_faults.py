"""Faults below the screens: a busy database, a disk that fills mid-write, a process killed
mid-write, and a database made by the first released schema.

Every call a trainee makes is a decision row plus its audit record; whatever
goes wrong, both are stored or neither is, and the file stays healthy.
"""

from __future__ import annotations

import importlib.util
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Self

import pytest
from sqlite_utils import Database

from optrain import storage, training
from optrain.errors import StorageError
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import Scenario
from optrain.storage.qa_search import QaFilter, search_answers

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_V1 = ROOT / "fixtures" / "db" / "schema_v1.db"
MAKE_SCHEMA_V1 = ROOT / "fixtures" / "db" / "make_schema_v1.py"
MINIMAL = ROOT / "fixtures" / "scenarios" / "valid" / "minimal.yaml"
ITEM = "delayed_carb"
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
OPERATOR = training.Operator("sam", "Sam Ortega", "sam@hotrodan.example")
HOLD_SECONDS = 0.5
SHORT_BUSY_MS = 100


@pytest.fixture
def scenario() -> Scenario:
    return load_scenario_file(MINIMAL)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "optrain.db"


def new_attempt(path: Path, scenario: Scenario) -> int:
    db = storage.open_db(path)
    try:
        return training.start_attempt(db, scenario, OPERATOR, NOW).id
    finally:
        db.close()


def make_call(db: Database, scenario: Scenario, attempt_id: int, body: str | None = None) -> None:
    """The trainee's call on the only item, through the same service the Train page uses."""
    state = training.load_state(db, scenario, attempt_id, OPERATOR.username)
    training.submit_call(db, state, OPERATOR, training.CallInput(ITEM, "approve_template", "ack_delay", body),
                         now=NOW + timedelta(minutes=1), elapsed_seconds=60.0)


def stored(path: Path, attempt_id: int) -> tuple[list[str], list[str]]:
    """(decided item ids, audit-log item ids) of the attempt, read through a fresh connection."""
    db = storage.open_db(path)
    try:
        decisions = [d.item_id for d in storage.list_decisions(db, attempt_id)]
        log = [str(r.payload["item_id"]) for r in storage.list_decision_log(db, attempt_id=attempt_id)]
        return decisions, log
    finally:
        db.close()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


class WriteLock:
    """Another process's writer: holds the write lock from its own thread until released."""

    def __init__(self, path: Path, hold_for: float | None = None):
        self.path = path
        self.hold_for = hold_for
        self.held = threading.Event()
        self.release = threading.Event()
        self.released_at: float | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO login_events (username, created_at, outcome) "
                         "VALUES ('holder', '2026-06-05T14:00:00+00:00', 'success')")
            self.held.set()
            # hold_for is the behaviour under test (a writer that finishes in time), not a synchronisation sleep.
            self.release.wait(self.hold_for)
            conn.execute("COMMIT")
            self.released_at = time.monotonic()
        finally:
            conn.close()

    def __enter__(self) -> Self:
        self.thread.start()
        assert self.held.wait(5), "the holder never got the write lock"
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(10)


# ---------------------------------------------------------------- busy database


def test_a_long_read_does_not_block_a_call(path: Path, scenario: Scenario) -> None:
    """WAL mode: a trainer's long report keeps its snapshot while a trainee's call commits at once."""
    attempt_id = new_attempt(path, scenario)
    with storage.open_db(path) as setup, storage.write_transaction(setup):
        setup["login_events"].insert_all(
            {"username": f"user{n}", "created_at": "2026-06-05T13:00:00+00:00", "outcome": "success"}
            for n in range(20_000))
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    before = reader.execute("SELECT COUNT(*) FROM login_events, decisions").fetchone()[0]
    db = storage.open_db(path, busy_timeout_ms=SHORT_BUSY_MS)
    try:
        make_call(db, scenario, attempt_id)
        assert reader.execute("SELECT COUNT(*) FROM login_events, decisions").fetchone()[0] == before
    finally:
        reader.execute("COMMIT")
        reader.close()
        db.close()
    assert stored(path, attempt_id) == ([ITEM], [ITEM])


def test_a_call_waits_for_a_writer_that_finishes_within_the_busy_timeout(path: Path, scenario: Scenario) -> None:
    attempt_id = new_attempt(path, scenario)
    db = storage.open_db(path)
    try:
        with WriteLock(path, hold_for=HOLD_SECONDS) as lock:
            make_call(db, scenario, attempt_id)
            returned_at = time.monotonic()
        assert lock.released_at is not None and lock.released_at <= returned_at, "the call did not wait for the lock"
    finally:
        db.close()
    assert stored(path, attempt_id) == ([ITEM], [ITEM])
    assert integrity(path) == "ok"


def test_a_writer_past_the_busy_timeout_gives_busy_and_leaves_nothing_half_written(path: Path,
                                                                                     scenario: Scenario) -> None:
    attempt_id = new_attempt(path, scenario)
    db = storage.open_db(path, busy_timeout_ms=SHORT_BUSY_MS)
    try:
        with WriteLock(path):
            with pytest.raises(StorageError, match="busy; try again"):
                make_call(db, scenario, attempt_id)
            assert not db.conn.in_transaction
        assert stored(path, attempt_id) == ([], [])
        make_call(db, scenario, attempt_id)  # the same call, once the holder is gone
    finally:
        db.close()
    assert stored(path, attempt_id) == ([ITEM], [ITEM])


# ---------------------------------------------------------------- disk full


def test_a_disk_that_fills_between_the_decision_and_its_audit_record_keeps_neither(path: Path,
                                                                                   scenario: Scenario) -> None:
    """The decision row fits in the space left; its audit record (carrying the same body) does not."""
    attempt_id = new_attempt(path, scenario)
    body = "Your order is on its way. " * 1_600  # about 40 KB: ten pages for the row, ten for the record
    db = storage.open_db(path)
    statements: list[str] = []
    try:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 15}")
        db.conn.set_trace_callback(statements.append)
        with pytest.raises(StorageError, match="disk is full"):
            storage.record_decision(
                db, attempt_id, item_id=ITEM, call="approve_template", template="ack_delay", body=body, note=None,
                decided_at=NOW, elapsed_seconds=1.0,
                log=storage.DecisionLogEntry("hotrodan.myshopify.com", "reply_approved", OPERATOR.email,
                                             {"body": body}))
        db.conn.set_trace_callback(None)
        assert any("INSERT INTO decision_log" in s for s in statements), "the failure came before the audit record"
        assert not db.conn.in_transaction
    finally:
        db.close()
    assert stored(path, attempt_id) == ([], [])
    assert integrity(path) == "ok"


# ---------------------------------------------------------------- process killed


CHILD = """
import os, signal, sys
from datetime import datetime, timezone
from optrain import storage
db = storage.open_db(sys.argv[1])
entry = storage.DecisionLogEntry("hotrodan.myshopify.com", "reply_approved", "sam@hotrodan.example",
                                {"item_id": "delayed_carb"})

def record():
    storage.record_decision(db, int(sys.argv[2]), item_id="delayed_carb", call="approve_template",
                            template="ack_delay", body="Hi", note=None, elapsed_seconds=1.0,
                            decided_at=datetime(2026, 6, 5, 14, 1, tzinfo=timezone.utc), log=entry)

if sys.argv[3] == "committed":
    record()
else:
    with storage.write_transaction(db):
        record()  # written, but the outer transaction never commits
        os.kill(os.getpid(), signal.SIGKILL)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize(("moment", "kept"), [("committed", [ITEM]), ("mid_transaction", [])])
def test_a_process_killed_around_a_write_leaves_all_or_nothing(path: Path, scenario: Scenario, moment: str,
                                                                kept: list[str]) -> None:
    attempt_id = new_attempt(path, scenario)
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), str(attempt_id), moment],
                           check=False, capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert stored(path, attempt_id) == (kept, kept)
    assert integrity(path) == "ok"
    if not kept:  # the call can be made again after the crash
        with storage.open_db(path) as db:
            make_call(db, scenario, attempt_id)
        assert stored(path, attempt_id) == ([ITEM], [ITEM])


# ---------------------------------------------------------------- first released schema


Rows = dict[str, list[dict[str, Any]]]


def first_schema_tables() -> list[str]:
    db = Database(memory=True)
    storage.MIGRATIONS.apply(db, stop_before="m002_qa_search")
    return [t for t in db.table_names() if t != storage.MIGRATIONS.migrations_table]


def every_row(db: Database, tables: list[str]) -> Rows:
    return {table: list(db[table].rows_where(order_by="rowid")) for table in tables}


@pytest.fixture
def upgraded(path: Path) -> Iterator[tuple[Database, Rows]]:
    """A copy of schema_v1.db opened by today's app, and every row it held before."""
    shutil.copy(SCHEMA_V1, path)
    with Database(path) as old:
        before = every_row(old, first_schema_tables())
    db = storage.open_db(path)
    yield db, before
    db.close()


def load_maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_schema_v1", MAKE_SCHEMA_V1)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_v1_fixture_is_the_first_schema_with_rows_in_every_table() -> None:
    with Database(SCHEMA_V1) as db:
        assert storage.schema_version(db) == ["m001_initial"]
        tables = first_schema_tables()
        assert sorted(t for t in db.table_names() if t != storage.MIGRATIONS.migrations_table) == sorted(tables)
        assert {t: db[t].count >= 2 for t in tables} == {t: True for t in tables}


def test_schema_v1_fixture_is_what_its_script_builds(tmp_path: Path) -> None:
    rebuilt = load_maker().build(tmp_path / "schema_v1.db")
    tables = [*first_schema_tables(), storage.MIGRATIONS.migrations_table]
    with Database(rebuilt) as fresh, Database(SCHEMA_V1) as committed:
        assert every_row(fresh, tables) == every_row(committed, tables)


def test_upgrade_keeps_every_row_of_the_first_schema(upgraded: tuple[Database, Rows], path: Path) -> None:
    db, before = upgraded
    assert storage.schema_version(db) == [m.name for m in storage.MIGRATIONS.pending(Database(memory=True))]
    assert every_row(db, list(before)) == before
    assert integrity(path) == "ok"


def test_new_features_work_on_an_upgraded_database(upgraded: tuple[Database, Rows], scenario: Scenario) -> None:
    db, before = upgraded
    found = search_answers(db, QaFilter(text="heatmap"))
    assert [a.answer for a in found] == [r["answer"] for r in before["qa_answers"] if "heatmap" in (r["answer"] or "")]
    assert found, "the fixture needs an answer about the heatmap"

    (old,) = [r for r in before["attempts"] if r["status"] == "in_progress"]
    state = training.load_state(db, scenario, old["id"], old["username"])
    operator = training.Operator(old["username"], old["display_name"], f"{old['username']}@hotrodan.example")
    training.submit_call(db, state, operator, training.CallInput(ITEM, "approve_template", "ack_delay"),
                         now=NOW, elapsed_seconds=5.0)
    assert [d.item_id for d in storage.list_decisions(db, old["id"])] == [ITEM]

    fresh = training.start_attempt(db, scenario, OPERATOR, NOW)  # snapshots the scenario version (m003)
    assert fresh.id > max(r["id"] for r in before["attempts"])
    assert storage.list_attempts(db, username=OPERATOR.username, limit=100)[0].id == fresh.id
