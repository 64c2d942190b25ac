"""The Review page's sections: filters, attempts with the drill-down and observations, scenarios, items, trainees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st
from sqlite_utils import Database

from optrain import storage
from optrain.errors import OptrainError
from optrain.queue import generate_queue
from optrain.scenario_versions import resolve
from optrain.scenarios.loader import Catalog
from optrain.scenarios.model import AGENDA, AGENDA_TITLES
from optrain.scoring import Decision, call_label, judge
from optrain.shift import duration
from optrain.storage.analytics import (
    AttemptFilter,
    ScenarioOverview,
    list_attempt_summaries,
    trainee_progress,
    trend,
)
from optrain.storage.certificates import list_certificates
from optrain.storage.item_analysis import ItemStats, scenario_item_analysis
from optrain.text_safety import visible_bidi_cells
from optrain.ui import review_charts as charts
from optrain.ui.auth import User
from optrain.ui.dates import utc_span
from optrain.ui.text import plain
from optrain.vocab import NOTE_TAGS


def filters(catalog: Catalog, trainees: list[str], scenario_ids: list[str]) -> AttemptFilter:
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 1])
    who = c1.multiselect("Trainee", trainees, key="review_trainee")
    parts = c2.multiselect(
        "Agenda part", [p for p in AGENDA], key="review_part", format_func=lambda p: AGENDA_TITLES[p]
    )
    which = c3.multiselect("Scenario", scenario_ids, key="review_scenario")
    span = c4.date_input("Started between", value=[], key="review_dates", format="YYYY-MM-DD")
    outcome = c5.selectbox("Result", ["all", "passed", "not passed"], key="review_outcome")
    chosen = set(which)
    if parts:
        in_parts = {s.id for s in catalog.scenarios.values() if s.module in parts}
        chosen = (chosen & in_parts) if chosen else in_parts
        if not chosen:
            chosen = {"(none)"}
    since, until = utc_span(span)
    return AttemptFilter(
        usernames=tuple(who),
        scenario_ids=tuple(sorted(chosen)),
        since=since,
        until=until,
        passed={"all": None, "passed": True, "not passed": False}[outcome],
    )


def attempt_detail(db: Database, catalog: Catalog, attempt_id: int, trainer: User) -> None:
    attempt = storage.get_attempt(db, attempt_id)
    try:  # the version the attempt was taken on, even if the scenario has changed since
        scenario = resolve(
            db, catalog.scenarios.get(attempt.scenario_id), attempt.scenario_id, attempt.scenario_version
        )
        items = {i.id: i for i in generate_queue(scenario).all_items()}
    except OptrainError:
        items = {}
    st.markdown(
        f"**{plain(attempt.display_name or attempt.username)}** · {plain(attempt.scenario_id)} "
        f"v{attempt.scenario_version} · {attempt.status}"
        + (
            f" · {attempt.percent:.0%} · {'passed' if attempt.passed else 'not passed'}"
            if attempt.percent is not None
            else ""
        )
    )
    rows: list[dict[str, object]] = []
    for d in storage.list_decisions(db, attempt_id):
        item = items.get(d.item_id)
        verdict = judge(item, Decision(d.item_id, d.call, d.template)) if item is not None else None
        rows.append(
            {
                "Item": d.item_id,
                "Call": call_label(d.call, d.template),
                "Expected": verdict.expected_label if verdict else "(version no longer available)",
                "Points": f"{d.points or 0:g}/{d.max_points or 0:g}",
                "Verdict": d.verdict,
                "Time": duration(d.elapsed_seconds) if d.elapsed_seconds is not None else "-",
                "Decided": d.decided_at.strftime("%Y-%m-%d %H:%M:%S"),
                "Reply / note": d.body or d.note or "",
                "Feedback": verdict.feedback if verdict else "",
            }
        )
    st.dataframe(
        visible_bidi_cells(rows) or [{"Item": "No calls yet"}],
        hide_index=True,
        width="stretch",
        column_config={"Feedback": st.column_config.TextColumn(width="large")},
    )
    answers = storage.list_answers(db, attempt_id=attempt_id)
    if answers:
        st.markdown("**Q&A answers**")
        st.dataframe(
            visible_bidi_cells(
                [
                    {
                        "Question": a.question_id,
                        "Part": a.part,
                        "Answer": "(skipped)" if a.skipped else a.answer,
                        "Severity": a.severity,
                        "Screenshot": a.screenshot,
                        "At": a.created_at,
                    }
                    for a in answers
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    notes = storage.list_notes(db, attempt_id)
    st.markdown("**Observations**")
    if notes:
        st.dataframe(
            visible_bidi_cells(
                [
                    {
                        "Item": n.item_id or "(whole attempt)",
                        "Tag": n.tag,
                        "Note": n.note,
                        "Trainer": n.trainer,
                        "At": n.created_at,
                    }
                    for n in notes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("No observations yet.")
    with st.form(f"note_{attempt_id}", clear_on_submit=True):
        c1, c2 = st.columns(2)
        item_id = c1.selectbox(
            "About",
            [""] + [d.item_id for d in storage.list_decisions(db, attempt_id)],
            key=f"note_item_{attempt_id}",
            format_func=lambda i: i or "The whole attempt",
        )
        tag = c2.selectbox("Tag", NOTE_TAGS, key=f"note_tag_{attempt_id}", format_func=lambda t: t.replace("_", " "))
        text = st.text_area(
            "Observation",
            key=f"note_text_{attempt_id}",
            max_chars=2000,
            placeholder="What did you see? e.g. hesitated between ack_delay and escalation",
        )
        if st.form_submit_button("Add observation", type="primary"):
            if not (text or "").strip():
                st.error("Write the observation before saving it.")
            else:
                try:
                    storage.add_note(
                        db,
                        attempt_id=attempt_id,
                        item_id=item_id or None,
                        tag=tag,
                        note=text.strip(),
                        trainer=trainer.username,
                        now=datetime.now(UTC),
                    )
                except OptrainError as exc:
                    st.error(str(exc))
                else:
                    st.toast("Observation saved", icon=":material/edit_note:")
                    st.rerun()


def attempts_section(db: Database, catalog: Catalog, f: AttemptFilter, trainer: User) -> None:
    shown = list_attempt_summaries(db, f)
    st.caption(f"{len(shown)} attempt(s), newest first" + (" (first 500)" if len(shown) == 500 else ""))
    st.dataframe(
        [
            {
                "#": a.id,
                "Trainee": a.display_name or a.username,
                "Scenario": f"{a.scenario_id} v{a.scenario_version}",
                "Score": None if a.percent is None else round(a.percent * 100),
                "Passed": a.passed,
                "Critical failures": a.critical_failures,
                "Duration": duration(a.duration_seconds) if a.duration_seconds else "-",
                "Status": a.status,
                "Started": a.started_at,
            }
            for a in shown
        ]
        or [{"#": None, "Trainee": "No attempt matches"}],
        hide_index=True,
        width="stretch",
        column_config={"Score": st.column_config.ProgressColumn("Score", format="%d%%", min_value=0, max_value=100)},
    )
    labels = {a.id: f"#{a.id} {a.username} · {a.scenario_id} · {a.status}" for a in shown}
    pick = st.selectbox(
        "Open an attempt",
        list(labels),
        index=None,
        key="review_pick",
        placeholder="Choose an attempt to see every call",
        format_func=labels.__getitem__,
    )
    if pick is not None:
        attempt_detail(db, catalog, pick, trainer)


def scenarios_section(overview: ScenarioOverview) -> None:
    if not overview.stats:
        st.info("No completed attempts match the filters.")
        return
    st.dataframe(
        [
            {
                "Scenario": s.scenario_id,
                "Trainees": s.trainees,
                "Attempts": s.attempts,
                "Pass rate": round(s.pass_rate * 100),
                "Mean": round(s.mean_percent * 100),
                "Median": round(s.median_percent * 100),
                "First attempt": round(s.first_mean_percent * 100),
                "Best": round(s.best_mean_percent * 100),
                "Attempts to first pass": None
                if s.attempts_to_first_pass is None
                else round(s.attempts_to_first_pass, 1),
            }
            for s in overview.stats
        ],
        hide_index=True,
        width="stretch",
    )
    left, right = st.columns(2)
    left.altair_chart(charts.pass_rate_bars(overview.stats), width="stretch")
    right.altair_chart(charts.score_bars(overview.histogram), width="stretch")


def trainees_section(db: Database, catalog: Catalog, f: AttemptFilter) -> None:
    modules = {s.id: s.module for s in catalog.scenarios.values()}
    needed = sorted((m, {s for s, mm in modules.items() if mm == m}) for m in set(modules.values()))
    certified = {c.username: c for c in list_certificates(db)}
    rows = []
    for p in trainee_progress(db, f):
        passed = set(p.passed_scenarios)
        parts = [AGENDA_TITLES[m] for m, ids in needed if ids and ids <= passed]
        rows.append(
            {
                "Trainee": p.display_name or p.username,
                "Username": p.username,
                "Attempts": p.attempts,
                "Completed": p.completed,
                "Scenarios passed": len(p.passed_scenarios),
                "Agenda parts passed": ", ".join(parts) or "-",
                "Certified": certified[p.username].issued_at.date().isoformat() if p.username in certified else "",
                "Mean score": None if p.mean_percent is None else round(p.mean_percent * 100),
                "Time spent": duration(p.seconds_spent),
                "Last active": p.last_started,
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    who = st.selectbox("Score trend of", [str(r["Username"]) for r in rows], index=None, key="review_trend")
    if who:
        points = [{"Finished": t.isoformat(), "Scenario": s, "Score": p * 100} for t, s, p in trend(db, who)]
        if not points:
            st.caption("No completed attempts yet.")
        else:
            st.altair_chart(charts.trend_lines(points), width="stretch")


def item_analysis(db: Database, catalog: Catalog, f: AttemptFilter, overview: ScenarioOverview) -> None:
    """The filter bar's scenarios to choose from, those with the most completed attempts under it first."""
    counts = {s.scenario_id: s.attempts for s in overview.stats}
    ids = sorted(
        (i for i in catalog.scenarios if not f.scenario_ids or i in f.scenario_ids),
        key=lambda i: (-counts.get(i, 0), catalog.scenarios[i].title),
    )
    if not ids:
        st.info("No scenario matches the filters.", icon=":material/query_stats:")
        return
    c1, c2 = st.columns([3, 1])
    sid = c1.selectbox(
        "Scenario",
        ids,
        key="items_scenario",
        format_func=lambda i: (
            catalog.scenarios[i].title + (f" ({counts[i]} completed attempts)" if counts.get(i) else "")
        ),
    )
    every = c2.toggle("All attempts", key="items_all", help="Off: first completed attempt of each trainee (as Moodle)")
    analysis = scenario_item_analysis(db, sid, catalog.scenarios[sid].version, f, all_attempts=every)
    if not analysis.items:
        st.info("No completed attempts of this scenario version match the filters.", icon=":material/query_stats:")
        return
    wrong: dict[str, str] = {}
    for c in analysis.calls:
        if c.verdict in ("wrong", "partial") and c.item_id not in wrong:
            wrong[c.item_id] = f"{call_label(c.call, c.template)} ({c.count}x)"
    rows = [_item_row(s, wrong.get(s.item_id, "")) for s in analysis.items]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "Facility": st.column_config.ProgressColumn("Facility", format="%.0f%%", min_value=0, max_value=100),
        },
    )
    st.caption(
        "Facility = mean score / max. Discrimination = correlation of the item score with the rest of the "
        "scenario; under 15 % is flagged doubtful (the item may not separate strong from weak trainees)."
    )
    st.altair_chart(charts.missed_item_bars(rows), width="stretch")
    st.altair_chart(
        charts.call_heatmap([(c.item_id, call_label(c.call, c.template), c.count) for c in analysis.calls]),
        width="stretch",
    )


def _item_row(s: ItemStats, wrong: str) -> dict[str, Any]:
    return {
        "Item": s.item_id,
        "Responses": s.responses,
        "Facility": round(s.facility * 100, 1),
        "Discrimination": None if s.discrimination is None else round(s.discrimination * 100, 1),
        "Doubtful": "yes" if s.doubtful else "",
        "Wrong": s.wrong,
        "Partial": s.partial,
        "Median time": duration(s.median_seconds) if s.median_seconds is not None else "-",
        "Most common wrong call": wrong,
    }
