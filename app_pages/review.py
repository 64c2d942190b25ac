"""Review (trainers): who is ready, what confuses people, and every call behind a score."""

import altair as alt
import pandas as pd
import streamlit as st

from optrain.scenarios.model import AGENDA_TITLES
from optrain.shift import duration
from optrain.storage.analytics import (
    AttemptFilter,
    completed_counts,
    list_attempt_summaries,
    scenario_stats,
    score_histogram,
    trainee_names,
    trainee_progress,
    trend,
)
from optrain.storage.certificates import list_certificates
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.review_view import attempt_detail, filters, item_analysis

trainer = require_role("trainer")
db = get_db()
catalog = get_catalog()

st.title("Review")
everyone = trainee_names(db)
if not everyone:
    st.info("No attempts yet. Results appear here as soon as trainees start a scenario.", icon=":material/fact_check:")
    st.stop()
f = filters(catalog, list(everyone), sorted(catalog.scenarios))
attempts_tab, scenarios_tab, items_tab, trainees_tab = st.tabs(["Attempts", "Scenarios", "Items", "Trainees"])

with attempts_tab:
    shown = list_attempt_summaries(db, f)
    st.caption(f"{len(shown)} attempt(s), newest first" + (" (first 500)" if len(shown) == 500 else ""))
    st.dataframe(
        [{"#": a.id, "Trainee": a.display_name or a.username, "Scenario": f"{a.scenario_id} v{a.scenario_version}",
          "Score": None if a.percent is None else round(a.percent * 100), "Passed": a.passed,
          "Critical failures": a.critical_failures, "Duration": duration(a.duration_seconds) if a.duration_seconds else "-",
          "Status": a.status, "Started": a.started_at} for a in shown] or [{"#": None, "Trainee": "No attempt matches"}],
        hide_index=True, width="stretch",
        column_config={"Score": st.column_config.ProgressColumn("Score", format="%d%%", min_value=0, max_value=100)},
    )
    pick = st.selectbox("Open an attempt", [a.id for a in shown], index=None, key="review_pick",
                        placeholder="Choose an attempt to see every call",
                        format_func=lambda i: next(f"#{a.id} {a.username} · {a.scenario_id} · {a.status}"
                                                   for a in shown if a.id == i))
    if pick is not None:
        attempt_detail(db, catalog, pick, trainer)

with scenarios_tab:
    stats = scenario_stats(db, f)
    if not stats:
        st.info("No completed attempts match the filters.")
    else:
        frame = pd.DataFrame([{
            "Scenario": s.scenario_id, "Trainees": s.trainees, "Attempts": s.attempts,
            "Pass rate": round(s.pass_rate * 100), "Mean": round(s.mean_percent * 100),
            "Median": round(s.median_percent * 100), "First attempt": round(s.first_mean_percent * 100),
            "Best": round(s.best_mean_percent * 100),
            "Attempts to first pass": None if s.attempts_to_first_pass is None else round(s.attempts_to_first_pass, 1),
        } for s in stats])
        st.dataframe(frame, hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.altair_chart(alt.Chart(frame).mark_bar().encode(
            x=alt.X("Pass rate:Q", scale=alt.Scale(domain=[0, 100]), title="Pass rate (%)"),
            y=alt.Y("Scenario:N", sort="-x", title=None), tooltip=["Scenario", "Pass rate", "Attempts"],
        ).properties(title="Pass rate by scenario"), width="stretch")
        hist = pd.DataFrame([{"Score": f"{b}-{b + 9 if b < 90 else 100}%", "Attempts": n} for b, n in score_histogram(db, f)])
        right.altair_chart(alt.Chart(hist).mark_bar().encode(
            x=alt.X("Score:N", sort=None), y="Attempts:Q", tooltip=["Score", "Attempts"],
        ).properties(title="Score distribution"), width="stretch")

with items_tab:
    item_analysis(db, catalog, completed_counts(db))

with trainees_tab:
    modules = {s.id: s.module for s in catalog.scenarios.values()}
    needed = {m: {s for s, mm in modules.items() if mm == m} for m in set(modules.values())}
    certified = {c.username: c for c in list_certificates(db)}
    rows = []
    for p in trainee_progress(db, f):
        parts = [AGENDA_TITLES[m] for m, ids in sorted(needed.items()) if ids and ids <= set(p.passed_scenarios)]
        rows.append({"Trainee": p.display_name or p.username, "Username": p.username, "Attempts": p.attempts,
                     "Completed": p.completed, "Scenarios passed": len(p.passed_scenarios),
                     "Agenda parts passed": ", ".join(parts) or "-",
                     "Certified": certified[p.username].issued_at.date().isoformat() if p.username in certified else "",
                     "Mean score": None if p.mean_percent is None else round(p.mean_percent * 100),
                     "Time spent": duration(p.seconds_spent), "Last active": p.last_started})
    st.dataframe(rows, hide_index=True, width="stretch")
    who = st.selectbox("Score trend of", [r["Username"] for r in rows], index=None, key="review_trend")
    if who:
        points = pd.DataFrame([{"Finished": t, "Scenario": s, "Score": p * 100} for t, s, p in trend(db, who)])
        if points.empty:
            st.caption("No completed attempts yet.")
        else:
            st.altair_chart(alt.Chart(points).mark_line(point=True).encode(
                x=alt.X("Finished:T", title=None), y=alt.Y("Score:Q", scale=alt.Scale(domain=[0, 100])),
                color="Scenario:N", tooltip=["Scenario", "Score", "Finished"]), width="stretch")
