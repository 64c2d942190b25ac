"""The decision rules of the runbook, each with a stable id that items cite.

Every scripted item names the rule it teaches; the curriculum coverage test and
the trainer views group by these ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    situation: str
    right_call: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "shipping_delay",
            "Customer asks about a shipping delay",
            "Reply with ship_update, or ack_delay when there is no tracking news yet",
        ),
        Rule("sla_breached_no_news", "SLA already breached, nothing new to tell", "Reply with ack_delay"),
        Rule("defective_product", "Customer reports a defective product", "Reply with refund_offer"),
        Rule("policy_exception", "Customer asks for a policy exception", "Escalate to manager"),
        Rule("refund_over_500", "Refund request above $500", "Escalate to manager"),
        Rule(
            "high_value",
            "Order above $5,000, or a VIP customer with a problem",
            "Escalate to manager (high-value path)",
        ),
        Rule(
            "technical_beyond_tier1",
            "Technical question beyond tier 1 (engine, transmission, fitment doubt)",
            "Escalate to a product specialist",
        ),
        Rule("low_cover_reorder", "SKU with under 7 days of cover and no intention to run low", "Reorder (draft PO)"),
        Rule("intentional_low_stock", "SKU low on purpose (discontinued, seasonal)", "Mark intentional"),
        Rule("healthy_stock", "SKU with enough cover (green, over 14 days)", "No action"),
        Rule(
            "tile_integration_error",
            "A tile shows an integration error",
            "File a ticket with a screenshot, time and description; alert reliability",
        ),
        Rule(
            "tile_unconfigured",
            "A tile says configuration required",
            "File a ticket for the admin who owns the integration's setup",
        ),
        Rule(
            "rate_limit",
            "Banner 'API rate limit exceeded.'",
            "Reassure and retry; after two failed retries capture the headers and alert reliability",
        ),
        Rule(
            "empty_is_normal",
            "An empty list such as 'No SLA breaches detected'",
            "No action: empty is normal, not an error",
        ),
        Rule("data_looks_wrong", "Data that looks wrong", "File a ticket with screenshots and timestamps"),
        Rule("ai_draft_sound", "An AI draft that is factual, helpful, polite and within policy", "Approve it"),
        Rule(
            "ai_draft_flawed",
            "An AI draft that breaks policy, gets the order wrong or sounds curt",
            "Never approve as is: edit it, or reject it",
        ),
    )
}
