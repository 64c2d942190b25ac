"""The results page lists every item as lines that wrap: no column cut off, no scroll box inside the page."""

from __future__ import annotations

import dataclasses

import pytest

from optrain.reply_checks import CheckOutcome, ReplyVerdict
from optrain.scoring import ItemResult
from optrain.ui.results_view import item_markdown

RIGHT = ItemResult(
    item_id="alex",
    title="Alex Rivera: where is my kit?",
    kind="conversation",
    call="approve_template",
    template="ack_delay",
    expected_call="approve_template",
    expected_template="ack_delay",
    points=1.0,
    max_points=1.0,
    verdict="correct",
    critical=False,
    critical_failure=False,
    feedback="The SLA is breached and there is no tracking news: acknowledge the delay.",
    rule="sla_breached_no_news",
    rule_text="SLA already breached, nothing new to tell: ack_delay",
    elapsed_seconds=42.0,
    target_seconds=120,
    is_follow_up=False,
)
RIGHT_TEXT = (
    "**1. Alex Rivera\\: where is my kit?** · :green-badge[:material/check: correct] · 1/1 points  \n"
    "Your call: Approve template reply\\: ack\\_delay \\(Acknowledge delay\\) · "
    "Expected: Approve template reply\\: ack\\_delay \\(Acknowledge delay\\)  \n"
    ":gray[Time 42 s, within target]  \n"
    "The SLA is breached and there is no tracking news\\: acknowledge the delay\\.  \n"
    ":gray[Rule: SLA already breached, nothing new to tell\\: ack\\_delay]"
)
CRITICAL_MISS = dataclasses.replace(
    RIGHT,
    title="Jordan Lee asks for a [refund](http://x)",
    call="approve_template",
    template="refund_offer",
    expected_call="escalate_manager",
    expected_template=None,
    points=0.0,
    max_points=2.0,
    verdict="wrong",
    critical=True,
    critical_failure=True,
    feedback="Over $500: a manager approves.",
    rule_text="Refund request above $500: escalate to manager",
    elapsed_seconds=200.0,
    is_follow_up=True,
)
CRITICAL_TEXT = (
    "**2. Jordan Lee asks for a \\[refund\\]\\(http\\://x\\)** (follow-up) · :red-badge[:material/close: wrong] · 0/2 points · :red[**CRITICAL**]  \n"
    "Your call: Approve template reply\\: refund\\_offer \\(Refund offer\\) · Expected: Escalate to manager  \n"
    ":gray[Time 3m, over the 2m target]  \n"
    "Over \\$500\\: a manager approves\\.  \n"
    ":gray[Rule: Refund request above \\$500\\: escalate to manager]"
)
NO_CALL = dataclasses.replace(
    RIGHT, call=None, template=None, points=0.0, verdict="unanswered", elapsed_seconds=None, feedback="No call."
)
NO_CALL_TEXT = (
    "**3. Alex Rivera\\: where is my kit?** · :gray-badge[no call] · 0/1 points  \n"
    "Your call: \\(no call\\) · Expected: Approve template reply\\: ack\\_delay \\(Acknowledge delay\\)  \n"
    "No call\\.  \n"
    ":gray[Rule: SLA already breached, nothing new to tell\\: ack\\_delay]"
)


@pytest.mark.parametrize(
    ("n", "item", "expected"),
    [(1, RIGHT, RIGHT_TEXT), (2, CRITICAL_MISS, CRITICAL_TEXT), (3, NO_CALL, NO_CALL_TEXT)],
    ids=["right-in-time", "critical-miss-follow-up-late", "no-call"],
)
def test_item_lines(n: int, item: ItemResult, expected: str) -> None:
    assert item_markdown(n, item) == expected


def test_failed_reply_checks_follow_as_a_list() -> None:
    reply = ReplyVerdict(
        "Sure, full refund!",
        (
            CheckOutcome("no_refund_promise", "policy", 1.0, True, False, "promises a refund", "full refund"),
            CheckOutcome("greets", "tone", 1.0, False, True),
        ),
    )
    text = item_markdown(1, dataclasses.replace(RIGHT, reply=reply))
    assert text.startswith(RIGHT_TEXT + "\n- ")
    assert text.split("\n- ")[1:] == [
        "Policy \\(critical, no\\_refund\\_promise\\)\\: promises a refund\\: “full refund”"
    ]
