"""The machine, the table printed after a run, and bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.measure import Outcome, fmt


@dataclass(frozen=True)
class Machine:
    cpus: int
    cpu_model: str
    ram_gib: float
    python: str
    sqlite: str
    system: str
    packages: str
    load_before: str

    @classmethod
    def current(cls) -> Machine:
        packages = ", ".join(f"{name} {_version(name)}" for name in ("streamlit", "sqlite-utils", "Faker", "pandas"))
        return cls(
            cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0,
            cpu_model=_cpuinfo("model name") or platform.processor() or "unknown",
            ram_gib=_meminfo_kib("MemTotal") / 2**20,
            python=sys.version.split()[0],
            sqlite=sqlite3.sqlite_version,
            system=platform.platform(),
            packages=packages,
            load_before=load_average(),
        )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _cpuinfo(field: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == field:
                return value.strip()
    except OSError:
        pass
    return None


def _meminfo_kib(field: str) -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


METHOD = """\
- **Data.** `bench/generate.py` builds the database through `open_db` and the app's migrations, from a seeded
  `random.Random` and fixed times, with the item ids, calls, points and verdicts of the built-in scenarios
  (judged by `optrain.scoring.judge`), and caches it under `bench/out/` by a hash of its parameters, the
  scenario files and the schema. Each trainee works the scenarios in turn until 600 calls are made, every
  item of an attempt getting a call. The built-in scenarios hold about 11 items each, so 600 calls take about
  55 attempts per trainee rather than the 20 x 30 of the issue: the decision count is exact, and the
  attempt-level aggregates of the Review page work on about 2.7 times the attempts the issue assumed.
- **Timing.** Every figure is a median; the two sides of a ratio are timed in turns (a, b, a, b, ...), so a
  burst of other work on the machine slows both. The load average above says how busy the machine was.
- **Readings of the targets.** A decision is what a browser sends while a trainee works the queue mid-shift:
  open the item, choose the call, submit, each one rerun; the check is that each of those reruns costs at
  most 5x a one-line page's rerun (the slowest step is checked), and the three together are reported
  beside it. The queue's baseline makes every fake value of each conversation with Faker's own provider for
  it (names, phone, order and tracking numbers with `numerify`, vehicles, parts, carriers and wording with
  `random_element` over the same lists and weights, the ETA with `date_between`), in the builder's order,
  on a Faker seeded the same way. Decision rows/s is the rows of `decisions.csv` over the whole pack's time. A target
  that is missed gets a cProfile of one run below its figures.
"""


def table(outcomes: Sequence[Outcome]) -> str:
    """The summary printed to the terminal: one line per check."""
    rows = [("benchmark", "check", "measured", "target", "result")]
    for o in outcomes:
        for c in o.checks:
            rows.append((o.name, c.label, fmt(c.value, c.unit), c.target, c.verdict))
        if not o.checks:
            rows.append((o.name, "(figures only)", "", "", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(
    outcomes: Sequence[Outcome],
    *,
    machine: Machine,
    started: datetime,
    mode: str,
    data: Sequence[str],
    findings: Mapping[str, str],
    load_after: str,
    total_seconds: float,
) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench` ({mode}) on {started:%Y-%m-%d %H:%M} UTC; the whole run took "
        f"{total_seconds / 60:.1f} min. Every figure is the median of repeated runs; every speed target is a ratio "
        "to a baseline measured in the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPUs available | {machine.cpus} |",
        f"| CPU | {machine.cpu_model} |",
        f"| RAM | {machine.ram_gib:.1f} GiB |",
        f"| Python | {machine.python} |",
        f"| SQLite | {machine.sqlite} |",
        f"| System | {machine.system} |",
        f"| Packages | {machine.packages} |",
        f"| Load average (1, 5, 15 min) | before: {machine.load_before}; after: {load_after} |",
        "",
        "## Data",
        "",
        *[f"- {line}" for line in data],
        "",
        "## Method",
        "",
        METHOD,
        "## Summary",
        "",
        "| benchmark | check | measured | target | result |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        for c in o.checks:
            out.append(f"| {o.name} | {c.label} | {fmt(c.value, c.unit)} | {c.target} | **{c.verdict}** |")
        if not o.checks:
            out.append(f"| {o.name} | (no target: figures only) | | | - |")
    for o in outcomes:
        out += ["", f"## {o.name}: {o.title}", "", f"Took {o.seconds:.0f} s.", "", "| figure | value |", "|---|---|"]
        out += [f"| {f.label.strip()} | {f.text()} |" for f in o.figures]
        out += [""] + [f"- {c.label}: {fmt(c.value, c.unit)}, target {c.target}: **{c.verdict}**" for c in o.checks]
        out += [f"- {note}" for note in o.notes]
        if o.name in findings:
            heading = "Why it misses" if o.missed else "Cause found, fix and before/after"
            out += ["", f"### {heading}", "", findings[o.name].strip()]
        if o.profile:
            out += ["", "Profile of one run (cProfile, cumulative time, heaviest first):", "", "```", o.profile, "```"]
    return "\n".join(out) + "\n"
