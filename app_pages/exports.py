"""Exports (support): the decision log as newline-delimited JSON."""

import json
from datetime import datetime, timezone

import streamlit as st

from optrain import storage
from optrain.ui.auth import require_role
from optrain.ui.db import get_db

require_role("support")
st.title("Exports")
records = storage.list_decision_log(get_db())
st.metric("Decision-log records", len(records))
if not records:
    st.info("Nothing to export yet: the decision log fills as trainees make calls.", icon=":material/inbox:")
    st.stop()
lines = "\n".join(
    json.dumps({"shop_domain": r.shop_domain, "action_type": r.action_type, "operator_email": r.operator_email,
                "created_at": r.created_at.astimezone(timezone.utc).isoformat(), "payload": r.payload},
               ensure_ascii=False, sort_keys=True)
    for r in records
) + "\n"
stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
st.download_button("Download decision log (NDJSON)", lines, file_name=f"decision_log_{stamp}.ndjson",
                   mime="application/x-ndjson", key="dl_log", type="primary")
