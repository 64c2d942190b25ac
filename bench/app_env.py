"""The app pointed at a benchmark database: environment, demo accounts, signed-in AppTests.

Every path the app writes to is under `bench/out/work/app`, so a benchmark
never touches the checkout's own data, and the app works on a copy of the
cached large database, which stays pristine for the next run. The folder
layout and environment are those of the browser tests (`tests/e2e/server.py`),
so there is one definition of "the app on private data".
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.measure import ROOT, Context
from optrain import accounts
from optrain.ui import state as keys
from tests.e2e.server import app_env

APP = ROOT / "streamlit_app.py"
TIMEOUT = 60.0
ONE_LINE_PAGE = "import streamlit as st\nst.write('x')"


def demo_accounts(out_dir: Path) -> Path:
    """Hashing the demo passwords takes seconds, so the file is made once and reused."""
    path = out_dir / "auth.yaml"
    if not path.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        accounts.init_config(path, demo=True)
    return path


def app_folder(ctx: Context) -> Path:
    """The app's data folder for this run: a copy of the large database and the demo accounts.

    Made once per run and shared by the benchmarks that drive the app, in the
    layout the browser tests use (`optrain.db` and `auth.yaml` in one folder).
    """
    if "app_folder" not in ctx.extra:
        folder = ctx.scratch("app")
        for stale in ("optrain.db", "optrain.db-wal", "optrain.db-shm"):
            (folder / stale).unlink(missing_ok=True)
        shutil.copyfile(ctx.large_db, folder / "optrain.db")
        shutil.copyfile(demo_accounts(ctx.out_dir), folder / "auth.yaml")
        ctx.extra["app_folder"] = folder
    return Path(ctx.extra["app_folder"])


@contextmanager
def app_environment(folder: Path) -> Iterator[Path]:
    """The app's settings come from the environment: point them at `folder` for the block, then restore them."""
    values = {name: value for name, value in app_env(folder).items() if name.startswith("OPTRAIN_")}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield folder / "optrain.db"
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def signed_in(username: str) -> AppTest:
    """The router with the session a successful form login leaves behind (the form itself is not timed)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[keys.AUTH_STATUS] = True
    at.session_state[keys.USERNAME] = username
    return at


def one_line_page() -> AppTest:
    at = AppTest.from_string(ONE_LINE_PAGE, default_timeout=TIMEOUT)
    at.run()
    return at


def checked(at: AppTest) -> AppTest:
    """An AppTest run that raised is a broken benchmark, not a slow one."""
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return at
