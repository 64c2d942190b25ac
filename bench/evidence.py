"""The evidence pack of a whole database, against the floor of `sqlite3 -csv` piped to `zip -1`.

Targets (on the 600,000-decision database): the pack takes at most 3x the
wall time of the floor, measured in the same run; the export process's
whole peak resident memory, as `/usr/bin/time -v` reports it, is under
200 MiB and grows by less than 20 MiB from the 60,000- to the
600,000-decision database.

The floor reads the same five tables with Debian's `sqlite3 -csv` (one
process, every table) and pipes the text to `zip -1` (one member). The pack
is `python -m bench.evidence --child DB FOLDER` under `/usr/bin/time -v`:
a whole process, interpreter start and imports included, as the floor's
processes are. Floor and pack runs alternate, so a busy moment of the
machine falls on both.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import ROOT, Check, Context, Figure, Outcome, Timing

NAME = "evidence"
TITLE = "Evidence pack of the whole database: time against sqlite3 -csv | zip -1, and peak memory"
LIMIT_RATIO = 3.0
LIMIT_PEAK_MIB = 200.0
LIMIT_GROWTH_MIB = 20.0
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FLOOR_SQL = (
    "SELECT * FROM attempts; SELECT * FROM decisions; SELECT * FROM decision_log; "
    "SELECT * FROM qa_answers; SELECT * FROM trainer_notes;"
)
_PEAK = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
FINDING = """
The pack is one read transaction whose rows go through `csv.writer` (`SafeCsvWriter`, formula
neutralising) into `zipfile` members at deflate level 1, hashed as they are written; a writer thread
deflates, checksums, hashes and writes each block (all release the GIL) while the next rows are
formatted. It replaced two helper processes that built the lines in SQL and deflated them with ISA-L
(3.9 s on 600,000 decisions, about 1,500 lines). The first standard-library version took 4.91x the
floor; the writer thread, decision-log lines written without the JSON encoder's per-call set-up, and
rows handed from the cursor's batches straight to `csv.writer` brought it to about 3x. Memory is flat:
nearly all of the peak is the interpreter, the libraries and the scenario catalog.
"""


def _tools() -> None:
    missing = [tool for tool in ("sqlite3", "zip") if shutil.which(tool) is None]
    if missing or not Path("/usr/bin/time").exists():
        raise RuntimeError(
            f"install Debian's sqlite3, zip and time (missing: {', '.join(missing) or 'time'}); "
            "`make bench` does it when run as root"
        )


def floor_once(db_path: Path, folder: Path) -> float:
    """Seconds for `sqlite3 -csv` over the pack's tables, piped to `zip -1`."""
    target = folder / "floor.zip"
    target.unlink(missing_ok=True)
    began = time.perf_counter()
    reader = subprocess.Popen(
        ["sqlite3", "-csv", "-header", f"file:{db_path}?mode=ro", FLOOR_SQL], stdout=subprocess.PIPE
    )
    zipper = subprocess.run(["zip", "-1", "-q", str(target), "-"], stdin=reader.stdout, check=False)
    assert reader.stdout is not None
    reader.stdout.close()
    if reader.wait() != 0 or zipper.returncode != 0:
        raise RuntimeError("the floor (sqlite3 -csv | zip -1) failed")
    seconds = time.perf_counter() - began
    target.unlink()
    return seconds


def pack_once(db_path: Path, folder: Path) -> tuple[float, float, int]:
    """Seconds, whole peak RSS in MiB (`/usr/bin/time -v`) and decision rows of one export in its own process."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "bench.evidence", "--child", str(db_path), str(folder)]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stderr[-3000:]}")
    peak = _PEAK.search(done.stderr)
    if peak is None:
        raise RuntimeError("/usr/bin/time -v reported no peak resident set size")
    return seconds, int(peak.group(1)) / 1024, int(done.stdout.strip().splitlines()[-1])


def run(ctx: Context) -> Outcome:
    _tools()
    folder = ctx.scratch(NAME)
    repeats = 3 if not ctx.quick else 2
    figures: list[Figure] = []
    peaks: dict[str, float] = {}
    ratio = 0.0
    rows: dict[str, int] = {}
    for label, path in (("small", ctx.tenth_db), ("large", ctx.large_db)):
        floors, packs, rss = [], [], []
        for _ in range(repeats):
            floors.append(floor_once(path, folder))
            seconds, peak, rows[label] = pack_once(path, folder)
            packs.append(seconds)
            rss.append(peak)
        floor, pack = Timing(tuple(floors)).median, Timing(tuple(packs)).median
        peaks[label] = max(rss)
        figures += [
            Figure(f"{rows[label]:,} decisions: floor, sqlite3 -csv | zip -1", floor, "s"),
            Figure(f"{rows[label]:,} decisions: evidence pack (whole process)", pack, "s"),
            Figure(f"{rows[label]:,} decisions: pack / floor", pack / floor, "x"),
            Figure(f"{rows[label]:,} decisions: peak RSS of the export process (time -v)", peaks[label], "MiB"),
        ]
        if label == "large":
            ratio = pack / floor
    growth = peaks["large"] - peaks["small"]
    figures.append(Figure(f"peak RSS growth, {rows['small']:,} -> {rows['large']:,} decisions", growth, "MiB"))
    return Outcome(
        NAME,
        TITLE,
        tuple(figures),
        (
            Check(f"pack time / floor time, {rows['large']:,} decisions", ratio, LIMIT_RATIO, "x"),
            Check(f"peak RSS of the export, {rows['large']:,} decisions", peaks["large"], LIMIT_PEAK_MIB, "MiB"),
            Check("peak RSS growth for 10x the decisions", growth, LIMIT_GROWTH_MIB, "MiB"),
        ),
        notes=(f"{repeats} runs of each, floor and pack alternating, medians; peak RSS is the largest of the runs.",),
    )


def export_once(db_path: Path, exports_dir: Path) -> int:
    """One export of the whole database in this process; returns its decision rows (the pack is deleted)."""
    from bench.generate import load_builtin
    from optrain.exports import EvidenceFilter, export_evidence_pack
    from optrain.storage import open_db

    modules = {s.id: s.module for s in load_builtin()}
    db = open_db(db_path, read_only=True)
    pack = export_evidence_pack(
        db,
        EvidenceFilter(),
        exports_dir=exports_dir,
        uploads_dir=exports_dir / "none",
        signing_key=exports_dir / "signing_key.pem",
        now=NOW,
        modules=modules,
    )
    pack.path.unlink()
    db.close()
    return pack.rows("decisions.csv") or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("db", type=Path)
    parser.add_argument("exports", type=Path)
    args = parser.parse_args()
    print(export_once(args.db, args.exports))


if __name__ == "__main__":
    main()
