"""Exports page sections: Q&A tickets, the evidence pack, decision-log retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.exports import (
    DEFAULT_RETENTION,
    AnswerFilter,
    EvidenceFilter,
    default_key_path,
    export_evidence_pack,
    export_tickets,
    parse_age,
    purge_old_decision_log,
)
from optrain.exports.tickets import EXTENSIONS
from optrain.scenarios.loader import Catalog
from optrain.scenarios.model import AGENDA, AGENDA_TITLES
from optrain.storage import QaAnswer
from optrain.storage.qa_search import QaFilter, search_answers
from optrain.ui.auth import User
from optrain.ui.dates import utc_span
from optrain.ui.downloads import build_and_download
from optrain.ui.qa_view import answers_table
from optrain.vocab import ANSWER_STATUSES, SEVERITIES

FORMATS = {"linear": "Linear CSV", "jira": "Jira CSV", "markdown": "Markdown", "json": "JSON"}
MIME = {"linear": "text/csv", "jira": "text/csv", "markdown": "text/markdown", "json": "application/json"}


def tickets_section(db: Database, catalog: Catalog, user: User, settings: Settings) -> None:
    st.subheader("Q&A as tickets")
    c1, c2, c3, c4, c5 = st.columns(5)
    part = c1.selectbox(
        "Agenda part",
        list(AGENDA),
        index=None,
        key="exp_part",
        format_func=lambda part: AGENDA_TITLES.get(part, part),
        placeholder="Any",
    )
    questions = sorted({q.id for s in catalog.scenarios.values() for q in s.questions})
    question = c2.selectbox("Question", questions, index=None, key="exp_question", placeholder="Any")
    scenario = c3.selectbox("Scenario", sorted(catalog.scenarios), index=None, key="exp_scenario", placeholder="Any")
    severity = c4.selectbox("Severity", SEVERITIES, index=None, key="exp_severity", placeholder="Any")
    status = c5.selectbox("Status", ANSWER_STATUSES, key="exp_status")
    since, until = utc_span(st.date_input("Answered between", value=[], key="exp_dates", format="YYYY-MM-DD"))
    shown = search_answers(
        db,
        QaFilter(
            parts=(part,) if part else (),
            question_ids=(question,) if question else (),
            scenario_ids=(scenario,) if scenario else (),
            severities=(severity,) if severity else (),
            statuses=(status,),
            since=since,
            until=until,
        ),
    )
    if shown:
        _ticket_export(db, catalog, user, settings, shown)
    else:
        st.info("No answers match these filters, so there is nothing to export.", icon=":material/inbox:")
        build_and_download(
            "Export and download tickets",
            lambda: None,
            key="exp_tickets",
            file_name="qa_tickets.csv",
            mime="text/csv",
            icon=":material/confirmation_number:",
            disabled=True,
        )


def _ticket_export(db: Database, catalog: Catalog, user: User, settings: Settings, shown: tuple[QaAnswer, ...]) -> None:
    st.caption(f"{len(shown)} answer(s) match. Tick rows to export only those, or export them all.")
    selected = answers_table(catalog, shown, key="exp_table")
    f1, f2 = st.columns(2)
    fmt = f1.radio("Format", list(FORMATS), format_func=FORMATS.get, horizontal=True, key="exp_format")
    mark = f2.checkbox(
        "Mark the exported answers as ticket filed",
        value=False,
        key="exp_mark",
        help="Off by default: tick it when these tickets go to the tracker, so they are not exported again.",
    )
    count = len(selected) or len(shown)
    chosen = AnswerFilter(ids=tuple(selected) if selected else tuple(a.id for a in shown))

    def build() -> Path | None:
        texts = {(s.id, q.id): q.text for s in catalog.scenarios.values() for q in s.questions}
        try:
            with st.spinner("Writing tickets..."):
                result = export_tickets(
                    db,
                    chosen,
                    fmt=fmt,
                    exports_dir=settings.exports_dir,
                    now=datetime.now(UTC),
                    questions=texts,
                    reporter=user.email,
                    mark_filed=mark,
                )
        except OptrainError as exc:
            st.error(str(exc), icon=":material/error:")
            return None
        marked = f"; {result.marked_filed} marked ticket filed" if mark else ""
        st.success(
            f"{result.tickets} ticket(s) written to {result.path.name}{marked}; your download starts now.",
            icon=":material/task_alt:",
        )
        return result.path

    build_and_download(
        f"Export and download {count} ticket(s)",
        build,
        key="exp_tickets",
        file_name=f"qa_tickets_{fmt}_{datetime.now(UTC):%Y-%m-%d}.{EXTENSIONS[fmt]}",
        mime=MIME.get(fmt, "text/plain"),
        icon=":material/confirmation_number:",
    )


def evidence_section(db: Database, catalog: Catalog, settings: Settings) -> None:
    st.subheader("Training evidence pack")
    st.caption(
        "A ZIP with who trained on what, when and with what result, every decision with its time, the "
        "decision log, Q&A answers, observations, screenshots and a manifest with SHA-256 hashes."
    )
    c1, c2, c3 = st.columns(3)
    since, until = utc_span(c1.date_input("Attempts started between", value=[], key="ev_dates", format="YYYY-MM-DD"))
    trainee = c2.text_input("Trainee (username)", key="ev_trainee", max_chars=40).strip() or None
    scenario = c3.selectbox("Scenario", sorted(catalog.scenarios), index=None, key="ev_scenario", placeholder="Any")
    filters = EvidenceFilter(since=since, until=until, trainee=trainee, scenario_id=scenario)
    build_and_download(
        "Build and download evidence pack",
        lambda: _build_evidence(db, catalog, settings, filters),
        key="ev_build",
        file_name=f"training_evidence_{datetime.now(UTC):%Y-%m-%d}.zip",
        mime="application/zip",
        icon=":material/inventory_2:",
    )


def _build_evidence(db: Database, catalog: Catalog, settings: Settings, filters: EvidenceFilter) -> Path | None:
    bar = st.progress(0.0, text="Reading the training records...")

    def progress(member: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(1, total)), text=f"{member}: {done:,} of {total:,} rows")

    try:
        pack = export_evidence_pack(
            db,
            filters,
            exports_dir=settings.exports_dir,
            uploads_dir=settings.uploads_dir,
            signing_key=default_key_path(settings.auth_path.parent),
            now=datetime.now(UTC),
            modules={s.id: s.module for s in catalog.scenarios.values()},
            progress=progress,
        )
    except OptrainError as exc:
        bar.empty()
        st.error(str(exc), icon=":material/error:")
        return None
    bar.progress(1.0, text="Done: signed, your download starts now")
    st.caption(f"{pack.path.name}: " + ", ".join(f"{f.name} ({f.rows:,} rows)" for f in pack.files if f.rows))
    return pack.path


def retention_section(db: Database) -> None:
    st.subheader("Decision-log retention")
    days = st.number_input(
        "Keep decision-log records for (days)",
        min_value=1,
        max_value=3650,
        value=parse_age(DEFAULT_RETENTION).days,
        key="ret_days",
    )
    now = datetime.now(UTC)
    preview = purge_old_decision_log(db, timedelta(days=int(days)), now=now, dry_run=True)
    st.caption(f"{preview.records:,} record(s) are older than {preview.cutoff:%Y-%m-%d %H:%M} UTC.")
    sure = st.checkbox("I have exported what must be kept", key="ret_sure")
    if st.button("Delete them", key="ret_purge", disabled=not (sure and preview.records)):
        result = purge_old_decision_log(db, timedelta(days=int(days)), now=now)
        st.toast(f"Deleted {result.records:,} decision-log record(s)", icon=":material/delete:")
