"""Load: 50 trainees in separate processes, 200 calls each, on one database file at the same time.

Each process opens its own connection (as each browser session does), starts
its own attempt, says it is ready and waits for the signal to go, so all
begin together; then it records its calls through
`optrain.storage.record_decision`. A `StorageError` (the "database is busy"
message a caller would see) is counted and the call retried, so the count
says how often a trainee would have seen it. At the end every decision and
every decision-log record must be in the file.

The processes are started from a separate interpreter (`python -m
bench.load DB`) whose main module imports only the storage layer, because
each spawned process imports its parent's main module again.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measure import ROOT, Check, Context, Figure, Outcome
from optrain import storage
from optrain.errors import StorageError

NAME = "load"
TITLE = "Load: 50 trainee processes x 200 decisions on one database file, at the same time"
PROCESSES = 50
CALLS = 200
START = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
READY_TIMEOUT_S = 300.0
RESULT_TIMEOUT_S = 600.0
DIAGNOSIS_BUSY_MS = 30_000


def trainee(number: int, db_path: str, busy_ms: int, ready: Any, go: Any, results: Any) -> None:
    """One trainee process: (attempt id, latencies in seconds, StorageErrors seen) goes to `results`."""
    db = storage.open_db(db_path, migrate=False, busy_timeout_ms=busy_ms)
    username = f"load{number:02d}"
    attempt = storage.start_attempt(
        db,
        username=username,
        display_name=username,
        scenario_id="cx_escalations_basics",
        scenario_version=1,
        seed=1,
        now=START,
    )
    latencies: list[float] = []
    errors = 0
    ready.put(number)
    go.wait()
    for n in range(CALLS):
        began = time.perf_counter()
        while True:
            try:
                storage.record_decision(
                    db,
                    attempt.id,
                    item_id=f"item-{n:03d}",
                    call="escalate_specialist",
                    template=None,
                    body=None,
                    note=None,
                    decided_at=START + timedelta(seconds=n),
                    elapsed_seconds=30.0,
                    points=1.0,
                    max_points=1.0,
                    verdict="correct",
                    log=storage.DecisionLogEntry(
                        "hotrodan.myshopify.com",
                        "escalated_to_specialist",
                        f"{username}@hotrodan.example",
                        {"mode": "training", "attempt_id": attempt.id, "item_id": n},
                    ),
                )
                break
            except StorageError:
                errors += 1
        latencies.append(time.perf_counter() - began)
    db.close()
    results.put((attempt.id, latencies, errors))


def _wait_ready(ready: Any, workers: list[Any]) -> None:
    """Every worker has its connection and attempt; a worker that died is reported, not waited for."""
    waiting = len(workers)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while waiting:
        try:
            ready.get(timeout=1.0)
            waiting -= 1
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"{waiting} trainee process(es) never got ready (exit codes {dead})") from None


def run_load(db_path: Path, busy_ms: int) -> dict[str, Any]:
    spawn = multiprocessing.get_context("spawn")  # nothing of this process (connections, threads) leaks into a child
    ready, go, results = spawn.Queue(), spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(target=trainee, args=(n, str(db_path), busy_ms, ready, go, results)) for n in range(PROCESSES)
    ]
    for w in workers:
        w.start()
    try:
        _wait_ready(ready, workers)
        go.set()
        began = time.perf_counter()
        outcomes = [results.get(timeout=RESULT_TIMEOUT_S) for _ in workers]
        wall = time.perf_counter() - began
    finally:
        for w in workers:
            w.join(timeout=RESULT_TIMEOUT_S)
    attempt_ids = [a for a, _, _ in outcomes]
    db = storage.open_db(db_path, read_only=True)
    try:
        decisions = sum(len(storage.list_decisions(db, a)) for a in attempt_ids)
        log = sum(len(storage.list_decision_log(db, attempt_id=a)) for a in attempt_ids)
    finally:
        db.close()
    return {
        "latencies_ms": sorted(x * 1000 for _, lat, _ in outcomes for x in lat),
        "errors": sum(e for _, _, e in outcomes),
        "decisions": decisions,
        "log": log,
        "wall_s": wall,
    }


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[min(998, max(0, round(q * 1000) - 1))]


def load_in_child(db_path: Path, busy_ms: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", str(db_path), str(busy_ms)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load run failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(ctx: Context) -> Outcome:
    from bench.app_env import app_folder

    db_path = app_folder(ctx) / "optrain.db"
    busy_ms = storage.db.DEFAULT_BUSY_TIMEOUT_MS
    result = load_in_child(db_path, busy_ms)
    latencies, expected = result["latencies_ms"], PROCESSES * CALLS
    diagnosis = []
    if result["errors"]:
        # Were the errors waits that outlasted the busy timeout? Then a longer one makes them go away.
        longer = load_in_child(db_path, DIAGNOSIS_BUSY_MS)
        diagnosis = [
            Figure(f"diagnosis: StorageErrors with a {DIAGNOSIS_BUSY_MS // 1000} s busy timeout", longer["errors"], ""),
            Figure(
                f"diagnosis: write latency max with a {DIAGNOSIS_BUSY_MS // 1000} s busy timeout",
                longer["latencies_ms"][-1],
                "ms",
            ),
        ]
    return Outcome(
        NAME,
        TITLE,
        (
            Figure("decisions stored", result["decisions"], ""),
            Figure("decision-log records stored", result["log"], ""),
            Figure("write latency p50", percentile(latencies, 0.50), "ms"),
            Figure("write latency p95", percentile(latencies, 0.95), "ms"),
            Figure("write latency p99", percentile(latencies, 0.99), "ms"),
            Figure("write latency max", latencies[-1], "ms"),
            Figure("throughput, all processes together", expected / result["wall_s"], "decisions/s"),
            *diagnosis,
        ),
        (
            Check("decisions lost", expected - result["decisions"], 0, ""),
            Check("decision-log records lost", expected - result["log"], 0, ""),
            Check("StorageError (database busy) seen by a caller", result["errors"], 0, ""),
        ),
        notes=(
            f"{PROCESSES} processes x {CALLS} calls, busy timeout {busy_ms} ms, on the copy of the large "
            "database the app benchmarks use; latency includes any retry.",
        ),
    )


if __name__ == "__main__":
    print(json.dumps(run_load(Path(sys.argv[1]), int(sys.argv[2]))))
