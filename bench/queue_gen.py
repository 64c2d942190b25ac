"""Target 3: generating a 1,000-conversation queue against Faker for the same fields; the cached load.

The scenario is the built-in CX scenario with its background block raised
to 1,000 conversations over every intent. The issue's baseline, "calling
Faker directly for the same fields", is read as: every fake value of those
conversations (customer, order number, vehicle and year, part and quantity,
carrier, tracking number, ETA, channel, the thread's phrasings and waits,
status, priority) made by Faker's own provider for it (`random_element` over
the same lists and weights, `numerify` with the same patterns, `date_between`
for the ETA), in the order the builder draws them, on a Faker created and
seeded the same way. The builder itself asks Faker only for names and phone
numbers and draws the shop's vocabulary from its seeded `random.Random`.

Every timed run starts after a full garbage collection, so no run pays for
the garbage of the one before it.
"""

from __future__ import annotations

import gc
import math
import typing
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml
from faker import Faker

from bench.generate import SCENARIOS_DIR
from bench.measure import (
    Case,
    Check,
    Context,
    Figure,
    Outcome,
    interleaved,
    ms,
    profile_text,
    repeat,
)
from optrain import phrasebook as pb
from optrain import queue as queue_module
from optrain.conversations import (
    BULK_PARTS,
    CHANNEL_WEIGHTS,
    EVERYDAY_PARTS,
    HIGH_VALUE,
    INTENT_PRIORITIES,
    INTENT_TIERS,
    OVER_LIMIT_PARTS,
    REFUND_LIMIT,
    THREAD_SHAPES,
    WITHIN_LIMIT_PARTS,
    intent_of,
)
from optrain.queue import generate_queue, scenario_seed
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.model import ConversationItem, GeneratedBlock, Intent, Scenario
from optrain.sla import policy_for

NAME = "queue"
TITLE = "Queue generation, 1,000 conversations, vs Faker for the same fields; cached load"
BASE_SCENARIO = "cx_escalations_basics"
CONVERSATIONS = 1000
LIMIT_RATIO = 1.2
LIMIT_CACHED_MS = 1.0
LOCALE = "en_US"


def thousand_conversations() -> Scenario:
    """The built-in scenario through the real loader, with a 1,000-conversation background block."""
    path = SCENARIOS_DIR / f"{BASE_SCENARIO}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    block = next(b for b in data["queue"] if "generated" in b)
    block["generated"] = {"count": CONVERSATIONS, "intents": {i: 1 for i in typing.get_args(Intent)}}
    return parse_scenario_text(yaml.safe_dump(data, sort_keys=False), path.name, expected_id=BASE_SCENARIO)


# ---------------------------------------------------------------- the baseline: Faker for every field

CHANNELS = OrderedDict(CHANNEL_WEIGHTS)
SHAPES = OrderedDict(THREAD_SHAPES)
STATUSES = OrderedDict([("open", 9), ("pending", 1)])
CLASSIC = frozenset(pb.CLASSIC_VEHICLES)


def fake_order_part(fake: Faker, intent: str) -> tuple[pb.Part, int]:
    """The part and quantity, from the same lists and on the same conditions as `order_part`."""
    if intent == "bulk_order":
        part = fake.random_element(BULK_PARTS)
        return part, math.ceil(fake.pyfloat(min_value=HIGH_VALUE * 1.05, max_value=HIGH_VALUE * 1.9) / part.price)
    if intent == "refund_request" or (intent in ("defect", "warranty") and fake.boolean(20)):
        return fake.random_element(OVER_LIMIT_PARTS), 1
    if intent in ("defect", "warranty"):
        part = fake.random_element(WITHIN_LIMIT_PARTS)
        return part, 2 if part.price * 2 <= REFUND_LIMIT and fake.boolean(30) else 1
    part = fake.random_element(EVERYDAY_PARTS)
    return part, 2 if part.price < 100 and fake.boolean(40) else 1


def fake_facts(fake: Faker, intent: str, eta_from: date, eta_to: date) -> tuple[pb.Part, pb.Carrier]:
    """Customer and order of one conversation, each value from Faker, in the order `new_facts` draws them."""
    fake.numerify("#HR-1####")
    fake.first_name()
    fake.last_name()
    vehicle = fake.random_element(pb.VEHICLES)
    fake.random_int(vehicle.first_year, vehicle.last_year)
    part, qty = fake_order_part(fake, intent)
    freight = part.freight or part.price * qty > 2000
    carrier = fake.random_element(pb.FREIGHT_CARRIERS if freight else pb.PARCEL_CARRIERS)
    fake.date_between(eta_from, eta_to)
    fake.random_element(pb.EMAIL_DOMAINS)
    fake.numerify("(%##) %##-####")
    fake.random_element(pb.SHOP_SUFFIXES)
    fake.random_element(CHANNELS)
    if vehicle in CLASSIC:
        fake.boolean(60)  # "'69 Camaro" or "1969 Chevrolet Camaro"
    fake.numerify(carrier.tracking_prefix + "#" * carrier.tracking_digits)
    return part, carrier


def fake_background(fake: Faker, intent: Intent, eta_from: date, eta_to: date) -> None:
    """Every value of one background conversation from Faker: its facts, VIP flag, thread, status."""
    fake_facts(fake, intent, eta_from, eta_to)
    vip = intent == "bulk_order" and fake.boolean(30)
    frt_minutes = policy_for("executive" if vip else INTENT_TIERS[intent]).first_response_time_threshold // 60
    wait = fake.random_int(2, max(3, int(frt_minutes * 1.6)))
    fake.random_element(pb.EVENTS)
    fake.random_int(3, 12)
    fake.random_element(pb.OPENERS[intent])
    fake.random_element(pb.FOLLOW_UPS[intent])
    shape = fake.random_element(SHAPES)
    if shape == "nudge":
        fake.random_int(0, wait - 1)
    elif shape == "answered":
        fake.random_int(2, max(3, int(frt_minutes * 1.5)))
        fake.random_int(5, 120)
        fake.random_element(pb.AGENT_REPLIES)
    fake.random_element(STATUSES)
    fake.random_element(INTENT_PRIORITIES[intent])


@dataclass(frozen=True)
class Plan:
    """What the baseline fakes: the intent draw, then each conversation with new facts, in queue order."""

    intent_weights: OrderedDict[Intent, float]
    conversations: tuple[tuple[Intent, bool], ...]  # (intent, generated)
    eta_from: date
    eta_to: date


def plan_of(scenario: Scenario) -> Plan:
    queue = generate_queue(scenario)
    spec = next(b.generated for b in scenario.queue if isinstance(b, GeneratedBlock))
    conversations = tuple(
        (intent_of(e.item), e.generated) for e in queue.entries if isinstance(e.item, ConversationItem)
    )
    today = queue.now.date()
    return Plan(OrderedDict(spec.intents), conversations, today + timedelta(days=1), today + timedelta(days=6))


def faker_for_every_field(fake: Any, plan: Plan) -> None:
    """The baseline: every fake value of the queue's conversations from Faker's own providers."""
    fake.random_elements(plan.intent_weights, length=sum(g for _, g in plan.conversations), use_weighting=True)
    for intent, generated in plan.conversations:
        if generated:
            fake_background(fake, intent, plan.eta_from, plan.eta_to)
        else:  # a scripted conversation: generated facts under the author's fields
            fake_facts(fake, intent, plan.eta_from, plan.eta_to)


def seeded_faker(seed: int) -> Faker:
    fake = Faker(LOCALE)
    fake.seed_instance(seed)
    return fake


# ---------------------------------------------------------------- run


def fresh_start() -> None:
    """Before each timed run: no cached queue, and no garbage left by the run before."""
    queue_module._cached_queue.cache_clear()
    gc.collect()


def run(ctx: Context) -> Outcome:
    scenario = thousand_conversations()
    plan = plan_of(scenario)
    seed = scenario_seed(scenario)
    repeats = ctx.repeats + 4
    timings = interleaved(
        {
            "every field": Case(lambda: faker_for_every_field(seeded_faker(seed), plan), fresh_start),
            "cold": Case(lambda: generate_queue(scenario), fresh_start),
        },
        repeats,
    )
    baseline, cold = timings["every field"], timings["cold"]
    fresh_start()
    generate_queue(scenario)
    per = 200
    cached = repeat(lambda: [generate_queue(scenario) for _ in range(per)], repeats, warmup=1, per=per)
    ratio = cold.median / baseline.median
    profile = ""
    if ratio > LIMIT_RATIO:
        fresh_start()
        profile = profile_text(lambda: generate_queue(scenario))
    return Outcome(
        NAME,
        TITLE,
        (
            Figure("conversations in the queue", len(plan.conversations), ""),
            Figure("Faker for every field alone (baseline)", ms(baseline.median), "ms"),
            Figure("generate_queue, cache cleared", ms(cold.median), "ms"),
            Figure("generate_queue, cached second load", ms(cached.median), "ms"),
        ),
        (
            Check("generation / Faker for every field", ratio, LIMIT_RATIO, "x"),
            Check("cached second load", ms(cached.median), LIMIT_CACHED_MS, "ms"),
        ),
        profile=profile,
    )
