"""Reviewing sent replies like a QA team: rubric scores, score overrides and calibration between trainers.

The automatic reply checks judge every reply the moment it is sent; trainers
add a human rubric score on the same four dimensions, may override an item's
score with a reason (the attempt's result is recomputed from it), and see how
far they agree with each other when several score the same reply.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlite_utils import Database

from optrain import storage
from optrain.errors import AttemptError, DecisionError
from optrain.queue import generate_queue
from optrain.reply_checks import REPLY_CALLS
from optrain.scenarios.model import Scenario
from optrain.scoring import AttemptResult, Decision, ItemResult, Verdict, score_attempt
from optrain.storage.reply_reviews import (
    REVIEW_DIMENSIONS,
    ReplyReview,
    Scale,
    ScoreOverride,
    add_score_override,
    list_reply_reviews,
    overrides_in_force,
    save_reply_review,
)

SCALES: dict[str, tuple[int, ...]] = {"four_point": (1, 2, 3, 4), "pass_fail": (0, 1)}
SCALE_LABELS: dict[str, str] = {"four_point": "1 to 4", "pass_fail": "pass / fail"}
MAX_COMMENT_CHARS = 2_000
MAX_REASON_CHARS = 1_000


@dataclass(frozen=True)
class SentReply:
    """A reply a trainee sent: what a trainer reviews."""

    attempt_id: int
    item_id: str
    call: str
    body: str
    result: ItemResult | None


def sent_replies(db: Database, scenario: Scenario, attempt_id: int) -> tuple[SentReply, ...]:
    """The replies of an attempt in the order they were sent, each with its automatic result."""
    storage.get_attempt(db, attempt_id)  # an unknown attempt is an AttemptError, not an empty list
    decisions = storage.list_decisions(db, attempt_id)
    results = {r.item_id: r for r in attempt_result(db, scenario, attempt_id, decisions=decisions).items}
    return tuple(
        SentReply(attempt_id, d.item_id, d.call, d.body or "", results.get(d.item_id))
        for d in decisions
        if d.call in REPLY_CALLS and d.body
    )


def attempt_result(
    db: Database, scenario: Scenario, attempt_id: int, decisions: Sequence[storage.DecisionRow] | None = None
) -> AttemptResult:
    """The automatic result of an attempt with the score overrides in force applied."""
    rows = decisions if decisions is not None else storage.list_decisions(db, attempt_id)
    calls = [Decision(d.item_id, d.call, d.template, d.body, d.note, d.elapsed_seconds) for d in rows]
    result = score_attempt(scenario, calls, generate_queue(scenario))
    return apply_overrides(result, overrides_in_force(db, attempt_id))


def apply_overrides(result: AttemptResult, overrides: Mapping[str, ScoreOverride]) -> AttemptResult:
    """Each overridden item gets the trainer's points and a verdict to match; the totals follow."""
    if not overrides:
        return result
    items: list[ItemResult] = []
    for item in result.items:
        override = overrides.get(item.item_id)
        if override is None:
            items.append(item)
            continue
        points = min(override.points, item.max_points)
        verdict: Verdict = "correct" if points >= item.max_points else "partial" if points > 0 else "wrong"
        note = (
            f"Score overridden to {points:g}/{item.max_points:g} by {override.overridden_by} on "
            f"{override.overridden_at:%Y-%m-%d %H:%M} UTC (automatic: {item.points:g}): {override.reason}"
        )
        items.append(
            replace(
                item,
                points=points,
                verdict=verdict,
                critical_failure=item.critical and verdict == "wrong",
                feedback=f"{note}. {item.feedback}",
            )
        )
    return replace(
        result,
        items=tuple(items),
        score=round(sum(i.points for i in items), 4),
        critical_failures=tuple(i.item_id for i in items if i.critical_failure),
    )


def override_item_score(
    db: Database,
    scenario: Scenario,
    attempt_id: int,
    item_id: str,
    *,
    points: float,
    reason: str,
    trainer: str,
    now: datetime,
) -> AttemptResult:
    """Override one item's score with a reason; returns the attempt's recomputed result."""
    attempt = storage.get_attempt(db, attempt_id)
    if attempt.status != "completed":
        raise AttemptError("Only a finished attempt's scores can be overridden.")
    reason = reason.strip()
    if not reason:
        raise DecisionError("Give a reason for the override; the trainee and the evidence pack will see it.")
    if len(reason) > MAX_REASON_CHARS:
        raise DecisionError(f"The reason is {len(reason):,} characters; keep it under {MAX_REASON_CHARS:,}.")
    before = attempt_result(db, scenario, attempt_id)
    item = next((i for i in before.items if i.item_id == item_id), None)
    if item is None:
        raise DecisionError(f"'{item_id}' is not an item this attempt reached.")
    if not 0 <= points <= item.max_points:
        raise DecisionError(f"Give between 0 and {item.max_points:g} points for {item_id}.")
    automatic = next(
        i
        for i in score_attempt(
            scenario,
            [
                Decision(d.item_id, d.call, d.template, d.body, d.note, d.elapsed_seconds)
                for d in storage.list_decisions(db, attempt_id)
            ],
            generate_queue(scenario),
        ).items
        if i.item_id == item_id
    )
    pending = ScoreOverride(0, attempt_id, item_id, points, automatic.points, item.max_points, reason, trainer, now)
    after = apply_overrides(before, {item_id: pending})
    add_score_override(
        db,
        attempt_id=attempt_id,
        item_id=item_id,
        points=points,
        original_points=automatic.points,
        max_points=item.max_points,
        reason=reason,
        overridden_by=trainer,
        now=now,
        rescored={
            "score": after.score,
            "max_score": after.max_score,
            "percent": after.percent,
            "passed": after.passed,
            "critical_failures": len(after.critical_failures),
        },
    )
    return after


def review_reply(
    db: Database,
    *,
    attempt_id: int,
    item_id: str,
    reviewer: str,
    reviewer_name: str | None,
    scale: str,
    scores: Mapping[str, int | None],
    comment: str | None,
    now: datetime,
) -> ReplyReview:
    """Validate and keep a trainer's rubric score of one sent reply."""
    if scale not in SCALES:
        raise DecisionError(f"'{scale}' is not a scale; use one of: {', '.join(SCALES)}")
    given = {d: scores.get(d) for d in REVIEW_DIMENSIONS}
    if all(v is None for v in given.values()):
        raise DecisionError("Score at least one dimension.")
    bad = [d for d, v in given.items() if v is not None and v not in SCALES[scale]]
    if bad:
        allowed = ", ".join(map(str, SCALES[scale]))
        raise DecisionError(f"{', '.join(bad)}: on the {SCALE_LABELS[scale]} scale use one of {allowed}.")
    text = (comment or "").strip() or None
    if text and len(text) > MAX_COMMENT_CHARS:
        raise DecisionError(f"The comment is {len(text):,} characters; keep it under {MAX_COMMENT_CHARS:,}.")
    sent = {d.item_id: d for d in storage.list_decisions(db, attempt_id)}.get(item_id)
    if sent is None or sent.call not in REPLY_CALLS or not sent.body:
        raise DecisionError(f"'{item_id}' has no sent reply in this attempt.")
    return save_reply_review(
        db,
        attempt_id=attempt_id,
        item_id=item_id,
        reviewer=reviewer,
        reviewer_name=reviewer_name,
        scale=scale,  # type: ignore[arg-type]
        scores=given,
        comment=text,
        now=now,
    )


# ---------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Agreement:
    """How often trainers gave the same score: over every pair of reviews of the same reply."""

    dimension: str
    pairs: int
    percent: float | None
    kappa: float | None  # Cohen's kappa, pooled over reviewer pairs; None where it does not apply


@dataclass(frozen=True)
class Disagreement:
    attempt_id: int
    item_id: str
    reviewers: int
    spread: int  # sum over dimensions of (highest - lowest) score given


@dataclass(frozen=True)
class Calibration:
    scale: str
    replies: int  # replies scored by two or more trainers on this scale
    dimensions: tuple[Agreement, ...]
    overall: Agreement
    most_disagreed: tuple[Disagreement, ...]


def cohen_kappa(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Cohen's kappa of paired ratings; None when chance agreement is total (every rating the same)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def calibrate(reviews: Iterable[ReplyReview], scale: Scale, *, top: int = 10) -> Calibration:
    """Agreement per dimension and overall among reviews on one scale, and the replies most disagreed on."""
    by_reply: dict[tuple[int, str], list[ReplyReview]] = defaultdict(list)
    for review in reviews:
        if review.scale == scale:
            by_reply[(review.attempt_id, review.item_id)].append(review)
    shared = {key: rs for key, rs in by_reply.items() if len(rs) >= 2}
    per_dimension: dict[str, list[tuple[int, int]]] = {d: [] for d in REVIEW_DIMENSIONS}
    for rs in shared.values():
        ordered = sorted(rs, key=lambda r: r.reviewer)  # a fixed order of raters within each pair
        for a, b in itertools.combinations(ordered, 2):
            for d in REVIEW_DIMENSIONS:
                x, y = a.score(d), b.score(d)
                if x is not None and y is not None:
                    per_dimension[d].append((x, y))

    def agreement(name: str, pairs: list[tuple[int, int]]) -> Agreement:
        percent = sum(x == y for x, y in pairs) / len(pairs) if pairs else None
        return Agreement(name, len(pairs), percent, cohen_kappa(pairs))

    dims = tuple(agreement(d, per_dimension[d]) for d in REVIEW_DIMENSIONS)
    overall = agreement("overall", [p for d in REVIEW_DIMENSIONS for p in per_dimension[d]])
    spreads = []
    for (attempt_id, item_id), rs in shared.items():
        spread = 0
        for d in REVIEW_DIMENSIONS:
            given = [s for s in (r.score(d) for r in rs) if s is not None]
            spread += (max(given) - min(given)) if len(given) >= 2 else 0
        spreads.append(Disagreement(attempt_id, item_id, len(rs), spread))
    spreads.sort(key=lambda s: (-s.spread, s.attempt_id, s.item_id))
    return Calibration(scale, len(shared), dims, overall, tuple(s for s in spreads if s.spread > 0)[:top])


def calibration_for(db: Database, scenario_id: str | None = None) -> tuple[Calibration, ...]:
    reviews = list_reply_reviews(db, scenario_id=scenario_id)
    return tuple(calibrate(reviews, scale) for scale in ("four_point", "pass_fail"))  # type: ignore[arg-type]
