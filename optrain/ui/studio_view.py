"""Scenario studio widgets: preview a validated scenario as a trainee would meet it, and try it."""

from __future__ import annotations

import streamlit as st

from optrain.dashboard import build_dashboard
from optrain.errors import OptrainError
from optrain.queue import generate_queue
from optrain.calls import calls_for, label_of
from optrain.scenarios.model import ConversationItem, Scenario
from optrain.scenarios.summary import decision_count, estimated_minutes
from optrain.scoring import Decision, call_label, pending_item_ids, score_attempt
from optrain.ui.dashboard import render_dashboard
from optrain.ui.text import plain


def preview(scenario: Scenario) -> None:
    queue = generate_queue(scenario)
    st.success(f"Valid: **{plain(scenario.title)}** v{scenario.version} · {decision_count(scenario)} calls · "
               f"about {estimated_minutes(scenario)} min · {scenario.feedback_mode} mode", icon=":material/check:")
    queue_tab, dash_tab, expected_tab, try_tab = st.tabs(["Queue", "Dashboard", "Expected calls", "Try it"])
    with queue_tab:
        rows = []
        for item in queue.all_items():
            entry = queue.entry(item.id)
            who = (entry.payload.get("meta") or {}).get("sender", {}).get("name") or entry.payload.get("sku") \
                or entry.payload.get("title")
            rows.append({"Item": item.id, "Kind": item.kind, "Follow-up": item.follow_up, "Who / what": who,
                         "First message": (entry.payload.get("messages") or [{}])[0].get("content", "")
                         if item.kind == "conversation" else entry.payload.get("message", "")})
        st.dataframe(rows, hide_index=True, width="stretch")
    with dash_tab:
        render_dashboard(build_dashboard(scenario, queue), key_prefix="studio")
    with expected_tab:
        st.dataframe([{"Item": i.id, "Expected": call_label(i.expected.call, i.expected.template),
                       "Also accepted": ", ".join(f"{call_label(a.call, a.template)} ({a.credit:.0%})" for a in i.alternatives),
                       "Points": i.points, "Critical": i.critical, "Rule": i.rule, "Rationale": i.rationale,
                       "Follow-ups": ", ".join(f"{k} -> {v}" for k, v in i.follow_ups.items())}
                      for i in queue.all_items()], hide_index=True, width="stretch")
    with try_tab:
        try_it(scenario)


def try_it(scenario: Scenario) -> None:
    """Make a call on every item and see the score; nothing is recorded as an attempt."""
    queue = generate_queue(scenario)
    st.caption("Nothing here is recorded: this is a dry run of the scoring, branch by branch.")
    decisions: list[Decision] = []
    shown: set[str] = set()
    for _ in range(200):  # walk the branches: each pass reveals the follow-ups of the calls chosen so far
        pending = [i for i in pending_item_ids(queue, decisions) if i not in shown]
        shown.update(pending)
        chosen = []
        for item_id in pending:
            item = queue.item(item_id)
            options = calls_for(item.kind, has_draft=isinstance(item, ConversationItem) and bool(item.ai_draft))
            templates = [t.id for t in scenario.templates]
            choices = [f"{c}:{t}" for c in options for t in (["ack_delay", "ship_update", "refund_offer"] + templates)
                       if c == "approve_template"] + [c for c in options if c != "approve_template"]
            pick = st.selectbox(plain(item.title or item.id), choices, index=None, key=f"studio_try_{scenario.id}_{item_id}",
                                format_func=lambda c: label_of(c.partition(':')[0])
                                + (f" ({c.partition(':')[2]})" if ":" in c else ""))
            if pick:
                call, _, template = pick.partition(":")
                chosen.append(Decision(item_id, call, template or None))
        if not chosen:
            break
        decisions.extend(chosen)
    if decisions and not [i for i in pending_item_ids(queue, decisions)]:
        try:
            result = score_attempt(scenario, decisions, queue)
        except OptrainError as exc:
            st.error(str(exc))
            return
        st.metric("Score", f"{result.score:g}/{result.max_score:g} ({result.percent:.0%})",
                  delta="passed" if result.passed else "not passed", delta_color="normal" if result.passed else "inverse")
        st.dataframe([{"Item": r.item_id, "Your call": r.call_label, "Expected": r.expected_label,
                       "Points": f"{r.points:g}/{r.max_points:g}", "Verdict": r.verdict, "Why": r.feedback}
                      for r in result.items], hide_index=True, width="stretch")
    else:
        st.caption("Choose a call for every item to see the score.")
