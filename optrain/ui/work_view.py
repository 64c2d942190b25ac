"""The shift: replica dashboard, the work queue with SLA indicators, and the decision panel.

The queue and the panel are one fragment: picking an item or making a call
reruns only them, not the page, the sign-in gate or the six tiles (a decision
click is the commonest thing a server does). The replica redraws on the next
full run, which opening it triggers; it is folded away after the first call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast

import streamlit as st

from optrain import training
from optrain.dashboard import TileView, build_dashboard
from optrain.errors import AttemptError
from optrain.inbox import ORDER_LABELS, SHOW_LABELS, InboxRow, Order, Show, arrange, inbox_rows
from optrain.scenarios.model import Scenario
from optrain.shift import duration, shift_clock, shift_end
from optrain.storage import drafts as draft_store
from optrain.ui import state as keys
from optrain.ui.auth import User
from optrain.ui.dashboard import render_dashboard, status_badge
from optrain.ui.db import get_db
from optrain.ui.decide import (
    Target,
    dashboard_key,
    decisions_key,
    pick_key,
    render_decision,
)
from optrain.ui.text import plain

PRIORITY = {"urgent": ":red[urgent]", "high": ":orange[high]", "medium": ":blue[medium]", "low": ":gray[low]"}
# One mark per decided row; a waiting row has none (the radio's own circle is the only circle).
DECIDED_MARK = {
    "correct": ":green[:material/check:]",
    "partial": ":orange[:material/change_circle:]",
    "wrong": ":red[:material/close:]",
}
NEUTRAL_MARK = ":gray[:material/done:]"
BANDS = {"red": ":red[●]", "yellow": ":orange[●]", "green": ":green[●]"}
SHORTCUTS = (
    ("Alt+J", "next item in the queue"),
    ("Alt+K", "previous item"),
    ("Tab, then arrow keys", "choose a call"),
    ("Ctrl+Enter", "send the call (Cmd+Enter on a Mac)"),
    ("Alt+F", "finish the shift, once every item has a call"),
)


def live_tiles(state: training.AttemptState) -> tuple[TileView, ...]:
    """The replica as it stands after the calls made so far, on the shift clock."""
    return build_dashboard(
        state.scenario,
        state.queue,
        revealed=set(state.pending) | state.decided_ids,
        calls={d.item_id: d.call for d in state.decisions},
        now=shift_clock(state.scenario, state.queue, len(state.decisions)),
    )


def _label(row: InboxRow, coach: bool) -> str:
    mark = (DECIDED_MARK.get(row.verdict or "", NEUTRAL_MARK) if coach else NEUTRAL_MARK) + " " if row.decided else ""
    follow = " · :violet[follow-up]" if row.follow_up else ""
    if row.kind == "conversation":
        sla = "" if row.sla is None else (f" · :red[{row.sla.label}]" if row.sla.breached else f" · {row.sla.label}")
        # A badge, not a code span: inside backticks the escapes that `plain` adds would show as backslashes.
        tags = " ".join(f":gray-badge[{plain(t)}]" for t in row.labels)
        return f"{mark}**{plain(row.name)}** · {row.detail} {PRIORITY.get(row.priority or '', '')}{sla}{follow} {tags}"
    if row.kind == "inventory":
        return f"{mark}{BANDS.get(row.band or '', '')} **{plain(row.name)}** · {row.detail}{follow}"
    badge = status_badge(row.tile_status) if row.tile_status else ""
    return f"{mark}**{plain(row.name)}** {badge} · {row.detail}{follow}"


def progress_text(state: training.AttemptState) -> str:
    """'3 of 7 decided': the queue's own items; a follow-up is said to be added, it does not move the 7."""
    roots = {e.item.id for e in state.queue.entries}
    done = len(state.decided_ids & roots)
    text = f"{done} of {len(roots)} decided"
    follow = [i for i in (*state.decided_ids, *state.pending) if i not in roots]
    if follow:
        added = "a follow-up was added" if len(follow) == 1 else f"{len(follow)} follow-ups were added"
        text += f" · {added} ({sum(1 for i in follow if i in state.decided_ids)} decided)"
    return text


def _follow_filter(aid: int, rows: tuple[InboxRow, ...]) -> None:
    """A filter that hides the open item opens the first item it shows."""
    shown = arrange(rows, show=st.session_state[f"queue_show_{aid}"])
    if shown and st.session_state.get(pick_key(aid)) not in {r.item_id for r in shown}:
        st.session_state[pick_key(aid)] = shown[0].item_id


def _move(key: str, ids: list[str], step: int) -> None:
    current = st.session_state.get(key)
    at = ids.index(current) if current in ids else -1
    st.session_state[key] = ids[(at + step) % len(ids)]


_OF_ATTEMPT = re.compile(r"[a-z_]+?_(\d+)(?:_|$)")  # the keys this page makes: `<name>_<attempt>[_<item>]`


def _forget_other_attempts(aid: int) -> None:
    """Drop what the session holds for other attempts when a shift opens: their drafts live in the database,
    and every widget drawn reads the whole session state, so leftovers of earlier shifts slow each click."""
    if st.session_state.get(keys.SHIFT_ON_SCREEN) == aid:
        return
    for name in list(st.session_state):
        found = _OF_ATTEMPT.match(str(name))
        if found and int(found.group(1)) != aid:
            del st.session_state[name]
    st.session_state[keys.SHIFT_ON_SCREEN] = aid


def render_work(state: training.AttemptState, user: User, catalog: Mapping[str, Scenario]) -> None:
    """Draw the shift: the replica (full runs only), then the queue and panel as one fragment."""
    _forget_other_attempts(state.attempt.id)
    # Lazy: the replica's body runs only while the expander is open. It opens on a fresh shift and
    # closes after the first call (see `decide._submit`).
    replica = st.expander(
        "Operator Control Center (replica)",
        expanded=not state.decisions,
        icon=":material/dashboard:",
        key=dashboard_key(state.attempt.id),
        on_change="rerun",
    )
    st.session_state[f"replica_drawn_{state.attempt.id}"] = bool(replica.open)
    if replica.open:
        with replica:
            render_dashboard(live_tiles(state), notice=False, height=None)  # whole tiles: no cut-off rows
    _shift(state, user, catalog)


@st.fragment
def _shift(first: training.AttemptState, user: User, catalog: Mapping[str, Scenario]) -> None:
    state = _fresh(first, user)
    now = datetime.now(UTC)
    if training.time_limit_reached(state, now):
        _finish_at_time_limit(state, catalog, now)
    if state is not first and st.session_state.get(f"replica_drawn_{state.attempt.id}"):
        # The replica is on screen: a full run shows the call just made in it (or folds it after the first
        # call); a folded one is drawn afresh when it is next opened.
        st.rerun()
    scenario = state.scenario
    coach = scenario.feedback_mode == "coach"
    now_sim = shift_clock(scenario, state.queue, len(state.decisions))
    flash = st.session_state.pop(keys.FLASH, None)
    if flash:
        st.toast(flash[0], icon=flash[1])
    done, total = state.progress
    # Two elements, not five: each element is a message the server sends on every click.
    st.progress(done / total if total else 1.0, text=progress_text(state))
    elapsed = duration((now - state.attempt.started_at).total_seconds())
    remaining = training.time_left(state, now)
    limit = (
        ""
        if remaining is None
        else f" of a {scenario.time_limit_minutes} min time limit (**{duration(remaining.total_seconds())}** left)"
    )
    st.caption(
        f"Shift clock **{now_sim:%H:%M}** UTC (shift {scenario.starts_at:%H:%M}-{shift_end(scenario):%H:%M},"
        f" simulated) · elapsed **{elapsed}**{limit} · {scenario.feedback_mode.capitalize()} mode"
    )
    flagged = draft_store.flagged_items(get_db(), state.attempt.id)

    tiles = live_tiles(state)
    rows = inbox_rows(state, now_sim, tiles)
    aid = state.attempt.id
    key = pick_key(aid)
    all_ids = [r.item_id for r in rows]
    if st.session_state.get(key) not in all_ids:
        # A reload opens the item named in the address; a fresh shift, the first one waiting.
        from_url = st.query_params.get(key)
        st.session_state[key] = from_url if from_url in all_ids else (state.pending[0] if state.pending else all_ids[0])
    left, right = st.columns([2, 3], gap="large")
    with left:
        with st.container(horizontal=True, vertical_alignment="bottom"):
            show = st.selectbox(
                "Show",
                list(SHOW_LABELS),
                format_func=SHOW_LABELS.__getitem__,
                key=f"queue_show_{aid}",
                on_change=_follow_filter,
                args=(aid, rows),
            )
            order = st.selectbox(
                "Sort by", list(ORDER_LABELS), format_func=ORDER_LABELS.__getitem__, key=f"queue_order_{aid}"
            )
            with st.popover("", icon=":material/keyboard:", help="Keyboard shortcuts"):
                st.markdown("\n".join(f"- **{k}**: {what}" for k, what in SHORTCUTS))
        shown = arrange(rows, show=cast(Show, show), order=cast(Order, order), flagged=flagged)
        ids = [r.item_id for r in shown]
        if st.session_state[key] not in ids:  # the open item stays listed while a filter hides its kind
            ids.insert(0, st.session_state[key])
        labels = {
            r.item_id: _label(r, coach) + (" :orange[:material/flag:]" if r.item_id in flagged else "") for r in rows
        }
        # Bound to the address: the open item survives a reload or a server restart.
        st.radio("Work queue", ids, key=key, format_func=labels.__getitem__, bind="query-params")
        with st.container(horizontal=True):
            st.button(
                "Previous",
                key=f"prev_{aid}",
                shortcut="Alt+K",
                icon=":material/arrow_upward:",
                on_click=_move,
                args=(key, ids, -1),
            )
            st.button(
                "Next",
                key=f"next_{aid}",
                shortcut="Alt+J",
                icon=":material/arrow_downward:",
                on_click=_move,
                args=(key, ids, 1),
            )
        if state.complete:
            st.success("Every item has a call. Finish the shift to see your results.", icon=":material/flag:")
            confirm = f"finish_confirm_{aid}"
            if st.button(
                "Finish shift and see results", key="finish", type="primary", width="stretch", shortcut="Alt+F"
            ):
                if not flagged:  # nothing to look at again: finish at once
                    _finish(state, catalog)
                st.session_state[confirm] = True
            if st.session_state.get(confirm) and flagged:
                _confirm_finish(
                    state, catalog, [labels[i] for i in ids if i in flagged], [labels[i] for i in state.pending]
                )
        elif done:
            st.caption(f"{len(state.pending)} item(s) still waiting for a call.")
    with right:
        verdict = st.session_state.get(keys.LAST_VERDICT) if coach else None
        with st.container(border=True):
            # The verdict sits by the call choice, where the last call was made (on a phone too).
            render_decision(state, Target(scenario, aid, st.session_state[key], user), tiles, verdict)
        item_id = st.session_state[key]
        st.checkbox(
            "Flag for review",
            value=item_id in flagged,
            key=f"flag_{aid}_{item_id}",
            help="Mark the item to look at again before you finish (exam convention).",
            on_change=_flag,
            args=(aid, item_id),
        )


def _flag(aid: int, item_id: str) -> None:
    draft_store.set_flag(
        get_db(), aid, item_id, bool(st.session_state.get(f"flag_{aid}_{item_id}")), now=datetime.now(UTC)
    )


def _finish(state: training.AttemptState, catalog: Mapping[str, Scenario]) -> None:
    training.finish(get_db(), state, now=datetime.now(UTC), catalog=catalog)
    st.rerun()


def _finish_at_time_limit(state: training.AttemptState, catalog: Mapping[str, Scenario], now: datetime) -> None:
    """At the limit the shift closes on the trainee's next click or reload; the results page says why."""
    try:
        training.finish_at_time_limit(get_db(), state, now=now, catalog=catalog)
    except AttemptError:  # finished meanwhile (another tab, or the same click twice): show it as it is
        pass
    st.rerun()


def _confirm_finish(
    state: training.AttemptState, catalog: Mapping[str, Scenario], flagged: list[str], unanswered: list[str]
) -> None:
    """Before the shift closes, what the trainee marked to look at again, and what has no call."""
    with st.container(border=True, key=f"finish_check_{state.attempt.id}"):
        st.markdown("**Finish the shift?** Once finished, calls cannot be changed.")
        if flagged:
            st.markdown("Flagged for review:\n" + "\n".join(f"- {label}" for label in flagged))
        if unanswered:
            st.markdown("Without a call (scored as unanswered):\n" + "\n".join(f"- {label}" for label in unanswered))
        with st.container(horizontal=True):
            if st.button("Finish now", key="finish_now", type="primary"):
                _finish(state, catalog)
            if st.button("Keep working", key="finish_cancel"):
                st.session_state.pop(f"finish_confirm_{state.attempt.id}", None)
                st.rerun(scope="fragment")


def _fresh(first: training.AttemptState, user: User) -> training.AttemptState:
    """The state the fragment was given, or a fresh read once a call made in the fragment changed it."""
    recorded = st.session_state.get(decisions_key(first.attempt.id))
    if recorded is None or any(d.id == recorded for d in first.decisions):
        return first
    return training.load_state(get_db(), first.scenario, first.attempt.id, user.username)
