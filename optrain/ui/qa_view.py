"""Q&A filters and the answers table, shared by the Q&A browser and the ticket export."""

from __future__ import annotations

import streamlit as st

from optrain.scenarios.loader import Catalog
from optrain.scenarios.model import AGENDA, AGENDA_TITLES
from optrain.storage import QaAnswer
from optrain.storage.qa_search import QaFilter
from optrain.text_safety import visible_bidi_cells
from optrain.ui.dates import utc_span
from optrain.vocab import ANSWER_STATUSES, SEVERITIES, status_label


def qa_filters(catalog: Catalog, prefix: str) -> QaFilter:
    text = st.text_input(
        "Search the answers", key=f"{prefix}_text", placeholder="e.g. heatmap, escalation, SLA", max_chars=200
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    parts = c1.multiselect(
        "Agenda part", list(AGENDA), key=f"{prefix}_parts", format_func=lambda p: AGENDA_TITLES.get(p, p)
    )
    questions = sorted({q.id for s in catalog.scenarios.values() for q in s.questions})
    qids = c2.multiselect("Question", questions, key=f"{prefix}_questions")
    sids = c3.multiselect("Scenario", sorted(catalog.scenarios), key=f"{prefix}_scenarios")
    sev = c4.multiselect("Severity", SEVERITIES, key=f"{prefix}_severity")
    status = c5.multiselect("Status", ANSWER_STATUSES, key=f"{prefix}_status", format_func=status_label)
    since, until = utc_span(st.date_input("Answered between", value=[], key=f"{prefix}_dates", format="YYYY-MM-DD"))
    return QaFilter(
        parts=tuple(parts),
        question_ids=tuple(qids),
        scenario_ids=tuple(sids),
        severities=tuple(sev),
        statuses=tuple(status),
        since=since,
        until=until,
        text=text or "",
    )


def question_text(catalog: Catalog, scenario_id: str, question_id: str) -> str:
    scenario = catalog.scenarios.get(scenario_id)
    found = next((q.text for q in scenario.questions if q.id == question_id), None) if scenario else None
    return found or question_id


def answers_table(catalog: Catalog, answers: tuple[QaAnswer, ...], key: str) -> list[int]:
    """The answers with a selection column; returns the ids of the selected rows."""
    rows = visible_bidi_cells(
        [
            {
                "Select": False,
                "#": a.id,
                "Question": question_text(catalog, a.scenario_id, a.question_id),
                "Answer": a.answer or "",
                "Trainee": a.username,
                "Scenario": f"{a.scenario_id} v{a.scenario_version}",
                "Part": AGENDA_TITLES.get(a.part, a.part),
                "Severity": a.severity or "",
                "Status": status_label(a.status),
                "Screenshot": a.screenshot or "",
                "Answered": a.created_at,
            }
            for a in answers
        ]
    )
    edited = st.data_editor(
        rows,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=[c for c in rows[0] if c != "Select"],
        column_config={
            "Answer": st.column_config.TextColumn(width="large"),
            "Select": st.column_config.CheckboxColumn(width="small"),
        },
    )
    return [int(str(r["#"])) for r in edited if r["Select"]]
