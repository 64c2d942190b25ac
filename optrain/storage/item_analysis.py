"""Item analysis of one scenario version, after Moodle's quiz statistics.

The facility index is the mean item score over its maximum, the
discrimination index the correlation between the item score and the score on
the rest of the scenario; items under 15 % discrimination are doubtful. Sums
come from SQL; only the square root of the correlation is taken in Python
(SQLite may lack math functions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlite_utils import Database

from optrain.storage.analytics import AttemptFilter
from optrain.storage.errors import storage_errors

DOUBTFUL_DISCRIMINATION = 0.15


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    responses: int
    facility: float
    discrimination: float | None
    wrong: int
    partial: int
    median_seconds: float | None

    @property
    def doubtful(self) -> bool:
        return self.discrimination is not None and self.discrimination < DOUBTFUL_DISCRIMINATION


_ITEM_BASE = """
    WITH base AS (
        SELECT id, score FROM (
            SELECT a.id, a.score,
                   ROW_NUMBER() OVER (PARTITION BY a.username ORDER BY a.started_at, a.id) AS rn
            FROM attempts a
            WHERE a.scenario_id = :scenario_id AND a.scenario_version = :version
              AND a.status = 'completed' AND a.official = 1
              AND (:usernames IS NULL OR a.username IN (SELECT value FROM json_each(:usernames)))
              AND (:since IS NULL OR a.started_at >= :since)
              AND (:until IS NULL OR a.started_at < :until)
              AND (:passed IS NULL OR a.passed = :passed)
        ) WHERE :all_attempts = 1 OR rn = 1
    ),
    x AS (
        SELECT d.item_id, COALESCE(d.points, 0) AS p, COALESCE(d.max_points, 1) AS m,
               b.score - COALESCE(d.points, 0) AS rest, d.elapsed_seconds AS secs, d.verdict,
               d.call, d.template
        FROM decisions d JOIN base b ON b.id = d.attempt_id
    )
"""


def _correlation(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if n < 2 or var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


@dataclass(frozen=True)
class CallCount:
    item_id: str
    call: str
    template: str | None
    verdict: str
    count: int


@dataclass(frozen=True)
class ItemAnalysis:
    """Per-item statistics and the calls chosen per item, for one scenario version."""

    items: tuple[ItemStats, ...]
    calls: tuple[CallCount, ...]


# One row per item and chosen call with the sums the item statistics add up, and
# the item's median time: every figure of the item analysis from one pass over the
# attempts' decisions (the base was read three times when each figure had a query).
_ITEM_ANALYSIS = (
    _ITEM_BASE
    + """,
    grouped AS (
        SELECT item_id, call, template, verdict, COUNT(*) AS n, SUM(p / m) AS facility_sum,
               COUNT(p / m) AS facility_n, SUM(p) AS sx,
               SUM(rest) AS sy, SUM(p * rest) AS sxy, SUM(p * p) AS sxx, SUM(rest * rest) AS syy
        FROM x GROUP BY item_id, call, template, verdict
    ),
    medians AS (
        SELECT item_id, AVG(secs) AS median FROM (
            SELECT item_id, secs, ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY secs) AS pos,
                   COUNT(*) OVER (PARTITION BY item_id) AS n
            FROM x WHERE secs IS NOT NULL
        ) WHERE pos IN ((n + 1) / 2, (n + 2) / 2) GROUP BY item_id
    )
    SELECT g.item_id, g.call, g.template, g.verdict, g.n, g.facility_sum, g.facility_n, g.sx, g.sy, g.sxy, g.sxx, g.syy,
           m.median
    FROM grouped g LEFT JOIN medians m ON m.item_id = g.item_id
    ORDER BY g.item_id, g.n DESC, g.call, g.template, g.verdict
"""
)


def scenario_item_analysis(
    db: Database, scenario_id: str, version: int, f: AttemptFilter | None = None, *, all_attempts: bool = False
) -> ItemAnalysis:
    """Per item, on first attempts (default) or all completed attempts of one scenario version.

    `f` narrows the attempts as on the rest of the Review page (trainees,
    start dates, result); "first" is each trainee's first completed attempt
    the filter selects, as in `scenario_overview`. Its scenario and status
    filters do not apply: the scenario is given, and only completed attempts
    have scores. Calls are most common first per item (ties by call,
    template, verdict).
    """
    chosen = (f or AttemptFilter()).params()
    params = {
        "scenario_id": scenario_id,
        "version": version,
        "all_attempts": int(all_attempts),
        **{key: chosen[key] for key in ("usernames", "since", "until", "passed")},
    }
    with storage_errors():
        rows = db.execute(_ITEM_ANALYSIS, params).fetchall()
    # Per item: n, facility sum, its count, sx, sy, sxy, sxx, syy, wrong, partial (SQL's SUM and COUNT
    # skip NULLs, as AVG(p / m) did when a maximum of 0 made the ratio NULL).
    sums: dict[str, list[float]] = {}
    medians: dict[str, float | None] = {}
    calls = []
    for item_id, call, template, verdict, *figures, median in rows:
        calls.append(CallCount(item_id=item_id, call=call, template=template, verdict=verdict, count=figures[0]))
        total = sums.setdefault(item_id, [0] * 10)
        for i, value in enumerate(figures):
            total[i] += value or 0
        total[8] += figures[0] if verdict in ("wrong", "unanswered") else 0
        total[9] += figures[0] if verdict == "partial" else 0
        medians[item_id] = median
    items = tuple(
        ItemStats(
            item_id=item_id,
            responses=int(n),
            facility=facility_sum / facility_n if facility_n else 0.0,
            discrimination=_correlation(int(n), sx, sy, sxy, sxx, syy),
            wrong=int(wrong),
            partial=int(partial),
            median_seconds=medians[item_id],
        )
        for item_id, (n, facility_sum, facility_n, sx, sy, sxy, sxx, syy, wrong, partial) in sums.items()
    )
    return ItemAnalysis(items=items, calls=tuple(calls))
