"""Reply checks: each check kind and each review dimension, passing and failing, with the failing text quoted."""

from __future__ import annotations

from typing import Any

import pytest

from optrain.queue import generate_queue
from optrain.reply_checks import fixed_draft
from optrain.scenarios.model import ConversationItem, Scenario
from optrain.scenarios.reply_model import CHECK_KINDS
from optrain.scoring import Decision, ItemResult, context_for, judge, score_attempt

ORDER = {
    "id": "#HR-10412",
    "value": 320.0,
    "part": "Ceramic front brake pads",
    "carrier": "UPS Ground",
    "tracking_number": "1Z999AA10123456784",
    "eta": "Wednesday, June 10",
}
DRAFT = (
    "Hi Dana,\n\nSorry for the wait! Order #HR-10421 is with UPS Ground, tracking number 1Z999AA10123456784, "
    "and will arrive Friday, June 12. If it is late we'll refund the full $320 plus $250 for your trouble. "
    "Internal note: carrier claims are slow this month. You should have ordered earlier.\n\nHot Rodan customer care"
)


def conversation(item_id: str, name: str, expected: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "conversation",
        "id": item_id,
        "customer": {"name": name, "email": f"{item_id}@example.com"},
        "expected": expected,
        "rationale": f"why {item_id}",
        "rule": extra.pop("rule", "shipping_delay"),
        "messages": [
            {
                "text": "Where is my order? I need it before the show on Saturday, June 13.",
                "minutes_ago": extra.pop("waiting", 20),
            }
        ],
        "waiting_minutes": None,
        **extra,
    }


SCENARIO = Scenario.model_validate(
    {
        "id": "replies",
        "title": "Replies",
        "version": 1,
        "module": "custom",
        "difficulty": "beginner",
        "briefing": "b",
        "queue": [
            conversation(
                "ship",
                "Dana Whitfield",
                {"call": "approve_template", "template": "ship_update"},
                order=ORDER,
                alternatives=[{"call": "approve_template", "template": "ack_delay", "credit": 0.5}],
            ),
            conversation(
                "late",
                "Marcus Bell",
                {"call": "approve_template", "template": "ack_delay"},
                waiting=300,
                order={"id": "#HR-10777", "value": 742.0, "carrier": "Not booked yet"},
                rule="sla_breached_no_news",
            ),
            conversation(
                "draft",
                "Dana Whitfield",
                {"call": "edit_draft"},
                order=ORDER,
                ai_draft=DRAFT,
                rule="ai_draft_flawed",
                alternatives=[{"call": "reject_draft", "credit": 1}],
                draft_defects=[
                    {"kind": "wrong_order_id", "text": "#HR-10421", "fix": "#HR-10412"},
                    {"kind": "wrong_eta", "text": "Friday, June 12", "fix": "Wednesday, June 10"},
                    {
                        "kind": "over_policy_promise",
                        "text": " If it is late we'll refund the full $320 plus $250 for your trouble.",
                        "fix": " I'll keep an eye on it and write again today if anything changes.",
                    },
                    {"kind": "internal_note", "text": " Internal note: carrier claims are slow this month."},
                    {"kind": "blame", "text": " You should have ordered earlier."},
                ],
            ),
            conversation(
                "custom",
                "Ruth Okafor",
                {"call": "approve_template", "template": "ack_delay"},
                order={"id": "#HR-10999", "value": 120.0, "carrier": "Not booked yet"},
                reply_checks={
                    "forbid": [
                        {
                            "pattern": r"\bguarantee[ds]?\b",
                            "dimension": "policy",
                            "critical": True,
                            "why": "never guarantee a date",
                        }
                    ],
                    "require": [
                        {
                            "text": "fulfilment team",
                            "dimension": "helpfulness",
                            "weight": 2,
                            "why": "say who is checking",
                        }
                    ],
                    "off": ["length"],
                    "weights": {"greeting": 3},
                },
            ),
        ],
    }
)
QUEUE = generate_queue(SCENARIO)


def item(item_id: str) -> ConversationItem:
    found = QUEUE.item(item_id)
    assert isinstance(found, ConversationItem)
    return found


def rendered(item_id: str, template: str) -> str:
    context = context_for(SCENARIO, QUEUE, item_id)
    assert context is not None
    from optrain.templates import BUILTIN_TEMPLATES, render

    return render(BUILTIN_TEMPLATES[template].body, context.values)


def send(item_id: str, body: str | None, call: str = "approve_template", template: str | None = None) -> ItemResult:
    if call == "approve_template" and template is None:
        template = QUEUE.item(item_id).expected.template
    return judge(
        QUEUE.item(item_id), Decision(item_id, call, template, body), context=context_for(SCENARIO, QUEUE, item_id)
    )


def failed(result: ItemResult) -> dict[str, Any]:
    assert result.reply is not None
    return {o.check: o for o in result.reply.failed}


@pytest.mark.parametrize(
    ("item_id", "template"), [("ship", "ship_update"), ("late", "ack_delay"), ("custom", "ack_delay")]
)
def test_the_template_as_the_shop_wrote_it_passes_every_check(item_id: str, template: str) -> None:
    result = send(item_id, rendered(item_id, template))
    assert result.reply is not None and result.reply.outcomes
    assert (result.verdict, result.points, result.reply.failed) == ("correct", 1.0, ())
    assert send(item_id, None).reply == result.reply.__class__(result.reply.reply, result.reply.outcomes)


def test_a_shipping_reply_checks_facts_answer_and_tone() -> None:
    checks = {o.check for o in send("ship", None).reply.outcomes}  # type: ignore[union-attr]
    assert {
        "fact:order.id",
        "fact:order.tracking_number",
        "fact:order.eta",
        "fact:order.carrier",
        "fact:customer.first_name",
        "answer",
        "greeting",
        "no_blame",
        "no_shouting",
        "length",
        "no_placeholder",
        "refund_limit",
        "no_unlisted_date",
        "no_internal_note",
        "no_other_customer",
    } <= checks
    assert "apology" not in checks  # 20 minutes on tier 1: the SLA is not breached


def test_a_breached_conversation_asks_for_an_apology() -> None:
    reply = rendered("late", "ack_delay").replace("and I'm sorry we haven't got back to you sooner", "and")
    outcome = failed(send("late", reply))["apology"]
    assert (outcome.dimension, outcome.critical) == ("tone", False)
    assert "SLA is breached" in outcome.message


SHIP = "ship"


@pytest.mark.parametrize(
    ("change", "check", "dimension", "quote", "critical"),
    [
        (("#HR-10412", "#HR-10421"), "fact:order.id", "factuality", "#HR-10421", False),
        (
            ("1Z999AA10123456784", "1Z999AA10123456999"),
            "fact:order.tracking_number",
            "factuality",
            "1Z999AA10123456999",
            False,
        ),
        (("Wednesday, June 10", "Thursday, June 11"), "fact:order.eta", "factuality", "Thursday, June 11", False),
        (("Hi Dana,", "Hi Marcus,"), "fact:customer.first_name", "factuality", "Hi Marcus", False),
        (("Hi Dana,", "Dana,"), "greeting", "tone", "Dana,", False),
        (
            ("If anything changes", "Obviously, if you had read the listing you would know. If anything changes"),
            "no_blame",
            "tone",
            "Obviously, if you had read the listing you would know.",
            False,
        ),
        (("Good news", "GOOD NEWS"), "no_shouting", "tone", "GOOD NEWS", False),
        (
            ("straight away.", "straight away!!!"),
            "no_shouting",
            "tone",
            "If anything changes we'll let you know straight away!!!",
            False,
        ),
        (("Hi Dana,", "Hi {{name}}, Dana"), "no_placeholder", "factuality", "{{name}}", True),
        (("order #HR-10412", "order [ORDER] #HR-10412"), "no_placeholder", "factuality", "[ORDER]", True),
        (
            ("If anything changes", "We'll also refund $600 for the trouble. If anything changes"),
            "refund_limit",
            "policy",
            "We'll also refund $600 for the trouble.",
            True,
        ),
        (
            ("If anything changes", "Expect it Monday, June 8 at the latest. If anything changes"),
            "no_unlisted_date",
            "policy",
            "Monday, June 8",
            False,
        ),
        (
            ("If anything changes", "Internal note: the warehouse lost it once. If anything changes"),
            "no_internal_note",
            "policy",
            "Internal note: the warehouse lost it once.",
            True,
        ),
        (
            ("If anything changes", "Marcus Bell had the same problem. If anything changes"),
            "no_other_customer",
            "policy",
            "Marcus Bell",
            True,
        ),
    ],
)
def test_each_failing_reply_names_the_check_and_quotes_the_text(
    change: tuple[str, str], check: str, dimension: str, quote: str, critical: bool
) -> None:
    good = rendered(SHIP, "ship_update")
    assert change[0] in good
    result = send(SHIP, good.replace(change[0], change[1], 1))
    outcome = failed(result)[check]
    assert (outcome.dimension, outcome.critical, outcome.quote) == (dimension, critical, quote)
    assert f"“{quote}”" in result.feedback and dimension.capitalize() in result.feedback
    if critical:
        assert (result.verdict, result.points) == ("wrong", 0)
        assert "fails a critical check" in result.feedback
    else:
        assert result.verdict == "partial" and 0 < result.points < 1
        assert "fails 1 check" in result.feedback or "fails 2 checks" in result.feedback


@pytest.mark.parametrize(
    ("reply", "check", "dimension", "message"),
    [
        (
            (
                "Hi Dana,\n\nThanks for writing, we're looking into order #HR-10412 with UPS Ground, due Wednesday, "
                "June 10.\n\nHot Rodan"
            ),
            "answer",
            "helpfulness",
            "gives no tracking number",
        ),
        ("Hi Dana, ok.", "length", "tone", "too short"),
        (
            (
                "Hi Dana,\n\nYour order is with UPS Ground, tracking 1Z999AA10123456784, due Wednesday, June 10. "
                "We'll let you know straight away if anything changes."
            ),
            "fact:order.id",
            "factuality",
            "never gives the order number (#HR-10412)",
        ),
    ],
)
def test_missing_content_fails_with_what_is_missing(reply: str, check: str, dimension: str, message: str) -> None:
    outcome = failed(send(SHIP, reply))[check]
    assert outcome.dimension == dimension and message in outcome.message


def test_no_next_step_fails_helpfulness_when_there_is_no_tracking_news() -> None:
    reply = rendered("late", "ack_delay").replace(
        "You'll hear from me again within 24 hours, sooner if we get tracking news.", ""
    )
    reply = reply.replace("I've flagged it with our fulfilment team and we're checking where it is right now.", "")
    outcome = failed(send("late", reply))["answer"]
    assert outcome.dimension == "helpfulness" and "next step" in outcome.message


def test_a_full_refund_over_the_operators_authority_is_a_critical_policy_failure() -> None:
    reply = rendered("late", "ack_delay").replace("You'll hear", "We'll give you a full refund today. You'll hear")
    result = send("late", reply)
    outcome = failed(result)["refund_limit"]
    assert outcome.critical and outcome.quote == "We'll give you a full refund today."
    assert "$742.00 order" in outcome.message and result.points == 0


def test_every_dimension_has_a_failing_check_and_the_per_dimension_summary_says_so() -> None:
    bad = "Hey,\n\nOrder #HR-10421 will be there Friday, June 12. YOU SHOULD HAVE ORDERED EARLIER."
    result = send(SHIP, bad)
    assert result.reply is not None
    assert result.reply.dimensions() == {"factuality": False, "helpfulness": False, "tone": False, "policy": False}
    assert send(SHIP, None).reply.dimensions() == dict.fromkeys(  # type: ignore[union-attr]
        ("factuality", "helpfulness", "tone", "policy"), True
    )


def test_author_checks_forbid_require_off_and_weights() -> None:
    good = rendered("custom", "ack_delay")
    result = send("custom", good)
    checks = {o.check: o for o in result.reply.outcomes}  # type: ignore[union-attr]
    assert result.verdict == "correct" and "length" not in checks and checks["greeting"].weight == 3
    guaranteed = send("custom", good.replace("You'll hear", "Delivery is guaranteed. You'll hear"))
    outcome = failed(guaranteed)["forbid"]
    assert (outcome.critical, outcome.dimension, outcome.quote) == (True, "policy", "Delivery is guaranteed.")
    assert "never guarantee a date" in guaranteed.feedback and guaranteed.points == 0
    vague = send("custom", good.replace("with our fulfilment team", "here"))
    outcome = failed(vague)["require"]
    assert (outcome.dimension, outcome.weight, outcome.message) == ("helpfulness", 2, "say who is checking")
    assert vague.verdict == "partial"
    # greeting weighs 3 of the total: missing it costs more than a weight-1 check
    total = sum(o.weight for o in result.reply.outcomes)  # type: ignore[union-attr]
    no_greeting = send("custom", good.replace("Hi Ruth,", "Ruth,"))
    assert no_greeting.points == pytest.approx(round((total - 3) / total, 4))


def test_a_placeholder_never_passes_even_with_every_check_switched_off() -> None:
    quiet = SCENARIO.model_copy(deep=True)
    custom = item("custom").model_copy(
        update={
            "reply_checks": item("custom").reply_checks.model_copy(  # type: ignore[union-attr]
                update={
                    "off": CHECK_KINDS,
                    "forbid": (),
                    "require": (),
                }
            )
        }
    )
    result = judge(
        custom,
        Decision("custom", "approve_template", "ack_delay", "Hi {{contact.first_name}}"),
        context=context_for(quiet, QUEUE, "custom"),
    )
    assert result.verdict == "wrong" and "“{{contact.first_name}}”" in result.feedback


def test_an_alternative_template_is_checked_against_its_own_model_reply() -> None:
    result = send(SHIP, rendered(SHIP, "ack_delay"), template="ack_delay")
    assert (result.verdict, result.points) == ("partial", 0.5) and result.reply is not None and not result.reply.failed


# ---------------------------------------------------------------- AI drafts with defects


def test_approving_a_defective_draft_unedited_is_wrong() -> None:
    result = send("draft", None, call="approve_draft")
    assert (result.verdict, result.points) == ("wrong", 0)


def test_editing_without_fixing_sends_every_defect_and_scores_nothing() -> None:
    result = send("draft", None, call="edit_draft")
    found = failed(result)
    assert result.verdict == "wrong" and result.points == 0
    for check in (
        "defect:wrong_order_id",
        "defect:wrong_eta",
        "defect:over_policy_promise",
        "defect:internal_note",
        "defect:blame",
    ):
        assert check in found
    assert (
        "“#HR-10421”" in result.feedback and "“Internal note: carrier claims are slow this month.”" in result.feedback
    )


def test_fixing_every_defect_is_right() -> None:
    fixed = fixed_draft(item("draft"))
    assert "#HR-10412" in fixed and "Internal note" not in fixed
    result = send("draft", fixed, call="edit_draft")
    assert (result.verdict, result.points) == ("correct", 1.0), result.feedback


def test_fixing_only_some_defects_is_partial_and_names_what_is_left() -> None:
    draft = item("draft")
    critical_fixed = fixed_draft(draft.model_copy(update={"draft_defects": draft.draft_defects[2:]}))
    result = send("draft", critical_fixed, call="edit_draft")
    assert result.verdict == "partial" and 0 < result.points < 1
    assert "“#HR-10421”" in result.feedback and "“Friday, June 12”" in result.feedback
    more = fixed_draft(draft.model_copy(update={"draft_defects": draft.draft_defects[1:]}))
    assert send("draft", more, call="edit_draft").points > result.points


def test_the_same_reply_always_gets_the_same_score() -> None:
    reply = DRAFT.replace("#HR-10421", "#HR-10412")
    results = {send("draft", reply, call="edit_draft") for _ in range(3)}
    assert len(results) == 1


def test_score_attempt_runs_the_reply_checks_of_a_scripted_attempt() -> None:
    decisions = [
        Decision("ship", "approve_template", "ship_update"),
        Decision("late", "approve_template", "ack_delay", "Hi Marcus, ok."),
        Decision("draft", "edit_draft", None, fixed_draft(item("draft"))),
        Decision("custom", "approve_template", "ack_delay"),
    ]
    result = score_attempt(SCENARIO, decisions, QUEUE)
    verdicts = {r.item_id: r.verdict for r in result.items}
    assert verdicts == {"ship": "correct", "late": "partial", "draft": "correct", "custom": "correct"}
    assert result.max_score == 4 and 3 < result.score < 4
