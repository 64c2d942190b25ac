"""A trainee works a whole coach-mode shift in the browser, then answers the Q&A."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Dialog, expect

from optrain.scenarios.model import Question

from .driver import AppDriver
from .shift_flow import ESCALATION_REASON, Shift
from .shift_plan import perfect_result

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
HOSTILE_ANSWER = "<script>alert(1)</script> **bold**"


def answer_questions(app: AppDriver, questions: tuple[Question, ...], hostile_id: str) -> None:
    for question in questions:
        if question.kind == "text":
            text = HOSTILE_ANSWER if question.id == hostile_id else f"Answer to {question.id}: the queue was clear."
            app.page.get_by_label(question.text, exact=True).fill(text)
        else:
            option = "4" if question.kind == "rating" else "Somewhat"
            app.radio(question.text, re.compile(f"^{option}"))


def test_coach_shift_start_to_finish(app: AppDriver, open_app: Callable[..., AppDriver]) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    app.page.on("dialog", record)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")
    shift.enter("Start shift")
    expect(app.page.get_by_text(shift.progress(0))).to_be_visible()
    app.shot("00_shift_started")
    for done in range(len(shift.steps)):
        shift.call(done)

    stored = shift.stored()
    assert [(d.item_id, d.call, d.template) for d in stored] == [
        (s.item.id, s.item.expected.call, s.item.expected.template) for s in shift.steps
    ]
    assert [d.note for d in stored if d.call == "escalate_manager"] == [ESCALATION_REASON]
    expect(app.page.get_by_text("Every item has a call.")).to_be_visible()

    result = perfect_result(shift.scenario, shift.queue)
    assert result.passed
    app.button("Finish shift and see results").click()
    expect(app.metric("Result")).to_contain_text("Passed")
    expect(app.metric("Score")).to_contain_text(f"{result.score:g} / {result.max_score:g}")
    app.settle()
    app.shot("results")

    questions = shift.scenario.questions
    texts = [q for q in questions if q.kind == "text"]
    assert texts, f"{SCENARIO} needs a text question for the hostile answer"
    answer_questions(app, questions, texts[-1].id)
    app.shot("qa_filled")
    app.button("Submit answers").click()
    count = len(questions)
    expect(app.page.get_by_text(f"your feedback is saved ({count} of {count} questions answered)")).to_be_visible()
    app.settle()
    app.shot("qa_saved")

    trainer = open_app(prefix="trainer_")
    trainer.page.on("dialog", record)
    trainer.sign_in("trainer")
    trainer.goto("/qa")
    # The grid draws on a canvas; its accessible copy holds the cell text exactly as stored.
    cell = trainer.page.get_by_role("gridcell", name=HOSTILE_ANSWER, exact=True, include_hidden=True)
    expect(cell).to_have_count(1)
    expect(trainer.page.locator("strong", has_text="bold")).to_have_count(0)
    trainer.shot("reads_answers")
    assert dialogs == []
