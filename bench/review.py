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

from bench.app_env import app_environment, app_folder, checked, signed_in
from bench.measure import Check, Context, Figure, Outcome, ms, profile_text, repeat

NAME = "review"
TITLE = "Review page (default filters, item analysis) vs the same storage calls alone"
LIMIT_RATIO = 3.0
LIMIT_MS = 300.0
# Connection plumbing, not queries the page chose to run.
NOT_QUERIES = frozenset({"optrain.storage.db", "optrain.storage.migrations"})


@dataclass(frozen=True)
class StorageCall:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.function.__module__.rsplit('.', 1)[-1]}.{self.function.__name__}"

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
def recording() -> Iterator[list[StorageCall]]:
    """Every top-level call into a storage function while the block runs, from any thread."""
    calls: list[StorageCall] = []
    depth = threading.local()
    targets = _storage_functions()

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "level", 0)
            if level == 0:
                calls.append(StorageCall(function, args, kwargs))
            depth.level = level + 1
            try:
                return function(*args, **kwargs)
            finally:
                depth.level = level

        return recorded

    wrappers = {key: wrap(function) for key, function in targets.items()}
    patched: list[tuple[ModuleType, str, Any]] = []
    for name, module in list(sys.modules.items()):
        if name.startswith(("optrain", "app_pages")):
            for attr, value in list(vars(module).items()):
                if id(value) in wrappers:
                    patched.append((module, attr, value))
                    setattr(module, attr, wrappers[id(value)])
    try:
        yield calls
    finally:
        for module, attr, value in patched:
            setattr(module, attr, value)


def run(ctx: Context) -> Outcome:
    with app_environment(app_folder(ctx)) as db_path:
        at = signed_in("trainer")
        checked(at.run())
        checked(at.switch_page("app_pages/review.py").run())
        if not any("Facility" in getattr(frame.value, "columns", ()) for frame in at.dataframe):
            raise RuntimeError("the Review page drew no item analysis; the benchmark is not measuring it")
        with recording() as calls:
            checked(at.run())
        page = repeat(lambda: checked(at.run()), ctx.repeats, warmup=1)
        db = open_db(db_path, read_only=True)
        try:
            sql = repeat(lambda: [call.replay(db) for call in calls], ctx.repeats, warmup=1)
            each = [(call.name, repeat(functools.partial(call.replay, db), ctx.repeats, warmup=0).median)
                    for call in calls]
        finally:
            db.close()
        ratio = page.median / sql.median
        profile = profile_text(lambda: checked(at.run())) if ratio > LIMIT_RATIO or ms(page.median) > LIMIT_MS else ""
    figures = [Figure("storage calls alone (baseline)", ms(sql.median), "ms"),
               Figure("Review page rerun", ms(page.median), "ms")]
    figures += [Figure(f"  {name}", ms(seconds), "ms") for name, seconds in each]
    return Outcome(
        NAME, TITLE, tuple(figures),
        (Check("page / its storage calls", ratio, LIMIT_RATIO, "x"), Check("page rerun", ms(page.median), LIMIT_MS, "ms")),
        notes=(f"storage calls made by one rerun: {', '.join(call.name for call in calls)}",),
        profile=profile,
    )
