"""Who sees what: signed-out visitors see only the sign-in form, trainees only the trainee pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from optrain.accounts import COOKIE_NAME

from .driver import AppDriver

pytestmark = pytest.mark.e2e

# What each page shows a signed-in user who may see it; a visitor must see none of it.
PAGE_HEADINGS = {
    "/home": "Welcome",
    "/train": "Train",
    "/my-results": "My results",
    "/review": "Review",
    "/exports": "Exports",
    "/train?attempt=1": "Hands-on practice",
}
LOGIN_HEADING = "Operator Training Simulator"
# Pages for trainers, support or admins, with the heading each one draws.
STAFF_PAGES = {"/review": "Review", "/exports": "Exports", "/qa": "Q&A answers", "/studio": "Scenario studio",
               "/users": "Users"}


def auth_cookies(app: AppDriver) -> list[str]:
    return [c["value"] for c in app.page.context.cookies() if c["name"] == COOKIE_NAME]


def expect_login_only(app: AppDriver) -> None:
    expect(app.login_button()).to_be_visible()
    expect(app.page.get_by_role("heading", name=LOGIN_HEADING)).to_be_visible()
    expect(app.logout_button()).to_have_count(0)
    expect(app.page.get_by_test_id("stSidebarNav")).to_have_count(0)


@pytest.mark.parametrize("path", list(PAGE_HEADINGS))
def test_signed_out_deep_link_shows_only_the_sign_in_form(app: AppDriver, path: str) -> None:
    app.goto(path)
    expect_login_only(app)
    heading = re.compile("^" + re.escape(PAGE_HEADINGS[path]))
    expect(app.page.get_by_role("heading", name=heading)).to_have_count(0)
    expect(app.page.get_by_role("radiogroup", name="Work queue")).to_have_count(0)
    app.shot("signed_out")


def test_logout_then_reload_stays_signed_out(app: AppDriver) -> None:
    app.sign_in("trainee")
    app.page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')")
    issued = auth_cookies(app)
    assert len(issued) == 1 and issued[0]
    app.shot("signed_in")

    app.log_out()
    app.page.wait_for_function(f"() => !document.cookie.includes('{COOKIE_NAME}=')")
    assert auth_cookies(app) == []
    app.reload()
    expect_login_only(app)
    app.shot("reloaded")

    # A browser that kept the old cookie (a copy, a backup) is refused: it was issued before the logout.
    app.page.context.add_cookies([{"name": COOKIE_NAME, "value": issued[0], "url": app.server.base_url}])
    app.reload()
    expect_login_only(app)
    app.shot("old_cookie_refused")


def test_trainee_typing_staff_urls_gets_no_staff_content(app: AppDriver) -> None:
    app.sign_in("trainee")
    for path, heading in STAFF_PAGES.items():
        app.goto(path)
        expect(app.logout_button()).to_be_visible()  # still signed in: the cookie re-authenticated the new tab
        # The page drawn instead is Home: wait for it, so the absences below are of a finished page.
        expect(app.page.get_by_role("heading", name=re.compile("^Welcome, "))).to_be_visible()
        expect(app.page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)
        expect(app.page.get_by_text("Decision-log records")).to_have_count(0)
        expect(app.page.get_by_role("combobox", name="Open an attempt")).to_have_count(0)
        expect(app.page.get_by_role("link", name=heading, exact=True)).to_have_count(0)
        app.shot(f"trainee_at_{path.strip('/')}")
