"""Home: where you are on the training path and what to do next."""

import streamlit as st

from optrain.scenarios.model import AGENDA, AGENDA_TITLES
from optrain.storage.progress import progress_by_scenario
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.text import plain

user = require_role("trainee", "trainer", "support")
catalog = get_catalog()
progress = progress_by_scenario(get_db(), user.username)

st.title(f"Welcome, {plain(user.name.split(' ')[0])}")
st.caption("Practise every Operator Control Center decision on mock data before you handle live customers.")

in_progress = [(sid, p) for sid, p in progress.items() if p.in_progress_id and sid in catalog.scenarios]
if in_progress:
    sid, p = in_progress[0]
    with st.container(border=True):
        st.markdown(f"**Continue where you left off:** {plain(catalog.scenarios[sid].title)}")
        if st.button("Resume shift", key="home_resume", type="primary", icon=":material/play_arrow:"):
            st.query_params.clear()
            st.switch_page("app_pages/train.py", query_params={"attempt": str(p.in_progress_id)})

passed = sum(1 for sid, p in progress.items() if p.passed and sid in catalog.scenarios)
a, b, c = st.columns(3)
a.metric("Scenarios passed", f"{passed} / {len(catalog.scenarios)}")
b.metric("Attempts", sum(p.attempts for p in progress.values()))
best = [p.best_percent for p in progress.values() if p.best_percent is not None]
c.metric("Average best score", f"{sum(best) / len(best):.0%}" if best else "-")

st.subheader("Your training path")
for part in AGENDA:
    scenarios = [s for s in catalog.scenarios.values() if s.module == part]
    if not scenarios:
        continue
    done = sum(1 for s in scenarios if progress.get(s.id) and progress[s.id].passed)
    icon = ":green[:material/check_circle:]" if done == len(scenarios) else ":gray[:material/radio_button_unchecked:]"
    st.markdown(f"{icon} **{AGENDA_TITLES[part]}**: {done} of {len(scenarios)} passed")

if st.button("Go to training", key="home_train", icon=":material/school:"):
    st.switch_page("app_pages/train.py")
if user.can("trainer"):
    st.page_link("app_pages/review.py", label="Review trainees", icon=":material/fact_check:")
if user.can("support"):
    st.page_link("app_pages/exports.py", label="Exports", icon=":material/download:")
