"""`python -m bench`: build (or reuse) the large database, run the benchmarks, print a table, write the results.

    python -m bench                  everything at full scale; writes bench/RESULTS.md
    python -m bench --quick          a tenth of the data and fewer repeats; writes bench/out/RESULTS-quick.md
    python -m bench --only review    one benchmark (repeatable); writes under bench/out/

Only a full run of every benchmark replaces bench/RESULTS.md, so a partial
or quick run never overwrites the published figures.
"""

from __future__ import annotations

import streamlit.logger
from streamlit import config

# The benchmarks import and run the app's UI outside a server on purpose, and Streamlit warns about each
# use; parsing its config first keeps the parse from resetting the quieter level set here.
config.get_config_options()
streamlit.logger.set_log_level("ERROR")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

from bench import (  # noqa: E402
    cold_start,
    decision,
    evidence,
    generate,
    load,
    queue_gen,
    record,
    reply_decision,
    review,
    server,
)
from bench.measure import Check, Context, Outcome  # noqa: E402
from bench.report import Machine, load_average, markdown, table  # noqa: E402

BENCHMARKS: tuple[ModuleType, ...] = (
    decision,
    reply_decision,
    review,
    queue_gen,
    record,
    evidence,
    cold_start,
    load,
    server,
)
BY_NAME = {m.NAME: m for m in BENCHMARKS}
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
QUICK_LARGE = generate.TENTH
QUICK_SMALL = generate.Scale(trainees=10, qa_answers=200)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the data and fewer repeats")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BY_NAME),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(sorted(BY_NAME))}",
    )
    parser.add_argument("--repeats", type=int, help="runs per figure (default 11, or 5 with --quick)")
    parser.add_argument("--output", type=Path, help="where to write the results (markdown)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the generated databases")
    return parser.parse_args(argv)


def build(scale: generate.Scale, out_dir: Path, rebuild: bool) -> tuple[Path, str]:
    cached = generate.database_path(scale, out_dir).exists() and not rebuild
    began = time.perf_counter()
    path = generate.build_database(scale, out_dir, rebuild=rebuild)
    how = "cached" if cached else f"built in {time.perf_counter() - began:.0f} s"
    counts = generate.counts(path)
    size = path.stat().st_size / 2**20
    line = (
        f"{path.name}: {scale.label()}; rows: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f"; {size:,.0f} MiB; {how}"
    )
    print(line, flush=True)
    return path, line


def run_one(module: ModuleType, ctx: Context) -> Outcome:
    print(f"\n== {module.NAME}: {module.TITLE}", flush=True)
    began = time.perf_counter()
    try:
        outcome: Outcome = module.run(ctx)
    except Exception as exc:  # a broken benchmark is reported and the others still run
        traceback.print_exc()
        outcome = Outcome(
            module.NAME,
            module.TITLE,
            (),
            (Check("ran without an error", 1, 0, ""),),
            notes=(f"failed: {type(exc).__name__}: {exc}",),
        )
    seconds = time.perf_counter() - began
    for figure in outcome.figures:
        print(f"   {figure.label:<60} {figure.text()}")
    for check in outcome.checks:
        print(f"   {check.verdict}  {check.label}: {check.value:.4g} (target {check.target})")
    return Outcome(
        outcome.name, outcome.title, outcome.figures, outcome.checks, outcome.notes, outcome.profile, seconds
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    began = time.perf_counter()
    machine = Machine.current()
    out_dir = generate.OUT_DIR
    large_scale, small_scale = (QUICK_LARGE, QUICK_SMALL) if args.quick else (generate.FULL, generate.TENTH)
    large, large_line = build(large_scale, out_dir, args.rebuild)
    small, small_line = build(small_scale, out_dir, args.rebuild)
    ctx = Context(
        quick=args.quick,
        repeats=args.repeats or (5 if args.quick else 11),
        large_db=large,
        tenth_db=small,
        out_dir=out_dir,
    )
    chosen = [BY_NAME[name] for name in args.only] if args.only else list(BENCHMARKS)
    outcomes = [run_one(module, ctx) for module in chosen]
    print("\n" + table(outcomes))
    complete = not args.quick and not args.only
    target = args.output or (RESULTS if complete else out_dir / f"RESULTS-{'quick' if args.quick else 'partial'}.md")
    findings = {m.NAME: getattr(m, "FINDING", "") for m in chosen if getattr(m, "FINDING", "")}
    mode = ("quick, " if args.quick else "full scale, ") + f"{ctx.repeats} repeats"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        markdown(
            outcomes,
            machine=machine,
            started=started,
            mode=mode,
            data=(large_line, small_line),
            findings=findings,
            load_after=load_average(),
            total_seconds=time.perf_counter() - began,
        ),
        encoding="utf-8",
    )
    print(f"\nWritten: {target}")
    return 1 if any(o.notes and o.notes[0].startswith("failed:") for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
