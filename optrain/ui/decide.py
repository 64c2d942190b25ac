"""The decision panel: what an operator sees for one item, and the calls that fit it.

Calls are processed in the submit button's callback, so the recorded call,
the confirmation and the move to the next item all happen before the page
draws again; a second click finds the item already decided and records
nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from optrain import training
from optrain.calls import CALLS, calls_for, label_of
from optrain.dashboard import TileView, tile_of
from optrain.errors import AlreadyDecided, OptrainError, StorageError, TimeLimitReached
from optrain.queue import QueueEntry
from optrain.scenarios.model import ConversationItem, Scenario
from optrain.scoring import (
    QUANTITY_CALLS,
    Decision,
    ItemResult,
    context_for,
    judge,
    next_item_id,
    quantity_unit,
)
from optrain.shift import shift_clock
from optrain.storage import drafts as draft_store
from optrain.storage.db import write_transaction
from optrain.ui import state as keys
from optrain.ui.auth import User
from optrain.ui.dashboard import render_tile
from optrain.ui.db import get_db
from optrain.ui.text import plain

log = logging.getLogger(__name__)
SEVERITY_ICON = {
    "correct": ":material/check_circle:",
    "partial": ":material/change_circle:",
    "wrong": ":material/cancel:",
    "unanswered": ":material/help:",
}


@dataclass(frozen=True)
class Target:
    scenario: Scenario
    attempt_id: int
    item_id: str
    user: User

    def key(self, name: str) -> str:
        return f"{name}_{self.attempt_id}_{self.item_id}"


def pick_key(attempt_id: int) -> str:
    return f"pick_{attempt_id}"


def decisions_key(attempt_id: int) -> str:
    """The id of the last call this session recorded: the shift fragment reloads a state that lacks it."""
    return f"decisions_{attempt_id}"


def dashboard_key(attempt_id: int) -> str:
    """The shift's Operator Control Center expander (open or closed)."""
    return f"dashboard_{attempt_id}"


def _ts(unix: Any) -> str:
    return datetime.fromtimestamp(int(unix), tz=UTC).strftime("%a %H:%M UTC") if unix else "-"


def _operator(user: User) -> training.Operator:
    return training.Operator(user.username, user.name, user.email)


def show_verdict(result: ItemResult, *, named: bool = False) -> None:
    """The verdict; `named` says which item it is about, for when the panel has moved on to the next one."""
    about = f" on {plain(result.title)}" if named else ""
    text = (
        f"{SEVERITY_ICON[result.verdict]} **{result.verdict.capitalize()}**{about} "
        f"({result.points:g}/{result.max_points:g}). {plain(result.feedback)}"
    )
    {"correct": st.success, "partial": st.warning}.get(result.verdict, st.error)(text)


def _submit(target: Target) -> None:
    """Button callback: record the call (durably) before anything is confirmed on screen.

    The call and its inputs are read from the session as they are at the click, never from arguments
    fixed when the button was drawn: a choice changed just before the click (an arrow key, then
    Ctrl+Enter) reaches the server with the click. The call on screen is the call recorded.
    """
    ss = st.session_state
    call = ss.get(target.key("call"))
    if call is None:  # no call chosen any more: nothing to send
        return
    template = ss.get(target.key("template")) if call == "approve_template" else None
    body = ss.get(target.key("body"))
    note = ss.get(target.key("note"))
    quantity = ss.get(target.key("quantity")) if call in QUANTITY_CALLS else None
    if call == "approve_template" and template:
        body = ss.get(target.key(f"body_{template}"))
    ss.pop(target.key("error"), None)
    replaces = ss.get(target.key("change"))  # exam mode: the stored call this one changes
    db = get_db()
    now = datetime.now(UTC)
    try:
        current = training.load_state(db, target.scenario, target.attempt_id, target.user.username)
        with write_transaction(db):  # the call and the end of its drafts commit as one
            result, row = training.record_call(
                db,
                current,
                _operator(target.user),
                training.CallInput(
                    target.item_id, call, template, body if body is not None else None, note, replaces, quantity
                ),
                now=now,
                elapsed_seconds=training.elapsed_since_previous(current, now),
            )
            draft_store.drop_drafts(db, target.attempt_id, target.item_id)
    except AlreadyDecided:
        ss.pop(target.key("change"), None)
        ss[keys.FLASH] = ("This call was already recorded; nothing was saved twice.", ":material/info:")
        return
    except TimeLimitReached:
        return  # nothing recorded; the shift view closes the attempt on this same run and says why
    except OptrainError as exc:
        ss[target.key("error")] = str(exc)
        return
    entry = training.root_entry(current.queue, target.item_id)
    # "Reply sent to <customer name>": the name is scenario data, so it is escaped like every other.
    ss[keys.FLASH] = (plain(training.confirmation(call, entry)), ":material/task_alt:")
    ss[keys.LAST_VERDICT] = result if target.scenario.feedback_mode == "coach" else None
    # The shift reloads its state until a run has read this row (ids only grow, see record_decision).
    ss[decisions_key(target.attempt_id)] = row.id
    if replaces is not None:
        ss.pop(target.key("change"), None)
        ss[keys.FLASH] = (f"{ss[keys.FLASH][0]} · your call is changed; the last call counts", ":material/edit:")
        return  # the panel stays on the item, showing the new call
    pending = training.pending_after(current, target.item_id, call, template)
    if pending:
        ss[pick_key(target.attempt_id)] = pending[0]
    if not current.decisions:
        # The replica opened the shift for orientation; from the first call on the queue is the work,
        # so it folds away (one click brings it back, and it then stays as the trainee leaves it).
        ss[dashboard_key(target.attempt_id)] = False


def _start_change(target: Target, decision_id: int) -> None:
    """Exam mode: open the call choice again on a decided item, starting from the recorded call."""
    st.session_state[target.key("change")] = decision_id
    st.session_state.pop(target.key("call"), None)


def _keep_call(target: Target) -> None:
    """Exam mode: leave the recorded call as it is; what was typed for a change is not kept."""
    st.session_state.pop(target.key("change"), None)
    try:
        draft_store.drop_drafts(get_db(), target.attempt_id, target.item_id)
    except StorageError as exc:  # a later change starts from the recorded call anyway
        log.warning("drafts of %s not dropped: %s", target.item_id, exc)
    st.session_state.pop(target.key("drafts"), None)


SINGLE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def reflow(text: str) -> str:
    """Line breaks a YAML block put inside a sentence become spaces; blank lines still part paragraphs."""
    return SINGLE_BREAK.sub(" ", text.strip())


def _thread(state: training.AttemptState, item_id: str) -> list[tuple[str, str, str]]:
    """(role, text, time) of the conversation so far, earlier calls on this path included."""
    root = training.root_entry(state.queue, item_id)
    rows = [
        (
            "user" if m.get("message_type") == "incoming" else "assistant",
            reflow(str(m.get("content", ""))),
            _ts(m.get("created_at")),
        )
        for m in root.payload.get("messages", [])
    ]
    decided = {d.item_id: (n, d) for n, d in enumerate(state.decisions, start=1)}
    node = state.queue.item(root.item.id)
    while node.id != item_id and node.id in decided:
        n, d = decided[node.id]
        # The shift clock at that call, the clock the tiles and SLA badges run on (not the wall clock).
        when = shift_clock(state.scenario, state.queue, n).strftime("%a %H:%M UTC")
        rows.append(("assistant", d.body or f"({label_of(d.call)}{': ' + d.note if d.note else ''})", when))
        nxt = next_item_id(node, Decision(d.item_id, d.call, d.template))
        if nxt is None:
            break
        node = state.queue.item(nxt)
        if isinstance(node, ConversationItem) and node.message:
            rows.append(("user", reflow(node.message), when))
    return rows


def _context(state: training.AttemptState, entry: QueueEntry, item_id: str, tiles: Sequence[TileView]) -> None:
    p = entry.payload
    item = state.queue.item(item_id)
    if entry.item.kind == "conversation":
        sender = (p.get("meta") or {}).get("sender", {})
        sla = p.get("applied_sla") or {}
        vip = " :violet-badge[VIP]" if (p.get("custom_attributes") or {}).get("vip") else ""
        attrs = p.get("custom_attributes") or {}
        order = {
            k: attrs.get(k)
            for k in ("order_id", "order_value", "part", "sku", "vehicle", "carrier", "tracking_number", "eta")
            if attrs.get(k) not in (None, "")
        }
        if "order_value" in order:
            order["order_value"] = f"${float(str(order['order_value'])):,.2f}"
        # Name, conversation facts and order in one element: each element is sent again on every click. The
        # order is one row per field (as one wide row, carrier, tracking and ETA fell off the panel's right
        # edge), as a Markdown table, where a dataframe cost a table's serialisation on every click.
        table = "| Order | |\n|---|---|\n" + "\n".join(
            f"| {k.replace('_', ' ')} | {plain(str(v))} |" for k, v in order.items()
        )
        st.markdown(
            f"#### {plain(sender.get('name', 'Customer'))}{vip}\n:gray[:small["
            f"Conversation #{p.get('id')} · {plain(str(p.get('channel', '')))} · status {p.get('status')} · "
            f"priority {p.get('priority') or 'none'} · created {_ts(p.get('created_at'))} · "
            f"breached {_ts(sla.get('breached_at')) if sla.get('breached_at') else 'not yet'}]]"
            + (f"\n\n{table}" if order else "")
        )
        for role, text, when in _thread(state, item_id):
            with st.chat_message(role):
                # Text and time in one element: a thread has several messages and each element costs a rerun.
                st.markdown(f"{plain(text)}  \n:gray[:small[{plain(when)}]]")
        if isinstance(item, ConversationItem) and item.ai_draft:
            with st.container(border=True):
                st.markdown(
                    "**:material/smart_toy: AI-drafted reply** (check factuality, helpfulness, tone, policy)\n\n"
                    + plain(reflow(item.ai_draft))
                )
    elif entry.item.kind == "inventory":
        st.markdown(f"#### {plain(str(p.get('product')))}")
        st.caption(f"SKU {plain(str(p.get('sku')))}")  # as a metric, a long SKU was cut to "HOODI…"
        b, c = st.columns(2)
        b.metric("Units left", p.get("units"))
        band = {"red": ":red[red]", "yellow": ":orange[yellow]", "green": ":green[green]"}.get(str(p.get("band")), "")
        c.metric("Days of cover", p.get("days_of_cover"))
        st.markdown(f"Heatmap band: {band}")
        if p.get("note"):
            st.info(plain(str(p["note"])), icon=":material/sticky_note_2:")
    else:
        st.markdown(f"#### {plain(str(p.get('title')))} tile")
        st.caption(f"State: {p.get('state')} · retries so far: {p.get('retries', 0)}")
        tile = tile_of(tiles, entry.item.id)
        if tile is not None:  # the tile as the dashboard draws it: an "empty" tile is healthy, not an error
            with st.container(border=True):
                render_tile(tile, key_prefix="panel")
        else:
            st.warning(plain(str(p.get("message"))), icon=":material/warning:")


def _inputs(target: Target, call: str, entry: QueueEntry, item: Any, state: training.AttemptState) -> str | None:
    """Inputs for the chosen call; returns the template id for template replies."""
    template: str | None = None
    if call == "approve_template":
        templates = training.templates_for(target.scenario)
        _restore(target, "template", None)
        template = st.selectbox(
            "Template",
            list(templates),
            index=None,
            key=target.key("template"),
            format_func=lambda t: f"{templates[t].title} ({t})",
            placeholder="Pick a template",
            on_change=_keep,
            args=(target, "template"),
        )
        if template:
            try:
                prefill = training.prefill_reply(
                    target.scenario, state.queue, target.item_id, template, target.user.name
                )
            except OptrainError as exc:
                st.error(str(exc))
                return None
            _restore(target, f"body_{template}", prefill)
            st.text_area(
                "Reply (you can edit it before sending)",
                height=220,
                key=target.key(f"body_{template}"),
                max_chars=training.MAX_BODY_CHARS + 1,
                on_change=_keep,
                args=(target, f"body_{template}"),
            )
    elif call == "edit_draft":
        _restore(target, "body", reflow(item.ai_draft))
        st.text_area(
            "Edited reply",
            height=220,
            key=target.key("body"),
            max_chars=training.MAX_BODY_CHARS + 1,
            on_change=_keep,
            args=(target, "body"),
        )
    elif call == "escalate_manager":
        _restore(target, "note", "")
        st.text_area(
            "Reason for the manager (required)",
            key=target.key("note"),
            placeholder="e.g. Refund of $742 is over the $500 limit",
            on_change=_keep,
            args=(target, "note"),
        )
    elif call in QUANTITY_CALLS:
        unit = quantity_unit(item)
        key = target.key("quantity")
        if key not in st.session_state and _drafts(target).get("quantity"):
            try:
                st.session_state[key] = int(float(_drafts(target)["quantity"]))
            except (ValueError, OverflowError):  # not a number we saved: the field starts empty
                log.warning("draft quantity of %s is not a number; ignored", target.item_id)
        st.number_input(
            f"Quantity to order ({unit})" if call == "reorder" else f"New on-hand quantity ({unit})",
            step=1,
            key=key,
            placeholder="e.g. 40",
            on_change=_keep_quantity,
            args=(target,),
            value=None,  # empty until typed (a saved draft fills it)
        )
        _restore(target, "note", "")
        st.text_input("Note (optional)", key=target.key("note"), on_change=_keep, args=(target, "note"))
    elif call == "file_ticket":
        _restore(target, "body", f"{entry.payload.get('title', 'Tile')}: {entry.payload.get('message', '')}")
        st.text_area("Ticket description", key=target.key("body"), on_change=_keep, args=(target, "body"))
    else:
        _restore(target, "note", "")
        st.text_input("Note (optional)", key=target.key("note"), on_change=_keep, args=(target, "note"))
    return template


def _drafts(target: Target) -> dict[str, str]:
    """This item's saved drafts, read once per session (a reload or a restart starts a new one)."""
    loaded = target.key("drafts")
    if loaded not in st.session_state:
        st.session_state[loaded] = draft_store.drafts_of(get_db(), target.attempt_id, target.item_id)
    return st.session_state[loaded]  # type: ignore[no-any-return]


def _restore(target: Target, field: str, default: str | None) -> None:
    """An input starts from its saved draft, else from its default (a template's text, the AI draft)."""
    key = target.key(field)
    if key not in st.session_state:
        value = _drafts(target).get(field, default)
        if value is not None:
            st.session_state[key] = value


def _keep_quantity(target: Target) -> None:
    """The quantity typed, kept as a draft like the text inputs (as text: drafts hold what was typed)."""
    value = st.session_state.get(target.key("quantity"))
    _save_draft(target, "quantity", None if value is None else f"{value:g}")


def _keep(target: Target, field: str) -> None:
    """Save what was typed or chosen as a draft of this item: not a decision, nothing is judged."""
    _save_draft(target, field, st.session_state.get(target.key(field)) or None)


def _save_draft(target: Target, field: str, value: str | None) -> None:
    _drafts(target)[field] = value or ""
    try:
        draft_store.save_draft(get_db(), target.attempt_id, target.item_id, field, value, now=datetime.now(UTC))
    except StorageError as exc:  # the typed text is still on screen; only the copy for a reload is missing
        log.warning("draft of %s not saved: %s", target.item_id, exc)


def render_decision(
    state: training.AttemptState, target: Target, tiles: Sequence[TileView] = (), last_verdict: ItemResult | None = None
) -> None:
    entry = training.root_entry(state.queue, target.item_id)
    item = state.queue.item(target.item_id)
    _context(state, entry, target.item_id, tiles)
    position, decided = next(
        ((n, d) for n, d in enumerate(state.decisions, start=1) if d.item_id == target.item_id), (0, None)
    )
    changing = decided is not None and st.session_state.get(target.key("change")) == decided.id
    st.divider()
    if last_verdict is not None and last_verdict.item_id != target.item_id:
        show_verdict(last_verdict, named=True)  # the previous call's verdict, by the next call's choice
    if decided is not None and not changing:
        st.markdown(
            f"**Your call:** {label_of(decided.call)}"
            + (f" ({decided.template})" if decided.template else "")
            + (f" · {decided.quantity:,.0f} {quantity_unit(item)}" if decided.quantity is not None else "")
            # The shift clock at that call, as the thread and the tiles read it (one clock for everything).
            + f" · {shift_clock(state.scenario, state.queue, position):%a %H:%M} UTC"
        )
        if decided.note:
            st.markdown(f"**Reason / note:** {plain(decided.note)}")
        if decided.body:
            with st.container(border=True):
                st.markdown(f":gray[:small[What was sent]]  \n{plain(decided.body)}")
        if target.scenario.feedback_mode == "coach":
            show_verdict(
                judge(
                    item,
                    Decision(decided.item_id, decided.call, decided.template, decided.body, quantity=decided.quantity),
                    context=context_for(target.scenario, state.queue, decided.item_id),
                )
            )
        elif state.attempt.in_progress:
            st.caption("Exam mode: the verdict is revealed when you finish. Until then you can change this call.")
            st.button(
                "Change this call",
                key=target.key("change_button"),
                icon=":material/edit:",
                on_click=_start_change,
                args=(target, decided.id),
            )
        return
    if decided is not None:  # exam mode, changing the call: the choice as for a waiting item
        st.caption(
            f"Changing your call ({plain(label_of(decided.call))}). The last call counts; every call stays in "
            "the decision log."
        )
        st.button("Keep my call", key=target.key("keep"), on_click=_keep_call, args=(target,))
        if target.key("call") not in st.session_state:
            st.session_state[target.key("call")] = decided.call
    elif target.item_id not in state.pending:
        st.info("This item is not waiting for a call.")
        return
    calls = calls_for(item.kind, has_draft=isinstance(item, ConversationItem) and bool(item.ai_draft))
    if target.key("call") not in st.session_state and _drafts(target).get("call") in calls:
        st.session_state[target.key("call")] = _drafts(target)["call"]
    call = st.radio(
        "Your call",
        calls,
        index=None,
        key=target.key("call"),
        format_func=label_of,
        help="Every call is logged, just like on the live dashboard.",
        on_change=_keep,
        args=(target, "call"),
    )
    if call is None:
        return
    template = _inputs(target, call, entry, item, state)
    if st.session_state.get(target.key("error")):
        st.error(st.session_state[target.key("error")], icon=":material/error:")
    disabled = CALLS[call].needs_template and not template
    st.button(
        CALLS[call].button_text,
        key=target.key("submit"),
        type="primary",
        disabled=disabled,
        shortcut="Ctrl+Enter",
        on_click=_submit,
        args=(target,),
    )
