"""Exports (support): Q&A as tickets, training evidence packs, decision-log retention."""

import streamlit as st

from optrain.config import Settings
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.exports_view import evidence_section, retention_section, tickets_section

user = require_role("support")
settings = Settings.from_env()
db = get_db(settings)
catalog = get_catalog(settings)

st.title("Exports")
st.caption("One click writes the file to the exports folder, under a name the app chooses, and downloads it.")
tickets_tab, evidence_tab, retention_tab = st.tabs(["Q&A tickets", "Evidence pack", "Retention"])
with tickets_tab:
    tickets_section(db, catalog, user, settings)
with evidence_tab:
    evidence_section(db, catalog, settings)
with retention_tab:
    if "admin" in user.roles:
        retention_section(db)
    else:
        st.info(
            "Deleting old decision-log records is for admins. The default retention is 90 days.", icon=":material/lock:"
        )
