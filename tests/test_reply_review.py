"""Trainers' reply reviews, score overrides and calibration; the m008 migration from the previous schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from optrain import storage, training
from optrain.errors import AttemptError, DecisionError
from optrain.reply_review import (
    attempt_result,
    calibrate,
    cohen_kappa,
    override_item_score,
    review_reply,
    sent_replies,
)
from optrain.scenarios.loader import load_scenario_file
from optrain.storage import MIGRATIONS, open_db
from optrain.storage.export_queries import REPLY_REVIEW_COLUMNS, EvidenceFilter, count_evidence_rows, evidence_batches
from optrain.storage.reply_reviews import (
    ReplyReview,
    list_reply_reviews,
    list_score_overrides,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
TRAINEE = training.Operator("trainee", "Terry Trainee", "trainee@hotrodan.example")


def finished_attempt(db: Database, bodies: dict[str, str] | None = None) -> int:
    """Every item answered with its expected call; a body given per item replaces the prefilled reply."""
    attempt = training.start_attempt(db, SCENARIO, TRAINEE, T0)
    state = training.load_state(db, SCENARIO, attempt.id, "trainee")
    n = 0
    while state.pending:
        for item_id in state.pending:
            n += 1
            item = state.queue.item(item_id)
            note = "over the limit" if item.expected.call == "escalate_manager" else None
            training.record_call(
                db,
                state,
                TRAINEE,
                training.CallInput(
                    item_id, item.expected.call, item.expected.template, (bodies or {}).get(item_id), note
                ),
                now=T0 + timedelta(minutes=n),
                elapsed_seconds=30,
            )
            state = training.load_state(db, SCENARIO, attempt.id, "trainee")
    training.finish(db, state, now=T0 + timedelta(hours=1))
    return attempt.id


def test_m008_upgrades_the_previous_schema_and_old_attempts_keep_their_scores(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Database(path) as old:  # a database made before this change, with an attempt finished on it
        MIGRATIONS.apply(old, stop_before="m008_reply_reviews")
        assert "reply_reviews" not in old.table_names()
    old_db = Database(path)
    attempt_id = finished_attempt(old_db)
    stored = storage.get_attempt(old_db, attempt_id)
    old_db.close()
    db = open_db(path)
    assert {"reply_reviews", "score_overrides"} <= set(db.table_names())
    again = storage.get_attempt(db, attempt_id)
    assert (
        (again.score, again.max_score, again.passed)
        == (stored.score, stored.max_score, stored.passed)
        == (8.0, 8.0, True)
    )
    assert attempt_result(db, SCENARIO, attempt_id).percent == 1.0
    assert list_reply_reviews(db) == () and list_score_overrides(db) == ()


def test_sent_replies_are_the_reply_calls_with_their_automatic_result(db: Database) -> None:
    attempt_id = finished_attempt(db)
    replies = sent_replies(db, SCENARIO, attempt_id)
    assert {r.item_id for r in replies} == {"alex_rivera_sla", "race_weekend_brake_pads", "ai_draft_oil_pan_ship"}
    assert all(r.body and r.result is not None and r.result.reply is not None for r in replies)


def test_a_rubric_review_is_kept_and_replaced_per_reviewer(db: Database) -> None:
    attempt_id = finished_attempt(db)
    review_reply(
        db,
        attempt_id=attempt_id,
        item_id="alex_rivera_sla",
        reviewer="trainer",
        reviewer_name="Tess",
        scale="four_point",
        scores={"factuality": 4, "helpfulness": 3, "tone": 4, "policy": 4},
        comment="Good",
        now=T0,
    )
    review_reply(
        db,
        attempt_id=attempt_id,
        item_id="alex_rivera_sla",
        reviewer="trainer",
        reviewer_name="Tess",
        scale="four_point",
        scores={"factuality": 4, "helpfulness": 2, "tone": 4, "policy": 4},
        comment=" Could give a time ",
        now=T0 + timedelta(minutes=1),
    )
    (review,) = list_reply_reviews(db, attempt_id=attempt_id)
    assert (review.helpfulness, review.comment, review.reviewer) == (2, "Could give a time", "trainer")


@pytest.mark.parametrize(
    ("item_id", "scale", "scores", "message"),
    [
        ("alex_rivera_sla", "four_point", {}, "Score at least one dimension."),
        ("alex_rivera_sla", "four_point", {"tone": 5}, "tone: on the 1 to 4 scale use one of 1, 2, 3, 4."),
        ("alex_rivera_sla", "pass_fail", {"policy": 3}, "policy: on the pass / fail scale use one of 0, 1."),
        ("alex_rivera_sla", "stars", {"tone": 1}, "'stars' is not a scale"),
        ("jordan_lee_refund", "four_point", {"tone": 3}, "'jordan_lee_refund' has no sent reply in this attempt."),
    ],
)
def test_a_bad_review_is_refused_with_what_to_do(
    db: Database, item_id: str, scale: str, scores: dict[str, int], message: str
) -> None:
    attempt_id = finished_attempt(db)
    with pytest.raises(DecisionError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        review_reply(
            db,
            attempt_id=attempt_id,
            item_id=item_id,
            reviewer="trainer",
            reviewer_name=None,
            scale=scale,
            scores=scores,
            comment=None,
            now=T0,
        )
    assert list_reply_reviews(db) == ()


def test_an_override_keeps_who_when_why_and_the_original_and_recomputes_the_attempt(db: Database) -> None:
    bad = (
        "Hi Alex, sorry for the wait on order #HR-10389. We'll refund the full $742 today. "
        "I'll write again within 24 hours."
    )
    attempt_id = finished_attempt(db, {"alex_rivera_sla": bad})
    first = storage.get_attempt(db, attempt_id)
    assert (first.score, first.percent) == (7.0, 7 / 8)  # the reply failed a critical check: 0 of 1 point
    result = override_item_score(
        db,
        SCENARIO,
        attempt_id,
        "alex_rivera_sla",
        points=1,
        reason="Refund was approved by the manager in the thread",
        trainer="trainer",
        now=T0 + timedelta(days=1),
    )
    assert (result.score, result.percent, result.passed) == (8.0, 1.0, True)
    stored = storage.get_attempt(db, attempt_id)
    assert (stored.score, stored.percent, stored.passed) == (8.0, 1.0, True)
    (override,) = list_score_overrides(db, attempt_id)
    assert (override.points, override.original_points, override.overridden_by, override.reason) == (
        1,
        0,
        "trainer",
        "Refund was approved by the manager in the thread",
    )
    item = next(i for i in attempt_result(db, SCENARIO, attempt_id).items if i.item_id == "alex_rivera_sla")
    assert item.verdict == "correct" and "Score overridden to 1/1 by trainer" in item.feedback
    assert "(automatic: 0)" in item.feedback
    (row,) = (row for batch in evidence_batches(db, "reply_reviews", EvidenceFilter()) for row in batch)
    record = dict(zip(REPLY_REVIEW_COLUMNS, row, strict=True))
    assert (record["record"], record["item"], record["points"], record["original_points"]) == (
        "override",
        "alex_rivera_sla",
        1,
        0,
    )


@pytest.mark.parametrize(
    ("points", "reason", "message"),
    [(2, "too generous", "Give between 0 and 1 points"), (1, "  ", "Give a reason for the override")],
)
def test_a_bad_override_is_refused_and_nothing_changes(db: Database, points: float, reason: str, message: str) -> None:
    attempt_id = finished_attempt(db)
    with pytest.raises(DecisionError, match=message):
        override_item_score(
            db, SCENARIO, attempt_id, "alex_rivera_sla", points=points, reason=reason, trainer="trainer", now=T0
        )
    assert list_score_overrides(db) == () and storage.get_attempt(db, attempt_id).score == 8.0


def test_an_unfinished_attempt_cannot_be_overridden(db: Database) -> None:
    attempt = training.start_attempt(db, SCENARIO, TRAINEE, T0)
    with pytest.raises(AttemptError):
        override_item_score(db, SCENARIO, attempt.id, "alex_rivera_sla", points=1, reason="r", trainer="t", now=T0)


def review(
    attempt_id: int, item_id: str, reviewer: str, f: int, h: int, t: int, p: int, scale: str = "four_point"
) -> ReplyReview:
    return ReplyReview(0, attempt_id, item_id, reviewer, None, scale, f, h, t, p, None, T0)  # type: ignore[arg-type]


def test_cohen_kappa_matches_a_worked_example() -> None:
    # 10 paired ratings: 7 agree; rater A gives 1 six times, B five times -> pe = (6*5 + 4*5) / 100 = 0.5
    pairs = [(1, 1)] * 4 + [(2, 2)] * 3 + [(1, 2)] * 2 + [(2, 1)]
    assert cohen_kappa(pairs) == pytest.approx((0.7 - 0.5) / 0.5)
    assert cohen_kappa([(3, 3), (3, 3)]) is None and cohen_kappa([]) is None


def test_calibration_gives_agreement_per_dimension_overall_and_the_most_disagreed_replies() -> None:
    reviews = [
        review(1, "a", "tess", 4, 3, 4, 4),
        review(1, "a", "max", 4, 3, 2, 4),
        review(1, "b", "tess", 1, 2, 3, 1),
        review(1, "b", "max", 1, 2, 3, 1),
        review(2, "a", "tess", 2, 4, 4, 4),
        review(2, "a", "max", 4, 1, 4, 4),
        review(3, "a", "tess", 4, 4, 4, 4),  # scored by one trainer only: not in the calibration
        review(1, "a", "kim", 1, 1, 1, 1, scale="pass_fail"),
    ]
    result = calibrate(reviews, "four_point")
    assert result.replies == 3
    by_dim = {a.dimension: a for a in result.dimensions}
    assert (by_dim["factuality"].pairs, by_dim["factuality"].percent) == (3, pytest.approx(2 / 3))
    assert by_dim["policy"].percent == 1.0 and by_dim["tone"].percent == pytest.approx(2 / 3)
    assert result.overall.pairs == 12 and result.overall.percent == pytest.approx(9 / 12)
    assert by_dim["factuality"].kappa == pytest.approx(cohen_kappa([(4, 4), (1, 1), (4, 2)]))
    assert [(d.attempt_id, d.item_id, d.spread) for d in result.most_disagreed] == [(2, "a", 5), (1, "a", 2)]
    assert calibrate(reviews, "pass_fail").replies == 0


def test_the_evidence_pack_holds_reply_reviews_csv_and_counts_it_in_the_manifest(db: Database, tmp_path: Path) -> None:
    import csv
    import io
    import json
    import zipfile

    from optrain.exports.evidence import export_evidence_pack

    attempt_id = finished_attempt(db)
    review_reply(
        db,
        attempt_id=attempt_id,
        item_id="alex_rivera_sla",
        reviewer="trainer",
        reviewer_name="Tess",
        scale="pass_fail",
        scores={"factuality": 1, "helpfulness": 0, "tone": 1, "policy": 1},
        comment='=HYPERLINK("x")',
        now=T0 + timedelta(hours=2),
    )
    override_item_score(
        db,
        SCENARIO,
        attempt_id,
        "alex_rivera_sla",
        points=0.5,
        reason="No next-update time",
        trainer="trainer",
        now=T0 + timedelta(hours=3),
    )
    pack = export_evidence_pack(
        db,
        EvidenceFilter(),
        exports_dir=tmp_path / "exports",
        uploads_dir=tmp_path,
        signing_key=tmp_path / "key.pem",
        now=T0 + timedelta(days=1),
    )
    with zipfile.ZipFile(pack.path) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("reply_reviews.csv").decode("utf-8"))))
        manifest = json.loads(archive.read("manifest.json"))
    assert [(r["record"], r["item"], r["reviewer"], r["helpfulness"], r["points"], r["reason"]) for r in rows] == [
        ("review", "alex_rivera_sla", "trainer", "0", "", ""),
        ("override", "alex_rivera_sla", "trainer", "", "0.5", "No next-update time"),
    ]
    assert rows[0]["comment"].startswith("'=")  # neutralised like every other text cell
    assert next(f for f in manifest["files"] if f["name"] == "reply_reviews.csv")["rows"] == 2
    assert count_evidence_rows(db, EvidenceFilter(trainee="trainee"))["reply_reviews"] == 2
    assert count_evidence_rows(db, EvidenceFilter(trainee="someone-else"))["reply_reviews"] == 0


def test_the_coach_verdict_and_the_stored_points_of_a_call_include_its_reply_checks(db: Database) -> None:
    attempt = training.start_attempt(db, SCENARIO, TRAINEE, T0)
    state = training.load_state(db, SCENARIO, attempt.id, "trainee")
    verdict = training.record_call(
        db,
        state,
        TRAINEE,
        training.CallInput(
            "alex_rivera_sla",
            "approve_template",
            "ack_delay",
            "Hi Alex, sorry for the wait on order #HR-10389. Internal note: warehouse lost it. I'll write within 24 hours.",
        ),
        now=T0,
        elapsed_seconds=20,
    )[0]
    assert (verdict.verdict, verdict.points) == ("wrong", 0)
    assert "“Internal note: warehouse lost it.”" in verdict.feedback
    (stored,) = storage.list_decisions(db, attempt.id)
    assert (stored.verdict, stored.points) == ("wrong", 0)
