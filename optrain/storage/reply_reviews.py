"""Trainers' reviews of sent replies (four dimensions, with a comment) and item score overrides."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, storage_errors, utc_iso, write_transaction

Scale = Literal["four_point", "pass_fail"]
REVIEW_DIMENSIONS: tuple[str, ...] = ("factuality", "helpfulness", "tone", "policy")


@dataclass(frozen=True)
class ReplyReview:
    id: int
    attempt_id: int
    item_id: str
    reviewer: str
    reviewer_name: str | None
    scale: Scale
    factuality: int | None
    helpfulness: int | None
    tone: int | None
    policy: int | None
    comment: str | None
    reviewed_at: datetime

    def score(self, dimension: str) -> int | None:
        return cast("int | None", getattr(self, dimension))


@dataclass(frozen=True)
class ScoreOverride:
    id: int
    attempt_id: int
    item_id: str
    points: float
    original_points: float | None
    max_points: float | None
    reason: str
    overridden_by: str
    overridden_at: datetime


_REVIEW_COLUMNS = (
    "id, attempt_id, item_id, reviewer, reviewer_name, scale, factuality, helpfulness, tone, policy, "
    "comment, reviewed_at"
)
_OVERRIDE_COLUMNS = "id, attempt_id, item_id, points, original_points, max_points, reason, overridden_by, overridden_at"


def save_reply_review(
    db: Database,
    *,
    attempt_id: int,
    item_id: str,
    reviewer: str,
    reviewer_name: str | None,
    scale: Scale,
    scores: Mapping[str, int | None],
    comment: str | None,
    now: datetime,
) -> ReplyReview:
    """One review per reviewer and reply: saving again replaces the reviewer's earlier one."""
    params: dict[str, Any] = {
        "attempt_id": attempt_id,
        "item_id": item_id,
        "reviewer": reviewer,
        "reviewer_name": reviewer_name,
        "scale": scale,
        "comment": comment,
        "reviewed_at": utc_iso(now),
        **{d: scores.get(d) for d in REVIEW_DIMENSIONS},
    }
    with write_transaction(db):
        db.execute(
            """
            INSERT INTO reply_reviews (attempt_id, item_id, reviewer, reviewer_name, scale, factuality, helpfulness,
                                       tone, policy, comment, reviewed_at)
            VALUES (:attempt_id, :item_id, :reviewer, :reviewer_name, :scale, :factuality, :helpfulness, :tone,
                    :policy, :comment, :reviewed_at)
            ON CONFLICT (attempt_id, item_id, reviewer) DO UPDATE SET
                reviewer_name = excluded.reviewer_name, scale = excluded.scale, factuality = excluded.factuality,
                helpfulness = excluded.helpfulness, tone = excluded.tone, policy = excluded.policy,
                comment = excluded.comment, reviewed_at = excluded.reviewed_at
            """,
            params,
        )
        return _reviews(db, "attempt_id = :attempt_id AND item_id = :item_id AND reviewer = :reviewer", params)[0]


def list_reply_reviews(
    db: Database, *, attempt_id: int | None = None, scenario_id: str | None = None
) -> tuple[ReplyReview, ...]:
    """Reviews of one attempt, of one scenario's attempts, or all; oldest first."""
    return _reviews(
        db,
        "(:attempt_id IS NULL OR attempt_id = :attempt_id) AND (:scenario_id IS NULL OR attempt_id IN "
        "(SELECT id FROM attempts WHERE scenario_id = :scenario_id))",
        {"attempt_id": attempt_id, "scenario_id": scenario_id},
    )


def _reviews(db: Database, condition: str, params: Mapping[str, Any]) -> tuple[ReplyReview, ...]:
    return fetch_all(
        db,
        f"SELECT {_REVIEW_COLUMNS} FROM reply_reviews WHERE {condition} ORDER BY reviewed_at, id",
        dict(params),
        _review_from_row,
    )


def _review_from_row(row: dict[str, Any]) -> ReplyReview:
    return ReplyReview(**{**row, "reviewed_at": cast(datetime, from_iso(row["reviewed_at"]))})


def add_score_override(
    db: Database,
    *,
    attempt_id: int,
    item_id: str,
    points: float,
    original_points: float | None,
    max_points: float | None,
    reason: str,
    overridden_by: str,
    now: datetime,
    rescored: Mapping[str, Any] | None = None,
) -> ScoreOverride:
    """Keep an override (earlier ones stay on record) and, in the same transaction, the attempt's new result.

    `rescored` holds the attempt's recomputed score, max_score, percent, passed
    and critical_failures; only a completed attempt's result is updated.
    """
    params = {
        "attempt_id": attempt_id,
        "item_id": item_id,
        "points": points,
        "original_points": original_points,
        "max_points": max_points,
        "reason": reason,
        "overridden_by": overridden_by,
        "overridden_at": utc_iso(now),
    }
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO score_overrides (attempt_id, item_id, points, original_points, max_points, reason,
                                         overridden_by, overridden_at)
            VALUES (:attempt_id, :item_id, :points, :original_points, :max_points, :reason, :overridden_by,
                    :overridden_at)
            """,
            params,
        )
        if rescored is not None:
            db.execute(
                """
                UPDATE attempts SET score = :score, max_score = :max_score, percent = :percent, passed = :passed,
                    critical_failures = :critical_failures
                WHERE id = :attempt_id AND status = 'completed'
                """,
                {**rescored, "passed": int(bool(rescored["passed"])), "attempt_id": attempt_id},
            )
        return _overrides(db, "id = :id", {"id": cursor.lastrowid})[0]


def list_score_overrides(db: Database, attempt_id: int | None = None) -> tuple[ScoreOverride, ...]:
    """Every override, oldest first; the last one per item is in force."""
    return _overrides(db, ":attempt_id IS NULL OR attempt_id = :attempt_id", {"attempt_id": attempt_id})


def overrides_in_force(db: Database, attempt_id: int) -> dict[str, ScoreOverride]:
    return {o.item_id: o for o in list_score_overrides(db, attempt_id)}


def _overrides(db: Database, condition: str, params: Mapping[str, Any]) -> tuple[ScoreOverride, ...]:
    return fetch_all(
        db,
        f"SELECT {_OVERRIDE_COLUMNS} FROM score_overrides WHERE {condition} ORDER BY id",
        dict(params),
        _override_from_row,
    )


def _override_from_row(row: dict[str, Any]) -> ScoreOverride:
    return ScoreOverride(**{**row, "overridden_at": cast(datetime, from_iso(row["overridden_at"]))})


# ---------------------------------------------------------------- for the evidence pack

REPLY_REVIEW_EXPORT_COLUMNS: tuple[str, ...] = (
    "record",
    "attempt",
    "trainee",
    "scenario",
    "version",
    "item",
    "reviewer",
    "scale",
    "factuality",
    "helpfulness",
    "tone",
    "policy",
    "comment",
    "points",
    "original_points",
    "max_points",
    "reason",
    "at",
)
# The evidence pack's filters on the attempt a review or override belongs to (as its other tables do).
_ATTEMPT_MATCHES = """
    (:since IS NULL OR a.started_at >= :since) AND (:until IS NULL OR a.started_at < :until)
    AND (:trainee IS NULL OR a.username = :trainee) AND (:scenario_id IS NULL OR a.scenario_id = :scenario_id)
"""
_EXPORT_SQL = f"""
    SELECT 'review' AS record, r.attempt_id, a.username, a.scenario_id, a.scenario_version, r.item_id,
           r.reviewer, r.scale, r.factuality, r.helpfulness, r.tone, r.policy, r.comment,
           NULL AS points, NULL AS original_points, NULL AS max_points, NULL AS reason, r.reviewed_at AS at
    FROM reply_reviews r JOIN attempts a ON a.id = r.attempt_id WHERE {_ATTEMPT_MATCHES}
    UNION ALL
    SELECT 'override', o.attempt_id, a.username, a.scenario_id, a.scenario_version, o.item_id,
           o.overridden_by, NULL, NULL, NULL, NULL, NULL, NULL, o.points, o.original_points, o.max_points,
           o.reason, o.overridden_at
    FROM score_overrides o JOIN attempts a ON a.id = o.attempt_id WHERE {_ATTEMPT_MATCHES}
    ORDER BY at, record, attempt_id, item_id
"""
_COUNT_SQL = f"""
    SELECT (SELECT count(*) FROM reply_reviews r JOIN attempts a ON a.id = r.attempt_id WHERE {_ATTEMPT_MATCHES})
         + (SELECT count(*) FROM score_overrides o JOIN attempts a ON a.id = o.attempt_id WHERE {_ATTEMPT_MATCHES})
"""


def _filter_params(filters: Any) -> dict[str, Any]:
    """The evidence pack's filter (since, until, trainee, scenario_id) as query parameters."""
    return {
        "since": None if filters.since is None else utc_iso(filters.since),
        "until": None if filters.until is None else utc_iso(filters.until),
        "trainee": filters.trainee,
        "scenario_id": filters.scenario_id,
    }


def iter_reply_review_rows(db: Database, filters: Any) -> Iterator[tuple[Any, ...]]:
    """Every reply review and score override of the attempts the filter selects, as REPLY_REVIEW_EXPORT_COLUMNS."""
    with storage_errors():
        cursor = db.execute(_EXPORT_SQL, _filter_params(filters))
        try:
            while batch := cursor.fetchmany(500):
                yield from batch
        finally:
            cursor.close()


def count_reply_review_rows(db: Database, filters: Any) -> int:
    with storage_errors():
        return int(db.execute(_COUNT_SQL, _filter_params(filters)).fetchone()[0])


def reply_review_export_rows(db: Database, filters: Any = None) -> tuple[dict[str, Any], ...]:
    """The same rows as dicts (all attempts when no filter is given)."""
    from optrain.storage.export_queries import EvidenceFilter

    rows = iter_reply_review_rows(db, filters or EvidenceFilter())
    return tuple(dict(zip(REPLY_REVIEW_EXPORT_COLUMNS, row, strict=True)) for row in rows)
