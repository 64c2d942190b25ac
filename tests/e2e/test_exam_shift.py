"""Fast hands and exam conventions in a real browser: a call chosen the moment an item opens is kept, and an
exam-mode shift (a time limit, a call changed before Finish) ends on its results."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from optrain import storage
from optrain.storage.drafts import drafts_of

from .driver import AppDriver
from .server import ROOT, AppServer
from .shift_flow import Shift

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
FAST_TRIES = 6


@pytest.fixture
def exam_server(tmp_path: Path) -> Iterator[AppServer]:
    """An app whose curriculum is hands_on_practice in exam mode, with a one-hour time limit."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    data = yaml.safe_load((ROOT / "scenarios" / f"{SCENARIO}.yaml").read_text(encoding="utf-8"))
    data.update(feedback_mode="exam", time_limit_minutes=60)
    (folder / f"{SCENARIO}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    server = AppServer(tmp_path / "data", scenarios=folder)
    server.data.mkdir()
    server.start()
    yield server
    server.stop()


def call_option(app: AppDriver, attempt_id: int, item_id: str, label: str):  # type: ignore[no-untyped-def]
    """The call choice of this item's panel (by its key), never the previous item's still on screen."""
    return (
        app.page.locator(f".st-key-call_{attempt_id}_{item_id}")
        .locator("label")
        .filter(has_text=re.compile(f"^{re.escape(label)}$"))
    )


def test_a_call_chosen_the_moment_an_item_opens_is_kept(
    own_server: AppServer, open_app: Callable[..., AppDriver]
) -> None:
    app = open_app(own_server)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")
    attempt_id = shift.enter("Start shift")
    roots = {e.item.id for e in shift.queue.entries}
    tries = [s for s in shift.steps if s.item.id in roots][
        1 : FAST_TRIES + 1
    ]  # each a different item from the open one
    assert len(tries) == FAST_TRIES
    queue = app.page.get_by_role("radiogroup", name="Work queue")
    gaps: list[float] = []
    for step in tries:
        picked = time.monotonic()
        queue.locator("label").filter(has_text=step.queue_text).first.click()
        # No waiting for the run to finish: the call is chosen as soon as this item's choice is drawn.
        option = call_option(app, attempt_id, step.item.id, step.call_label)
        option.click()
        gaps.append(time.monotonic() - picked)
        expect(option.locator("input")).to_be_checked()
    app.settle()
    app.shot("fast_choices")
    print("select-to-choose gaps (s):", ", ".join(f"{g:.3f}" for g in gaps))

    db = storage.open_db(own_server.db_path, migrate=False)
    try:
        saved = {s.item.id: drafts_of(db, attempt_id, s.item.id).get("call") for s in tries}
    finally:
        db.close()
    assert saved == {s.item.id: s.item.expected.call for s in tries}, "every choice is saved with its item"
    for step in tries:  # and each is still chosen when its item is opened again
        app.radio("Work queue", step.queue_text)
        expect(call_option(app, attempt_id, step.item.id, step.call_label).locator("input")).to_be_checked()


def test_an_exam_shift_with_a_changed_call_ends_on_its_results(
    exam_server: AppServer, open_app: Callable[..., AppDriver]
) -> None:
    app = open_app(exam_server)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO, exam=True)
    shift.open_briefing("Open")
    expect(app.page.get_by_text("Exam mode", exact=False).first).to_be_visible()
    attempt_id = shift.enter("Start shift")
    expect(app.page.get_by_text(re.compile(r"of a 60 min time limit \(\d+m left\)"))).to_be_visible()
    shift.call(0)

    # A wrong call on the low-stock hoodie, then changed before Finish.
    hoodie = shift.steps[1]
    assert hoodie.item.expected.call == "reorder"
    app.radio("Work queue", hoodie.queue_text, pending_only=True)
    app.radio("Your call", re.compile("^No action$"))
    app.button("Confirm: No action").click()
    expect(app.page.get_by_text(shift.progress(2))).to_be_visible()
    app.settle()
    app.radio("Work queue", hoodie.queue_text)
    expect(app.page.get_by_text(re.compile(r"^Your call: No action ·"))).to_be_visible()
    expect(app.button("Change this call")).to_be_visible()
    app.shot("exam_decided_panel")
    app.button("Change this call").click()
    expect(app.page.get_by_text(re.compile(r"^Changing your call \(No action\)"))).to_be_visible()
    option = call_option(app, attempt_id, hoodie.item.id, hoodie.call_label)
    option.click()
    expect(option.locator("input")).to_be_checked()
    app.page.get_by_label("Quantity to order (units)").fill("60")
    app.page.get_by_label("Quantity to order (units)").press("Tab")
    app.settle()
    app.button(hoodie.submit_label).click()
    expect(app.toast("your call is changed")).to_be_visible()
    expect(app.page.get_by_text(re.compile(r"^Your call: Reorder \(draft PO\) · 60 units ·"))).to_be_visible()
    expect(app.page.get_by_text(shift.progress(2))).to_be_visible()
    app.settle()
    app.shot("shift_in_exam_mode")

    for done in range(2, len(shift.steps)):
        shift.call(done)
    assert [(d.item_id, d.call) for d in shift.stored()] == [(s.item.id, s.item.expected.call) for s in shift.steps]
    db = storage.open_db(exam_server.db_path, migrate=False)
    try:
        log = storage.list_decision_log(db, attempt_id=attempt_id)
    finally:
        db.close()
    assert [r.payload["call"] for r in log if r.payload["item_id"] == hoodie.item.id] == ["no_action", "reorder"]

    app.button("Finish shift and see results").click()
    expect(app.metric("Result")).to_contain_text("Passed")
    expect(app.page.get_by_test_id("stAlert").filter(has_text="Time is up")).to_have_count(0)
    app.settle()
    app.shot("exam_results")
