"""My results: this trainee's own attempts only, as a trend, bests and the agenda."""

from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from optrain import storage
from optrain.certificates import render_pdf
from optrain.overview import agenda_progress, past_attempts
from optrain.storage.certificates import certificate_of
from optrain.ui import reply_review_view
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db

user = require_role("trainee", "trainer", "support")
catalog = get_catalog()
db = get_db()
attempts = list(past_attempts(db, user.username))
done = [a for a in attempts if a.status == "completed"]

st.title("My results")
cert = certificate_of(db, user.username)  # issued when the attempt that earned it finished
if cert is not None:
    with st.container(border=True):
        st.markdown(f"### :material/workspace_premium: Certified on {cert.issued_at:%d %B %Y}")
        st.caption(
            f"Verification id **{cert.verification_id}**: anyone with access can check it with "
            f"`optrain certificate verify {cert.verification_id}`."
        )
        st.download_button(
            "Download certificate (PDF)",
            partial(render_pdf, cert),
            key="cert_pdf",
            type="primary",
            file_name=f"certificate_{cert.verification_id}.pdf",
            mime="application/pdf",
            icon=":material/download:",
        )
if not attempts:
    st.info(
        "No attempts yet. Open **Train** and pick a scenario; your scores will show up here.",
        icon=":material/insights:",
    )
    st.stop()


def title(scenario_id: str) -> str:
    scenario = catalog.scenarios.get(scenario_id)
    return scenario.title if scenario else scenario_id


a, b, c = st.columns(3)
a.metric("Completed attempts", len(done))
a_pass = {x.scenario_id for x in done if x.passed}
b.metric("Scenarios passed", len(a_pass))
c.metric("In progress", sum(1 for x in attempts if x.in_progress))

if done:
    frame = pd.DataFrame(
        [
            {
                "Finished": x.finished_at,
                "Score": x.percent or 0.0,
                "Scenario": title(x.scenario_id),
                "Passed": "passed" if x.passed else "not passed",
            }
            for x in done
        ]
    )
    st.subheader("Score over time")
    line = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True))
        .encode(
            x=alt.X("Finished:T", title=None, axis=alt.Axis(format="%d %b %H:%M")),  # 24-hour times
            y=alt.Y("Score:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("Scenario:N", legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[
                "Scenario",
                alt.Tooltip("Score:Q", format=".0%"),
                "Passed",
                alt.Tooltip("Finished:T", format="%d %b %H:%M"),
            ],
        )
    )
    st.altair_chart(line, width="stretch")

st.subheader("Best per scenario")
best: dict[str, storage.Attempt] = {}
for x in done:
    if x.scenario_id not in best or (x.percent or 0) > (best[x.scenario_id].percent or 0):
        best[x.scenario_id] = x
st.dataframe(
    [
        {
            "Scenario": title(sid),
            "Best": f"{(x.percent or 0):.0%}",
            "Passed": "yes" if sid in a_pass else "no",
            "Attempts": sum(1 for y in attempts if y.scenario_id == sid),
            "Last": x.finished_at,
        }
        for sid, x in best.items()
    ]
    or [{"Scenario": "No completed attempt yet"}],
    hide_index=True,
    width="stretch",
)

reply_review_view.trainee_reviews(db, tuple(x.id for x in done))

st.subheader("Agenda parts")
for part in agenda_progress(catalog.scenarios, a_pass):
    mark = ":green[:material/check_circle:]" if part.complete else ":gray[:material/pending:]"
    st.markdown(f"{mark} {part.title}: {part.passed} of {part.total} passed")

st.subheader("Every attempt")
st.dataframe(
    [
        {
            "Started": x.started_at,
            "Scenario": title(x.scenario_id),
            "Result": "in progress"
            if x.in_progress
            else (f"{(x.percent or 0):.0%} · " + ("passed" if x.passed else "not passed")),
            "Review": f"/train?attempt={x.id}",
        }
        for x in attempts
    ],
    hide_index=True,
    width="stretch",
    key="my_attempts",
    column_config={
        "Started": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
        "Review": st.column_config.LinkColumn("Review", display_text="Open"),
    },
)
