"""Driving the app the way a person does: through its labels, never by sleeping.

Streamlit draws a run's elements as they arrive and keeps the previous run's
elements on screen until they are replaced, so every action waits for the
text it expects and then for the script to be idle again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, ViewportSize, expect

from optrain.accounts import DEMO_ACCOUNTS

from .server import AppServer

VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DECIDED_MARKS = re.compile(r"^(check|close|change_circle|done)$")
DECIDED_LABEL = re.compile(r"^\s*(check|close|change_circle|done)\b")
PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


def file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")


class AppDriver:
    """One browser tab on one app server; screenshots are named `<test>_<step>.png`."""

    def __init__(self, page: Page, server: AppServer, test_name: str, prefix: str = ""):
        self.page = page
        self.server = server
        self.test_name = file_safe(test_name)
        self.prefix = prefix  # tells apart the steps of a second tab in the same test

    # ------------------------------------------------------------ navigation

    def goto(self, path: str) -> None:
        self.page.goto(self.server.url(path))
        expect(self.page.get_by_test_id("stApp")).to_be_visible()
        self.settle()

    def settle(self) -> None:
        """Wait until the script run that drew the current screen has finished."""
        expect(self.page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
        expect(self.page.get_by_test_id("stException")).to_have_count(0)

    def reload(self) -> None:
        self.page.reload()
        self.settle()

    # ------------------------------------------------------------ sign-in

    def login_button(self) -> Locator:
        return self.page.get_by_role("button", name="Sign in", exact=True)

    def logout_button(self) -> Locator:
        return self.page.get_by_role("button", name="Log out")

    def sign_in(self, username: str, password: str | None = None) -> None:
        """Through the real form on the root URL, as a person arriving at the app does."""
        self.goto("/")
        expect(self.login_button()).to_be_visible()
        self.page.get_by_label("Username", exact=True).fill(username)
        self.page.get_by_label("Password", exact=True).fill(password or PASSWORDS[username])
        # One click: nothing reruns the page after it has loaded (the sign-in library's cookie
        # component, which did and so dropped a click made in that moment, is not drawn).
        self.login_button().click()
        expect(self.logout_button()).to_be_visible()
        self.settle()

    def log_out(self) -> None:
        self.logout_button().click()
        expect(self.login_button()).to_be_visible()
        self.settle()

    # ------------------------------------------------------------ widgets

    def radio(self, group: str, option: str | re.Pattern[str], *, pending_only: bool = False) -> None:
        """Click the option of radio group `group` whose text contains `option`."""
        labels = self.page.get_by_role("radiogroup", name=group).locator("label").filter(has_text=option)
        if pending_only:  # the work queue marks decided items only (a tick, a cross, a half-circle or "done")
            decided = self.page.get_by_test_id("stIconMaterial").filter(has_text=DECIDED_MARKS)
            # the icon's ligature opens the label's text too ("check Trevor Haines ..."): exclude on either
            labels = labels.filter(has_not=decided).filter(has_not_text=DECIDED_LABEL)
        labels.first.click()
        expect(labels.first.locator("input")).to_be_checked()
        self.settle()

    def select(self, label: str, option: str | re.Pattern[str]) -> None:
        box = self.page.get_by_test_id("stSelectbox").filter(has=self.page.get_by_role("combobox", name=label))
        expect(box).to_be_visible()
        self.settle()  # a rerun still drawing the page would close the list again
        combo = box.get_by_role("combobox")
        for _ in range(3):  # a key pressed while the field is still being wired up is lost; press again
            combo.press("ArrowDown")  # a click only focuses a field that was not focused yet
            try:
                expect(combo).to_have_attribute("aria-expanded", "true", timeout=2_000)
                break
            except AssertionError:
                continue
        self.page.get_by_role("option", name=option).click()
        expect(box.get_by_role("combobox")).to_have_value(option)
        self.settle()

    def button(self, name: str) -> Locator:
        """By its label; a keyboard shortcut, which the browser reads out after it, may follow."""
        return self.page.get_by_role("button", name=re.compile(rf"^{re.escape(name)}( Shortcut .*)?$"))

    def toast(self, text: str) -> Locator:
        return self.page.get_by_test_id("stToast").filter(has_text=text)

    def metric(self, label: str) -> Locator:
        return self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").filter(has_text=label)
        )

    # ------------------------------------------------------------ evidence

    def shot(self, step: str, *, whole_page: bool = True) -> None:
        """A screenshot at the tab's current width when `OPTRAIN_SCREENSHOTS=1` (`make screenshots`).

        The app scrolls inside its main area, so for the whole page the viewport grows to fit it and
        is put back after. Off by default: a full-page capture costs about a second of software
        rendering, and no test reads the files.
        """
        if os.environ.get("OPTRAIN_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}_{file_safe(self.prefix + step)}.png"
        viewport = self.page.viewport_size or VIEWPORT
        if not whole_page:
            self.page.screenshot(path=path, animations="disabled")
            return
        height = int(
            self.page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
                ".map(e => e.scrollHeight), 0)"
            )
        )
        self.page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
        try:
            self.page.screenshot(path=path, full_page=True, animations="disabled")
        finally:
            self.page.set_viewport_size(viewport)

    def failure_shot(self) -> Path:
        """What the tab shows when a test fails, whatever `OPTRAIN_SCREENSHOTS` says."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"FAILED_{self.test_name}_{file_safe(self.prefix or 'main')}.png"
        self.page.screenshot(path=path, timeout=5_000)
        return path
