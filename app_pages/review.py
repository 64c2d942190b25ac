"""Review (trainers): who is ready, what confuses people, and every call behind a score."""

import streamlit as st

from optrain.storage.analytics import scenario_overview, trainee_names
from optrain.ui import reply_review_view
from optrain.ui import review_view as view
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db

trainer = require_role("trainer")
db = get_db()
catalog = get_catalog()

st.title("Review")
everyone = trainee_names(db)
if not everyone:
    st.info("No attempts yet. Results appear here as soon as trainees start a scenario.", icon=":material/fact_check:")
    st.stop()
f = view.filters(catalog, list(everyone), sorted(catalog.scenarios))
overview = scenario_overview(db, f)  # the Scenarios tab's figures, and the Items tab's attempt counts
attempts_tab, scenarios_tab, items_tab, trainees_tab, replies_tab = st.tabs(
    ["Attempts", "Scenarios", "Items", "Trainees", "Replies"]
)
with attempts_tab:
    view.attempts_section(db, catalog, f, trainer)
with scenarios_tab:
    view.scenarios_section(overview)
with items_tab:
    view.item_analysis(db, catalog, f, overview)
with trainees_tab:
    view.trainees_section(db, catalog, f)
with replies_tab:
    reply_review_view.render(db, catalog, trainer)
