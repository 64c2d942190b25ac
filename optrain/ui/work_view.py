"""The shift: replica dashboard, the work queue with SLA indicators, and the decision panel."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from optrain import training
from optrain.dashboard import build_dashboard
from optrain.shift import shift_end, shift_now, sla_at
from optrain.ui import state as keys
from optrain.ui.auth import User
from optrain.ui.dashboard import render_dashboard
from optrain.ui.decide import Target, dashboard_key, pick_key, render_decision, show_verdict
from optrain.ui.text import plain

PRIORITY = {"urgent": ":red[urgent]", "high": ":orange[high]", "medium": ":blue[medium]", "low": ":gray[low]"}


def _label(state: training.AttemptState, item_id: str, now_sim: datetime) -> str:
    entry = training.root_entry(state.queue, item_id)
    p = entry.payload
    done = item_id in state.decided_ids
    mark = ":green[:material/check:]" if done else ":material/radio_button_unchecked:"
    follow = " · :violet[follow-up]" if item_id in state.queue.follow_ups else ""
    if entry.item.kind == "conversation":
        name = plain(str((p.get("meta") or {}).get("sender", {}).get("name", "Customer")))
        sla = sla_at(p, now_sim)
        sla_text = "" if sla is None or done else (f" · :red[{sla.label}]" if sla.breached else f" · {sla.label}")
        # A badge, not a code span: inside backticks the escapes that `plain` adds would show as backslashes.
        tags = " ".join(f":gray-badge[{plain(str(t))}]" for t in p.get("labels", [])[:3])
        prio = PRIORITY.get(str(p.get("priority")), "")
        return f"{mark} **{name}** · {p.get('status')} {prio}{sla_text}{follow} {tags}"
    if entry.item.kind == "inventory":
        band = {"red": ":red[●]", "yellow": ":orange[●]", "green": ":green[●]"}.get(str(p.get("band")), "")
        return f"{mark} {band} **{plain(str(p.get('sku')))}** · {p.get('units')} units · {p.get('days_of_cover')} days of cover"
    return f"{mark} :red[:material/warning:] **{plain(str(p.get('title')))} tile** · {p.get('state')}"


def _ordered_ids(state: training.AttemptState) -> list[str]:
    """Queue order, with each root replaced by the furthest item reached on its path."""
    reached = set(state.pending) | state.decided_ids
    out: list[str] = []
    for entry in state.queue.entries:
        out.append(entry.item.id)
        node = entry.item
        while True:
            nxt = [t for t in node.follow_ups.values() if t in reached]
            if not nxt:
                break
            node = state.queue.item(nxt[0])
            out.append(node.id)
    return out


def render_work(state: training.AttemptState, user: User) -> bool:
    """Draw the shift; True when the trainee asks to finish."""
    scenario = state.scenario
    done, total = state.progress
    now_sim = shift_now(scenario, done, total)
    flash = st.session_state.pop(keys.FLASH, None)
    if flash:
        st.toast(flash[0], icon=flash[1])
    top = st.columns([3, 1, 1], vertical_alignment="bottom")
    top[0].progress(done / total if total else 1.0, text=f"{done} of {total} decided")
    top[1].metric("Shift clock", now_sim.strftime("%H:%M"), help=f"Shift {scenario.starts_at:%H:%M}-{shift_end(scenario):%H:%M} UTC (simulated)")
    top[2].metric("Mode", scenario.feedback_mode.capitalize())
    # Lazy: the replica's body runs only while the expander is open, so a call made with it closed does not
    # redraw six tiles. It opens on a fresh shift and closes after the first call (see `decide._submit`).
    replica = st.expander("Operator Control Center (replica)", expanded=done == 0, icon=":material/dashboard:",
                          key=dashboard_key(state.attempt.id), on_change="rerun")
    if replica.open:
        with replica:
            render_dashboard(build_dashboard(scenario, state.queue, revealed=set(state.pending) | state.decided_ids))

    verdict = st.session_state.get(keys.LAST_VERDICT)
    if verdict is not None and scenario.feedback_mode == "coach":
        show_verdict(verdict)

    ids = _ordered_ids(state)
    key = pick_key(state.attempt.id)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = state.pending[0] if state.pending else ids[0]
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown("##### Work queue")
        st.radio("Work queue", ids, key=key, label_visibility="collapsed",
                 format_func={i: _label(state, i, now_sim) for i in ids}.__getitem__)  # each label once
        if state.complete:
            st.success("Every item has a call. Finish the shift to see your results.", icon=":material/flag:")
            if st.button("Finish shift and see results", key="finish", type="primary", width="stretch"):
                return True
        elif done:
            st.caption(f"{len(state.pending)} item(s) still waiting for a call.")
    with right:
        with st.container(border=True):
            render_decision(state, Target(scenario, state.attempt.id, st.session_state[key], user))
    return False

