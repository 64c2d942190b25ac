"""Who sees what in a real browser: the sign-in form at every address, cookies that do and do not sign
in, and plain refusals for pages a role may not see."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from playwright.sync_api import expect

from optrain import accounts, signin

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
NOT_AVAILABLE = "This page is not available for your role"
# Pages for trainers, support or admins, with the heading each one draws.
STAFF_PAGES = {
    "/review": "Review",
    "/exports": "Exports",
    "/qa": "Q&A answers",
    "/studio": "Scenario studio",
    "/users": "Users",
}


def cookie_settings(app: AppDriver) -> signin.CookieSettings:
    return signin.cookie_settings(accounts.read_config(app.server.data / "auth.yaml"))


def auth_cookies(app: AppDriver) -> list[str]:
    name = cookie_settings(app).name
    return [c["value"] for c in app.page.context.cookies() if c["name"] == name]


def expect_login_only(app: AppDriver) -> None:
    expect(app.login_button()).to_be_visible()
    expect(app.page.get_by_role("heading", name=LOGIN_HEADING)).to_be_visible()
    expect(app.logout_button()).to_have_count(0)
    expect(app.page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(app.page.get_by_text("Page not found")).to_have_count(0)


@pytest.mark.parametrize("path", list(PAGE_HEADINGS))
def test_signed_out_deep_link_shows_only_the_sign_in_form(app: AppDriver, path: str) -> None:
    app.goto(path)
    expect_login_only(app)
    heading = re.compile("^" + re.escape(PAGE_HEADINGS[path]))
    expect(app.page.get_by_role("heading", name=heading)).to_have_count(0)
    expect(app.page.get_by_role("radiogroup", name="Work queue")).to_have_count(0)
    app.shot("signed_out")


def sign_in_here(app: AppDriver, username: str) -> None:
    """The form on whatever page is open, without going to the root first."""
    app.page.get_by_label("Username", exact=True).fill(username)
    app.page.get_by_label("Password", exact=True).fill(
        next(a.password for a in accounts.DEMO_ACCOUNTS if a.username == username)
    )
    app.login_button().click()
    expect(app.logout_button()).to_be_visible()
    app.settle()


def test_a_deep_link_lands_on_its_page_after_sign_in_or_says_it_is_not_for_the_role(app: AppDriver) -> None:
    app.goto("/review")
    expect_login_only(app)
    sign_in_here(app, "trainer")
    expect(app.page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    assert app.page.url.endswith("/review")
    app.shot("trainer_lands_on_review")
    app.log_out()

    app.goto("/review")
    expect_login_only(app)
    sign_in_here(app, "trainee")
    expect(app.page.get_by_text(NOT_AVAILABLE)).to_be_visible()
    expect(app.page.get_by_text("Page not found")).to_have_count(0)
    expect(app.page.get_by_role("heading", name="Review", exact=True)).to_have_count(0)
    app.shot("trainee_refused_review")


def test_logout_then_reload_stays_signed_out(app: AppDriver) -> None:
    app.sign_in("trainee")
    name = cookie_settings(app).name
    app.page.wait_for_function(f"() => document.cookie.includes('{name}=')")
    issued = auth_cookies(app)
    assert len(issued) == 1 and issued[0]
    (cookie,) = [c for c in app.page.context.cookies() if c["name"] == name]
    assert cookie["sameSite"] == "Strict"
    assert 0 < cookie["expires"] - datetime.now(UTC).timestamp() <= 12 * 3600 + 60
    app.shot("signed_in")

    app.log_out()
    app.page.wait_for_function(f"() => !document.cookie.includes('{name}=')")
    assert auth_cookies(app) == []
    app.reload()
    expect_login_only(app)
    app.shot("reloaded")

    # A browser that kept the old cookie (a copy, a backup) is refused: it was issued before the logout.
    app.page.context.add_cookies([{"name": name, "value": issued[0], "url": app.server.base_url}])
    app.reload()
    expect_login_only(app)
    app.shot("old_cookie_refused")


def unsigned(header: dict[str, str], claims: dict[str, object]) -> str:
    def part(data: dict[str, object] | dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode("ascii")

    return f"{part(header)}.{part(claims)}."


def test_foreign_expired_and_orphaned_cookies_give_the_sign_in_form(app: AppDriver) -> None:
    app.goto("/")  # the app creates its accounts file on the first visit
    settings = cookie_settings(app)
    now = datetime.now(UTC)
    claims = {
        "iss": "optrain",
        "aud": settings.deployment,
        "sub": "trainee",
        "ver": 0,
        "iat": now.timestamp(),
        "exp": (now + timedelta(hours=1)).timestamp(),
    }
    # Proof that the cookie is read at all: a well-made one signs in.
    app.page.context.add_cookies(
        [{"name": settings.name, "url": app.server.base_url, "value": signin.issue_token(settings, "trainee", 0, now)}]
    )
    app.goto("/home")
    expect(app.logout_button()).to_be_visible()
    app.page.context.clear_cookies()
    bad = {
        "alg-none": unsigned({"alg": "none", "typ": "JWT"}, claims),
        "hs512": jwt.encode(claims, settings.key, algorithm="HS512"),
        "expired": signin.issue_token(settings, "trainee", 0, now - timedelta(days=2)),
        "orphaned": signin.issue_token(settings, "nobody-any-more", 0, now),
        "malformed": "%%%not-a-token",
    }
    for kind, value in bad.items():
        app.page.context.clear_cookies()
        app.page.context.add_cookies([{"name": settings.name, "value": value, "url": app.server.base_url}])
        app.goto("/home")
        expect_login_only(app)
        expect(app.page.get_by_test_id("stAlert")).to_have_count(0)
        app.shot(f"cookie_{kind}")


def test_trainee_typing_staff_urls_gets_no_staff_content(app: AppDriver) -> None:
    app.sign_in("trainee")
    for path, heading in STAFF_PAGES.items():
        app.goto(path)
        expect(app.logout_button()).to_be_visible()  # still signed in: the cookie re-authenticated the new tab
        expect(app.page.get_by_text(NOT_AVAILABLE)).to_be_visible()
        expect(app.page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)
        expect(app.page.get_by_text("Decision-log records")).to_have_count(0)
        expect(app.page.get_by_role("combobox", name="Open an attempt")).to_have_count(0)
        expect(app.page.get_by_role("link", name=heading, exact=True)).to_have_count(0)
        app.shot(f"trainee_at_{path.strip('/')}")


def test_an_admin_sees_every_account_on_the_users_page(app: AppDriver) -> None:
    app.sign_in("admin")
    app.goto("/users")
    expect(app.page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    table = app.page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    expect(app.page.get_by_role("button", name="Add user")).to_be_visible()
    app.settle()
    app.shot("admin_users")
