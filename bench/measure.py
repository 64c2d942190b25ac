"""Timing, results and profiles shared by every benchmark.

A figure is the median of repeated runs, and each speed target is a ratio to
a baseline measured in the same run, so a slower or busier machine moves
both sides alike. A `Check` knows its limit and whether it passed; the
report prints PASS or MISS from it.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("optrain/", "app_pages/", "streamlit_app.py")
# The caller's thread waiting for AppTest's script thread: time spent, not work done.
WAITING = frozenset({"<method 'acquire' of '_thread.lock' objects>", "<built-in method time.sleep>"})


@dataclass(frozen=True)
class Timing:
    """Seconds per run, in the order measured."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.samples), max(self.samples)


def repeat(
    run: Callable[[], Any], times: int, *, warmup: int = 1, setup: Callable[[], Any] | None = None, per: int = 1
) -> Timing:
    """Time `run` `times` times after `warmup` untimed runs; `setup` runs untimed before each.

    `per` divides each sample, for runs that repeat an operation `per` times
    to rise above the timer's resolution.
    """
    samples = []
    for n in range(warmup + times):
        if setup is not None:
            setup()
        began = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - began) / per
        if n >= warmup:
            samples.append(elapsed)
    return Timing(tuple(samples))


@dataclass(frozen=True)
class Case:
    """One side of a comparison: what is timed, what runs untimed before it, how many operations it does."""

    run: Callable[[], Any]
    setup: Callable[[], Any] | None = None
    per: int = 1


def interleaved(cases: Mapping[str, Case], times: int, *, warmup: int = 1) -> dict[str, Timing]:
    """Time several cases in turns (a, b, a, b, ...), so a burst of load elsewhere on the machine
    slows both sides of a ratio instead of one."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for n in range(warmup + times):
        for name, case in cases.items():
            if case.setup is not None:
                case.setup()
            began = time.perf_counter()
            case.run()
            elapsed = (time.perf_counter() - began) / case.per
            if n >= warmup:
                samples[name].append(elapsed)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str

    def text(self) -> str:
        return fmt(self.value, self.unit)


@dataclass(frozen=True)
class Check:
    """A target: `value` must be at most (or, with `at_least`, at least) `limit`."""

    label: str
    value: float
    limit: float
    unit: str
    at_least: bool = False

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    @property
    def target(self) -> str:
        return f"{'>=' if self.at_least else '<='} {fmt(self.limit, self.unit)}"

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


@dataclass(frozen=True)
class Outcome:
    name: str
    title: str
    figures: tuple[Figure, ...]
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()
    profile: str = ""
    seconds: float = 0.0

    @property
    def missed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)


@dataclass
class Context:
    """What a benchmark is given: the scale, how often to repeat, the databases and a scratch folder."""

    quick: bool
    repeats: int
    large_db: Path
    tenth_db: Path
    out_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def scratch(self, name: str) -> Path:
        folder = self.out_dir / "work" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms" if value >= 0.1 else f"{value:.4f} ms"
    if unit == "us":
        return f"{value:.0f} µs" if value >= 10 else f"{value:.2f} µs"
    if unit == "x":
        return f"{value:.2f}x"
    if unit.endswith("/s"):
        return f"{value:,.0f} {unit}"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "":
        return f"{value:,.0f}"
    return f"{value:g} {unit}"


def ms(seconds: float) -> float:
    return seconds * 1000.0


def profile_text(run: Callable[[], Any], *, top: int = 14) -> str:
    """cProfile of one run, threads it starts included (AppTest runs the page in its own thread).

    On Python 3.11 a profiler only sees the thread that enabled it, so each
    new thread enables the same profiler on its first event.
    """
    profiler = cProfile.Profile()

    def hand_over(*_: object) -> None:
        sys.setprofile(None)
        try:
            profiler.enable()
        except ValueError:  # already enabled in this thread
            pass

    threading.setprofile(hand_over)
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
        threading.setprofile(None)  # type: ignore[arg-type]
    return summarise(profiler, top)


def summarise(profiler: cProfile.Profile, top: int) -> str:
    """Where the time goes: the heaviest functions by own time (C calls such as SQLite's included),
    then the project's own functions by cumulative time."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_, _, _, ct, _) in entries.values()), default=0.0)

    def line(key: tuple[str, int, str], value: tuple[int, int, float, float, object]) -> str:
        path, number, name = key
        _, calls, own, cumulative, _ = value
        where = name if path == "~" else f"{_short(path)}:{number} {name}"
        return f"{cumulative * 1000:8.1f}ms {own * 1000:8.1f}ms {calls:8d}  {where}"

    header = f"{'cumulative':>10} {'own':>10} {'calls':>8}  function"
    working = [kv for kv in entries.items() if kv[0][2] not in WAITING]
    by_own = sorted(working, key=lambda kv: kv[1][2], reverse=True)[:top]
    ours = [kv for kv in entries.items() if _short(kv[0][0]).startswith(PROJECT_PARTS)]
    by_cumulative = sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:top]
    return "\n".join(
        [
            "Heaviest by own time:",
            header,
            *(line(k, v) for k, v in by_own),
            "",
            "Project code by cumulative time:",
            header,
            *(line(k, v) for k, v in by_cumulative),
            "",
            f"(total profiled: {total * 1000:.1f} ms; the profiler inflates every figure)",
        ]
    )


def _short(path: str) -> str:
    """Paths as the reader's own checkout would show them: no machine-specific prefix."""
    text = str(path)
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in text:
            return text.split(marker, 1)[1]
    stdlib = sysconfig.get_paths()["stdlib"] + "/"
    return "stdlib/" + text[len(stdlib) :] if text.startswith(stdlib) else text
