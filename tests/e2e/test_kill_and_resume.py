"""An attempt lives in the database, not in the browser tab: a reload resumes it, and so does a server
killed (SIGKILL) in the middle of a shift and started again on the same database.

A confirmation on screen means the call was committed first, so nothing
confirmed may be lost; the call that was only being prepared is simply not
there, and can be made after the restart.
"""

from __future__ import annotations

import re
import signal
import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest
from playwright.sync_api import expect

from .driver import AppDriver
from .server import AppServer
from .shift_flow import Shift

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
CONFIRMED = 2  # calls made and confirmed before the crash; the next one is being prepared


def kill(server: AppServer) -> None:
    """SIGKILL: no shutdown handler, no flush, no closing of the database connection."""
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    assert server.process.wait(timeout=10) == -signal.SIGKILL
    server.process = None


def expect_confirmed_calls(shift: Shift) -> None:
    """The screen and the database both hold exactly the calls confirmed so far."""
    expect(shift.app.page.get_by_text(shift.progress(CONFIRMED))).to_be_visible()
    for step in shift.steps[:CONFIRMED]:
        shift.expect_decided(step)
    confirmed = [(s.item.id, s.item.expected.call) for s in shift.steps[:CONFIRMED]]
    assert [(d.item_id, d.call) for d in shift.stored()] == confirmed


def test_a_reload_and_a_killed_server_lose_no_confirmed_call(
    own_server: AppServer, open_app: Callable[..., AppDriver]
) -> None:
    app = open_app(own_server)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")
    attempt_id = shift.enter("Start shift")
    for done in range(CONFIRMED):
        shift.call(done)

    app.reload()
    assert app.page.url.startswith(own_server.url(f"/train?attempt={attempt_id}"))  # the open item may follow
    expect_confirmed_calls(shift)
    app.shot("after_reload")

    preparing = shift.steps[CONFIRMED]  # mid-call: chosen, not yet sent
    app.radio("Work queue", preparing.queue_text, pending_only=True)
    app.radio("Your call", re.compile(f"^{re.escape(preparing.call_label)}$"))
    app.shot("before_kill")
    kill(own_server)
    with closing(sqlite3.connect(own_server.db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    own_server.start()
    back = open_app(own_server, prefix="restarted_")
    back.sign_in("trainee")
    resumed = Shift(back, SCENARIO)
    resumed.open_briefing("Resume")
    assert resumed.enter("Resume my shift") == attempt_id
    expect_confirmed_calls(resumed)
    back.radio("Work queue", preparing.queue_text, pending_only=True)
    chosen = back.page.get_by_role("radiogroup", name="Your call").get_by_role(
        "radio", name=re.compile(f"^{re.escape(preparing.call_label)}$")
    )
    expect(chosen).to_be_checked()  # the call chosen before the kill was kept as a draft, not as a decision
    back.shot("resumed")

    resumed.call(CONFIRMED)
    assert [d.item_id for d in resumed.stored()] == [s.item.id for s in resumed.steps[: CONFIRMED + 1]]
