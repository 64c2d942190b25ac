"""The server is killed (SIGKILL) in the middle of a shift and started again on the same database:
after signing in again, resuming shows every call that was confirmed before the crash.

A confirmation on screen means the call was committed first, so nothing
confirmed may be lost; the call that was only being prepared is simply not
there, and can be made after the restart.
"""

from __future__ import annotations

import re
import signal
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, expect

from optrain import storage

from .conftest import TIMEOUT_MS
from .driver import VIEWPORT, AppDriver
from .server import AppServer
from .shift_plan import Step, load, perfect_shift

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
CONFIRMED = 2  # calls made and confirmed before the crash; the next one is being prepared
REASON = "Refund over the $500 limit: needs a manager's approval"


@pytest.fixture
def tab(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[AppServer], AppDriver]]:
    """`tab(server)`: a tab in a fresh browser context (no cookies), as after the browser was closed too."""
    contexts = []

    def open_(server: AppServer) -> AppDriver:
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return AppDriver(context.new_page(), server, request.node.name)

    yield open_
    for context in contexts:
        context.close()


def stored_calls(server: AppServer, attempt_id: int) -> list[tuple[str, str]]:
    db = storage.open_db(server.db_path, migrate=False)
    try:
        return [(d.item_id, d.call) for d in storage.list_decisions(db, attempt_id)]
    finally:
        db.close()


def prepare(app: AppDriver, step: Step) -> None:
    """Choose the call and fill its inputs, as far as the button that would record it."""
    app.radio("Work queue", step.queue_text, pending_only=True)
    app.radio("Your call", re.compile(f"^{re.escape(step.call_label)}$"))
    if step.template_option:
        app.select("Template", step.template_option)
    if step.item.expected.call == "escalate_manager":
        app.page.get_by_label("Reason for the manager (required)").fill(REASON)


def confirm(app: AppDriver, step: Step) -> None:
    app.button(step.submit_label).click()
    expect(app.toast(step.confirmation)).to_be_visible()
    app.settle()


def kill(server: AppServer) -> None:
    """SIGKILL: no shutdown handler, no flush, no closing of the database connection."""
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    assert server.process.wait(timeout=10) == -signal.SIGKILL
    server.process = None


def test_killed_server_loses_no_confirmed_call(own_server: AppServer, tab: Callable[[AppServer], AppDriver]) -> None:
    scenario, queue = load(SCENARIO)
    steps = list(perfect_shift(scenario, queue))
    before = tab(own_server)
    before.sign_in("trainee")
    before.goto("/train")
    before.page.locator(f".st-key-open_{SCENARIO} button").click()
    before.button("Start shift").click()
    before.page.wait_for_url(re.compile(r"/train\?attempt=\d+$"))
    before.settle()
    attempt_id = int(before.page.url.rsplit("=", 1)[1])
    for step in steps[:CONFIRMED]:
        prepare(before, step)
        confirm(before, step)
    confirmed = [(s.item.id, s.item.expected.call) for s in steps[:CONFIRMED]]
    prepare(before, steps[CONFIRMED])  # mid-call: chosen, not yet sent
    before.shot("before_kill")

    kill(own_server)
    with sqlite3.connect(own_server.db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert stored_calls(own_server, attempt_id) == confirmed

    own_server.start()
    after = tab(own_server)
    after.sign_in("trainee")
    after.button("Resume shift").click()
    after.page.wait_for_url(re.compile(rf"/train\?attempt={attempt_id}$"))
    expect(after.page.get_by_text(re.compile(rf"^{CONFIRMED} of \d+ decided$"))).to_be_visible()
    after.settle()
    for step in steps[:CONFIRMED]:
        after.radio("Work queue", step.queue_text)
        expect(after.page.get_by_text(f"Your call: {step.call_label}")).to_be_visible()
    after.shot("resumed")

    prepare(after, steps[CONFIRMED])
    confirm(after, steps[CONFIRMED])
    assert stored_calls(own_server, attempt_id) == [*confirmed, (steps[CONFIRMED].item.id,
                                                                 steps[CONFIRMED].item.expected.call)]
