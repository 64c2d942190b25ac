"""The shift without a mouse, and on a phone: keyboard shortcuts work a whole queue; at 390 px the verdict
stays by the panel where the call was made."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from optrain.calls import label_of

from .driver import AppDriver
from .server import AppServer
from .shift_flow import Shift

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
# Calls that need typing or a template first; the keyboard test takes the first call that does not.
TYPED = {label_of("approve_template"), label_of("escalate_manager")}


def focus_call_choice(app: AppDriver) -> None:
    """Tab through the page until the focus is on the call choice, as a keyboard user does."""
    for _ in range(60):
        app.page.keyboard.press("Tab")
        inside = app.page.evaluate(
            "() => !!document.activeElement?.closest('[role=radiogroup][aria-label=\"Your call\"]')"
        )
        if inside:
            return
    raise AssertionError("the call choice cannot be reached with the Tab key")


def focus_send(app: AppDriver) -> None:
    """From the call choice, Tab on to the send button (a field that takes text would keep Ctrl+Enter)."""
    for _ in range(80):
        app.page.keyboard.press("Tab")
        if app.page.evaluate("() => !!document.activeElement?.closest('[class*=\"st-key-submit_\"]')"):
            return
    raise AssertionError("the send button cannot be reached with the Tab key")


def checked_call(app: AppDriver) -> str:
    group = app.page.get_by_role("radiogroup", name="Your call")
    return str(group.locator("label").filter(has=app.page.locator("input:checked")).inner_text()).strip()


def test_a_whole_shift_by_keyboard(own_server: AppServer, open_app: Callable[..., AppDriver]) -> None:
    app = open_app(own_server)  # its own database: the shift it finishes changes the catalog
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")
    shift.enter("Start shift")
    total = len(shift.queue.entries)
    for done in range(total):
        focus_call_choice(app)
        app.page.keyboard.press("Space")
        app.settle()
        while checked_call(app) in TYPED:
            focus_call_choice(app)
            app.page.keyboard.press("ArrowDown")
            app.settle()
        focus_send(app)
        app.page.keyboard.press("Enter")
        expect(app.page.get_by_text(f"{done + 1} of {total} decided")).to_be_visible()
        app.settle()
    app.shot("every_item_decided_by_keyboard")
    assert len(shift.stored()) == total
    app.page.keyboard.press("Alt+k")  # previous item, then next: the queue moves without the mouse
    app.settle()
    app.page.keyboard.press("Alt+j")
    app.settle()
    app.page.keyboard.press("Alt+f")
    expect(app.metric("Result")).to_be_visible()
    app.shot("results_by_keyboard")


def test_at_390_px_the_verdict_is_in_view_by_the_panel(
    own_server: AppServer, open_app: Callable[..., AppDriver]
) -> None:
    app = open_app(own_server)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")  # through the sidebar, which a phone folds away
    shift.enter("Start shift")
    app.page.set_viewport_size({"width": 390, "height": 844})
    app.settle()
    app.page.keyboard.press("Alt+j")  # the second item: the low-stock hoodie
    app.settle()
    focus_call_choice(app)
    app.page.keyboard.press("Space")
    app.settle()
    focus_send(app)
    app.page.keyboard.press("Enter")
    step = shift.steps[1]
    verdict = app.page.get_by_test_id("stAlert").filter(has_text=re.compile("Correct|Partial|Wrong")).first
    expect(verdict).to_be_visible()
    app.settle()
    expect(verdict).to_contain_text(step.item.title)
    app.page.set_viewport_size({"width": 390, "height": 844})
    verdict.scroll_into_view_if_needed()
    send_next = app.page.get_by_role("radiogroup", name="Your call")
    box, panel = verdict.bounding_box(), send_next.bounding_box()
    assert box is not None and panel is not None
    assert abs(panel["y"] - box["y"]) < 844, "the verdict and the next call are on the same phone screen"
    app.shot("phone_verdict", whole_page=False)  # the phone's own screen
