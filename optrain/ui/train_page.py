"""Train: catalog -> briefing -> shift -> results and Q&A. The URL names the attempt, so a reload resumes it.

The page script only calls `render()`: Streamlit compiles a page script on
every run, an imported module once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st
from sqlite_utils import Database

from optrain import storage, training
from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.scenario_versions import resolve, studio_version
from optrain.scenarios.loader import Catalog
from optrain.storage.progress import progress_by_scenario
from optrain.ui import state as keys
from optrain.ui.auth import User, require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.catalog_view import render_briefing, render_catalog
from optrain.ui.db import get_db
from optrain.ui.results_view import render_qa, render_result
from optrain.ui.text import plain
from optrain.ui.work_view import render_work


@dataclass(frozen=True)
class _Page:
    user: User
    settings: Settings
    db: Database
    catalog: Catalog

    @property
    def operator(self) -> training.Operator:
        return training.Operator(self.user.username, self.user.name, self.user.email)


def now() -> datetime:
    return datetime.now(UTC)


def go(**query: str) -> None:
    st.session_state.pop(keys.LAST_VERDICT, None)
    st.query_params.clear()
    st.query_params.update(query)
    st.rerun()


def open_attempt(page: _Page, attempt_id: int) -> None:
    user, db = page.user, page.db
    attempt = storage.get_attempt(db, attempt_id)
    # A studio trial of a draft, or a studio scenario archived mid-shift, runs on its stored version.
    current = page.catalog.scenarios.get(attempt.scenario_id) or studio_version(
        db, attempt.scenario_id, attempt.scenario_version
    )
    if attempt.username != user.username or (current is None and attempt.in_progress):
        st.error(
            "That attempt is not available to you."
            if attempt.username != user.username
            else "The scenario of this shift cannot be loaded right now, so the shift is paused. "
            "Every call you made is saved: try again in a few minutes, or tell a trainer."
        )
        if st.button("Back to the catalog", key="back_missing"):
            go()
        return
    scenario = resolve(db, current, attempt.scenario_id, attempt.scenario_version)
    state = training.load_state(db, scenario, attempt_id, user.username, attempt=attempt)
    st.title(plain(scenario.title))
    if not attempt.official:
        st.info(
            "Trial run from the scenario studio: it does not count as an official attempt.", icon=":material/science:"
        )
    if state.attempt.in_progress:
        st.warning(
            "**Mock mode**: training data only. No real customer, order or stock level is touched.",
            icon=":material/science:",
        )
        render_work(state, user, page.catalog.scenarios)
        return
    result = training.result_of(state)
    if training.ended_at_time_limit(state):
        unanswered = (
            f" {result.unanswered} item(s) had no call and are scored as unanswered." if result.unanswered else ""
        )
        st.warning(
            f"**Time is up.** The shift's time limit of {scenario.time_limit_minutes} min was reached, so it was "
            f"finished automatically.{unanswered}",
            icon=":material/timer_off:",
        )
    if render_result(result, state):
        fresh = training.start_attempt(db, current or scenario, page.operator, now())
        go(attempt=str(fresh.id))
    render_qa(state, page.settings)
    if st.button("Back to the catalog", key="back_done", icon=":material/arrow_back:"):
        go()


def open_briefing(page: _Page, scenario_id: str) -> None:
    scenario = page.catalog.scenarios.get(scenario_id)
    if scenario is None:
        st.error("That scenario is not in the catalog any more.")
        if st.button("Back to the catalog", key="back_unknown"):
            go()
        return
    resumable = storage.find_in_progress(page.db, page.user.username, scenario.id)  # possibly on an older version
    if render_briefing(scenario, resumable is not None):
        attempt = resumable or training.start_attempt(page.db, scenario, page.operator, now())
        go(attempt=str(attempt.id))
    if st.button("Back to the catalog", key="back_briefing", icon=":material/arrow_back:"):
        go()


def show_catalog(page: _Page) -> None:
    st.title("Train")
    st.caption("Pick a scenario. Work the queue on a replica of the Operator Control Center; every call is scored.")
    chosen = render_catalog(page.catalog, progress_by_scenario(page.db, page.user.username), page.user)
    if chosen:
        go(scenario=chosen)


def render() -> None:
    user = require_role("trainee", "trainer", "support")
    settings = Settings.from_env()
    page = _Page(user, settings, get_db(settings), get_catalog(settings))
    params = st.query_params
    try:
        attempt_id = training.parse_attempt_id(params["attempt"]) if "attempt" in params else None
        if attempt_id is not None:
            open_attempt(page, attempt_id)
        elif "scenario" in params:
            open_briefing(page, params["scenario"])
        else:
            show_catalog(page)
    except OptrainError as exc:
        st.error(str(exc), icon=":material/error:")
        if st.button("Back to the catalog", key="back_error"):
            go()
