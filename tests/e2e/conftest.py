"""Browser tests: the real app under `streamlit run`, driven by Playwright through Debian's Chromium.

The browser is the system Chromium (never a downloaded one). Where it or
Playwright is missing, the whole folder is reported as one skipped item with
the reason, and the test modules (which import Playwright) are not imported.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .server import AppServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .driver import AppDriver

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000  # generous: a busy machine makes reruns and bcrypt checks slow

if CHROMIUM is None:
    UNAVAILABLE: str | None = (
        "Chromium not found: install Debian's chromium (apt-get install chromium) to run the browser tests"
    )
elif importlib.util.find_spec("playwright") is None:
    UNAVAILABLE = "Playwright not found: install the test extras (pip install -e '.[test]') to run the browser tests"
else:
    UNAVAILABLE = None


if UNAVAILABLE is not None:
    collect_ignore_glob = ["test_*.py"]

    class _Unavailable(pytest.Item):
        def runtest(self) -> None:
            pytest.skip(str(UNAVAILABLE))

        def reportinfo(self) -> tuple[Path, int | None, str]:
            return self.path, None, "browser tests"

    class _Folder(pytest.File):
        def collect(self) -> Iterator[pytest.Item]:
            item = _Unavailable.from_parent(self, name="browser_tests")
            item.add_marker(pytest.mark.e2e)
            yield item

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if file_path == HERE / "conftest.py":
            return _Folder.from_parent(parent, path=file_path)
        return None


DRIVERS = pytest.StashKey[list["AppDriver"]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report shows each tab's address and the end of its server's log, and a screenshot of
    each tab is saved (`tests/e2e/screenshots/FAILED_...png`): the tabs are still open at this point."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    for driver in item.stash.get(DRIVERS, []):
        try:
            shot = driver.failure_shot()
            where = f"{driver.page.url} (screenshot {shot.name})"
        except Exception as exc:  # a closed tab or a dead browser: the failure itself matters more
            where = f"no screenshot: {exc}"
        report.sections.append((f"tab {driver.prefix or 'main'}", where))
        report.sections.append((f"server log ({driver.server.port})", driver.server.log_tail()))


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app for the session, on a fresh database, accounts file and uploads folder."""
    server = AppServer(tmp_path_factory.mktemp("e2e_app"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[AppServer]:
    """An app of this test's own, for tests that stop and restart the server."""
    server = AppServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def open_app(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., AppDriver]]:
    """`open_app(server=None, prefix="")`: a tab in a fresh browser context (no cookies), closed after the test."""
    from .driver import VIEWPORT, AppDriver

    drivers = request.node.stash.setdefault(DRIVERS, [])

    def open_(server: AppServer | None = None, prefix: str = "") -> AppDriver:
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        server = server or request.getfixturevalue("app_server")  # started only for tests that use it
        driver = AppDriver(context.new_page(), server, request.node.name, prefix)
        drivers.append(driver)
        return driver

    yield open_
    for driver in drivers:
        driver.page.context.close()


@pytest.fixture
def app(open_app: Callable[..., AppDriver]) -> AppDriver:
    """A signed-out tab on the session's app."""
    return open_app()
