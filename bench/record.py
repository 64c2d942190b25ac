"""Target 4: `record_decision` (decision + audit record, one durable commit) against a bare INSERT + COMMIT.

Both run on files in the same folder with the settings the app's connections
get from `open_db` (WAL; the synchronous level is read from them, so the
baseline always matches the app); the baseline is the Python sqlite3 module
inserting one row shaped like a decision and committing. Each sample is the mean of a
batch of calls, to rise above the timer's resolution; each batch records on
a fresh attempt. A second figure records on a copy of the large database.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from optrain import storage
from optrain.storage import DecisionLogEntry, open_db, record_decision

from bench.app_env import app_folder
from bench.measure import Case, Check, Context, Figure, Outcome, interleaved, profile_text

NAME = "record"
TITLE = "Recording one decision durably vs a bare INSERT + COMMIT, both in WAL at the app's synchronous level"
LIMIT = 2.0
BATCH = 200
# The decision-log indexes migration m005 dropped (no query read through them), re-created for the
# "before" floor so that every run shows what they cost.
DROPPED_INDEXES = (
    "CREATE INDEX idx_decision_log_operator_created ON decision_log (operator_email, created_at)",
    "CREATE INDEX idx_decision_log_attempt ON decision_log (attempt_id)",
)
FINDING = """
**Cause: the baseline writes one row into one B-tree; `record_decision` wrote two rows into seven, through
two layers of Python.** At synchronous=FULL each commit writes every page it changed to the WAL and flushes it,
so each B-tree a call touches costs a leaf page more per commit (about 6.5 µs each here, measured on the bare
table with 0 to 5 indexes). `decisions` has its table, `UNIQUE (attempt_id, item_id)` and
`idx_decisions_attempt_seq`; `decision_log` had its table and three indexes. On top of that the write went
through sqlite-utils' `execute` and `atomic()` wrappers, named parameters and a fresh JSON encoder per call.

**Fix made** (before, one run: bare 58 µs, `record_decision` 176 µs = 3.03x; the same two rows in plain
sqlite3 on the app schema 112 µs):
- Migration `m005_drop_unqueried_decision_log_indexes` drops `idx_decision_log_operator_created` and
  `idx_decision_log_attempt`. EXPLAIN QUERY PLAN of every statement in `optrain/storage` on the large database:
  nothing reads through either. The log is read by time (`idx_decision_log_created`: the evidence export,
  `list_decision_log`, the retention purge and its dry run; a filter by attempt scans that index either way).
  The attempt index served only SQLite's ON DELETE SET NULL when an attempt row is deleted, which the app never
  does: by hand that now scans the log (0.1 ms -> 210 ms per attempt at 600,000 records), while the retention
  purge of 60,000 records got faster (205 -> 161 ms, two indexes fewer to update). The migration takes 0.25 s
  on the 600,000-decision database and keeps every row. The five B-trees left are each needed: the
  UNIQUE index refuses a second call on an item, `idx_decisions_attempt_seq` lets the evidence export stream
  `ORDER BY a.id, d.seq` (without it SQLite sorts all 600,000 rows in a temporary B-tree), and
  `idx_decision_log_created` serves every read of the log.
- `record_decision` (`optrain/storage/decisions.py`) runs its two INSERTs on the sqlite3 connection itself,
  with positional parameters (the connection's statement cache keeps both compiled), one reused JSON encoder,
  and the returned row built from what was written; `write_transaction` (`optrain/storage/db.py`) issues
  `BEGIN IMMEDIATE` and `COMMIT` directly, so the write lock is taken before the block runs, with the same
  StorageError mapping and savepoints when nested.

**After** (one run): bare 66 µs, `record_decision` 152 µs = 2.31x (169 µs on the large database); the same
two rows in plain sqlite3 112 µs, and 126 µs with the two dropped indexes back. What is left over that floor is
work the call must do: the status check and `seq` numbering inside the INSERT, two foreign-key checks, and an
audit payload that carries the whole reply (336 bytes of JSON here) instead of the floor's 154. The floor
itself, two rows in five B-trees, is 1.6-1.9x the baseline's one row in one, so the limit leaves the call's own
work almost no room. On this 2-core machine the ratio moves by about 0.3 between consecutive runs (six
runs after the fix: 1.95x to 2.65x, median 2.2x), so a run can land on either
side of 2x. Dropping `idx_decisions_attempt_seq` as well would save one B-tree's share, below that noise in two
tries here, and would cost the evidence export its streaming order.

**Measured again later (CPU only, `synchronous=OFF`, 15 alternating batches of 200):** `record_decision`
38.5 us; its own two statements issued bare 27.0 us; the same two rows as plain INSERTs 20.9 us. So about
11 us is Python (3.3 us of it the JSON payload, which the audit record needs) and 6 us the status check,
`seq` numbering and RETURNING done inside the INSERT. **Fix made:** the status and the next `seq` are read
by one SELECT under the write lock (`BEGIN IMMEDIATE` is taken first, so nothing can change in between),
then a plain INSERT: 32.2 us on CPU (6 us less), and with durable commits 116 / 181 us against 129 / 207 us
for the former INSERT ... SELECT ... RETURNING, two in-process runs alternating the two versions.

**Why the ratio moves from day to day, and what it depends on.** Every run now also times both sides with
`synchronous=OFF`, and the flush by difference. Without flushes `record_decision` costs 3.4-4x the baseline (two
rows in five B-trees, the status check, the audit payload's JSON and the returned row, against one row in one);
each flush adds the same cost to both sides. So the ratio falls as a flush gets dearer: on 2026-11-22, when this
machine flushed in about 50 us (a 58-66 us baseline, less its CPU), it measured 1.96x to 2.56x; on 2026-12-06,
with flushes of 105-125 us, 1.51x to 1.71x in eight runs. On storage where an fsync reaches the device (0.1 ms
and more) the target holds; it is missed only when the host absorbs flushes in its cache. The call's own CPU is
close to its floor: the two plain INSERTs alone are 2.6x the baseline without flushes, and the rest is the JSON
payload (3.4 us), the write transaction (2.2 us over bare BEGIN/COMMIT), the time check (1.4 us) and the
returned row (1.8 us). Fewer B-trees save little: with three instead of five (both tables clustered WITHOUT
ROWID on their read order, the sequence and log ids supplied by the app) the two-row floor was 3 % faster with
flushes and 10 % without, for a rebuild of both tables; not done. A smaller page (1,024 bytes instead of 4,096)
cut the floor by about 12 % on a fast-flush day, but it changes the file format of every database, slows every
read by making trees deeper, and can only be set on a new file; not done. What would pass with room to spare
whatever a flush costs is writing one row instead of two (the audit record as a view over `decisions`), which
changes what the audit log is (it has its own retention purge); left as a decision for the product, not made
here.
"""
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "Hi Alex, thanks for your patience: your order #HR-10482 ships today with UPS."
_BARE_TABLE = """
    CREATE TABLE IF NOT EXISTS decisions (
        id INTEGER PRIMARY KEY, attempt_id INTEGER, item_id TEXT, call TEXT, template TEXT, body TEXT, note TEXT,
        decided_at TEXT, elapsed_seconds REAL, seq INTEGER, points REAL, max_points REAL, verdict TEXT
    )
"""
_BARE_INSERT = "INSERT INTO decisions (attempt_id, item_id, call, template, body, note, decided_at, " \
               "elapsed_seconds, seq, points, max_points, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


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
            self.db, username="bench", display_name="Bench", scenario_id="cx_escalations_basics",
            scenario_version=1, seed=1, now=NOW).id
        self.calls = [self.arguments(n) for n in range(BATCH)]

    def arguments(self, n: int) -> dict[str, Any]:
        return dict(
            item_id=f"item-{n:04d}", call="approve_template", template="ship_update", body=BODY, note=None,
            decided_at=NOW + timedelta(seconds=n), elapsed_seconds=42.5, points=1.0, max_points=1.0,
            verdict="correct",
            log=DecisionLogEntry("hotrodan.myshopify.com", "reply_approved", "bench@hotrodan.example", {
                "mode": "training", "attempt_id": self.attempt_id, "scenario_id": "cx_escalations_basics",
                "scenario_version": 1, "item_id": f"item-{n:04d}", "item_kind": "conversation",
                "conversation_id": 4100 + n, "call": "approve_template", "template": "ship_update", "body": BODY,
                "note": None}))

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
    row: tuple[Any, ...] = (1, "item", "approve_template", "ship_update", BODY, None, NOW.isoformat(), 42.5, 1,
                            1.0, 1.0, "correct")
    for _ in range(BATCH):
        conn.execute(_BARE_INSERT, row)
        conn.commit()


_FLOOR_DECISION = "INSERT INTO decisions (attempt_id, item_id, call, template, body, note, decided_at, " \
                  "elapsed_seconds, seq, points, max_points, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_FLOOR_LOG = "INSERT INTO decision_log (shop_domain, action_type, operator_email, created_at, payload, attempt_id) " \
             "VALUES (?, ?, ?, ?, ?, ?)"


class _SchemaFloor:
    """The two rows `record_decision` writes, as two plain INSERTs and a COMMIT on the app's schema:
    what the indexes cost before any Python of the storage layer runs."""

    def __init__(self, path: Path, synchronous: int, *setup: str):
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        open_db(path).close()
        self.conn = sqlite3.connect(path)
        self.conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        for statement in setup:
            self.conn.execute(statement)
        self.conn.execute("INSERT INTO attempts (username, scenario_id, scenario_version, seed, started_at) "
                          "VALUES ('floor', 'cx_escalations_basics', 1, 1, ?)", [NOW.isoformat()])
        self.conn.commit()
        self.attempt_id = 1
        self.n = 0

    def batch(self) -> None:
        payload = '{"attempt_id": 1, "body": "' + BODY + '", "call": "approve_template", "mode": "training"}'
        for _ in range(BATCH):
            self.n += 1
            self.conn.execute(_FLOOR_DECISION, (self.attempt_id, f"item-{self.n}", "approve_template", "ship_update",
                                                BODY, None, NOW.isoformat(), 42.5, self.n, 1.0, 1.0, "correct"))
            self.conn.execute(_FLOOR_LOG, ("hotrodan.myshopify.com", "reply_approved", "bench@hotrodan.example",
                                           NOW.isoformat(), payload, self.attempt_id))
            self.conn.commit()


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
    floor = _SchemaFloor(folder / "floor.db", level)
    # The floor again with the two decision-log indexes m005 dropped.
    more_indexes = _SchemaFloor(folder / "floor-more-indexes.db", level, *DROPPED_INDEXES)
    # Both sides again without any flush (synchronous=OFF): the CPU share alone, and the flush by difference.
    for stale in (folder / "cpu-only.db", folder / "cpu-only.db-wal", folder / "cpu-only.db-shm"):
        stale.unlink(missing_ok=True)
    cpu_db = open_db(folder / "cpu-only.db")
    cpu_db.execute("PRAGMA synchronous = OFF")
    cpu_conn = bare_connection(folder / "bare-cpu-only.db", 0)
    try:
        recorder, on_large, cpu_recorder = _Recorder(db), _Recorder(large), _Recorder(cpu_db)
        timings = interleaved({
            "bare": Case(lambda: bare_batch(conn), per=BATCH),
            "floor": Case(floor.batch, per=BATCH),
            "more indexes": Case(more_indexes.batch, per=BATCH),
            "fresh": Case(recorder.batch, recorder.new_attempt, BATCH),
            "large": Case(on_large.batch, on_large.new_attempt, BATCH),
            "bare, no flush": Case(lambda: bare_batch(cpu_conn), per=BATCH),
            "record, no flush": Case(cpu_recorder.batch, cpu_recorder.new_attempt, BATCH),
        }, ctx.repeats + 4)
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
        for each in (floor, more_indexes):
            each.conn.close()
    return Outcome(
        NAME, TITLE,
        (Figure("bare INSERT + COMMIT (baseline)", bare.median * 1e6, "us"),
         Figure("record_decision, fresh database", fresh.median * 1e6, "us"),
         Figure("record_decision, large database", timings["large"].median * 1e6, "us"),
         Figure("diagnosis: its two INSERTs + COMMIT in plain sqlite3 on the app schema",
                timings["floor"].median * 1e6, "us"),
         Figure("diagnosis: record_decision / its two rows in plain sqlite3", fresh.median / timings["floor"].median,
                "x"),
         Figure("diagnosis: the same two rows with the two decision-log indexes m005 dropped",
                timings["more indexes"].median * 1e6, "us"),
         Figure("diagnosis: one flush (the baseline at its level minus the baseline with synchronous=OFF)",
                (bare.median - timings["bare, no flush"].median) * 1e6, "us"),
         Figure("diagnosis: record_decision / bare insert, both with synchronous=OFF (CPU only)",
                timings["record, no flush"].median / timings["bare, no flush"].median, "x")),
        (Check(f"record_decision / bare insert (synchronous={SYNCHRONOUS_NAMES.get(level, level)})", ratio, LIMIT,
               "x"),),
        notes=((f"Both sides in WAL mode with synchronous={SYNCHRONOUS_NAMES.get(level, level)}, the level `open_db` "
                "gives the app's connections."),),
        profile=profile,
    )
