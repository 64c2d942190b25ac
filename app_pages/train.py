"""Train: catalog -> briefing -> shift -> results and Q&A. The URL names the attempt, so a reload resumes it."""

from datetime import datetime, timezone

import streamlit as st

from optrain import storage, training
from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.scenario_versions import resolve
from optrain.ui import state as keys
from optrain.ui.auth import require_role
from optrain.storage.progress import progress_by_scenario
from optrain.ui.catalog import get_catalog
from optrain.ui.catalog_view import render_briefing, render_catalog
from optrain.ui.db import get_db
from optrain.ui.results_view import render_qa, render_result
from optrain.ui.text import plain
from optrain.ui.work_view import render_work

user = require_role("trainee", "trainer", "support")
settings = Settings.from_env()
db = get_db(settings)
catalog = get_catalog(settings)
operator = training.Operator(user.username, user.name, user.email)
params = st.query_params


def now() -> datetime:
    return datetime.now(timezone.utc)


def go(**query: str) -> None:
    st.session_state.pop(keys.LAST_VERDICT, None)
    st.query_params.clear()
    st.query_params.update(query)
    st.rerun()


def open_attempt(attempt_id: int) -> None:
    attempt = storage.get_attempt(db, attempt_id)
    current = catalog.scenarios.get(attempt.scenario_id)
    if attempt.username != user.username or (current is None and attempt.in_progress):
        st.error("That attempt is not available to you." if attempt.username != user.username else
                 "The scenario of this shift cannot be loaded right now, so the shift is paused. "
                 "Every call you made is saved: try again in a few minutes, or tell a trainer.")
        if st.button("Back to the catalog", key="back_missing"):
            go()
        return
    scenario = resolve(db, current, attempt.scenario_id, attempt.scenario_version)
    state = training.load_state(db, scenario, attempt_id, user.username)
    st.title(plain(scenario.title))
    if not attempt.official:
        st.info("Trial run from the scenario studio: it does not count as an official attempt.", icon=":material/science:")
    if state.attempt.in_progress:
        st.warning("**Mock mode**: training data only. No real customer, order or stock level is touched.",
                   icon=":material/science:")
        if render_work(state, user):
            training.finish(db, state, now=now())
            st.rerun()
        return
    if render_result(training.result_of(state), state):
        fresh = training.start_attempt(db, current or scenario, operator, now())
        go(attempt=str(fresh.id))
    render_qa(state, settings)
    if st.button("Back to the catalog", key="back_done", icon=":material/arrow_back:"):
        go()


def open_briefing(scenario_id: str) -> None:
    scenario = catalog.scenarios.get(scenario_id)
    if scenario is None:
        st.error("That scenario is not in the catalog any more.")
        if st.button("Back to the catalog", key="back_unknown"):
            go()
        return
    resumable = storage.find_in_progress(db, user.username, scenario.id)  # possibly on an older version
    if render_briefing(scenario, resumable is not None):
        attempt = resumable or training.start_attempt(db, scenario, operator, now())
        go(attempt=str(attempt.id))
    if st.button("Back to the catalog", key="back_briefing", icon=":material/arrow_back:"):
        go()


def show_catalog() -> None:
    st.title("Train")
    st.caption("Pick a scenario. Work the queue on a replica of the Operator Control Center; every call is scored.")
    chosen = render_catalog(catalog, progress_by_scenario(db, user.username), user)
    if chosen:
        go(scenario=chosen)


try:
    if "attempt" in params and params["attempt"].isdigit():
        open_attempt(int(params["attempt"]))
    elif "scenario" in params:
        open_briefing(params["scenario"])
    else:
        show_catalog()
except OptrainError as exc:
    st.error(str(exc), icon=":material/error:")
    if st.button("Back to the catalog", key="back_error"):
        go()
