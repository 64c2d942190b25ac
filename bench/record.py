"""Target 4: `record_decision` (decision + audit record, one durable commit) against a bare INSERT + COMMIT.

Both run on files in the same folder with the settings the app's connections
get from `open_db` (WAL; the synchronous level is read from them, so the
baseline always matches the app); the baseline is the Python sqlite3 module
inserting one row shaped like a decision and committing. Each sample is the mean of a
batch of calls, to rise above the timer's resolution; each batch records on
a fresh attempt. A second figure records on a copy of the large database.

Both sides are also timed with `synchronous=OFF`: the ratio without flushes
is the CPU share, and one flush is the difference. Each flush adds the same
cost to both sides, so the ratio falls as the machine's flushes get dearer;
the flush cost is reported beside it for that reason.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bench.app_env import app_folder
from bench.measure import (
    Case,
    Check,
    Context,
    Figure,
    Outcome,
    interleaved,
    profile_text,
)
from optrain import storage
from optrain.storage import DecisionLogEntry, open_db, record_decision

NAME = "record"
TITLE = "Recording one decision durably vs a bare INSERT + COMMIT, both in WAL at the app's synchronous level"
LIMIT = 2.0
BATCH = 200
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "Hi Alex, thanks for your patience: your order #HR-10482 ships today with UPS."
_BARE_TABLE = """
    CREATE TABLE IF NOT EXISTS decisions (
        id INTEGER PRIMARY KEY, attempt_id INTEGER, item_id TEXT, call TEXT, template TEXT, body TEXT, note TEXT,
        decided_at TEXT, elapsed_seconds REAL, seq INTEGER, points REAL, max_points REAL, verdict TEXT
    )
"""
_BARE_INSERT = (
    "INSERT INTO decisions (attempt_id, item_id, call, template, body, note, decided_at, "
    "elapsed_seconds, seq, points, max_points, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Recorder:
    """Calls `record_decision` `BATCH` times on a new attempt per batch, as a trainee's calls arrive.

    The arguments of a batch's calls are built before it is timed, as the baseline's row is: the
    timed part is `record_decision` itself.
    """

    def __init__(self, db: Database):
        self.db = db
        self.attempt_id = 0
        self.calls: list[dict[str, Any]] = []

    def new_attempt(self) -> None:
        self.attempt_id = storage.start_attempt(
            self.db,
            username="bench",
            display_name="Bench",
            scenario_id="cx_escalations_basics",
            scenario_version=1,
            seed=1,
            now=NOW,
        ).id
        self.calls = [self.arguments(n) for n in range(BATCH)]

    def arguments(self, n: int) -> dict[str, Any]:
        return dict(
            item_id=f"item-{n:04d}",
            call="approve_template",
            template="ship_update",
            body=BODY,
            note=None,
            decided_at=NOW + timedelta(seconds=n),
            elapsed_seconds=42.5,
            points=1.0,
            max_points=1.0,
            verdict="correct",
            log=DecisionLogEntry(
                "hotrodan.myshopify.com",
                "reply_approved",
                "bench@hotrodan.example",
                {
                    "mode": "training",
                    "attempt_id": self.attempt_id,
                    "scenario_id": "cx_escalations_basics",
                    "scenario_version": 1,
                    "item_id": f"item-{n:04d}",
                    "item_kind": "conversation",
                    "conversation_id": 4100 + n,
                    "call": "approve_template",
                    "template": "ship_update",
                    "body": BODY,
                    "note": None,
                },
            ),
        )

    def batch(self) -> None:
        db, attempt_id = self.db, self.attempt_id
        for arguments in self.calls:
            record_decision(db, attempt_id, **arguments)


SYNCHRONOUS_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def bare_connection(path: Path, synchronous: int) -> sqlite3.Connection:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
    conn.execute(_BARE_TABLE)
    conn.commit()
    return conn


def bare_batch(conn: sqlite3.Connection) -> None:
    row: tuple[Any, ...] = (
        1,
        "item",
        "approve_template",
        "ship_update",
        BODY,
        None,
        NOW.isoformat(),
        42.5,
        1,
        1.0,
        1.0,
        "correct",
    )
    for _ in range(BATCH):
        conn.execute(_BARE_INSERT, row)
        conn.commit()


def _settings(db: Database) -> tuple[str, int]:
    return db.journal_mode, int(db.execute("PRAGMA synchronous").fetchone()[0])


def run(ctx: Context) -> Outcome:
    folder = ctx.scratch(NAME)
    fresh_path = folder / "fresh.db"
    for stale in (fresh_path, Path(f"{fresh_path}-wal"), Path(f"{fresh_path}-shm")):
        stale.unlink(missing_ok=True)
    db = open_db(fresh_path)
    journal, level = _settings(db)
    if journal != "wal":
        raise RuntimeError(f"open_db gave journal mode {journal!r}, not WAL; the benchmark assumes the app's WAL")
    large = open_db(app_folder(ctx) / "optrain.db")
    conn = bare_connection(folder / "bare.db", level)
    # Both sides again without any flush (synchronous=OFF): the CPU share alone, and the flush by difference.
    for stale in (folder / "cpu-only.db", folder / "cpu-only.db-wal", folder / "cpu-only.db-shm"):
        stale.unlink(missing_ok=True)
    cpu_db = open_db(folder / "cpu-only.db")
    cpu_db.execute("PRAGMA synchronous = OFF")
    cpu_conn = bare_connection(folder / "bare-cpu-only.db", 0)
    try:
        recorder, on_large, cpu_recorder = _Recorder(db), _Recorder(large), _Recorder(cpu_db)
        timings = interleaved(
            {
                "bare": Case(lambda: bare_batch(conn), per=BATCH),
                "fresh": Case(recorder.batch, recorder.new_attempt, BATCH),
                "large": Case(on_large.batch, on_large.new_attempt, BATCH),
                "bare, no flush": Case(lambda: bare_batch(cpu_conn), per=BATCH),
                "record, no flush": Case(cpu_recorder.batch, cpu_recorder.new_attempt, BATCH),
            },
            ctx.repeats + 4,
        )
        bare, fresh = timings["bare"], timings["fresh"]
        ratio = fresh.median / bare.median
        profile = ""
        if ratio > LIMIT:
            recorder.new_attempt()
            profile = profile_text(recorder.batch)
    finally:
        db.close()
        large.close()
        cpu_db.close()
        conn.close()
        cpu_conn.close()
    return Outcome(
        NAME,
        TITLE,
        (
            Figure("bare INSERT + COMMIT (baseline)", bare.median * 1e6, "us"),
            Figure("record_decision, fresh database", fresh.median * 1e6, "us"),
            Figure("record_decision, large database", timings["large"].median * 1e6, "us"),
            Figure(
                "one flush (the baseline at its level minus the baseline with synchronous=OFF)",
                (bare.median - timings["bare, no flush"].median) * 1e6,
                "us",
            ),
            Figure(
                "record_decision / bare insert, both with synchronous=OFF (CPU only)",
                timings["record, no flush"].median / timings["bare, no flush"].median,
                "x",
            ),
        ),
        (
            Check(
                f"record_decision / bare insert (synchronous={SYNCHRONOUS_NAMES.get(level, level)})", ratio, LIMIT, "x"
            ),
        ),
        notes=(
            (
                f"Both sides in WAL mode with synchronous={SYNCHRONOUS_NAMES.get(level, level)}, the level `open_db` "
                "gives the app's connections."
            ),
        ),
        profile=profile,
    )
