"""Scenario studio widgets: the trainer's scenarios and their lifecycle, and a preview of a scenario
as a trainee meets it (built by `optrain.scenario_preview`, the shift's own functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from optrain import scenario_versions as lifecycle
from optrain.calls import calls_for, label_of
from optrain.errors import OptrainError
from optrain.scenario_preview import preview_score, preview_shift
from optrain.scenarios.model import ConversationItem, Scenario
from optrain.scenarios.summary import decision_count, estimated_minutes
from optrain.scoring import Decision, call_label
from optrain.ui.dashboard import render_dashboard
from optrain.ui.text import plain

EDITOR_KEY = "studio_text"


def open_in_editor(body: bytes | str) -> None:
    """A button callback: it runs before the page, so the editor widget takes the text without complaint
    (setting a widget's value after it is drawn raises StreamlitWidgetAlreadyInstantiatedError)."""
    st.session_state[EDITOR_KEY] = body.decode("utf-8") if isinstance(body, bytes) else body


def _act(action: str, db: Database, scenario_id: str, username: str) -> None:
    now = datetime.now(UTC)
    try:
        if action == "publish":
            published = lifecycle.publish(db, scenario_id, by=username, now=now)
            message = f"Published '{scenario_id}' version {published.version}: trainees see it now."
        elif action == "archive":
            lifecycle.archive(db, scenario_id, by=username, now=now, known_ids=())
            message = f"Archived '{scenario_id}': hidden from trainees and the learning path; attempts kept."
        elif action == "restore":
            lifecycle.restore(db, scenario_id, by=username, now=now)
            message = f"Restored '{scenario_id}'."
        else:
            lifecycle.delete_draft(db, scenario_id, by=username, now=now)
            message = f"Deleted the draft '{scenario_id}'."
    except OptrainError as exc:
        st.session_state["studio_flash"] = ("error", str(exc))
    else:
        st.session_state["studio_flash"] = ("success", message)


def studio_scenarios(db: Database, username: str) -> None:
    """The studio's scenarios with their state, and open / publish / archive / restore / delete / history."""
    st.subheader("Your scenarios")
    flash = st.session_state.pop("studio_flash", None)
    if flash is not None:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    entries = lifecycle.studio_entries(db)
    if not entries:
        st.caption("No studio scenarios yet: write one in the editor below and save it as a draft.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Scenario": e.scenario_id,
                    "Title": e.title,
                    "State": lifecycle.STATUS_LABELS[e.status],
                    "Published version": e.published_version,
                    "Draft version": e.draft_version,
                    "Attempts": e.attempts,
                }
                for e in entries
            ]
        ),
        hide_index=True,
        width="stretch",
        key="studio_list",
    )
    by_id = {e.scenario_id: e for e in entries}
    chosen = st.selectbox(
        "Studio scenario", list(by_id), index=None, key="studio_pick", format_func=lambda i: f"{by_id[i].title} ({i})"
    )
    if chosen is None:
        return
    entry = by_id[chosen]
    newest = lifecycle.versions(db, chosen)[0]
    cols = st.columns(5)
    cols[0].button(
        "Open in the editor",
        key="studio_edit",
        on_click=open_in_editor,
        args=(lifecycle.source_text(newest),),
        icon=":material/edit:",
    )
    if entry.draft_version is not None and entry.status != "archived":
        cols[1].button(
            f"Publish version {entry.draft_version}",
            key="studio_publish",
            type="primary",
            on_click=_act,
            args=("publish", db, chosen, username),
            icon=":material/publish:",
        )
    if entry.status == "archived":
        cols[2].button(
            "Restore",
            key="studio_restore",
            on_click=_act,
            args=("restore", db, chosen, username),
            icon=":material/unarchive:",
        )
    else:
        cols[2].button(
            "Archive",
            key="studio_archive",
            on_click=_act,
            args=("archive", db, chosen, username),
            icon=":material/archive:",
            help="Hidden from trainees and the learning path; attempts kept.",
        )
    if entry.status == "draft" and not entry.attempts:
        cols[3].button(
            "Delete draft",
            key="studio_delete",
            on_click=_act,
            args=("delete", db, chosen, username),
            icon=":material/delete:",
        )
    with st.expander("Version history"):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "When (UTC)": f"{e.at:%Y-%m-%d %H:%M}",
                        "Who": e.actor or "",
                        "What": e.action + (f" version {e.version}" if e.version else ""),
                    }
                    for e in lifecycle.history(db, chosen)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        numbers = [v.version for v in lifecycle.versions(db, chosen)]
        if len(numbers) > 1:
            left, right = st.columns(2)
            old = left.selectbox("From version", numbers, index=1, key="studio_diff_old")
            new = right.selectbox("To version", numbers, index=0, key="studio_diff_new")
            diff = lifecycle.version_diff(db, chosen, old, new)
            st.code(diff or "The two versions are the same.", language="diff")


def preview(scenario: Scenario) -> None:
    shift = preview_shift(scenario)
    queue = shift.queue
    st.success(
        f"Valid: **{plain(scenario.title)}** v{scenario.version} · {decision_count(scenario)} calls · "
        f"about {estimated_minutes(scenario)} min · {scenario.feedback_mode} mode",
        icon=":material/check:",
    )
    queue_tab, dash_tab, expected_tab, try_tab = st.tabs(["Queue", "Dashboard", "Expected calls", "Try it"])
    with queue_tab:
        rows = []
        for item in queue.all_items():
            entry = queue.entry(item.id)
            who = (
                (entry.payload.get("meta") or {}).get("sender", {}).get("name")
                or entry.payload.get("sku")
                or entry.payload.get("title")
            )
            rows.append(
                {
                    "Item": item.id,
                    "Kind": item.kind,
                    "Follow-up": item.follow_up,
                    "Who / what": who,
                    "First message": (entry.payload.get("messages") or [{}])[0].get("content", "")
                    if item.kind == "conversation"
                    else entry.payload.get("message", ""),
                }
            )
        st.dataframe(rows, hide_index=True, width="stretch")
    with dash_tab:
        st.caption("The dashboard as the trainee sees it when the shift starts.")
        render_dashboard(shift.dashboard, key_prefix="studio")
    with expected_tab:
        st.dataframe(
            [
                {
                    "Item": i.id,
                    "Expected": call_label(i.expected.call, i.expected.template),
                    "Also accepted": ", ".join(
                        f"{call_label(a.call, a.template)} ({a.credit:.0%})" for a in i.alternatives
                    ),
                    "Points": i.points,
                    "Critical": i.critical,
                    "Rule": i.rule,
                    "Rationale": i.rationale,
                    "Follow-ups": ", ".join(f"{k} -> {v}" for k, v in i.follow_ups.items()),
                }
                for i in queue.all_items()
            ],
            hide_index=True,
            width="stretch",
        )
    with try_tab:
        try_it(scenario)


def _choice_label(choice: str) -> str:
    call, _, template = choice.partition(":")
    return label_of(call) + (f" ({template})" if template else "")


def try_it(scenario: Scenario) -> None:
    """Make a call on every item and see the score; nothing is recorded as an attempt."""
    queue = preview_shift(scenario).queue
    st.caption("Nothing here is recorded: this is a dry run of the scoring, branch by branch.")
    decisions: list[Decision] = []
    shown: set[str] = set()
    for _ in range(200):  # walk the branches: each pass reveals the follow-ups of the calls chosen so far
        pending = [i for i in preview_shift(scenario, decisions).pending if i not in shown]
        shown.update(pending)
        chosen = []
        for item_id in pending:
            item = queue.item(item_id)
            options = calls_for(item.kind, has_draft=isinstance(item, ConversationItem) and bool(item.ai_draft))
            templates = [t.id for t in scenario.templates]
            choices = [
                f"{c}:{t}"
                for c in options
                for t in (["ack_delay", "ship_update", "refund_offer"] + templates)
                if c == "approve_template"
            ] + [c for c in options if c != "approve_template"]
            pick = st.selectbox(
                plain(item.title or item.id),
                choices,
                index=None,
                key=f"studio_try_{scenario.id}_{item_id}",
                format_func=_choice_label,
            )
            if pick:
                call, _, template = pick.partition(":")
                chosen.append(Decision(item_id, call, template or None))
        if not chosen:
            break
        decisions.extend(chosen)
    if decisions and not preview_shift(scenario, decisions).pending:
        try:
            result = preview_score(scenario, decisions)
        except OptrainError as exc:
            st.error(str(exc))
            return
        st.metric(
            "Score",
            f"{result.score:g}/{result.max_score:g} ({result.percent:.0%})",
            delta="passed" if result.passed else "not passed",
            delta_color="normal" if result.passed else "inverse",
        )
        st.dataframe(
            [
                {
                    "Item": r.item_id,
                    "Your call": r.call_label,
                    "Expected": r.expected_label,
                    "Points": f"{r.points:g}/{r.max_points:g}",
                    "Verdict": r.verdict,
                    "Why": r.feedback,
                }
                for r in result.items
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("Choose a call for every item to see the score.")
