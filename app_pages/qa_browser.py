"""Q&A browser (trainers, support): every answer, searchable, with its ticket status."""

import streamlit as st

from optrain.errors import OptrainError
from optrain.qa_capture import mark_answers
from optrain.storage.qa_search import search_answers
from optrain.ui.auth import require_role
from optrain.ui.catalog import get_catalog
from optrain.ui.db import get_db
from optrain.ui.qa_view import answers_table, qa_filters
from optrain.vocab import AnswerStatus, status_label

# The buttons under the table: key, label, and the status they set.
MARKS: tuple[tuple[str, str, AnswerStatus], ...] = (
    ("qa_mark_filed", "Mark ticket filed", "ticket_filed"),
    ("qa_mark_dismissed", "Dismiss", "dismissed"),
    ("qa_mark_new", "Back to new", "new"),
)

require_role("trainer", "support")
db = get_db()
catalog = get_catalog()

st.title("Q&A answers")
st.caption("What trainees said after each scenario, in their own words. Mark what became a ticket.")
f = qa_filters(catalog, "qa")
answers = search_answers(db, f)
if not answers:
    st.info(
        "No answers match. Clear a filter or the search, or wait for trainees to finish a scenario.",
        icon=":material/forum:",
    )
    st.stop()
st.caption(f"{len(answers)} answer(s)" + (" (first 1,000)" if len(answers) == 1000 else ""))
selected = answers_table(catalog, answers, key="qa_table")
target: AnswerStatus | None = None
for column, (key, label, status) in zip(st.columns(len(MARKS)), MARKS, strict=False):
    if column.button(label, key=key, disabled=not selected, width="stretch"):
        target = status
if target:
    try:
        marked = mark_answers(db, selected, target)
    except OptrainError as exc:
        st.error(str(exc))
    else:
        st.toast(f"{marked} answer(s) marked {status_label(target)}", icon=":material/done_all:")
        st.rerun()
