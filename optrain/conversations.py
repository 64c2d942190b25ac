"""One mock conversation: who wrote in, about which order, the thread, and the right call.

The queue decides the order of things and owns the seed; this module turns a
random source and an intent into facts that fit the runbook (a defect under
$500 really is under $500), a thread that reads like a customer, and the
Chatwoot-shaped payload the screens show. Scripted fields always win over
generated ones, and every later value is derived from the final facts, so a
scripted order id also appears in the generated message text.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from optrain import phrasebook as pb
from optrain.rules import RULES
from optrain.scenarios.model import (
    Alternative,
    Call,
    Channel,
    ConversationItem,
    Customer,
    Intent,
    Message,
    Order,
    Priority,
    Tier,
)
from optrain.sla import SlaMessage, policy_for, sla_status

SHOP_NAME = "Hot Rodan"
REFUND_LIMIT = 500.0
HIGH_VALUE = 5000.0
CONVERSATION_ID_BASE = 4000
CONTACT_ID_BASE = 7000
MESSAGE_ID_BASE = 50000

CHANNEL_INBOXES: dict[str, tuple[int, str]] = {
    "email": (1, "Channel::Email"),
    "web_chat": (2, "Channel::WebWidget"),
    "phone": (3, "Channel::Api"),
    "social": (4, "Channel::FacebookPage"),
}
CHANNEL_WEIGHTS: dict[Channel, int] = {"email": 45, "web_chat": 30, "phone": 15, "social": 10}
THREAD_SHAPES: dict[str, int] = {"single": 45, "nudge": 25, "answered": 30}
# Added up once, not by `rng.choices` for every conversation (it draws the same either way).
_CHANNELS, _CHANNEL_CUM_WEIGHTS = tuple(CHANNEL_WEIGHTS), tuple(accumulate(CHANNEL_WEIGHTS.values()))
_SHAPES, _SHAPE_CUM_WEIGHTS = tuple(THREAD_SHAPES), tuple(accumulate(THREAD_SHAPES.values()))
INTENT_TITLES: dict[str, str] = {
    "shipping_delay": "Shipping delay",
    "order_status": "Order status",
    "rush_order": "Rush order",
    "defect": "Defective part",
    "warranty": "Warranty claim",
    "refund_request": "Refund request",
    "policy_exception": "Policy exception",
    "fitment_doubt": "Fitment question",
    "bulk_order": "Bulk order",
}
# Where a conversation sits when it arrives: fitment doubts land in tier 1,
# which is exactly why the operator must pass them on.
INTENT_TIERS: dict[str, Tier] = {
    "shipping_delay": "tier1",
    "order_status": "tier1",
    "rush_order": "tier1",
    "defect": "tier1",
    "fitment_doubt": "tier1",
    "warranty": "tier2",
    "policy_exception": "tier2",
    "bulk_order": "tier2",
    "refund_request": "tier3",
}
INTENT_PRIORITIES: dict[str, tuple[Priority | None, ...]] = {
    "shipping_delay": (None, "low", "medium"),
    "order_status": (None, "low"),
    "rush_order": ("high", "urgent"),
    "defect": ("medium", "high"),
    "warranty": ("low", "medium"),
    "refund_request": ("medium", "high"),
    "policy_exception": ("medium",),
    "fitment_doubt": (None, "medium"),
    "bulk_order": ("high", "urgent"),
}
INTENT_LABELS: dict[str, tuple[str, ...]] = {
    "shipping_delay": ("shipping", "delay"),
    "order_status": ("shipping",),
    "rush_order": ("shipping", "rush"),
    "defect": ("defect",),
    "warranty": ("defect", "warranty"),
    "refund_request": ("refund",),
    "policy_exception": ("returns", "exception"),
    "fitment_doubt": ("fitment", "technical"),
    "bulk_order": ("bulk", "shop-account"),
}
RULE_INTENTS: dict[str, Intent] = {
    "defective_product": "defect",
    "refund_over_500": "refund_request",
    "policy_exception": "policy_exception",
    "technical_beyond_tier1": "fitment_doubt",
    "high_value": "bulk_order",
}
VEHICLE_RE = re.compile(r"^'?(\d{2}|\d{4})\s+(\S+)\s+(.+)$")
NOT_IN_EMAIL_RE = re.compile(r"[^a-z0-9.]")

# The parts `order_part` draws from, by the side of the $500/$5,000 lines; filtered once, not per call.
BULK_PARTS: tuple[pb.Part, ...] = tuple(p for p in pb.PARTS if 50 <= p.price <= 1500)
OVER_LIMIT_PARTS: tuple[pb.Part, ...] = tuple(p for p in pb.PARTS if REFUND_LIMIT < p.price < HIGH_VALUE)
WITHIN_LIMIT_PARTS: tuple[pb.Part, ...] = tuple(p for p in pb.PARTS if p.price <= REFUND_LIMIT)
EVERYDAY_PARTS: tuple[pb.Part, ...] = tuple(p for p in pb.PARTS if p.price < 3500)


def money(value: float) -> str:
    return f"${value:,.2f}"


def intent_of(item: ConversationItem) -> Intent:
    """The item's intent, else the one its rule is about, else a shipping question."""
    return item.intent or RULE_INTENTS.get(item.rule, "shipping_delay")


@dataclass(frozen=True)
class ConversationFacts:
    """Who wrote in and about which order: the slots of every phrase and template."""

    conversation_id: int
    contact_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    vip: bool
    shop: str
    channel: Channel
    order_id: str
    order_value: float
    qty: int
    sku: str | None
    part: str
    part_short: str
    vehicle: str
    vehicle_year: int | None
    vehicle_make: str | None
    vehicle_model: str | None
    carrier: str
    tracking_number: str
    eta: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def ltl(self) -> bool:
        carrier = pb.find_carrier(self.carrier)
        return carrier is not None and carrier.ltl

    def slots(self, rng: random.Random) -> dict[str, object]:
        return {
            "first_name": self.first_name,
            "order_id": self.order_id,
            "part": self.part,
            "part_short": self.part_short,
            "sku": self.sku or self.part,
            "vehicle": self.vehicle,
            "event": rng.choice(pb.EVENTS),
            "carrier": self.carrier,
            "qty": self.qty,
            "tracking_number": self.tracking_number,
            "days": rng.randint(3, 12),
            "shop": self.shop,
            "total": money(self.order_value),
        }

    def labels(self, intent: str) -> tuple[str, ...]:
        return INTENT_LABELS[intent] + (("freight",) if self.ltl else ()) + (("vip",) if self.vip else ())


@dataclass(frozen=True)
class Person:
    """Faker's part of a conversation: who writes in (see `optrain.queue`, which draws them)."""

    first_name: str
    last_name: str
    phone: str


def new_facts(
    intent: str, number: int, order_id: str, rng: random.Random, person: Person, now: datetime
) -> ConversationFacts:
    first, last = person.first_name, person.last_name
    vehicle = rng.choice(pb.VEHICLES)
    year = vehicle.pick_year(rng)
    part, qty = order_part(intent, rng)
    freight = part.freight or part.price * qty > 2000
    carrier = rng.choice(pb.FREIGHT_CARRIERS if freight else pb.PARCEL_CARRIERS)
    eta = now + timedelta(days=rng.randint(1, 6))
    return ConversationFacts(
        conversation_id=CONVERSATION_ID_BASE + number,
        contact_id=CONTACT_ID_BASE + number,
        first_name=first,
        last_name=last,
        email=email_for(first, last, rng),
        phone=person.phone,
        vip=False,
        shop=f"{last} {rng.choice(pb.SHOP_SUFFIXES)}",
        channel=rng.choices(_CHANNELS, cum_weights=_CHANNEL_CUM_WEIGHTS)[0],
        order_id=order_id,
        order_value=round(part.price * qty, 2),
        qty=qty,
        sku=part.sku,
        part=part.name,
        part_short=part.short,
        vehicle=pb.vehicle_label(year, vehicle, rng),
        vehicle_year=year,
        vehicle_make=vehicle.make,
        vehicle_model=vehicle.model,
        carrier=carrier.name,
        tracking_number=carrier.tracking_number(rng),
        eta=pb.day_label(eta),
    )


def order_part(intent: str, rng: random.Random) -> tuple[pb.Part, int]:
    """A part and quantity whose total falls on the side of the $500/$5,000 lines the intent needs."""
    if intent == "bulk_order":
        part = rng.choice(BULK_PARTS)
        return part, math.ceil(rng.uniform(HIGH_VALUE * 1.05, HIGH_VALUE * 1.9) / part.price)
    if intent == "refund_request" or (intent in ("defect", "warranty") and rng.random() < 0.2):
        return rng.choice(OVER_LIMIT_PARTS), 1
    if intent in ("defect", "warranty"):
        part = rng.choice(WITHIN_LIMIT_PARTS)
        return part, 2 if part.price * 2 <= REFUND_LIMIT and rng.random() < 0.3 else 1
    part = rng.choice(EVERYDAY_PARTS)
    return part, 2 if part.price < 100 and rng.random() < 0.4 else 1


def email_for(first: str, last: str, rng: random.Random) -> str:
    local = NOT_IN_EMAIL_RE.sub("", f"{first}.{last}".lower()).strip(".") or "customer"
    return f"{local}@{rng.choice(pb.EMAIL_DOMAINS)}"


def split_vehicle(text: str) -> tuple[int | None, str | None, str | None]:
    """'1969 Chevrolet Camaro' or "'69 Chevy Nova" -> year, make, model; else only a model."""
    match = VEHICLE_RE.match(text.strip())
    if not match:
        return None, None, text
    year = int(match.group(1))
    if year < 100:
        year += 1900 if year > 30 else 2000
    return year, match.group(2), match.group(3)


def override_facts(facts: ConversationFacts, item: ConversationItem, rng: random.Random) -> ConversationFacts:
    """Scripted customer, channel and order fields replace the generated ones, dependants follow."""
    changes: dict[str, Any] = {}
    customer, order = item.customer or Customer(), item.order or Order()
    if customer.name:
        first, _, last = customer.name.partition(" ")
        changes.update(first_name=first, last_name=last, email=email_for(first, last, rng))
    if customer.email:
        changes["email"] = customer.email
    if customer.phone:
        changes["phone"] = customer.phone
    if "vip" in customer.model_fields_set:
        changes["vip"] = customer.vip
    if item.channel:
        changes["channel"] = item.channel
    if order.id:
        changes["order_id"] = order.id
    if order.value is not None:
        changes["order_value"] = order.value
    if order.part or order.sku:
        known = pb.find_part(order.part or order.sku or "")
        changes.update(
            part=order.part or (known.name if known else order.sku),
            part_short=known.short if known else (order.part or order.sku),
            sku=order.sku or (known.sku if known else None),
        )
        if known and order.value is None:
            changes["order_value"] = round(known.price * facts.qty, 2)
    if order.vehicle:
        year, make, model = split_vehicle(order.vehicle)
        changes.update(vehicle=order.vehicle, vehicle_year=year, vehicle_make=make, vehicle_model=model)
    if order.carrier:
        carrier = pb.find_carrier(order.carrier) or pb.Carrier(order.carrier, False, "", 12)
        changes.update(carrier=order.carrier, tracking_number=carrier.tracking_number(rng))
    if order.tracking_number:
        changes["tracking_number"] = order.tracking_number
    if order.eta:
        changes["eta"] = order.eta
    return replace(facts, **changes)


# ---------------------------------------------------------------- thread


def build_thread(
    facts: ConversationFacts, intent: str, tier: str, waiting: int | None, rng: random.Random
) -> list[Message]:
    """A first message, sometimes a nudge, sometimes an earlier agent reply, so SLA clocks vary."""
    frt_minutes = policy_for(tier).first_response_time_threshold // 60
    wait = waiting if waiting is not None else rng.randint(2, max(3, int(frt_minutes * 1.6)))
    slots = facts.slots(rng)
    opener = pb.fill(rng.choice(pb.OPENERS[intent]), slots)
    nudge = pb.fill(rng.choice(pb.FOLLOW_UPS[intent]), slots)
    shape = rng.choices(_SHAPES, cum_weights=_SHAPE_CUM_WEIGHTS)[0]
    if shape == "nudge" and wait >= 2:
        return [Message(text=opener, minutes_ago=wait), Message(text=nudge, minutes_ago=rng.randint(0, wait - 1))]
    if shape == "answered":
        reply_delay = rng.randint(2, max(3, int(frt_minutes * 1.5)))
        start = wait + reply_delay + rng.randint(5, 120)
        return [
            Message(text=opener, minutes_ago=start),
            Message(sender="agent", text=pb.fill(rng.choice(pb.AGENT_REPLIES), slots), minutes_ago=start - reply_delay),
            Message(text=nudge, minutes_ago=wait),
        ]
    return [Message(text=opener, minutes_ago=wait)]


def waiting_minutes(thread: list[Message]) -> int | None:
    """Minutes since the first customer message that nobody has answered yet."""
    since: int | None = None
    for message in thread:
        if message.sender == "agent":
            since = None
        elif since is None:
            since = message.minutes_ago
    return since


def shift_thread(thread: list[Message], waiting: int | None) -> list[Message]:
    """Move a scripted thread back in time so that the customer has waited `waiting` minutes.

    Messages are the scenario's frozen models, so each is copied with its new age
    (Chatwoot imports give waiting times far longer than the thread's newest message).
    """
    since = waiting_minutes(thread)
    if waiting is None or since is None or since >= waiting:
        return thread
    return [m.model_copy(update={"minutes_ago": m.minutes_ago + waiting - since}) for m in thread]


# ---------------------------------------------------------------- payload


def conversation_payload(
    item: ConversationItem,
    facts: ConversationFacts,
    intent: str,
    thread: list[Message],
    labels: tuple[str, ...],
    priority: str | None,
    now_ts: int,
    first_message_id: int,
) -> dict[str, Any]:
    """The conversation as Chatwoot's API returns it, plus our training block."""
    messages: list[dict[str, Any]] = []
    clock: list[SlaMessage] = []  # what the SLA clocks need, gathered on the same pass
    for message_id, m in enumerate(thread, MESSAGE_ID_BASE + first_message_id):
        at, incoming = now_ts - m.minutes_ago * 60, m.sender == "customer"
        messages.append(
            {
                "id": message_id,
                "content": m.text,
                "message_type": "incoming" if incoming else "outgoing",
                "created_at": at,
                "sender_type": "Contact" if incoming else "User",
            }
        )
        clock.append(SlaMessage(at, incoming))
    created_at = min((m.created_at for m in clock), default=now_ts)
    last_activity = max((m.created_at for m in clock), default=created_at)
    policy = policy_for(item.tier)
    sla = sla_status(policy, created_at, clock, item.status, now_ts)
    inbox_id, channel_type = CHANNEL_INBOXES[facts.channel]
    sender = {
        "id": facts.contact_id,
        "name": facts.name,
        "email": facts.email,
        "phone_number": facts.phone,
        "thumbnail": "",
    }
    return {
        "id": facts.conversation_id,
        "inbox_id": inbox_id,
        "channel": facts.channel,
        "status": item.status,
        "priority": priority,
        "labels": list(labels),
        "meta": {"channel": channel_type, "sender": sender},
        "messages": messages,
        "created_at": created_at,
        "timestamp": last_activity,
        "last_activity_at": last_activity,
        "waiting_since": sla.waiting_since,
        "custom_attributes": {
            "order_id": facts.order_id,
            "order_value": facts.order_value,
            "sku": facts.sku,
            "part": facts.part,
            "vehicle": facts.vehicle,
            "vehicle_year": facts.vehicle_year,
            "vehicle_make": facts.vehicle_make,
            "vehicle_model": facts.vehicle_model,
            "carrier": facts.carrier,
            "tracking_number": facts.tracking_number,
            "eta": facts.eta,
            "vip": facts.vip,
        },
        "additional_attributes": _additional_attributes(facts, intent),
        "sla_policy": policy.as_dict(),
        "applied_sla": {"sla_name": policy.name, **sla.as_dict()},
        "training": {"item_id": item.id, "kind": "conversation", "tier": item.tier, "intent": intent},
    }


def _additional_attributes(facts: ConversationFacts, intent: str) -> dict[str, Any]:
    if facts.channel == "email":
        return {"mail_subject": f"{INTENT_TITLES[intent]} - order {facts.order_id}"}
    if facts.channel == "web_chat":
        return {"referer": "https://hotrodan.com/pages/contact", "browser": {"browser_name": "Chrome"}}
    if facts.channel == "phone":
        return {"source": "phone call notes"}
    return {"type": "facebook_messenger"}


# ---------------------------------------------------------------- the right call


# The calls and runbook citations are the same for every conversation: made once, shared (frozen).
_SHIP_UPDATE = Call(call="approve_template", template="ship_update")
_ACK_DELAY_INSTEAD = Alternative(
    call="approve_template",
    template="ack_delay",
    credit=0.5,
    feedback="ack_delay is for when there is no tracking news yet; here there is.",
)
_REFUND_OFFER = Call(call="approve_template", template="refund_offer")
_ESCALATE_MANAGER = Call(call="escalate_manager")
_ESCALATE_SPECIALIST = Call(call="escalate_specialist")
_RUNBOOK_CITES: dict[str, str] = {
    rule.id: f" Runbook: {rule.situation.lower()} -> {rule.right_call.lower()}." for rule in RULES.values()
}


def expected_call(intent: str, facts: ConversationFacts) -> tuple[Call, tuple[Alternative, ...], str, str]:
    """The runbook's call for a background conversation: (call, alternatives, rule, rationale)."""
    order, who = facts.order_id, facts.name
    if intent in ("shipping_delay", "order_status", "rush_order"):
        news = (
            f"{who} is asking where order {order} is. {facts.carrier} has it moving "
            f"(tracking {facts.tracking_number}, ETA {facts.eta}), so there is news to share."
        )
        return _SHIP_UPDATE, (_ACK_DELAY_INSTEAD,), "shipping_delay", news + _RUNBOOK_CITES["shipping_delay"]
    total = money(facts.order_value)
    if intent in ("defect", "warranty") and facts.order_value <= REFUND_LIMIT:
        text = (
            f"{who} reports the {facts.part} from order {order} failed; at {total} it is within the $500 refund limit."
        )
        return _REFUND_OFFER, (), "defective_product", text + _RUNBOOK_CITES["defective_product"]
    if intent in ("defect", "warranty", "refund_request"):
        text = f"Order {order} is {total}, over the $500 refund limit, so the refund needs a manager."
        return _ESCALATE_MANAGER, (), "refund_over_500", text + _RUNBOOK_CITES["refund_over_500"]
    if intent == "policy_exception":
        text = f"{who} asks for an exception to the returns policy on order {order}; only a manager can grant one."
        return _ESCALATE_MANAGER, (), "policy_exception", text + _RUNBOOK_CITES["policy_exception"]
    if intent == "fitment_doubt":
        text = f"Whether the {facts.part} on order {order} will fit a {facts.vehicle} is a question beyond tier 1."
        return _ESCALATE_SPECIALIST, (), "technical_beyond_tier1", text + _RUNBOOK_CITES["technical_beyond_tier1"]
    text = f"Order {order} is {total}, above $5,000: the high-value path."
    return _ESCALATE_MANAGER, (), "high_value", text + _RUNBOOK_CITES["high_value"]
