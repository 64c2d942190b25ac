"""Calls through the decision panel: stored at once, never twice, resumable from the database, bad input refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optrain import storage, training
from optrain.ui.decide import dashboard_key

from .harness import APP, PAGES, TIMEOUT, Env, Seed, TrainSteps, sign_in, texts

ALEX = "alex_rivera_sla"
JORDAN = "jordan_lee_refund"
WALT = "ai_draft_oil_pan_ship"


def calls_in_db(env: Env, attempt_id: int) -> dict[str, tuple[str, str | None]]:
    return {d.item_id: (d.call, d.template) for d in storage.list_decisions(env.db(), attempt_id)}


def test_a_call_is_in_the_database_right_after_the_submit_run(app, env: Env, train: TrainSteps) -> None:
    at = app("trainee", "train")
    attempt_id = train.open(at, "hands_on_practice")
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay")
    assert calls_in_db(env, attempt_id) == {ALEX: ("approve_template", "ack_delay")}
    (record,) = storage.list_decision_log(env.db())
    assert record.action_type == "reply_approved"
    assert record.payload["item_id"] == ALEX and record.payload["body"].startswith("Hi Alex")
    assert "Reply sent to Alex Rivera" in texts(at.toast)


def test_rerunning_after_a_submit_records_nothing_more(app, env: Env, train: TrainSteps) -> None:
    at = app("trainee", "train")
    attempt_id = train.open(at, "hands_on_practice")
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay")
    at.run()
    at.run()
    assert not at.exception
    assert len(storage.list_decisions(env.db(), attempt_id)) == 1
    train.pick(at, attempt_id, ALEX)
    assert not [b for b in at.button if b.key == f"submit_{attempt_id}_{ALEX}"], "a decided item offers no submit"


def test_a_second_submit_of_the_same_call_records_one_decision(env: Env, seed: Seed, train: TrainSteps) -> None:
    """Two clicks that both reach the server run the callback twice with the same arguments; two
    sessions on one attempt (two tabs) do exactly that, so both press the button of the same item."""
    attempt_id = seed.start("trainee")
    tabs = []
    for _ in range(2):
        tab = AppTest.from_file(APP, default_timeout=TIMEOUT)
        sign_in(tab, "trainee")
        tab.query_params["attempt"] = str(attempt_id)
        tab.switch_page(PAGES["train"]).run()
        assert not tab.exception
        train.prepare(tab, attempt_id, ALEX, "approve_template", "ack_delay")
        tabs.append(tab)
    for tab in tabs:
        train.submit(tab, attempt_id, ALEX)
    assert len(storage.list_decisions(env.db(), attempt_id)) == 1
    assert len(storage.list_decision_log(env.db())) == 1
    assert "Reply sent to Alex Rivera" in texts(tabs[0].toast)
    assert "This call was already recorded; nothing was saved twice." in texts(tabs[1].toast)


@pytest.mark.parametrize("deep_link", [True, False], ids=["deep-link", "after-sign-in"])
def test_attempt_resumes_from_the_database_in_a_new_session(
    app, seed: Seed, train: TrainSteps, deep_link: bool
) -> None:
    first = app("trainee", "train")
    attempt_id = train.open(first, "hands_on_practice")
    train.decide(first, attempt_id, ALEX, "approve_template", "ack_delay")
    train.decide(first, attempt_id, JORDAN, "escalate_manager", note="Refund of $742 is over the $500 limit")
    progress = [p.text for p in first.get("progress")]

    if deep_link:  # /train?attempt=<id> typed into a fresh browser: the first run lands on Train
        again = AppTest.from_file(APP, default_timeout=TIMEOUT)
        sign_in(again, "trainee")
        again.query_params["attempt"] = str(attempt_id)
        again.switch_page(PAGES["train"]).run()
        assert not again.exception
    else:
        again = app("trainee", "train", attempt=str(attempt_id))
    assert [p.text for p in again.get("progress")] == progress == ["2 of 7 decided"]
    queue = again.radio(key=f"pick_{attempt_id}")
    assert sum(label.startswith(":green[:material/check:]") for label in queue.options) == 2
    assert queue.value not in (ALEX, JORDAN), "the queue offers the next pending item"
    for item_id, call in ((ALEX, "Approve template reply (ack_delay)"), (JORDAN, "Escalate to manager")):
        train.pick(again, attempt_id, item_id)
        assert any(m.startswith(f"**Your call:** {call}") for m in texts(again.markdown))
        assert not [r for r in again.radio if r.key == f"call_{attempt_id}_{item_id}"]


def test_someone_elses_attempt_is_not_shown(app, seed: Seed) -> None:
    attempt_id = seed.start("trainer")
    seed.decide(attempt_id, {ALEX: ("approve_template", "ack_delay")}, username="trainer")
    at = app("trainee", "train", attempt=str(attempt_id))
    assert "That attempt is not available to you." in texts(at.error)
    assert not at.radio and not at.get("progress")


LONG = "x" * (training.MAX_BODY_CHARS + 1)


@pytest.mark.parametrize(
    ("item_id", "call", "template", "text", "message"),
    [
        (JORDAN, "escalate_manager", None, {"note": "   "}, "Give the manager a reason for the escalation."),
        (WALT, "edit_draft", None, {"body": ""}, "The reply is empty"),
        (ALEX, "approve_template", "ack_delay", {"body": " \n "}, "The reply is empty"),
        (WALT, "edit_draft", None, {"body": LONG}, "The reply is 5,001 characters; keep it under 5,000."),
        (ALEX, "approve_template", "ack_delay", {"body": LONG}, "The reply is 5,001 characters"),
    ],
    ids=[
        "escalate-without-reason",
        "edited-reply-emptied",
        "template-reply-emptied",
        "edited-reply-too-long",
        "template-reply-too-long",
    ],
)
def test_bad_input_shows_an_inline_error_and_records_nothing(
    app,
    env: Env,
    seed: Seed,
    train: TrainSteps,
    item_id: str,
    call: str,
    template: str | None,
    text: dict[str, str],
    message: str,
) -> None:
    attempt_id = seed.start("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    train.pick(at, attempt_id, item_id)
    train.prepare(at, attempt_id, item_id, call, template, **text)
    train.submit(at, attempt_id, item_id)
    assert any(message in e for e in texts(at.error))
    assert calls_in_db(env, attempt_id) == {}
    assert storage.list_decision_log(env.db()) == ()
    assert at.button(key=f"submit_{attempt_id}_{item_id}"), "the trainee can correct the input and submit again"


def _replica_drawn(at: AppTest) -> bool:
    replica = [e for e in at.expander if e.label == "Operator Control Center (replica)"]
    return bool(replica) and any("Ops Pulse" in m for m in texts(replica[0].markdown))


def test_the_replica_opens_the_shift_folds_after_the_first_call_and_reopens_on_request(
    app, env: Env, train: TrainSteps
) -> None:
    """The expander is lazy: folded, its six tiles are not drawn at all, so a call does not pay for them."""
    at = app("trainee", "train")
    attempt_id = train.open(at, "hands_on_practice")
    assert _replica_drawn(at), "a fresh shift shows the Operator Control Center"
    assert [e for e in at.expander if e.label == "Operator Control Center (replica)"]
    train.decide(at, attempt_id, ALEX, "approve_template", "ack_delay")
    assert not _replica_drawn(at), "after the first call the replica is folded and not drawn"
    assert [e for e in at.expander if e.label == "Operator Control Center (replica)"], "it can be opened again"
    at.session_state[dashboard_key(attempt_id)] = True  # the trainee opens it
    at.run()
    assert _replica_drawn(at)
    train.decide(at, attempt_id, JORDAN, "escalate_manager")
    assert _replica_drawn(at), "opened by the trainee, it stays open after later calls"


def test_the_call_sent_is_the_call_on_screen_when_it_changed_just_before_the_click(
    app, env: Env, train: TrainSteps
) -> None:
    """A keyboard user moves the choice with an arrow key and sends at once: the new choice reaches the server
    with the click, before any run has drawn the button again for it. The call shown is the call recorded."""
    at = app("trainee", "train")
    attempt_id = train.open(at, "hands_on_practice")
    train.pick(at, attempt_id, JORDAN)
    train.prepare(at, attempt_id, JORDAN, "escalate_manager")  # the button is drawn for this call (needs a reason)
    at.radio(key=f"call_{attempt_id}_{JORDAN}").set_value("escalate_specialist")
    at.button(key=f"submit_{attempt_id}_{JORDAN}").click().run()
    assert not at.exception
    assert calls_in_db(env, attempt_id) == {JORDAN: ("escalate_specialist", None)}
    assert not [e for e in at.error if "reason" in e.value]
