"""Target 2: the Review page (default filters, item analysis) against its own SQL run alone.

The baseline is not a hand-written copy of the page's queries, which would
drift as the page changes: one recorded rerun of the page notes every call it
makes into `optrain.storage` (top-level calls only), and the baseline replays
exactly those calls, with the same arguments, on a connection of its own.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from optrain.storage import open_db

from bench.app_env import app_environment, app_folder, bytecode_cached_as_on_server, checked, signed_in
from bench.measure import Check, Context, Figure, Outcome, ms, profile_text, repeat

NAME = "review"
TITLE = "Review page (default filters, item analysis) vs the same storage calls alone"
LIMIT_RATIO = 3.0
LIMIT_MS = 300.0
# Connection plumbing, not queries the page chose to run.
NOT_QUERIES = frozenset({"optrain.storage.db", "optrain.storage.migrations"})
FINDING = """
**Cause: every rerun recomputed every aggregate over the whole history, then drew four Altair charts.**
All four tabs' bodies run on each rerun, so each click on the page ran every storage call listed above over
every attempt. The costly ones were window functions, which SQLite evaluates by buffering each partition:
`scenario_stats` numbered every completed attempt with one partition per trainee and scenario (18,000
partitions, about 250 ms), `trainee_progress` and `completed_counts` read every attempt through indexes that
did not cover them, and `item_stats` read its base twice with `call_matrix` a third time. Of the page's own
time, Altair's validation of every chart against the Vega-Lite JSON Schema was most.

**Fixed here.** (1) Migration `m006_review_rollups`: a row per trainee and scenario (`attempt_rollups`)
with the sums the statistics add up (attempts, completed, passes, percent sums, best, first attempt's
score, number of the first pass), kept in step by triggers on every insert, update and delete of an attempt,
in the same transaction; `tests/test_analytics_rollups.py` compares it with a recount after starts,
finishes, abandons out of order, hand edits, renames and deletions, and after the migration on an existing
database. `scenario_overview` (statistics and histogram together), `trainee_progress`, `trainee_names` and
`completed_counts` read it when the filter is on trainees and scenarios only (the default); the median and
histogram come from per-score counts read from a covering index. Date, result and status filters still
count from the attempts, numbering them in one ordered pass in Python instead of a window. (2) The item
analysis is one statement (`optrain/storage/item_analysis.py`) over a covering index for each trainee's
first attempt. (3) The charts are plain Vega-Lite dicts (`optrain/ui/review_charts.py`), no DataFrame is
built only to be thrown away, and `app_pages/review.py` is a thin script over `optrain/ui/review_view.py`.
The same figures as the replaced queries (compared under ten filters on seeded random histories, and under
six on the 600,000-decision database). No cache: every measured rerun runs every storage call.

**Before/after**, each in one run of `python -m bench --only review` at full scale: page rerun 684.8 ms ->
108.7 ms, its storage calls 545.1 ms -> 80.3 ms (ratio 1.26x -> 1.35x). The tabs still all draw on each
rerun, so the measured view includes the default filters and the item analysis; the largest storage call
left is the item analysis (about 35 ms, half of it the median time per item, a window over its decisions).
"""


@dataclass(frozen=True)
class StorageCall:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.function.__module__.rsplit('.', 1)[-1]}.{self.function.__name__}"

    @property
    def key(self) -> str:
        return f"{self.name}{self.args[1:]!r}{sorted(self.kwargs.items())!r}"

    def replay(self, db: Any) -> Any:
        return self.function(db, *self.args[1:], **self.kwargs)


def _storage_functions() -> dict[int, Callable[..., Any]]:
    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("optrain.storage.") and name not in NOT_QUERIES:
            for value in vars(module).values():
                if callable(value) and getattr(value, "__module__", None) == name and not isinstance(value, type):
                    found[id(value)] = value
    return found


@contextmanager
def intercepted(answer: Callable[[StorageCall], Any]) -> Iterator[None]:
    """While the block runs, every top-level call into a storage function, from any thread, is `answer(call)`."""
    depth = threading.local()

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "level", 0)
            depth.level = level + 1
            try:
                return function(*args, **kwargs) if level else answer(StorageCall(function, args, kwargs))
            finally:
                depth.level = level

        return wrapper

    wrappers = {key: wrap(function) for key, function in _storage_functions().items()}
    patched: list[tuple[ModuleType, str, Any]] = []
    for name, module in list(sys.modules.items()):
        if name.startswith(("optrain", "app_pages")):
            for attr, value in list(vars(module).items()):
                if id(value) in wrappers:
                    patched.append((module, attr, value))
                    setattr(module, attr, wrappers[id(value)])
    try:
        yield
    finally:
        for module, attr, value in patched:
            setattr(module, attr, value)


def record_calls(run_page: Callable[[], Any]) -> list[tuple[StorageCall, Any]]:
    """The storage calls one page run makes, in order, with their results."""
    calls: list[tuple[StorageCall, Any]] = []

    def through(call: StorageCall) -> Any:
        result = call.replay(call.args[0])
        calls.append((call, result))
        return result

    with intercepted(through):
        run_page()
    return calls


def from_memory(calls: list[tuple[StorageCall, Any]]) -> Callable[[StorageCall], Any]:
    """Answers a storage call with the recorded result of the same call: a perfect cache of the read models."""
    known = {call.key: result for call, result in calls}
    return lambda call: known[call.key] if call.key in known else call.replay(call.args[0])


def run(ctx: Context) -> Outcome:
    with app_environment(app_folder(ctx)) as db_path:
        at = signed_in("trainer")
        checked(at.run())
        checked(at.switch_page("app_pages/review.py").run())
        if not any("Facility" in getattr(frame.value, "columns", ()) for frame in at.dataframe):
            raise RuntimeError("the Review page drew no item analysis; the benchmark is not measuring it")
        calls = record_calls(lambda: checked(at.run()))
        page = repeat(lambda: checked(at.run()), ctx.repeats, warmup=1)
        db = open_db(db_path, read_only=True)
        try:
            sql = repeat(lambda: [call.replay(db) for call, _ in calls], ctx.repeats, warmup=1)
            each = [(call.name, repeat(functools.partial(call.replay, db), 3, warmup=0).median) for call, _ in calls]
        finally:
            db.close()
        ratio = page.median / sql.median
        missed = ratio > LIMIT_RATIO or ms(page.median) > LIMIT_MS
        figures = [Figure("storage calls alone (baseline)", ms(sql.median), "ms"),
                   Figure("Review page rerun", ms(page.median), "ms")]
        figures += [Figure(f"  {name}", ms(seconds), "ms") for name, seconds in each]
        profile = ""
        if missed:
            with intercepted(from_memory(calls)):
                drawing = repeat(lambda: checked(at.run()), ctx.repeats, warmup=1)
                with bytecode_cached_as_on_server():
                    served = repeat(lambda: checked(at.run()), ctx.repeats, warmup=1)
            figures += [Figure("diagnosis: page rerun with every storage call answered from memory",
                               ms(drawing.median), "ms"),
                        Figure("diagnosis: ... and page bytecode cached as the server does", ms(served.median), "ms")]
            profile = profile_text(lambda: checked(at.run()))
    return Outcome(
        NAME, TITLE, tuple(figures),
        (Check("page / its storage calls", ratio, LIMIT_RATIO, "x"), Check("page rerun", ms(page.median), LIMIT_MS, "ms")),
        notes=(f"storage calls made by one rerun: {', '.join(call.name for call, _ in calls)}",),
        profile=profile,
    )
