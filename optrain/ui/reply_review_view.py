"""The Review page's Replies tab: read a sent reply beside its automatic checks, score it on the rubric,
override the item's score with a reason, and see how far trainers agree (calibration)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from sqlite_utils import Database

from optrain import storage
from optrain.errors import OptrainError
from optrain.reply_review import (
    SCALE_LABELS,
    SCALES,
    SentReply,
    calibration_for,
    override_item_score,
    review_reply,
    sent_replies,
)
from optrain.scenario_versions import resolve
from optrain.scenarios.loader import Catalog
from optrain.scenarios.model import Scenario
from optrain.scenarios.reply_model import DIMENSION_TITLES
from optrain.storage.reply_reviews import (
    REVIEW_DIMENSIONS,
    list_reply_reviews,
    list_score_overrides,
)
from optrain.ui.auth import User
from optrain.ui.text import plain

PASS_FAIL = {1: "pass", 0: "fail"}


def render(db: Database, catalog: Catalog, trainer: User) -> None:
    reply_picker(db, catalog, trainer)
    st.divider()
    calibration_section(db, catalog)


def reply_picker(db: Database, catalog: Catalog, trainer: User) -> None:
    attempts = [a for a in storage.list_attempts(db) if a.status == "completed"]
    labels = {a.id: f"#{a.id} {a.display_name or a.username} · {a.scenario_id} v{a.scenario_version}" for a in attempts}
    pick = st.selectbox(
        "Attempt",
        list(labels),
        index=None,
        key="replies_attempt",
        placeholder="Choose a finished attempt to review its replies",
        format_func=labels.__getitem__,
    )
    if pick is None:
        return
    attempt = storage.get_attempt(db, pick)
    try:
        scenario = resolve(
            db, catalog.scenarios.get(attempt.scenario_id), attempt.scenario_id, attempt.scenario_version
        )
        replies = sent_replies(db, scenario, pick)
    except OptrainError as exc:
        st.warning(f"This attempt's scenario version cannot be read ({exc}); its replies cannot be reviewed.")
        return
    if not replies:
        st.info("This attempt sent no reply (every call was an escalation or an action).", icon=":material/mail:")
        return
    by_item = {r.item_id: r for r in replies}
    item_id = st.selectbox("Reply", list(by_item), key=f"replies_item_{pick}")
    if item_id is not None:
        reply_panel(db, scenario, by_item[item_id], trainer)


def reply_panel(db: Database, scenario: Scenario, reply: SentReply, trainer: User) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Sent reply**")
        st.code(reply.body, language=None, wrap_lines=True)
        automatic(reply)
    with right:
        rubric_form(db, reply, trainer)
        override_form(db, scenario, reply, trainer)
    reviews = list_reply_reviews(db, attempt_id=reply.attempt_id)
    mine = [r for r in reviews if r.item_id == reply.item_id]
    if mine:
        st.markdown("**Trainers' reviews**")
        st.dataframe(
            [
                {
                    "Reviewer": r.reviewer_name or r.reviewer,
                    "Scale": SCALE_LABELS[r.scale],
                    **{DIMENSION_TITLES[d]: show_score(r.scale, r.score(d)) for d in REVIEW_DIMENSIONS},
                    "Comment": r.comment or "",
                    "When": r.reviewed_at.strftime("%Y-%m-%d %H:%M"),
                }
                for r in mine
            ],
            hide_index=True,
            width="stretch",
        )
    overrides = [o for o in list_score_overrides(db, reply.attempt_id) if o.item_id == reply.item_id]
    if overrides:
        st.markdown("**Score overrides** (the last one is in force)")
        st.dataframe(
            [
                {
                    "Points": f"{o.points:g}/{o.max_points or 0:g}",
                    "Automatic": o.original_points,
                    "By": o.overridden_by,
                    "When": o.overridden_at.strftime("%Y-%m-%d %H:%M"),
                    "Reason": o.reason,
                }
                for o in overrides
            ],
            hide_index=True,
            width="stretch",
        )


def show_score(scale: str, value: int | None) -> str:
    if value is None:
        return "-"
    return PASS_FAIL[value] if scale == "pass_fail" else str(value)


def automatic(reply: SentReply) -> None:
    result = reply.result
    if result is None:
        st.caption("Not on the path this attempt took: no automatic result.")
        return
    st.markdown(f"**Automatic result:** {result.verdict}, {result.points:g}/{result.max_points:g} points")
    if result.reply is None:
        return
    summary = result.reply.dimensions()
    st.markdown(
        " · ".join(
            f"{DIMENSION_TITLES[d]}: {'-' if ok is None else 'pass' if ok else 'fail'}" for d, ok in summary.items()
        )
    )
    for failed in result.reply.failed:
        st.markdown(f"- {plain(failed.describe())}")


def rubric_form(db: Database, reply: SentReply, trainer: User) -> None:
    key = f"{reply.attempt_id}_{reply.item_id}"
    scale = st.radio(
        "Scale", list(SCALES), key=f"rubric_scale_{key}", horizontal=True, format_func=SCALE_LABELS.__getitem__
    )
    with st.form(f"rubric_{key}"):
        st.markdown("**Your rubric score**")
        scores: dict[str, int | None] = {}
        for d in REVIEW_DIMENSIONS:
            scores[d] = st.radio(
                DIMENSION_TITLES[d],
                list(SCALES[scale]),
                index=None,
                horizontal=True,
                key=f"rubric_{d}_{scale}_{key}",
                format_func=lambda v: PASS_FAIL[v] if scale == "pass_fail" else str(v),
            )
        comment = st.text_area("Comment", key=f"rubric_comment_{key}", max_chars=2000)
        if st.form_submit_button("Save review", key=f"rubric_save_{key}"):
            try:
                review_reply(
                    db,
                    attempt_id=reply.attempt_id,
                    item_id=reply.item_id,
                    reviewer=trainer.username,
                    reviewer_name=trainer.name,
                    scale=scale,
                    scores=scores,
                    comment=comment,
                    now=datetime.now(UTC),
                )
            except OptrainError as exc:
                st.error(f"Nothing was saved: {exc}", icon=":material/error:")
            else:
                st.success("Review saved.", icon=":material/rate_review:")


def override_form(db: Database, scenario: Scenario, reply: SentReply, trainer: User) -> None:
    if reply.result is None:
        return
    key = f"{reply.attempt_id}_{reply.item_id}"
    with st.form(f"override_{key}"):
        st.markdown("**Override the item's score**")
        points = st.number_input(
            "Points",
            min_value=0.0,
            max_value=float(reply.result.max_points),
            value=float(reply.result.points),
            step=0.25,
            key=f"override_points_{key}",
        )
        reason = st.text_input("Reason (shown to the trainee)", key=f"override_reason_{key}", max_chars=1000)
        if st.form_submit_button("Override score", key=f"override_save_{key}"):
            try:
                result = override_item_score(
                    db,
                    scenario,
                    reply.attempt_id,
                    reply.item_id,
                    points=points,
                    reason=reason,
                    trainer=trainer.username,
                    now=datetime.now(UTC),
                )
            except OptrainError as exc:
                st.error(f"Nothing was changed: {exc}", icon=":material/error:")
            else:
                st.success(
                    f"Score overridden. The attempt now scores {result.percent:.0%} and "
                    f"{'passes' if result.passed else 'does not pass'}.",
                    icon=":material/edit:",
                )


def calibration_section(db: Database, catalog: Catalog) -> None:
    st.subheader("Calibration")
    scope = st.selectbox(
        "Scenario",
        [""] + sorted(catalog.scenarios),
        key="calibration_scenario",
        format_func=lambda s: s or "All scenarios",
    )
    shown = False
    for result in calibration_for(db, scope or None):
        if not result.replies:
            continue
        shown = True
        st.markdown(
            f"**{SCALE_LABELS[result.scale]} scale**: {result.replies} repl"
            f"{'y' if result.replies == 1 else 'ies'} scored by two or more trainers"
        )
        rows = [
            {
                "Dimension": DIMENSION_TITLES.get(a.dimension, "Overall"),
                "Pairs": a.pairs,
                "Agreement": None if a.percent is None else round(a.percent * 100),
                "Cohen's kappa": None if a.kappa is None else round(a.kappa, 2),
            }
            for a in (*result.dimensions, result.overall)
        ]
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={"Agreement": st.column_config.NumberColumn(format="%d%%")},
        )
        if result.most_disagreed:
            st.markdown("Replies with the most disagreement")
            st.dataframe(
                [
                    {"Attempt": d.attempt_id, "Item": d.item_id, "Reviewers": d.reviewers, "Spread": d.spread}
                    for d in result.most_disagreed
                ],
                hide_index=True,
                width="stretch",
            )
    if not shown:
        st.info(
            "Calibration needs the same reply scored by two or more trainers on the same scale.",
            icon=":material/balance:",
        )


def trainee_reviews(db: Database, attempt_ids: tuple[int, ...]) -> None:
    """What trainers said about a trainee's replies and which scores they overrode (nothing when none)."""
    reviews = [r for a in attempt_ids for r in list_reply_reviews(db, attempt_id=a)]
    overrides = [o for a in attempt_ids for o in list_score_overrides(db, a)]
    if not reviews and not overrides:
        return
    st.subheader("Trainers' reviews of your replies")
    if reviews:
        st.dataframe(
            [
                {
                    "Attempt": r.attempt_id,
                    "Item": r.item_id,
                    "Reviewer": r.reviewer_name or r.reviewer,
                    **{DIMENSION_TITLES[d]: show_score(r.scale, r.score(d)) for d in REVIEW_DIMENSIONS},
                    "Comment": r.comment or "",
                }
                for r in reviews
            ],
            hide_index=True,
            width="stretch",
        )
    if overrides:
        st.dataframe(
            [
                {
                    "Attempt": o.attempt_id,
                    "Item": o.item_id,
                    "Points": o.points,
                    "Automatic": o.original_points,
                    "By": o.overridden_by,
                    "When": o.overridden_at.strftime("%Y-%m-%d %H:%M"),
                    "Reason": o.reason,
                }
                for o in overrides
            ],
            hide_index=True,
            width="stretch",
        )
