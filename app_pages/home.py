"""Home: where you are on the training path and what to do next."""

import streamlit as st

from optrain.overview import agenda_progress, shifts_in_progress
from optrain.storage.progress import progress_by_scenario
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.text import plain

user = require_role("trainee", "trainer", "support")
catalog = get_catalog()
db = get_db()
progress = progress_by_scenario(db, user.username)

st.title(f"Welcome, {plain(user.name.split(' ')[0])}")
st.caption("Practise every Operator Control Center decision on mock data before you handle live customers.")

open_shifts = shifts_in_progress(db, user.username, catalog.scenarios)
if open_shifts:
    with st.container(border=True):
        st.markdown(
            "**Continue where you left off**" + (f" ({len(open_shifts)} shifts open)" if len(open_shifts) > 1 else "")
        )
        for n, shift in enumerate(open_shifts):  # most recent first
            text, button = st.columns([4, 1], vertical_alignment="center")
            done = f"{shift.decided} of {shift.total} decided" if shift.total else f"{shift.decided} decided"
            text.markdown(f"{plain(shift.title)}  \n:gray[started {shift.attempt.started_at:%d %b %H:%M} UTC · {done}]")
            if button.button(
                "Resume shift" if n == 0 else "Resume",
                key="home_resume" if n == 0 else f"home_resume_{shift.attempt.id}",
                type="primary" if n == 0 else "secondary",
                icon=":material/play_arrow:",
            ):
                st.query_params.clear()
                st.switch_page("app_pages/train.py", query_params={"attempt": str(shift.attempt.id)})

passed_ids = {sid for sid, p in progress.items() if p.passed and sid in catalog.scenarios}
a, b, c = st.columns(3)
a.metric("Scenarios passed", f"{len(passed_ids)} / {len(catalog.scenarios)}")
b.metric("Attempts", sum(p.attempts for p in progress.values()))
best = [p.best_percent for p in progress.values() if p.best_percent is not None]
c.metric("Average best score", f"{sum(best) / len(best):.0%}" if best else "-")

st.subheader("Your training path")
for part in agenda_progress(catalog.scenarios, passed_ids):
    icon = ":green[:material/check_circle:]" if part.complete else ":gray[:material/radio_button_unchecked:]"
    st.markdown(f"{icon} **{part.title}**: {part.passed} of {part.total} passed")

if st.button("Go to training", key="home_train", icon=":material/school:"):
    st.switch_page("app_pages/train.py")
if user.can("trainer"):
    st.page_link("app_pages/review.py", label="Review trainees", icon=":material/fact_check:")
if user.can("support"):
    st.page_link("app_pages/exports.py", label="Exports", icon=":material/download:")
