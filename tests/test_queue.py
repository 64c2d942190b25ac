import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from optrain import phrasebook
from optrain.conversations import REFUND_LIMIT, money
from optrain.errors import TemplateError
from optrain.queue import QueueEntry, cover_band, generate_queue, scenario_seed, template_context
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import Scenario
from optrain.sla import policy_for
from optrain.templates import BUILTIN_TEMPLATES, render

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "scenarios" / "valid" / "queue_golden.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "queue_golden.json"
GOLDEN_1000 = Path(__file__).resolve().parent / "golden" / "queue_1000_conversations.sha256"
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
SLA_STATUSES = {"active", "hit", "missed", "active_with_misses"}
LOREM = re.compile(r"\b(lorem|ipsum|dolor|consectetur|adipiscing|elit|tempor|incididunt|magna|aliqua)\b", re.I)
ALL_INTENTS = {
    "shipping_delay": 1,
    "order_status": 1,
    "defect": 1,
    "refund_request": 1,
    "policy_exception": 1,
    "fitment_doubt": 1,
    "rush_order": 1,
    "warranty": 1,
    "bulk_order": 1,
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario_file(FIXTURE)


def generated_scenario(count: int, intents: dict[str, float], **fields: object) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "generated_only",
            "title": "Generated only",
            "version": 1,
            "module": "custom",
            "difficulty": "beginner",
            "briefing": "Background conversations.",
            "queue": [{"generated": {"count": count, "intents": intents}}],
            **fields,
        }
    )


def conversations(queue) -> list[QueueEntry]:
    return [e for e in (*queue.entries, *queue.follow_ups.values()) if e.item.kind == "conversation"]


def assert_matches_golden(path: Path, text: str) -> None:
    """Compare with the golden file; OPTRAIN_UPDATE_GOLDEN=1 rewrites it after a deliberate change."""
    if os.environ.get("OPTRAIN_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing; run the tests with OPTRAIN_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"the queue no longer matches {path.name}; if the change is intended, "
        "run the tests with OPTRAIN_UPDATE_GOLDEN=1 and review the diff"
    )


def test_queue_matches_golden_file(scenario):
    assert_matches_golden(GOLDEN, generate_queue(scenario, NOW).to_json() + "\n")


def test_queue_is_identical_in_a_fresh_process_with_another_hash_seed(scenario):
    code = (
        "import hashlib, sys; from optrain.scenarios.loader import load_scenario_file; "
        "from optrain.queue import generate_queue; "
        "print(hashlib.sha256(generate_queue(load_scenario_file(sys.argv[1])).to_json().encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(generate_queue(scenario).to_json().encode()).hexdigest()


def test_same_scenario_gives_byte_identical_json_after_the_cache_is_cleared(scenario):
    from optrain.queue import _cached_queue

    first = generate_queue(scenario, NOW).to_json()
    _cached_queue.cache_clear()
    assert generate_queue(scenario, NOW).to_json() == first


def test_second_call_is_served_from_the_cache(scenario):
    assert generate_queue(scenario, NOW) is generate_queue(scenario, NOW)
    assert generate_queue(scenario, NOW) is not generate_queue(scenario.model_copy(update={"version": 9}), NOW)


def test_naive_now_is_read_as_utc(scenario):
    naive = NOW.replace(tzinfo=None)
    assert generate_queue(scenario, naive).to_json() == generate_queue(scenario, NOW).to_json()


@pytest.mark.parametrize("update", [{"version": 2}, {"seed": 7}, {"id": "queue_golden_copy"}])
def test_a_different_version_seed_or_id_gives_a_different_queue(scenario, update):
    other = scenario.model_copy(update=update)
    assert scenario_seed(other) != scenario_seed(scenario)
    assert generate_queue(other, NOW).to_json() != generate_queue(scenario, NOW).to_json()


def test_explicit_seed_is_honoured(scenario):
    seeded = scenario.model_copy(update={"seed": 12345})
    queue = generate_queue(seeded, NOW)
    assert scenario_seed(seeded) == 12345
    assert queue.seed == 12345
    assert (
        generate_queue(seeded.model_copy(update={"version": 5}), NOW).entry("bg-01").payload["messages"]
        == (queue.entry("bg-01").payload["messages"])
    )


def test_derived_seed_fits_a_signed_64_bit_integer(scenario):
    assert 0 <= scenario_seed(scenario) < 2**63


def test_roots_keep_file_order_with_generated_blocks_in_place(scenario):
    queue = generate_queue(scenario, NOW)
    expected: list[str] = []
    number = 0
    for block in scenario.queue:
        if hasattr(block, "generated"):
            for _ in range(block.generated.count):
                number += 1
                expected.append(f"bg-{number:02d}")
        elif not block.follow_up:
            expected.append(block.id)
    assert list(queue.root_ids()) == expected
    assert list(queue.follow_ups) == ["casey_headers_thanks"]
    assert [i.id for i in queue.all_items()] == [*expected, "casey_headers_thanks"]


@pytest.mark.parametrize(
    ("item_id", "path", "expected"),
    [
        ("casey_headers_late", ("meta", "sender", "name"), "Casey Morgan"),
        ("casey_headers_late", ("channel",), "email"),
        ("casey_headers_late", ("meta", "channel"), "Channel::Email"),
        ("casey_headers_late", ("custom_attributes", "order_id"), "#HR-10452"),
        ("casey_headers_late", ("custom_attributes", "carrier"), "UPS"),
        ("casey_headers_late", ("custom_attributes", "sku"), "HDR-SBC-LT"),
        ("casey_headers_late", ("custom_attributes", "order_value"), 389.0),
        ("casey_headers_late", ("custom_attributes", "vehicle_year"), 1969),
        ("casey_headers_late", ("custom_attributes", "vehicle_make"), "Chevrolet"),
        ("casey_headers_late", ("custom_attributes", "vehicle_model"), "Camaro"),
        ("casey_headers_late", ("applied_sla", "waiting_seconds"), 95 * 60),
        ("casey_headers_late", ("applied_sla", "sla_status"), "active_with_misses"),
        ("dana_refund_742", ("meta", "sender", "email"), "dana@whitfieldspeed.example"),
        ("dana_refund_742", ("meta", "sender", "phone_number"), "(555) 201-7788"),
        ("dana_refund_742", ("meta", "channel"), "Channel::WebWidget"),
        ("dana_refund_742", ("custom_attributes", "vip"), True),
        ("dana_refund_742", ("custom_attributes", "order_value"), 742.10),
        ("dana_refund_742", ("status",), "pending"),
        ("dana_refund_742", ("priority",), "urgent"),
        ("dana_refund_742", ("labels",), ["refund", "vip"]),
        ("dana_refund_742", ("sla_policy", "name"), "Tier 3"),
        ("dana_refund_742", ("applied_sla", "waiting_seconds"), 30 * 60),
        ("casey_headers_thanks", ("meta", "sender", "name"), "Casey Morgan"),
    ],
)
def test_scripted_fields_override_generated_ones(scenario, item_id, path, expected):
    value = generate_queue(scenario, NOW).entry(item_id).payload
    for key in path:
        value = value[key]
    assert value == expected


def test_scripted_messages_replace_the_generated_thread(scenario):
    item = scenario.queue[2]
    payload = generate_queue(scenario, NOW).entry("dana_refund_742").payload
    assert [m["content"] for m in payload["messages"]] == [m.text for m in item.messages]
    assert [m["message_type"] for m in payload["messages"]] == ["incoming", "outgoing", "incoming"]
    assert payload["created_at"] == int(NOW.timestamp()) - 300 * 60


def test_generated_thread_uses_the_scripted_order(scenario):
    payload = generate_queue(scenario, NOW).entry("casey_headers_late").payload
    assert "#HR-10452" in payload["messages"][0]["content"]
    assert payload["custom_attributes"]["tracking_number"].startswith("1Z")


def test_follow_up_continues_the_parent_conversation(scenario):
    queue = generate_queue(scenario, NOW)
    parent, child = queue.entry("casey_headers_late").payload, queue.entry("casey_headers_thanks").payload
    assert child["id"] == parent["id"]
    assert child["custom_attributes"] == parent["custom_attributes"]
    assert child["messages"][-1]["content"].startswith("Thanks! Any chance")
    assert "casey_headers_thanks" not in queue.root_ids()


@pytest.mark.parametrize(
    ("intents", "intent", "share"),
    [
        ({"shipping_delay": 3, "defect": 1}, "shipping_delay", 0.75),
        ({"fitment_doubt": 1, "bulk_order": 1}, "bulk_order", 0.5),
    ],
)
def test_intent_weights_are_respected_over_500_draws(intents, intent, share):
    queue = generate_queue(generated_scenario(500, intents), NOW)
    counts = Counter(e.item.intent for e in queue.entries)
    assert set(counts) == set(intents)
    assert abs(counts[intent] / 500 - share) < 0.07


def expected_for(entry: QueueEntry) -> tuple[str, str | None, str]:
    """The runbook call for a generated conversation, worked out from its payload."""
    value = entry.payload["custom_attributes"]["order_value"]
    intent = entry.item.intent
    if intent in ("shipping_delay", "order_status", "rush_order"):
        return "approve_template", "ship_update", "shipping_delay"
    if intent in ("defect", "warranty"):
        if value <= REFUND_LIMIT:
            return "approve_template", "refund_offer", "defective_product"
        return "escalate_manager", None, "refund_over_500"
    return {
        "refund_request": ("escalate_manager", None, "refund_over_500"),
        "policy_exception": ("escalate_manager", None, "policy_exception"),
        "fitment_doubt": ("escalate_specialist", None, "technical_beyond_tier1"),
        "bulk_order": ("escalate_manager", None, "high_value"),
    }[intent]


def test_generated_conversations_follow_the_decision_rules():
    queue = generate_queue(generated_scenario(300, ALL_INTENTS), NOW)
    for entry in queue.entries:
        item, attrs = entry.item, entry.payload["custom_attributes"]
        assert (item.expected.call, item.expected.template, item.rule) == expected_for(entry), item.id
        assert attrs["order_id"] in item.rationale
        if item.intent == "refund_request":
            assert attrs["order_value"] > 500
        if item.intent == "bulk_order":
            assert attrs["order_value"] > 5000
            assert money(attrs["order_value"]) in item.rationale
        if item.intent in ("shipping_delay", "order_status", "rush_order"):
            assert [(a.template, a.credit) for a in item.alternatives] == [("ack_delay", 0.5)]
    defects = [e for e in queue.entries if e.item.intent in ("defect", "warranty")]
    under_limit = sum(e.payload["custom_attributes"]["order_value"] <= 500 for e in defects)
    assert under_limit / len(defects) > 0.6


def test_every_conversation_renders_every_builtin_template(scenario):
    queues = [generate_queue(scenario, NOW), generate_queue(generated_scenario(200, ALL_INTENTS), NOW)]
    for entry in (e for q in queues for e in conversations(q)):
        context = template_context(entry)
        for template in BUILTIN_TEMPLATES.values():
            body = render(template.body, context)
            assert context["contact.first_name"] in body
            assert "{{" not in body


def test_template_context_values(scenario):
    entry = generate_queue(scenario, NOW).entry("dana_refund_742")
    context = template_context(entry, agent_name="Riley")
    assert context["order.total"] == "$742.10"
    assert context["shop.name"] == "Hot Rodan"
    assert context["agent.name"] == "Riley"
    assert context["contact.first_name"] == "Dana"
    assert context["conversation.id"] == str(entry.payload["id"])


def test_template_context_refuses_items_that_are_not_conversations(scenario):
    with pytest.raises(
        TemplateError,
        match=r"'hoodie_low' is not a conversation \(kind: inventory\); reply templates are for conversations only",
    ):
        template_context(generate_queue(scenario, NOW).entry("hoodie_low"))


def test_messages_read_like_customers_not_filler_text():
    queue = generate_queue(generated_scenario(400, ALL_INTENTS), NOW)
    texts = [m["content"] for e in queue.entries for m in e.payload["messages"]]
    assert texts
    assert not [t for t in texts if LOREM.search(t)]
    assert not [t for t in texts if "{" in t or "}" in t]
    vocabulary = [p.short for p in phrasebook.PARTS] + [v.model for v in phrasebook.VEHICLES]
    assert sum(any(word in t for word in vocabulary) for t in texts) / len(texts) > 0.5


def test_sla_state_is_present_and_consistent_with_waiting_times():
    queue = generate_queue(generated_scenario(300, ALL_INTENTS), NOW)
    statuses = Counter()
    for entry in queue.entries:
        payload = entry.payload
        sla, policy = payload["applied_sla"], policy_for(entry.item.tier)
        statuses[sla["sla_status"]] += 1
        assert sla["sla_status"] in SLA_STATUSES
        assert (sla["breached_at"] is not None) == (sla["seconds_to_breach"] <= 0)
        assert sla["waiting_seconds"] == entry.item.waiting_minutes * 60
        if all(m["message_type"] == "incoming" for m in payload["messages"]):
            frt_missed = sla["waiting_seconds"] >= policy.first_response_time_threshold
            assert ("frt" in sla["missed"]) == frt_missed
    assert statuses["active"] and statuses["active_with_misses"]


def test_a_later_now_moves_timestamps_and_keeps_the_waits(scenario):
    later = datetime(2026, 6, 5, 18, 0, tzinfo=UTC)
    for item_id in ("casey_headers_late", "dana_refund_742", "bg-01"):
        before = generate_queue(scenario, NOW).entry(item_id).payload
        after = generate_queue(scenario, later).entry(item_id).payload
        assert after["created_at"] == before["created_at"] + 4 * 3600
        assert [m["created_at"] for m in after["messages"]] == [m["created_at"] + 4 * 3600 for m in before["messages"]]
        assert after["applied_sla"]["waiting_seconds"] == before["applied_sla"]["waiting_seconds"]
        assert after["applied_sla"]["sla_status"] == before["applied_sla"]["sla_status"]


def test_a_thousand_conversations_generate_with_unique_ids():
    queue = generate_queue(generated_scenario(1000, ALL_INTENTS), NOW)
    assert len(queue.entries) == 1000
    assert queue.root_ids()[0] == "bg-01" and queue.root_ids()[-1] == "bg-1000"
    assert len({e.payload["id"] for e in queue.entries}) == 1000
    assert len({e.payload["custom_attributes"]["order_id"] for e in queue.entries}) == 1000
    assert all(re.fullmatch(r"#HR-1\d{4}", e.payload["custom_attributes"]["order_id"]) for e in queue.entries)
    message_ids = [m["id"] for e in queue.entries for m in e.payload["messages"]]
    assert len(message_ids) == len(set(message_ids))


def test_a_thousand_conversations_are_the_ones_earlier_versions_generated():
    """Attempts are resumed and scored against the queue rebuilt from their scenario version, so a
    faster builder must still build the same queue: every intent, thread shape and carrier is pinned."""
    queue = generate_queue(generated_scenario(1000, ALL_INTENTS), NOW)
    assert_matches_golden(GOLDEN_1000, hashlib.sha256(queue.to_json().encode("utf-8")).hexdigest() + "\n")


@pytest.mark.parametrize(
    ("channel", "inbox", "chatwoot"),
    [
        ("email", 1, "Channel::Email"),
        ("web_chat", 2, "Channel::WebWidget"),
        ("phone", 3, "Channel::Api"),
        ("social", 4, "Channel::FacebookPage"),
    ],
)
def test_channels_map_to_chatwoot_inboxes(channel, inbox, chatwoot):
    queue = generate_queue(generated_scenario(200, ALL_INTENTS), NOW)
    matching = [e.payload for e in queue.entries if e.payload["channel"] == channel]
    assert matching
    assert {(p["inbox_id"], p["meta"]["channel"]) for p in matching} == {(inbox, chatwoot)}


@pytest.mark.parametrize(("days", "band"), [(0, "red"), (6.9, "red"), (7, "yellow"), (14, "yellow"), (14.1, "green")])
def test_inventory_cover_bands(days, band):
    assert cover_band(days) == band


@pytest.mark.parametrize(
    ("item_id", "expected"),
    [
        (
            "hoodie_low",
            {
                "sku": "HOODIE-BLK-M",
                "product": "Hot Rodan hoodie, black, M",
                "units": 15,
                "days_of_cover": 5.0,
                "band": "red",
                "note": None,
            },
        ),
        (
            "rate_limit_banner",
            {
                "tile": "sales_pulse",
                "title": "Sales Pulse",
                "state": "rate_limited",
                "message": "API rate limit exceeded.",
                "retries": 1,
            },
        ),
    ],
)
def test_inventory_and_tile_payloads(scenario, item_id, expected):
    entry = generate_queue(scenario, NOW).entry(item_id)
    assert entry.payload == expected
    assert entry.generated is False


def test_unknown_item_id_names_the_scenario(scenario):
    with pytest.raises(KeyError, match="'nope' is not an item in the queue of scenario 'queue_golden'"):
        generate_queue(scenario, NOW).entry("nope")


def test_a_changed_copy_of_a_scenario_never_gets_the_original_queue() -> None:
    """The queue cache is keyed by content: a copy that differs anywhere is a different scenario."""
    original = load_scenario_file(FIXTURE)
    renamed = original.model_copy(update={"title": "Renamed"})
    assert generate_queue(original, NOW) is generate_queue(original.model_copy(), NOW)
    assert generate_queue(renamed, NOW) is not generate_queue(original, NOW)
