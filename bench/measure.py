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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


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

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def repeat(run: Callable[[], Any], times: int, *, warmup: int = 1, setup: Callable[[], Any] | None = None,
           per: int = 1) -> Timing:
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
        return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"
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
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_, _, _, ct, _) in entries.values()), default=0.0)
    lines = [f"{'cumulative':>10} {'own':>8} {'calls':>8}  function"]
    ranked = sorted(entries.items(), key=lambda kv: kv[1][3], reverse=True)
    shown = 0
    for (path, line, name), (_, calls, own, cumulative, _) in ranked:
        where = _short(path)
        if where.startswith(("~", "<")) or name.startswith("<") and name != "<module>":
            continue
        lines.append(f"{cumulative * 1000:8.1f}ms {own * 1000:6.1f}ms {calls:8d}  {where}:{line} {name}")
        shown += 1
        if shown >= top:
            break
    lines.append(f"(total profiled: {total * 1000:.1f} ms; times are inflated by the profiler)")
    return "\n".join(lines)


def _short(path: str) -> str:
    text = str(path)
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in text:
            return text.split(marker, 1)[1]
    return text
