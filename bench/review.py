"""Target 2: the Review page (default filters, item analysis) against its own storage calls alone.

The baseline makes the storage calls one rerun of the page makes with the
default filters, with the same arguments, on a connection of its own: the
filter bar's trainee names, the newest attempts, the scenario statistics,
the item analysis of the scenario the Items tab opens on, the certificates
and the trainees' progress. The page run is checked to have drawn the item
analysis, so the two sides measure the same work.
"""

from __future__ import annotations

from sqlite_utils import Database

from bench.app_env import app_environment, app_folder, checked, signed_in
from bench.generate import load_builtin
from bench.measure import (
    Case,
    Check,
    Context,
    Figure,
    Outcome,
    interleaved,
    ms,
    profile_text,
)
from optrain.storage import open_db
from optrain.storage.analytics import (
    AttemptFilter,
    list_attempt_summaries,
    scenario_overview,
    trainee_names,
    trainee_progress,
)
from optrain.storage.certificates import list_certificates
from optrain.storage.item_analysis import scenario_item_analysis

NAME = "review"
TITLE = "Review page (default filters, item analysis) vs the same storage calls alone"
LIMIT_RATIO = 3.0
LIMIT_MS = 300.0


def storage_calls(db: Database) -> None:
    """What one rerun of the page asks of storage with the default filters."""
    f = AttemptFilter()
    trainee_names(db)
    overview = scenario_overview(db, f)
    list_attempt_summaries(db, f)
    counts = {s.scenario_id: s.attempts for s in overview.stats}
    scenarios = {s.id: s for s in load_builtin()}
    opened = min(scenarios, key=lambda i: (-counts.get(i, 0), scenarios[i].title))  # the Items tab's first
    scenario_item_analysis(db, opened, scenarios[opened].version, f)
    list_certificates(db)
    trainee_progress(db, f)


def run(ctx: Context) -> Outcome:
    with app_environment(app_folder(ctx)) as db_path:
        at = signed_in("trainer")
        checked(at.run())
        checked(at.switch_page("app_pages/review.py").run())
        if not any("Facility" in getattr(frame.value, "columns", ()) for frame in at.dataframe):
            raise RuntimeError("the Review page drew no item analysis; the benchmark is not measuring it")
        db = open_db(db_path, read_only=True)
        try:
            timings = interleaved(
                {
                    "storage": Case(lambda: storage_calls(db)),
                    "page": Case(lambda: checked(at.run())),
                },
                ctx.repeats,
            )
        finally:
            db.close()
        sql, page = timings["storage"], timings["page"]
        ratio = page.median / sql.median
        missed = ratio > LIMIT_RATIO or ms(page.median) > LIMIT_MS
        profile = profile_text(lambda: checked(at.run())) if missed else ""
    return Outcome(
        NAME,
        TITLE,
        (
            Figure("storage calls alone (baseline)", ms(sql.median), "ms"),
            Figure("Review page rerun", ms(page.median), "ms"),
        ),
        (
            Check("page / its storage calls", ratio, LIMIT_RATIO, "x"),
            Check("page rerun", ms(page.median), LIMIT_MS, "ms"),
        ),
        profile=profile,
    )
