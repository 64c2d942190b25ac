"""Target 5: the evidence pack of a whole database: decision rows per second, and memory that stays flat.

Each export runs in a fresh interpreter (`python -m bench.evidence --child`)
so its peak resident memory (ru_maxrss) is its own; the figure is the growth
of that peak during the export, over the peak after imports and opening the
database. The same export at a tenth of the rows must show the same growth
if rows are streamed. One extra run per size with tracemalloc gives the peak
of Python allocations, which ignores the interpreter and SQLite's page cache.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import ROOT, Check, Context, Figure, Outcome, Timing

NAME = "evidence"
TITLE = "Evidence pack of the whole database: decision rows/s, and peak memory vs rows"
LIMIT_ROWS_PER_S = 100_000.0
# Flat means: ten times the rows may not cost more than this much extra peak memory.
LIMIT_GROWTH_MIB = 8.0
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def export_once(db_path: Path, exports_dir: Path, *, trace: bool) -> dict[str, Any]:
    """One export in this process; returns its time, rows and memory figures."""
    from optrain.exports import EvidenceFilter, export_evidence_pack
    from optrain.storage import open_db

    from bench.generate import load_builtin

    modules = {s.id: s.module for s in load_builtin()}
    db = open_db(db_path, read_only=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    before = _peak_mib()
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    pack = export_evidence_pack(db, EvidenceFilter(), exports_dir=exports_dir, uploads_dir=exports_dir / "none",
                                now=NOW, modules=modules)
    seconds = time.perf_counter() - began
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    result = {
        "seconds": seconds,
        "decisions": pack.rows("decisions.csv"),
        "rows": sum(f.rows or 0 for f in pack.files),
        "zip_mib": pack.path.stat().st_size / 2**20,
        "peak_before_mib": before,
        "peak_growth_mib": _peak_mib() - before,
        "traced_peak_mib": traced,
    }
    pack.path.unlink()
    db.close()
    return result


def export_in_child(db_path: Path, exports_dir: Path, *, trace: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.evidence", "--child", str(db_path), str(exports_dir)]
    done = subprocess.run(command + (["--trace"] if trace else []), cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(ctx: Context) -> Outcome:
    exports = ctx.scratch(NAME)
    repeats = 3 if not ctx.quick else 2
    runs = {label: [export_in_child(path, exports) for _ in range(repeats)]
            for label, path in (("small", ctx.tenth_db), ("large", ctx.large_db))}
    traced = {label: export_in_child(path, exports, trace=True)["traced_peak_mib"]
              for label, path in (("small", ctx.tenth_db), ("large", ctx.large_db))}
    median = {label: {key: Timing(tuple(float(r[key]) for r in rs)).median
                      for key in ("seconds", "peak_growth_mib", "zip_mib")} for label, rs in runs.items()}
    rows = {label: rs[0]["decisions"] for label, rs in runs.items()}
    every = {label: rs[0]["rows"] for label, rs in runs.items()}
    speed = rows["large"] / median["large"]["seconds"]
    figures = []
    for label in ("small", "large"):
        m = median[label]
        figures += [
            Figure(f"{rows[label]:,} decisions: export time", m["seconds"], "s"),
            Figure(f"{rows[label]:,} decisions: decision rows/s", rows[label] / m["seconds"], "rows/s"),
            Figure(f"{rows[label]:,} decisions: all rows/s ({every[label]:,} rows in all files)",
                   every[label] / m["seconds"], "rows/s"),
            Figure(f"{rows[label]:,} decisions: peak RSS growth", m["peak_growth_mib"], "MiB"),
            Figure(f"{rows[label]:,} decisions: tracemalloc peak", traced[label], "MiB"),
            Figure(f"{rows[label]:,} decisions: ZIP size", m["zip_mib"], "MiB"),
        ]
    growth = median["large"]["peak_growth_mib"] - median["small"]["peak_growth_mib"]
    return Outcome(
        NAME, TITLE, tuple(figures),
        (Check(f"decision rows/s, {rows['large']:,} decisions", speed, LIMIT_ROWS_PER_S, "rows/s", at_least=True),
         Check(f"extra peak memory for {rows['large'] // max(1, rows['small'])}x the rows", growth,
               LIMIT_GROWTH_MIB, "MiB")),
        notes=(f"{repeats} exports per size (each is seconds long), each in a fresh interpreter; "
               "decision rows/s counts decisions.csv rows over the whole pack's time.",),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("db", type=Path)
    parser.add_argument("exports", type=Path)
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    print(json.dumps(export_once(args.db, args.exports, trace=args.trace)))


if __name__ == "__main__":
    main()
