"""Q&A browser (trainers, support): every answer, searchable, with its ticket status."""

import streamlit as st

from optrain import storage
from optrain.errors import OptrainError
from optrain.storage.qa_search import search_answers
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.qa_view import answers_table, qa_filters

require_role("trainer", "support")
db = get_db()
catalog = get_catalog()

st.title("Q&A answers")
st.caption("What trainees said after each scenario, in their own words. Mark what became a ticket.")
f = qa_filters(catalog, "qa")
answers = search_answers(db, f)
if not answers:
    st.info("No answers match. Clear a filter or the search, or wait for trainees to finish a scenario.",
            icon=":material/forum:")
    st.stop()
st.caption(f"{len(answers)} answer(s)" + (" (first 1,000)" if len(answers) == 1000 else ""))
selected = answers_table(catalog, answers, key="qa_table")
c1, c2, c3 = st.columns(3)
target = None
if c1.button("Mark ticket filed", key="qa_mark_filed", disabled=not selected, width="stretch"):
    target = "ticket_filed"
if c2.button("Dismiss", key="qa_mark_dismissed", disabled=not selected, width="stretch"):
    target = "dismissed"
if c3.button("Back to new", key="qa_mark_new", disabled=not selected, width="stretch"):
    target = "new"
if target:
    try:
        with storage.write_transaction(db):
            for answer_id in selected:
                storage.set_answer_status(db, answer_id, target)
    except OptrainError as exc:
        st.error(str(exc))
    else:
        st.toast(f"{len(selected)} answer(s) marked {target.replace('_', ' ')}", icon=":material/done_all:")
        st.rerun()
