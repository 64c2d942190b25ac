"""Review (trainers): every trainee's attempts and how each call went."""

import streamlit as st

from optrain import storage
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db

require_role("trainer")
db = get_db()
catalog = get_catalog()

st.title("Review")
attempts = [a for a in storage.list_attempts(db, limit=500) if a.official]
if not attempts:
    st.info("No attempts yet. Results appear here as soon as trainees finish a scenario.", icon=":material/fact_check:")
    st.stop()

scenario_ids = sorted({a.scenario_id for a in attempts})
trainees = sorted({a.username for a in attempts})
f1, f2, f3 = st.columns(3)
who = f1.multiselect("Trainee", trainees, key="review_trainee")
which = f2.multiselect("Scenario", scenario_ids, key="review_scenario")
outcome = f3.selectbox("Result", ["all", "passed", "not passed", "in progress"], key="review_outcome")
shown = [
    a for a in attempts
    if (not who or a.username in who) and (not which or a.scenario_id in which)
    and (outcome == "all" or (outcome == "passed" and a.passed) or (outcome == "not passed" and a.passed is False)
         or (outcome == "in progress" and a.in_progress))
]
st.dataframe(
    [{"#": a.id, "Trainee": a.display_name or a.username, "Scenario": a.scenario_id, "Version": a.scenario_version,
      "Score": None if a.percent is None else round(a.percent * 100), "Passed": a.passed,
      "Critical failures": a.critical_failures, "Status": a.status, "Started": a.started_at}
     for a in shown],
    hide_index=True, use_container_width=True,
    column_config={"Score": st.column_config.ProgressColumn("Score", format="%d%%", min_value=0, max_value=100)},
)
pick = st.selectbox("Open an attempt", [a.id for a in shown], index=None, key="review_pick",
                    format_func=lambda i: next(f"#{a.id} {a.username} · {a.scenario_id}" for a in shown if a.id == i))
if pick is not None:
    rows = storage.list_decisions(db, pick)
    st.dataframe(
        [{"Item": d.item_id, "Call": d.call, "Template": d.template, "Points": d.points, "Verdict": d.verdict,
          "Seconds": d.elapsed_seconds, "Decided": d.decided_at, "Note": d.note} for d in rows],
        hide_index=True, use_container_width=True,
    )
    answers = storage.list_answers(db, attempt_id=pick)
    if answers:
        st.markdown("**Q&A answers**")
        st.dataframe([{"Question": x.question_id, "Answer": x.answer, "Skipped": x.skipped, "Severity": x.severity}
                      for x in answers], hide_index=True, use_container_width=True)
