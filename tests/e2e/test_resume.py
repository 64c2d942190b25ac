"""An attempt lives in the database, not in the browser tab: a reload or a server restart resumes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .driver import AppDriver
from .server import AppServer
from .shift_flow import Shift

pytestmark = pytest.mark.e2e

SCENARIO = "hands_on_practice"
CALLS_BEFORE_LEAVING = 2


def expect_same_progress(shift: Shift) -> None:
    expect(shift.app.page.get_by_text(shift.progress(CALLS_BEFORE_LEAVING))).to_be_visible()
    for step in shift.steps[:CALLS_BEFORE_LEAVING]:
        shift.expect_decided(step)
    assert [d.item_id for d in shift.stored()] == [s.item.id for s in shift.steps[:CALLS_BEFORE_LEAVING]]


def test_reload_and_server_restart_resume_the_attempt(own_server: AppServer,
                                                       open_app: Callable[..., AppDriver]) -> None:
    app = open_app(own_server)
    app.sign_in("trainee")
    shift = Shift(app, SCENARIO)
    shift.open_briefing("Open")
    attempt_id = shift.enter("Start shift")
    for done in range(CALLS_BEFORE_LEAVING):
        shift.call(done)

    app.reload()
    assert app.page.url == own_server.url(f"/train?attempt={attempt_id}")
    expect_same_progress(shift)
    app.shot("after_reload")

    own_server.restart()
    back = open_app(own_server, prefix="restarted_")
    back.sign_in("trainee")
    resumed = Shift(back, SCENARIO)
    resumed.open_briefing("Resume")
    assert resumed.enter("Resume my shift") == attempt_id
    expect_same_progress(resumed)
    back.shot("after_restart")
