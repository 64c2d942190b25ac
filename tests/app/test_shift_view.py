"""The shift screen: queue rows that agree with the tiles, a named verdict by the panel, a steady count,
one clock, a live replica, filters and sorting, keyboard shortcuts, and the open item kept in the address."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.queue import generate_queue
from optrain.storage.drafts import drafts_of
from optrain.ui.decide import reflow

from .harness import Env, Seed, TrainSteps, expected_calls, texts

HANDS_ON = "hands_on_practice"
ALEX = "alex_rivera_sla"
HOODIE = "hoodie_blk_m"
LIGHTS = "navigation_status_lights"
CX_EMPTY = "lights_cx_empty"


def radio_labels(at: AppTest, attempt_id: int) -> list[str]:
    """The queue rows as drawn (Markdown source), in order."""
    return list(at.radio(key=f"pick_{attempt_id}").options)


def row(at: AppTest, attempt_id: int, name: str) -> str:
    (found,) = [label for label in radio_labels(at, attempt_id) if name in label.replace("\\", "")]
    return found


def open_shift(app, seed: Seed, scenario_id: str = HANDS_ON) -> tuple[AppTest, int]:
    attempt_id = seed.start("trainee", scenario_id)
    at = app("trainee", "train", attempt=str(attempt_id))
    return at, attempt_id


def test_an_empty_tile_item_reads_healthy_in_the_queue_and_the_panel(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed, LIGHTS)
    label = row(at, attempt_id, "CX Escalations tile")
    assert ":green-badge[" in label and "healthy" in label and ":red" not in label
    train.pick(at, attempt_id, CX_EMPTY)
    assert not [e for e in texts(at.error) if "No SLA breaches" in e], "an empty tile is not drawn as an error"
    assert any("No SLA breaches detected" in c for c in texts(at.caption))


def test_a_wrong_call_gets_no_green_tick_and_the_verdict_names_the_item(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    train.decide(at, attempt_id, HOODIE, "no_action")
    label = row(at, attempt_id, "HOODIE-BLK-M")
    assert ":green[" not in label and ":red[:material/close:]" in label
    (verdict,) = [e for e in texts(at.error) if "**Wrong**" in e]
    title = next(i.title for i in seed.scenario().scripted_items if i.id == HOODIE)
    assert f"**Wrong** on {title}" in verdict.replace("\\", ""), verdict
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay")
    assert ":green[:material/check:]" in row(at, attempt_id, "Alex Rivera")
    assert not [label for label in radio_labels(at, attempt_id) if "radio_button" in label]


def test_one_mock_mode_notice(app, seed: Seed) -> None:
    at, _ = open_shift(app, seed)
    notices = [t for t in texts([*at.info, *at.warning]) if "mock mode" in t.lower()]
    assert len(notices) == 1


def test_the_count_stays_put_when_a_follow_up_is_added(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed, "cx_escalations_basics")
    (before,) = [p.text for p in at.get("progress")]
    total = before.split(" of ")[1].split(" ")[0]
    train.decide(at, attempt_id, "brake_kit_refund_1180", "escalate_manager")
    (after,) = [p.text for p in at.get("progress")]
    assert after.startswith(f"1 of {total} decided") and "a follow-up was added (0 decided)" in after


def test_the_thread_shows_the_shift_clock_not_the_wall_clock(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed, "cx_escalations_basics")
    train.decide(at, attempt_id, "brake_kit_refund_1180", "escalate_manager")
    train.pick(at, attempt_id, "brake_kit_when")
    (caption,) = [c for c in texts(at.caption) if c.startswith("Shift clock")]
    clock = caption.split("**")[1]
    thread = [m.replace("\\", "") for m in texts(at.markdown) if "Refund is over" in m]
    assert thread and all(f"{clock} UTC" in m for m in thread), (clock, thread)


def test_the_decided_panel_shows_the_shift_clock_of_the_call(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    train.decide(at, attempt_id, HOODIE, "reorder")
    train.pick(at, attempt_id, HOODIE)
    (caption,) = [c for c in texts(at.caption) if c.startswith("Shift clock")]
    clock = caption.split("**")[1]  # one call made: the clock of that call
    (line,) = [m for m in texts(at.markdown) if m.startswith("**Your call:**")]
    assert line.endswith(f"{clock} UTC"), (clock, line)
    assert not re.search(r"\d\d:\d\d:\d\d", line), "no wall-clock seconds among simulated times"


def test_an_answered_breached_conversation_leaves_cx_escalations(app, env: Env, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed, "cx_escalations_basics")

    def escalations() -> list[str]:
        replica = next(e for e in at.expander if e.label == "Operator Control Center (replica)")
        return [m for m in texts(replica.markdown) if ":red[breached" in m]

    before = escalations()
    labels = radio_labels(at, attempt_id)
    breached = next(n for n, label in enumerate(labels) if "SLA breached" in label)
    item_id = generate_queue(seed.scenario("cx_escalations_basics")).entries[breached].item.id
    train.decide(at, attempt_id, item_id, "approve_template", "ack_delay")
    at.session_state[f"dashboard_{attempt_id}"] = True  # the trainee opens the replica again
    at.run()
    assert not at.exception
    assert len(escalations()) == len(before) - 1


def test_queue_filters_and_sorting(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    train.decide(at, attempt_id, HOODIE, "reorder")
    at.selectbox(key=f"queue_show_{attempt_id}").set_value("decided").run()
    assert not at.exception
    assert "HOODIE" in radio_labels(at, attempt_id)[0] and len(radio_labels(at, attempt_id)) == 1
    at.selectbox(key=f"queue_show_{attempt_id}").set_value("waiting").run()
    waiting = radio_labels(at, attempt_id)
    assert not [w for w in waiting if "HOODIE" in w] and len(waiting) == 6
    at.selectbox(key=f"queue_order_{attempt_id}").set_value("sla").run()
    assert not at.exception
    with_sla = [label for label in radio_labels(at, attempt_id) if "SLA" in label]
    assert "breached" in with_sla[0], "the most overdue conversation comes first"


def test_keyboard_shortcuts_move_through_the_queue_and_are_listed(app, seed: Seed) -> None:
    at, attempt_id = open_shift(app, seed)
    first = at.radio(key=f"pick_{attempt_id}").value
    nxt = at.button(key=f"next_{attempt_id}")
    assert (
        nxt.proto.shortcut.lower() == "alt+j" and at.button(key=f"prev_{attempt_id}").proto.shortcut.lower() == "alt+k"
    )
    nxt.click().run()
    assert not at.exception
    assert at.radio(key=f"pick_{attempt_id}").value == HOODIE, "the item after the first one"
    at.button(key=f"prev_{attempt_id}").click().run()
    assert at.radio(key=f"pick_{attempt_id}").value == first
    assert any("Alt+J" in m and "Ctrl+Enter" in m for m in texts(at.markdown))


def test_the_open_item_is_kept_in_the_address(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    assert at.radio(key=f"pick_{attempt_id}").proto.query_param_key == f"pick_{attempt_id}"
    # A reload: a new session opens the same address.
    again = app("trainee", "train", attempt=str(attempt_id), **{f"pick_{attempt_id}": HOODIE})
    assert again.radio(key=f"pick_{attempt_id}").value == HOODIE


def test_unsent_reply_text_and_the_chosen_call_survive_a_reload(app, env: Env, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    train.pick(at, attempt_id, ALEX)
    train.prepare(at, attempt_id, ALEX, "approve_template", "ack_delay", body="Hi Alex, half-written")
    at.run()  # the browser sends the typed text when the field loses focus
    assert not at.exception
    assert storage.list_decisions(env.db(), attempt_id) == (), "a draft is not a decision"

    again = app("trainee", "train", attempt=str(attempt_id), **{f"pick_{attempt_id}": ALEX})
    assert again.radio(key=f"call_{attempt_id}_{ALEX}").value == "approve_template"
    assert again.selectbox(key=f"template_{attempt_id}_{ALEX}").value == "ack_delay"
    assert again.text_area(key=f"body_ack_delay_{attempt_id}_{ALEX}").value == "Hi Alex, half-written"
    train.submit(again, attempt_id, ALEX)
    (decision,) = storage.list_decisions(env.db(), attempt_id)
    assert decision.body == "Hi Alex, half-written"
    assert drafts_of(env.db(), attempt_id, ALEX) == {}


def test_the_order_details_are_one_row_per_field_with_every_value(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    train.pick(at, attempt_id, ALEX)
    entry = next(e for e in generate_queue(seed.scenario()).entries if e.item.id == ALEX)
    attrs = entry.payload["custom_attributes"]
    assert attrs["order_id"] and attrs["carrier"], "the item has an order to show"
    # The conversation's name and facts head the same element as the order table.
    (panel,) = [m for m in texts(at.markdown) if "| Order |" in m]
    assert panel.startswith("#### ")
    shown = panel.split("| Order |", 1)[1].replace("\\", "")
    for field in ("order_id", "carrier", "tracking_number", "eta"):
        if attrs.get(field):
            assert f"| {field.replace('_', ' ')} | {attrs[field]} |" in shown, field


def test_opening_another_shift_drops_the_first_ones_keys_but_not_its_draft(
    app, env: Env, seed: Seed, train: TrainSteps
) -> None:
    at, first = open_shift(app, seed)
    train.pick(at, first, ALEX)
    train.prepare(at, first, ALEX, "approve_template", "ack_delay", body="Hi Alex, half-written")
    at.run()
    assert not at.exception
    assert f"drafts_{first}_{ALEX}" in at.session_state
    second = seed.start("trainee")
    at.query_params["attempt"] = str(second)
    at.run()
    assert not at.exception
    held = [f"drafts_{first}_{ALEX}", f"call_{first}_{ALEX}", f"pick_{first}", f"replica_drawn_{first}"]
    assert [k for k in held if k in at.session_state] == []
    at.query_params["attempt"] = str(first)
    at.query_params[f"pick_{first}"] = ALEX
    at.run()
    assert not at.exception
    assert at.text_area(key=f"body_ack_delay_{first}_{ALEX}").value == "Hi Alex, half-written"


def test_flagged_items_are_listed_before_the_shift_finishes(app, env: Env, seed: Seed, train: TrainSteps) -> None:
    attempt_id = seed.start("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    assert any("elapsed **" in c for c in texts(at.caption)), "the elapsed time is on screen"
    train.pick(at, attempt_id, HOODIE)
    at.checkbox(key=f"flag_{attempt_id}_{HOODIE}").check().run()
    assert not at.exception
    assert "flag" in row(at, attempt_id, "HOODIE-BLK-M")
    at.selectbox(key=f"queue_show_{attempt_id}").set_value("flagged").run()
    assert len(radio_labels(at, attempt_id)) == 1
    at.selectbox(key=f"queue_show_{attempt_id}").set_value("all").run()
    seed.decide(attempt_id, expected_calls(seed.scenario()))
    at.run()
    at.button(key="finish").click().run()
    assert not at.exception
    assert storage.get_attempt(env.db(), attempt_id).in_progress, "a flagged item asks first"
    listed = [m for m in texts(at.markdown) if m.startswith("Flagged for review")]
    assert listed and "HOODIE" in listed[0].replace("\\\\", "")
    at.button(key="finish_now").click().run()
    assert not at.exception
    assert not storage.get_attempt(env.db(), attempt_id).in_progress


def test_messages_reflow_but_keep_their_paragraphs() -> None:
    assert reflow("I want a refund for the kit. My\nshop says it won't fit.\n\nThanks,\nJo") == (
        "I want a refund for the kit. My shop says it won't fit.\n\nThanks, Jo"
    )


def test_an_open_replica_shows_the_call_just_made(app, seed: Seed, train: TrainSteps) -> None:
    at, attempt_id = open_shift(app, seed)
    at.session_state[f"dashboard_{attempt_id}"] = True
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay")
    at.session_state[f"dashboard_{attempt_id}"] = True  # opened again by the trainee
    at.run()
    train.decide(at, attempt_id, HOODIE, "reorder")
    next(e for e in at.expander if e.label == "Operator Control Center (replica)")
    assert "PO drafted" in str(at.get("vega_lite_chart")[0].proto), "the heatmap row shows the drafted PO"
