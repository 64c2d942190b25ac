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
from typing import TYPE_CHECKING, Any

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

    contexts: list[Any] = []

    def open_(server: AppServer | None = None, prefix: str = "") -> AppDriver:
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        server = server or request.getfixturevalue("app_server")  # started only for tests that use it
        return AppDriver(context.new_page(), server, request.node.name, prefix)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def app(open_app: Callable[..., AppDriver]) -> AppDriver:
    """A signed-out tab on the session's app."""
    return open_app()
