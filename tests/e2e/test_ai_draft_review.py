"""A trainee approves a defective AI draft unedited (wrong, with the defect quoted), then in a new attempt
edits it to fix every defect (right)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from optrain import storage
from optrain.calls import CALLS
from optrain.reply_checks import fixed_draft
from optrain.scenarios.model import ConversationItem

from .driver import AppDriver
from .shift_flow import Shift

pytestmark = pytest.mark.e2e

SCENARIO = "intro_control_center"
DRAFT_ITEM = "intro_ai_draft_wrong_order"


def verdict_of(word: str, title: str | None, points: str) -> re.Pattern[str]:
    """The coach's verdict names the item it is about: "Wrong on <title> (0/1)"."""
    return re.compile(rf"{word} on {re.escape(title or DRAFT_ITEM)} \({re.escape(points)}\)")


def work_shift(
    app: AppDriver, shift: Shift, draft_call: str, body: str | None, verdict: re.Pattern[str], quote: str | None = None
) -> None:
    """Every item with its right call, except the flawed draft, which gets `draft_call` (and `body`)."""
    for done, step in enumerate(shift.steps):
        if step.item.id != DRAFT_ITEM:
            shift.call(done)
            continue
        app.radio("Work queue", step.queue_text, pending_only=True)
        app.radio("Your call", re.compile(f"^{re.escape(CALLS[draft_call].label)}$"))
        if body is not None:
            box = app.page.get_by_label("Edited reply")
            box.fill(body)
            box.press("Tab")  # the value reaches the app when the field loses focus, as a person's would
            app.settle()
        app.button(CALLS[draft_call].button_text).click()
        expect(app.toast(f"Reply sent to {step.customer}")).to_be_visible()
        alert = app.page.get_by_test_id("stAlert").filter(has_text=verdict)
        expect(alert.first).to_be_visible()
        if quote is not None:  # the coach names the failed check and quotes the text that failed it
            expect(alert.filter(has_text=f"“{quote}”").first).to_be_visible()
        app.settle()
        app.shot(f"draft_{draft_call}")


def test_a_defective_draft_approved_unedited_is_wrong_and_fixed_in_a_new_attempt_is_right(app: AppDriver) -> None:
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    item = shift.queue.item(DRAFT_ITEM)
    assert isinstance(item, ConversationItem) and item.ai_draft and item.draft_defects
    defect = item.draft_defects[0].text

    shift.open_briefing("Open")
    first = shift.enter("Start shift")
    work_shift(app, shift, "approve_draft", None, verdict_of("Wrong", item.title, "0/1"), quote=defect)
    app.button("Finish shift and see results").click()
    expect(app.metric("Result")).to_be_visible()
    app.settle()
    # the item's lines list each failed check of the reply with its quote
    expect(app.page.locator("li").filter(has_text=f"“{defect}”").first).to_be_visible()
    app.settle()
    app.shot("results_wrong")

    app.button("Try again").click()
    app.page.wait_for_url(re.compile(r"/train\?attempt=\d+$"))
    expect(app.page.get_by_role("radiogroup", name="Work queue")).to_be_visible()
    app.settle()
    retry = Shift(app, SCENARIO)
    retry.attempt_id = int(app.page.url.rsplit("=", 1)[1])
    assert retry.attempt_id != first
    work_shift(app, retry, "edit_draft", fixed_draft(item), verdict_of("Correct", item.title, "1/1"))
    app.button("Finish shift and see results").click()
    expect(app.metric("Result")).to_contain_text("Passed")
    expect(app.metric("Percent")).to_contain_text("100%")
    app.settle()
    app.shot("results_right")

    db = storage.open_db(app.server.db_path, migrate=False)
    try:
        wrong = {d.item_id: d for d in storage.list_decisions(db, first)}[DRAFT_ITEM]
        right = {d.item_id: d for d in storage.list_decisions(db, retry.attempt_id)}[DRAFT_ITEM]
    finally:
        db.close()
    assert (wrong.call, wrong.verdict, wrong.points, wrong.body) == ("approve_draft", "wrong", 0, item.ai_draft)
    assert (right.call, right.verdict, right.points) == ("edit_draft", "correct", 1)
    assert defect not in (right.body or "") and "#HR-10546" in (right.body or "")
