"""Trainers' reviews of sent replies (four dimensions, with a comment) and item score overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction

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
