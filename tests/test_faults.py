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
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Self

import pytest
from click.testing import CliRunner, Result
from sqlite_utils import Database

from optrain import accounts, storage, training
from optrain.cli import main as cli_main
from optrain.errors import StorageError, UploadError
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import Scenario
from optrain.storage.errors import CANTOPEN_MESSAGE
from optrain.storage.qa_search import QaFilter, search_answers
from optrain.uploads import store_screenshot

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_V1 = ROOT / "fixtures" / "db" / "schema_v1.db"
MAKE_SCHEMA_V1 = ROOT / "fixtures" / "db" / "make_schema_v1.py"
MINIMAL = ROOT / "fixtures" / "scenarios" / "valid" / "minimal.yaml"
ITEM = "delayed_carb"
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
OPERATOR = training.Operator("sam", "Sam Ortega", "sam@hotrodan.example")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
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
    training.record_call(
        db,
        state,
        OPERATOR,
        training.CallInput(ITEM, "approve_template", "ack_delay", body),
        now=NOW + timedelta(minutes=1),
        elapsed_seconds=60.0,
    )


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
            conn.execute(
                "INSERT INTO login_events (username, created_at, outcome) "
                "VALUES ('holder', '2026-06-05T14:00:00+00:00', 'success')"
            )
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
            for n in range(20_000)
        )
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


def test_a_writer_past_the_busy_timeout_gives_busy_and_leaves_nothing_half_written(
    path: Path, scenario: Scenario
) -> None:
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


def test_a_disk_that_fills_between_the_decision_and_its_audit_record_keeps_neither(
    path: Path, scenario: Scenario
) -> None:
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
                db,
                attempt_id,
                item_id=ITEM,
                call="approve_template",
                template="ack_delay",
                body=body,
                note=None,
                decided_at=NOW,
                elapsed_seconds=1.0,
                log=storage.DecisionLogEntry(
                    "hotrodan.myshopify.com", "reply_approved", OPERATOR.email, {"body": body}
                ),
            )
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
def test_a_process_killed_around_a_write_leaves_all_or_nothing(
    path: Path, scenario: Scenario, moment: str, kept: list[str]
) -> None:
    attempt_id = new_attempt(path, scenario)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(attempt_id), moment],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
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


def before_keys(before: Rows) -> set[str]:
    return {k for rows in before.values() for row in rows for k in row}


def test_upgrade_keeps_every_row_of_the_first_schema(upgraded: tuple[Database, Rows], path: Path) -> None:
    db, before = upgraded
    assert storage.schema_version(db) == [m.name for m in storage.MIGRATIONS.pending(Database(memory=True))]
    after = every_row(db, list(before))
    # Columns added since (m011: decisions.quantity) are empty on the old rows; every old value is kept.
    assert {t: [{k: row[k] for k in before[t][0]} for row in rows] for t, rows in after.items()} == before
    assert {
        k: v for rows in after.values() for row in rows for k, v in row.items() if k not in before_keys(before)
    } == {"quantity": None}
    assert integrity(path) == "ok"


def test_new_features_work_on_an_upgraded_database(upgraded: tuple[Database, Rows], scenario: Scenario) -> None:
    db, before = upgraded
    found = search_answers(db, QaFilter(text="heatmap"))
    assert [a.answer for a in found] == [r["answer"] for r in before["qa_answers"] if "heatmap" in (r["answer"] or "")]
    assert found, "the fixture needs an answer about the heatmap"

    (old,) = [r for r in before["attempts"] if r["status"] == "in_progress"]
    state = training.load_state(db, scenario, old["id"], old["username"])
    operator = training.Operator(old["username"], old["display_name"], f"{old['username']}@hotrodan.example")
    training.record_call(
        db, state, operator, training.CallInput(ITEM, "approve_template", "ack_delay"), now=NOW, elapsed_seconds=5.0
    )
    assert [d.item_id for d in storage.list_decisions(db, old["id"])] == [ITEM]

    fresh = training.start_attempt(db, scenario, OPERATOR, NOW)  # snapshots the scenario version (m003)
    assert fresh.id > max(r["id"] for r in before["attempts"])
    assert storage.list_attempts(db, username=OPERATOR.username, limit=100)[0].id == fresh.id


# ---------------------------------------------------------------- the file system refuses: read-only, damaged, full
#
# Root ignores file permissions, so "read-only" is made by the operating system itself: a tmpfs mounted read-only
# (a read-only file system) or a folder bind-mounted read-only onto itself (a read-only folder on a writable disk).
# Both need root; without it these tests are skipped. A full disk is RLIMIT_FSIZE in a child process: its writes
# past the limit fail with EFBIG exactly where a full disk fails with ENOSPC.


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@contextmanager
def read_only_file_system(folder: Path, populate: Callable[[Path], None]) -> Iterator[Path]:
    """A fresh tmpfs at `folder`, filled by `populate`, then remounted read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)):
        pytest.skip("mounting a read-only file system needs root (CAP_SYS_ADMIN)")
    try:
        populate(folder)
        assert _mount("-o", "remount,ro", str(folder))
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """`folder` made read-only by a read-only bind mount onto itself; the disk around it stays writable."""
    if not _mount("--bind", str(folder), str(folder)):
        pytest.skip("a read-only bind mount needs root (CAP_SYS_ADMIN)")
    try:
        assert _mount("-o", "remount,bind,ro", str(folder))
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _cli(monkeypatch: pytest.MonkeyPatch, db_path: Path, args: list[str], **env: Path) -> Result:
    monkeypatch.setenv("OPTRAIN_DB", str(db_path))
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    result = CliRunner().invoke(cli_main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert "unable to open database file" not in result.output
    return result


def _with_database(folder: Path) -> None:
    storage.open_db(folder / "data" / "optrain.db").close()


WRITING_COMMANDS = [["db", "migrate"], ["db", "purge"]]
READING_COMMANDS = [
    ["db", "purge", "--dry-run"],
    ["certificate", "verify", "NOSUCHID"],
    ["export", "tickets", "--format", "json"],
]


@pytest.mark.parametrize("args", WRITING_COMMANDS, ids=" ".join)
def test_a_command_that_writes_on_a_read_only_file_system_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    with read_only_file_system(tmp_path / "ro", _with_database) as ro:
        result = _cli(monkeypatch, ro / "data" / "optrain.db", args)
    assert result.exit_code == 1
    assert CANTOPEN_MESSAGE in result.output and str(ro / "data" / "optrain.db") in result.output


@pytest.mark.parametrize("args", READING_COMMANDS, ids=" ".join)
def test_a_command_that_only_reads_works_on_a_read_only_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    with read_only_file_system(tmp_path / "ro", _with_database) as ro:
        result = _cli(monkeypatch, ro / "data" / "optrain.db", args, OPTRAIN_EXPORTS=tmp_path / "exports")
    assert "could not be opened" not in result.output
    assert (
        "Dry run: 0 decision-log record(s)" in result.output
        or "NOT VALID" in result.output
        or "Nothing to export" in result.output
    ), result.output


def test_a_database_on_a_read_only_file_system_can_be_backed_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: Scenario
) -> None:
    def with_a_call(folder: Path) -> None:
        attempt_id = new_attempt(folder / "optrain.db", scenario)
        db = storage.open_db(folder / "optrain.db")
        make_call(db, scenario, attempt_id)
        db.close()

    with read_only_file_system(tmp_path / "ro", with_a_call) as ro:
        result = _cli(monkeypatch, ro / "optrain.db", ["db", "backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM decisions").fetchone() == (1,)
    copy.close()


def test_a_new_database_on_a_read_only_file_system_is_refused_with_the_folder_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with read_only_file_system(tmp_path / "ro", lambda folder: (folder / "data").mkdir()) as ro:
        in_folder = _cli(monkeypatch, ro / "data" / "optrain.db", ["db", "migrate"])
        new_folder = _cli(monkeypatch, ro / "new" / "optrain.db", ["db", "migrate"])
    assert in_folder.exit_code == new_folder.exit_code == 1
    assert f"could not be created at {ro / 'data' / 'optrain.db'} (Read-only file system)" in in_folder.output
    assert f"({ro / 'new'}) could not be created (Read-only file system)" in new_folder.output


def test_a_read_only_folder_refuses_writes_clearly_and_leaves_no_partial_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, backups = tmp_path / "data", tmp_path / "backups"
    backups.mkdir()
    _with_database(tmp_path)
    with read_only_folder(data), read_only_folder(backups):
        migrate = _cli(monkeypatch, data / "optrain.db", ["db", "migrate"])
        backup = _cli(monkeypatch, data / "optrain.db", ["db", "backup", str(backups / "copy.db")])
        shot = None
        with pytest.raises(UploadError, match=r"could not be saved \(Read-only file system\); nothing was saved"):
            shot = store_screenshot(backups, PNG, prefix="qa1")
    assert migrate.exit_code == backup.exit_code == 1
    assert CANTOPEN_MESSAGE in migrate.output
    assert f"The backup could not be written to {backups / 'copy.db'} (Read-only file system)" in backup.output
    assert shot is None and list(backups.iterdir()) == []


@pytest.mark.parametrize("how", ["garbage", "truncated"])
@pytest.mark.parametrize(
    "args", [*WRITING_COMMANDS, *READING_COMMANDS, ["db", "backup", "COPY"], ["export", "evidence"]], ids=" ".join
)
def test_a_damaged_database_names_the_fault_and_the_restore_in_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, args: list[str]
) -> None:
    path = tmp_path / "optrain.db"
    if how == "garbage":
        path.write_bytes(b"not a database " * 500)
    else:
        storage.open_db(path).close()
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    args = [str(tmp_path / "copy.db") if a == "COPY" else a for a in args]
    result = _cli(monkeypatch, path, args, OPTRAIN_EXPORTS=tmp_path / "exports")
    assert result.exit_code == 1
    assert "damaged or is not a database" in result.output and "optrain db backup" in result.output
    assert not (tmp_path / "copy.db").exists() and not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "/nonexistent/x.yaml"], "/nonexistent/x.yaml: cannot be read"),
        (["queue", "no_such_scenario"], "no scenario 'no_such_scenario'; known scenarios:"),
        (["simulate", "hands_on_practice", "--answers", "/nonexistent.yaml"], "/nonexistent.yaml: cannot be read"),
        (["schema", "--output", "/proc/nonexistent/schema.json"], "/proc/nonexistent/schema.json: No such file"),
        (["db", "backup", "/proc/nonexistent/copy.db"], "The backup could not be written to /proc/nonexistent"),
        (["db", "backup", "TMP"], "is a folder; give the backup a file name"),
        (["db", "purge", "--older-than", "soon"], "--older-than"),
        (["certificate", "verify", "NOSUCHID"], "NOT VALID"),
        (["import-chatwoot", "/nonexistent.json"], "/nonexistent.json: no such file"),
        (["import-chatwoot", "BROKEN"], "not valid JSON"),
        (
            ["import-chatwoot", "PII", "--output", "/proc/nonexistent/draft.yaml", "--reviewed"],
            "/proc/nonexistent/draft.yaml could not be written",
        ),
        (["export", "tickets", "--format", "json", "--since", "notadate"], "'notadate' is not a date"),
        (["users", "list"], "does not exist; run `optrain users init`"),
    ],
    ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else None,
)
def test_every_cli_command_fails_with_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    places = {
        "TMP": str(tmp_path),
        "BROKEN": str(tmp_path / "broken.json"),
        "PII": str(ROOT / "fixtures" / "chatwoot" / "api_conversation_pii.json"),
    }
    db_path = tmp_path / "optrain.db"
    storage.open_db(db_path).close()
    result = _cli(
        monkeypatch,
        db_path,
        [places.get(a, a) for a in args],
        OPTRAIN_AUTH=tmp_path / "none.yaml",
        OPTRAIN_EXPORTS=tmp_path / "exports",
    )
    assert result.exit_code in (1, 2)
    assert expected in result.output


def test_files_and_folders_the_app_creates_are_private_to_its_user(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "optrain.db"
    db = storage.open_db(db_path)
    storage.save_answer(
        db,
        attempt_id=None,
        username="u",
        scenario_id="s",
        scenario_version=1,
        question_id="q",
        part="custom",
        kind="text",
        answer="x",
        skipped=False,
        severity=None,
        screenshot=None,
        now=NOW,
    )
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (db_path.parent, *db_path.parent.iterdir())}
    db.close()
    assert modes == {"data": 0o700, "optrain.db": 0o600, "optrain.db-wal": 0o600, "optrain.db-shm": 0o600}
    copy = storage.backup(db_path, tmp_path / "backups" / "copy.db")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600 and stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    name = store_screenshot(tmp_path / "uploads", PNG, prefix="qa1")
    assert stat.S_IMODE((tmp_path / "uploads").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "uploads" / name).stat().st_mode) == 0o600
    auth = tmp_path / "config" / "auth.yaml"
    accounts.write_config(auth, {"credentials": {"usernames": {}}, "cookie": {}})
    assert stat.S_IMODE(auth.parent.stat().st_mode) == 0o700 and stat.S_IMODE(auth.stat().st_mode) == 0o600


FULL_DISK_CHILD = """
import resource, signal, sys
from pathlib import Path
from optrain.errors import UploadError
from optrain.uploads import store_screenshot
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG, as a full disk would
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    store_screenshot(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]) + bytes(100_000), prefix="qa1")
except UploadError as exc:
    print(exc)
"""


def test_a_screenshot_that_does_not_fit_on_the_disk_leaves_no_file(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    child = subprocess.run(
        [sys.executable, "-c", FULL_DISK_CHILD, str(uploads), PNG[:16].hex()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "The screenshot could not be saved (the disk is full); nothing was saved" in child.stdout, child.stderr
    assert list(uploads.iterdir()) == []  # neither the 0-byte screenshot nor a partial file


@pytest.mark.parametrize(
    "args",
    [
        ["users", "init"],
        ["schema", "--output", "RO/schema.json"],
        ["import-chatwoot", "PII", "--output", "RO/draft.yaml", "--reviewed"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_commands_that_write_files_on_a_read_only_file_system_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    pii = str(ROOT / "fixtures" / "chatwoot" / "api_conversation_pii.json")
    with read_only_file_system(tmp_path / "ro", lambda folder: (folder / "config").mkdir()) as ro:
        args = [pii if a == "PII" else a.replace("RO", str(ro)) for a in args]
        result = _cli(monkeypatch, tmp_path / "optrain.db", args, OPTRAIN_AUTH=ro / "config" / "auth.yaml")
        left = sorted(p.name for p in ro.rglob("*"))
    assert result.exit_code == 1
    assert "Read-only file system" in result.output
    assert left == ["config"]
