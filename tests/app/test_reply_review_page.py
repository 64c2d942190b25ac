"""Review > Replies: a trainer scores a sent reply on the rubric, overrides its score, and reads the calibration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.reply_review import review_reply
from optrain.storage.reply_reviews import list_reply_reviews, list_score_overrides
from optrain.ui.text import plain

from .harness import START, Env, Seed

ITEM = "alex_rivera_sla"


def open_reply(app: Callable[..., AppTest], attempt_id: int) -> AppTest:
    at = app("trainer", "review")
    assert not at.exception
    at.selectbox(key="replies_attempt").set_value(attempt_id).run()
    assert not at.exception
    at.selectbox(key=f"replies_item_{attempt_id}").set_value(ITEM).run()
    assert not at.exception
    return at


def test_the_trainer_sees_the_reply_beside_its_automatic_result_and_saves_a_rubric_review(
    app: Callable[..., AppTest], env: Env, seed: Seed
) -> None:
    attempt_id = seed.finished("trainee")
    at = open_reply(app, attempt_id)
    assert any("Hi Alex" in c.value for c in at.code)
    assert any("Automatic result:** correct, 1/1 points" in m.value for m in at.markdown)
    assert any("Factuality: pass · Helpfulness: pass · Tone: pass · Policy: pass" in m.value for m in at.markdown)
    key = f"{attempt_id}_{ITEM}"
    for dimension, value in (("factuality", 4), ("helpfulness", 3), ("tone", 4), ("policy", 4)):
        at.radio(key=f"rubric_{dimension}_four_point_{key}").set_value(value)
    at.text_area(key=f"rubric_comment_{key}").set_value("Clear, but give a time for the next update.")
    at.button(key=f"rubric_save_{key}").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Review saved."]
    (saved,) = list_reply_reviews(env.db(), attempt_id=attempt_id)
    assert (saved.reviewer, saved.scale, saved.factuality, saved.helpfulness, saved.comment) == (
        "trainer",
        "four_point",
        4,
        3,
        "Clear, but give a time for the next update.",
    )
    table = next(f.value for f in at.dataframe if "Comment" in f.value.columns)
    assert table.to_dict("records")[0]["Helpfulness"] == "3"


def test_a_review_with_no_score_is_refused_and_nothing_is_saved(
    app: Callable[..., AppTest], env: Env, seed: Seed
) -> None:
    attempt_id = seed.finished("trainee")
    at = open_reply(app, attempt_id)
    at.button(key=f"rubric_save_{attempt_id}_{ITEM}").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Nothing was saved: Score at least one dimension."]
    assert list_reply_reviews(env.db()) == ()


def test_an_override_with_a_reason_recomputes_the_attempt_and_keeps_the_original(
    app: Callable[..., AppTest], env: Env, seed: Seed
) -> None:
    attempt_id = seed.finished("trainee")
    at = open_reply(app, attempt_id)
    key = f"{attempt_id}_{ITEM}"
    at.number_input(key=f"override_points_{key}").set_value(0.0)
    at.button(key=f"override_save_{key}").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Nothing was changed: Give a reason for the override; the trainee and the evidence pack will see it."
    ]
    at.number_input(key=f"override_points_{key}").set_value(0.0)
    at.text_input(key=f"override_reason_{key}").set_value("Promised a callback time we cannot keep")
    at.button(key=f"override_save_{key}").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Score overridden. The attempt now scores 88% and passes."]
    db = env.db()
    (override,) = list_score_overrides(db, attempt_id)
    assert (override.points, override.original_points, override.overridden_by) == (0, 1, "trainer")
    assert storage.get_attempt(db, attempt_id).score == 7
    table = next(f.value for f in at.dataframe if "Reason" in f.value.columns)
    assert table.to_dict("records")[0]["Automatic"] == 1


def test_calibration_shows_agreement_per_dimension_and_the_replies_most_disagreed_on(
    app: Callable[..., AppTest], env: Env, seed: Seed
) -> None:
    first, second = seed.finished("trainee"), seed.finished("trainee")
    for attempt_id, (a, b) in ((first, ((4, 4, 4, 4), (4, 4, 2, 4))), (second, ((3, 3, 3, 3), (3, 3, 3, 3)))):
        for reviewer, scores in (("trainer", a), ("admin", b)):
            review_reply(
                seed.db,
                attempt_id=attempt_id,
                item_id=ITEM,
                reviewer=reviewer,
                reviewer_name=None,
                scale="four_point",
                scores=dict(zip(("factuality", "helpfulness", "tone", "policy"), scores, strict=False)),
                comment=None,
                now=START + timedelta(hours=3),
            )
    at = app("trainer", "review")
    assert not at.exception
    agreement = next(f.value for f in at.dataframe if "Cohen's kappa" in f.value.columns).to_dict("records")
    by_dimension = {r["Dimension"]: r for r in agreement}
    assert (by_dimension["Factuality"]["Pairs"], by_dimension["Factuality"]["Agreement"]) == (2, 100)
    assert by_dimension["Tone"]["Agreement"] == 50 and by_dimension["Overall"]["Agreement"] == 88
    assert by_dimension["Factuality"]["Cohen's kappa"] == 1.0
    disagreed = next(f.value for f in at.dataframe if "Spread" in f.value.columns).to_dict("records")
    assert disagreed == [{"Attempt": first, "Item": ITEM, "Reviewers": 2, "Spread": 2}]


def test_the_trainee_sees_the_override_and_the_reviews_in_the_results_and_in_my_results(
    app: Callable[..., AppTest], seed: Seed
) -> None:
    from optrain.reply_review import override_item_score

    attempt_id = seed.finished("trainee")
    review_reply(
        seed.db,
        attempt_id=attempt_id,
        item_id=ITEM,
        reviewer="trainer",
        reviewer_name="Riley Chen",
        scale="pass_fail",
        scores={"factuality": 1, "helpfulness": 0, "tone": 1, "policy": 1},
        comment="Say when Alex hears back.",
        now=START + timedelta(hours=2),
    )
    override_item_score(
        seed.db,
        seed.scenario(),
        attempt_id,
        ITEM,
        points=0.5,
        reason="No time for the next update",
        trainer="trainer",
        now=START + timedelta(hours=2),
    )
    at = app("trainee", "train", attempt=str(attempt_id))
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["7.5 / 8", "94%"]
    assert any(
        plain("Score overridden to 0.5/1 by trainer") in m.value and plain("No time for the next update") in m.value
        for m in at.markdown
    )
    reviews = next(f.value for f in at.dataframe if "Comment" in f.value.columns).to_dict("records")
    assert reviews == [
        {
            "Attempt": attempt_id,
            "Item": ITEM,
            "Reviewer": "Riley Chen",
            "Factuality": "pass",
            "Helpfulness": "fail",
            "Tone": "pass",
            "Policy": "pass",
            "Comment": "Say when Alex hears back.",
        }
    ]
    mine = app("trainee", "my_results")
    assert not mine.exception
    overrides = next(f.value for f in mine.dataframe if "Reason" in f.value.columns).to_dict("records")
    assert [(o["Item"], o["Points"], o["Automatic"], o["Reason"]) for o in overrides] == [
        (ITEM, 0.5, 1.0, "No time for the next update")
    ]
