"""Target 5: the evidence pack of a whole database: decision rows per second, and memory that stays flat.

Each export runs in a fresh interpreter (`python -m bench.evidence --child`)
so its memory is its own. The figure is how far the peak resident memory
rises during the export above the resident memory just before it (Linux
resets the peak on request, so what imports and scenario loading used
earlier does not hide it). The same export at a tenth of the rows must show
the same rise if rows are streamed. One extra run per size with tracemalloc
gives the peak of Python allocations alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from bench.measure import ROOT, Check, Context, Figure, Outcome, Timing, profile_text

NAME = "evidence"
TITLE = "Evidence pack of the whole database: decision rows/s, and peak memory vs rows"
LIMIT_ROWS_PER_S = 100_000.0
# Flat means: ten times the rows may not cost more than this much extra peak memory.
LIMIT_GROWTH_MIB = 8.0
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# time: the export alone; trace: with tracemalloc; profile: under cProfile; fast-deflate: members at level 1.
MODES = ("time", "trace", "profile", "fast-deflate")
FINDING = """
**Cause: the pack writes two rows per decision and spends the time evenly.** For 600,000 decisions it
writes 1.28 million rows: `decisions.csv` and `decision_log.ndjson` (600,000 each), attempts, Q&A and two
per-trainee summaries; the figures show each of the two big members alone. The profile splits the time
between zlib deflate, fetching from SQLite, `csv.writer`, and formula neutralisation in
`optrain/exports/csv_safety.py`, `safe_row`, which tests every cell of every row. Memory is flat: rows
are streamed, and ten times the rows add under a megabyte of peak.

**Proposed fix** (`optrain/exports/evidence.py`, not changed here): (1) deflate level 1 for the CSV and
NDJSON members (`ZipInfo._compresslevel`, or `ZipFile(compresslevel=1)`); the diagnosis figures give its
time and size; (2) neutralise only the free-text columns (body, note, answer, display name): the others
are ids, calls, numbers and times the app writes itself; (3) compress in a worker thread (zlib releases
the GIL) while the next batch is fetched and formatted, to use the second core. Reaching 100,000
decision rows/s over the whole pack needs more than a threefold speed-up, so all three and probably
writing the two big members in parallel.
"""


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1]) / 1024.0  # kB
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> float:
    """Make the peak resident memory (VmHWM) equal the current one; returns the current one in MiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mib("VmRSS")


class _FastDeflateInfo(zipfile.ZipInfo):
    """A ZIP member compressed at deflate level 1 (the pack uses the default, level 6)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._compresslevel = 1


def export_once(db_path: Path, exports_dir: Path, mode: str = MODES[0]) -> dict[str, Any]:
    """One export in this process; returns its time, rows and memory figures (see MODES)."""
    from optrain.exports import EvidenceFilter, export_evidence_pack
    from optrain.storage import open_db

    from bench.generate import load_builtin

    modules = {s.id: s.module for s in load_builtin()}
    db = open_db(db_path, read_only=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    finished: dict[str, float] = {}  # member -> when its last row was written

    def progress(member: str, rows: int) -> None:
        finished[member] = time.perf_counter()

    def export() -> Any:
        return export_evidence_pack(db, EvidenceFilter(), exports_dir=exports_dir, uploads_dir=exports_dir / "none",
                                    now=NOW, modules=modules, progress=progress)

    before = _reset_peak()
    if mode == "trace":
        tracemalloc.start()
    began = time.perf_counter()
    profile = ""
    if mode == "profile":
        packs: list[Any] = []
        profile = profile_text(lambda: packs.append(export()))
        pack = packs[0]
    elif mode == "fast-deflate":
        with mock.patch.object(zipfile, "ZipInfo", _FastDeflateInfo):
            pack = export()
    else:
        pack = export()
    seconds = time.perf_counter() - began
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if mode == "trace" else None
    tracemalloc.stop()
    members, previous = {}, began
    for member, at in sorted(finished.items(), key=lambda kv: kv[1]):
        members[member], previous = at - previous, at
    result = {
        "seconds": seconds,
        "decisions": pack.rows("decisions.csv"),
        "rows": sum(f.rows or 0 for f in pack.files),
        "zip_mib": pack.path.stat().st_size / 2**20,
        "rss_before_mib": before,
        "peak_growth_mib": _status_mib("VmHWM") - before,
        "traced_peak_mib": traced,
        "member_seconds": members,
        "profile": profile,
    }
    pack.path.unlink()
    db.close()
    return result


def export_in_child(db_path: Path, exports_dir: Path, mode: str = MODES[0]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.evidence", "--child", str(db_path), str(exports_dir), "--mode", mode]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(ctx: Context) -> Outcome:
    exports = ctx.scratch(NAME)
    repeats = 3 if not ctx.quick else 2
    runs = {label: [export_in_child(path, exports) for _ in range(repeats)]
            for label, path in (("small", ctx.tenth_db), ("large", ctx.large_db))}
    traced = {label: export_in_child(path, exports, "trace")["traced_peak_mib"]
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
            Figure(f"{rows[label]:,} decisions: peak resident memory rise", m["peak_growth_mib"], "MiB"),
            Figure(f"{rows[label]:,} decisions: tracemalloc peak", traced[label], "MiB"),
            Figure(f"{rows[label]:,} decisions: ZIP size", m["zip_mib"], "MiB"),
        ]
    for member in ("decisions.csv", "decision_log.ndjson"):
        seconds = Timing(tuple(r["member_seconds"][member] for r in runs["large"])).median
        figures.append(Figure(f"{rows['large']:,} decisions: {member} alone", seconds, "s"))
    growth = median["large"]["peak_growth_mib"] - median["small"]["peak_growth_mib"]
    profile = ""
    if speed < LIMIT_ROWS_PER_S:
        profile = export_in_child(ctx.tenth_db, exports, "profile")["profile"]
        fast = export_in_child(ctx.tenth_db, exports, "fast-deflate")
        figures.append(Figure(f"diagnosis: {rows['small']:,} decisions with deflate level 1 (one run): export time",
                              fast["seconds"], "s"))
        figures.append(Figure(f"diagnosis: {rows['small']:,} decisions with deflate level 1: ZIP size",
                              fast["zip_mib"], "MiB"))
    return Outcome(
        NAME, TITLE, tuple(figures),
        (Check(f"decision rows/s, {rows['large']:,} decisions", speed, LIMIT_ROWS_PER_S, "rows/s", at_least=True),
         Check(f"extra peak memory for {rows['large'] // max(1, rows['small'])}x the rows", growth,
               LIMIT_GROWTH_MIB, "MiB")),
        notes=(f"{repeats} exports per size (each is seconds long), each in a fresh interpreter; "
               "decision rows/s counts decisions.csv rows over the whole pack's time; the profile is of "
               f"the {rows['small']:,}-decision export.",),
        profile=profile,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("db", type=Path)
    parser.add_argument("exports", type=Path)
    parser.add_argument("--mode", choices=MODES, default=MODES[0])
    args = parser.parse_args()
    print(json.dumps(export_once(args.db, args.exports, args.mode)))


if __name__ == "__main__":
    main()
