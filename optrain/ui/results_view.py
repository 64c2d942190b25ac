"""Results of a finished attempt, and the Q&A capture that follows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import streamlit as st

from optrain import qa_capture, storage, training
from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.reply_review import apply_overrides
from optrain.scenarios.model import AGENDA_TITLES
from optrain.scoring import AttemptResult, ItemResult
from optrain.shift import duration
from optrain.storage.reply_reviews import overrides_in_force
from optrain.ui.db import get_db
from optrain.ui.reply_review_view import trainee_reviews
from optrain.ui.text import HARD_BREAK, label, plain
from optrain.uploads import MAX_SCREENSHOT_BYTES

# The queue's marks, as badges (an emoji is a box where the system has no emoji font).
VERDICT = {
    "correct": ":green-badge[:material/check: correct]",
    "partial": ":orange-badge[:material/change_circle: partial]",
    "wrong": ":red-badge[:material/close: wrong]",
    "unanswered": ":gray-badge[no call]",
}


SCALE_ENDS = re.compile(r"\(\s*1\s*=\s*(?P<low>[^,;)]+?)\s*[,;]\s*5\s*=\s*(?P<high>[^)]+?)\s*\)")


def scale_ends(question: str) -> tuple[str, str]:
    """The captions under 1 and 5, as the question words them ("(1 = not yet, 5 = ready)"); else low/high."""
    match = SCALE_ENDS.search(question)
    return (match["low"], match["high"]) if match else ("low", "high")


def render_result(result: AttemptResult, state: training.AttemptState) -> bool:
    """Score, verdicts and explanations; True when the trainee asks to try again.

    A trainer's score override is in force here too, with its reason, and the
    trainers' rubric reviews of the replies follow the explanations.
    """
    result = apply_overrides(result, overrides_in_force(get_db(), state.attempt.id))
    a, b, c, d = st.columns(4)
    a.metric("Score", f"{result.score:g} / {result.max_score:g}")
    b.metric("Percent", f"{result.percent:.0%}", help=f"Pass mark {result.pass_mark:.0%}")
    c.metric("Result", "Passed" if result.passed else "Not passed")
    total = sum(r.elapsed_seconds or 0 for r in result.items)
    d.metric("Time on calls", duration(total))
    if result.passed:
        st.success(
            "Passed. Well done: every critical call was right and you cleared the pass mark.",
            icon=":material/verified:",
        )
    elif result.critical_failures:
        st.error(
            "Not passed: a critical item went wrong ("
            + ", ".join(plain(r.title) for r in result.items if r.critical_failure)
            + "). On a critical item one wrong call fails the whole attempt, whatever the score.",
            icon=":material/gpp_bad:",
        )
    else:
        st.warning(
            f"Not passed: {result.percent:.0%} is under the pass mark of {result.pass_mark:.0%}. "
            "Read the explanations below and try again.",
            icon=":material/replay:",
        )
    st.subheader("Item by item")
    for n, item in enumerate(result.items, start=1):
        st.markdown(item_markdown(n, item))
    trainer_reviews(state.attempt.id)
    return st.button(
        "Try again", key="try_again", icon=":material/replay:", help="Starts a new attempt; this one stays on record."
    )


def item_markdown(n: int, item: ItemResult) -> str:
    """One item's verdict, both calls, time and explanation as lines that wrap.

    A table of eight columns cut "Expected" and "Why" off on a laptop and on a phone, and showed ten
    rows in a scroll box inside the page.
    """
    head = f"**{n}. {plain(item.title)}**" + (" (follow-up)" if item.is_follow_up else "")
    head += f" · {VERDICT[item.verdict]} · {item.points:g}/{item.max_points:g} points"
    if item.critical_failure:
        head += " · :red[**CRITICAL**]"
    lines = [head, f"Your call: {plain(item.call_label)} · Expected: {plain(item.expected_label)}"]
    if item.elapsed_seconds is not None:
        target = "within target" if item.within_target else f"over the {duration(item.target_seconds)} target"
        lines.append(f":gray[Time {duration(item.elapsed_seconds)}, {target}]")
    lines += [plain(item.feedback), f":gray[Rule: {plain(item.rule_text)}]"]
    failed = item.reply.failed if item.reply else ()
    return HARD_BREAK.join(lines) + "".join(f"\n- {plain(f.describe())}" for f in failed)


def trainer_reviews(attempt_id: int) -> None:
    """Trainers' rubric scores of this attempt's replies, and their score overrides, as the trainee sees them."""
    trainee_reviews(get_db(), (attempt_id,))


def render_qa(state: training.AttemptState, settings: Settings) -> None:
    """The trainers' questions, with the right widget per answer kind; skipping is recorded."""
    scenario = state.scenario
    if not scenario.questions:
        return
    st.subheader("Your feedback")
    saved = storage.list_answers(get_db(), attempt_id=state.attempt.id)
    if saved:
        answered = sum(1 for a in saved if not a.skipped)
        if not answered:
            st.info("You skipped the questions: no answers were saved.", icon=":material/forum:")
            return
        attached = "Your screenshot is attached." if any(a.screenshot for a in saved) else "No screenshot attached."
        st.success(
            f"Thanks: your feedback is saved ({answered} of {len(saved)} questions answered). {attached}",
            icon=":material/forum:",
        )
        return
    st.caption("Trainers and the product team read every answer. Your exact words are kept; skip anything you like.")
    aid = state.attempt.id
    with st.form(f"qa_{aid}"):
        for q in scenario.questions:
            st.markdown(f"**{plain(q.text)}**  \n:gray[{AGENDA_TITLES.get(q.part, q.part)}]")
            if q.kind == "text":
                st.text_area(
                    label(q.text),
                    key=f"qa_{aid}_{q.id}",
                    label_visibility="collapsed",
                    max_chars=qa_capture.MAX_ANSWER_CHARS,
                )
            elif q.kind == "yes_somewhat_no":
                st.radio(
                    label(q.text),
                    qa_capture.YES_SOMEWHAT_NO,
                    index=None,
                    horizontal=True,
                    key=f"qa_{aid}_{q.id}",
                    label_visibility="collapsed",
                )
            else:
                low, high = scale_ends(q.text)
                st.radio(
                    label(q.text),
                    ["1", "2", "3", "4", "5"],
                    index=None,
                    horizontal=True,
                    key=f"qa_{aid}_{q.id}",
                    label_visibility="collapsed",
                    captions=[plain(low), "", "", "", plain(high)],
                )
        st.divider()
        severity = st.selectbox(
            "How much does this get in your way? (optional)",
            qa_capture.SEVERITIES,
            index=None,
            key=f"qa_{aid}_severity",
            placeholder="No severity",
        )
        # The widget takes up to the server's cap and the app checks its own 2 MB limit: a file the widget
        # refused never reached the server, so the trainee was told "saved" while the screenshot was lost.
        shot = st.file_uploader(
            f"Screenshot (optional, PNG or JPEG, up to {MAX_SCREENSHOT_BYTES // (1024 * 1024)} MB)",
            type=["png", "jpg", "jpeg"],
            key=f"qa_{aid}_shot",
        )
        send, skip = st.columns(2)
        submitted = send.form_submit_button("Submit answers", type="primary", width="stretch")
        skipped = skip.form_submit_button("Skip Q&A", width="stretch")
    if not (submitted or skipped):
        return
    ss = st.session_state
    data = shot.getvalue() if (shot is not None and submitted) else None
    given = {q.id: ss.get(f"qa_{aid}_{q.id}") for q in scenario.questions}
    # Severity and screenshot describe the whole submission; the screenshot is filed with the first answer.
    first = next((qid for qid, text in given.items() if (text or "").strip()), scenario.questions[0].id)
    answers = (
        []
        if skipped
        else [
            qa_capture.AnswerInput(qid, text, severity, data if qid == first else None) for qid, text in given.items()
        ]
    )
    try:
        qa_capture.save_qa(
            get_db(), scenario, state.attempt, answers, uploads_dir=settings.uploads_dir, now=datetime.now(UTC)
        )
    except OptrainError as exc:
        st.error(plain(f"Nothing was saved: {exc}"), icon=":material/error:")  # names question text
        return
    st.toast(
        "Questions skipped: no answers were saved." if skipped else "Thanks, your feedback is saved.",
        icon=":material/forum:",
    )
    st.rerun()
