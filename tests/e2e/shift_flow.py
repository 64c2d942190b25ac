"""A shift worked through the screen: start or resume it, make calls, compare with what was stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import expect

from optrain import storage
from optrain.calls import CALLS
from optrain.queue import Queue
from optrain.scenarios.model import Scenario

from .driver import AppDriver
from .shift_plan import Step, load, perfect_shift

ESCALATION_REASON = "Refund over the $500 limit: needs a manager's approval"


@dataclass
class Shift:
    """One attempt of `scenario_id`, driven through `app`, made of the right call for every item."""

    app: AppDriver
    scenario_id: str
    attempt_id: int = 0
    exam: bool = False  # the app runs the scenario in exam mode: no verdict until the shift is finished
    scenario: Scenario = field(init=False)
    queue: Queue = field(init=False)
    steps: list[Step] = field(init=False)

    def __post_init__(self) -> None:
        self.scenario, self.queue = load(self.scenario_id)
        self.steps = list(perfect_shift(self.scenario, self.queue))

    # ------------------------------------------------------------ what the screen should say

    def progress(self, done: int) -> str:
        """The queue's own items: a follow-up does not move the total (the screen says one was added)."""
        roots = {e.item.id for e in self.queue.entries}
        return f"{sum(1 for step in self.steps[:done] if step.item.id in roots)} of {len(roots)} decided"

    def stored(self) -> tuple[storage.DecisionRow, ...]:
        db = storage.open_db(self.app.server.db_path, migrate=False)
        try:
            return storage.list_decisions(db, self.attempt_id)
        finally:
            db.close()

    # ------------------------------------------------------------ actions

    def open_briefing(self, button: str) -> None:
        """Through the sidebar to the catalog, then from the card (its button reads Open or Resume) to the briefing."""
        self.app.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        expect(self.app.page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
        self.app.settle()
        card_button = self.app.page.locator(f".st-key-open_{self.scenario_id} button")
        expect(card_button).to_have_text(button)
        self.app.shot("catalog")
        card_button.click()
        expect(self.app.page.get_by_role("heading", name=self.scenario.title)).to_be_visible()
        self.app.settle()
        self.app.shot("briefing")

    def enter(self, button: str) -> int:
        """Start (or resume) from the briefing; returns the attempt id, which the URL carries."""
        self.app.button(button).click()
        self.app.page.wait_for_url(re.compile(r"/train\?attempt=\d+(&|$)"))  # the open item may follow
        expect(self.app.page.get_by_role("radiogroup", name="Work queue")).to_be_visible()
        self.app.settle()
        found = re.search(r"attempt=(\d+)", self.app.page.url)
        assert found, self.app.page.url
        self.attempt_id = int(found[1])
        return self.attempt_id

    def call(self, done: int) -> Step:
        """Make the right call on step `done` (0-based), checking the confirmation and the coach's verdict."""
        step, app = self.steps[done], self.app
        app.radio("Work queue", step.queue_text, pending_only=True)
        app.radio("Your call", re.compile(f"^{re.escape(step.call_label)}$"))
        toast = step.confirmation
        if step.template_option:
            assert step.first_name is not None
            app.select("Template", step.template_option)
            body = app.page.get_by_label("Reply (you can edit it before sending)")
            expect(body).to_have_value(re.compile(re.escape(step.first_name)))
            toast = f"Reply sent to {step.customer}"
        if step.item.expected.call == "escalate_manager":
            self._escalate_without_reason(step, done)
            app.page.get_by_label("Reason for the manager (required)").fill(ESCALATION_REASON)
        app.button(step.submit_label).click()
        expect(app.toast(toast)).to_be_visible()
        if self.exam:
            expect(app.page.get_by_text(self.progress(done + 1))).to_be_visible()
            app.settle()
            expect(
                app.page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Correct|Partial|Wrong"))
            ).to_have_count(0)
            app.shot(f"{done + 1:02d}_{step.item.id}")
            return step
        word, points = step.verdict.split(" ", 1)  # the verdict names its item between the two: "Correct on Alex (1/1)"
        verdict = (
            app.page.get_by_test_id("stAlert")
            .filter(has_text=word)
            .filter(has_text=points)
            .filter(has_text=step.feedback[:60])
        )
        expect(verdict.first).to_be_visible()
        expect(app.page.get_by_text(self.progress(done + 1))).to_be_visible()
        app.settle()
        app.shot(f"{done + 1:02d}_{step.item.id}")
        return step

    def _escalate_without_reason(self, step: Step, done: int) -> None:
        """The button is there, but without a reason nothing may be recorded."""
        self.app.button(step.submit_label).click()
        expect(self.app.page.get_by_text(CALLS["escalate_manager"].note_required)).to_be_visible()
        self.app.settle()
        self.app.shot(f"{done + 1:02d}_escalate_without_reason")
        assert len(self.stored()) == done
        expect(self.app.page.get_by_text(self.progress(done))).to_be_visible()

    def expect_decided(self, step: Step) -> None:
        """Open a decided item and see the call that was recorded for it."""
        self.app.radio("Work queue", step.queue_text)
        template = f" ({step.item.expected.template})" if step.item.expected.template else ""
        panel = self.app.page.get_by_text(re.compile(f"^Your call: {re.escape(step.call_label + template)} ·"))
        expect(panel).to_be_visible()
