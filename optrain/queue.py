"""The mock CX queue: a scenario's items as Chatwoot-shaped, reproducible data.

Every trainee who opens the same scenario version must see the same customers,
orders and waiting times, on any machine, or scores could not be compared.
So all randomness comes from one seed per scenario (a Faker instance and a
`random.Random`, never the global state) and the clock is the `now` passed in.
Scripted items are filled in from their intent and then the author's fields
win; generated background conversations get their expected call from the
runbook's decision rules (see `optrain.conversations`).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from faker import Faker

from optrain.conversations import (
    INTENT_PRIORITIES,
    INTENT_TIERS,
    INTENT_TITLES,
    SHOP_NAME,
    ConversationFacts,
    Person,
    build_thread,
    conversation_payload,
    expected_call,
    intent_of,
    money,
    new_facts,
    override_facts,
    shift_thread,
    waiting_minutes,
)
from optrain.errors import TemplateError
from optrain.scenarios.model import (
    TILE_TITLES,
    ConversationItem,
    Customer,
    GeneratedSpec,
    Intent,
    InventoryItem,
    Item,
    Message,
    Order,
    Scenario,
    TileItem,
)
from optrain.sla import unix


def scenario_seed(scenario: Scenario) -> int:
    """The explicit seed, else one derived from id and version that any machine derives alike."""
    if scenario.seed is not None:
        return scenario.seed
    digest = hashlib.sha256(f"{scenario.id}:{scenario.version}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


@dataclass(frozen=True)
class QueueEntry:
    """One item of the queue and its Chatwoot-shaped payload (shared and cached: read only)."""

    item: Item
    payload: dict[str, Any]
    generated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "kind": self.item.kind,
            "generated": self.generated,
            "item": self.item.model_dump(mode="json"),
            "payload": self.payload,
        }


@dataclass(frozen=True)
class Queue:
    scenario_id: str
    version: int
    seed: int
    now: datetime
    entries: tuple[QueueEntry, ...]
    follow_ups: dict[str, QueueEntry] = field(default_factory=dict)

    @cached_property
    def _by_id(self) -> dict[str, QueueEntry]:
        return {**{e.item.id: e for e in self.entries}, **self.follow_ups}

    @cached_property
    def parents(self) -> dict[str, str]:
        """Follow-up id -> the item whose call reveals it; the queue is immutable, so this is built once."""
        return {child: item.id for item in self.all_items() for child in item.follow_ups.values()}

    def entry(self, item_id: str) -> QueueEntry:
        try:
            return self._by_id[item_id]
        except KeyError:
            raise KeyError(f"'{item_id}' is not an item in the queue of scenario '{self.scenario_id}'") from None

    def item(self, item_id: str) -> Item:
        return self.entry(item_id).item

    def all_items(self) -> tuple[Item, ...]:
        return tuple(e.item for e in self.entries) + tuple(e.item for e in self.follow_ups.values())

    def root_ids(self) -> tuple[str, ...]:
        return tuple(e.item.id for e in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario_id": self.scenario_id,
            "version": self.version,
            "seed": self.seed,
            "now": self.now.isoformat(),
            "entries": [e.to_dict() for e in self.entries],
            "follow_ups": {key: e.to_dict() for key, e in self.follow_ups.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- cache


@dataclass(frozen=True)
class _ByContent:
    """A scenario that compares and hashes by the SHA-256 of its JSON, so `lru_cache` can key queues by content."""

    digest: str
    scenario: Scenario = field(compare=False)


def generate_queue(scenario: Scenario, now: datetime | None = None) -> Queue:
    """The queue of a scenario at `now` (default: the scenario's start); cached per content and moment.

    Waits are scripted relative to `now` ("waiting 150 minutes"), so a later
    `now` moves every timestamp and leaves the SLA picture the trainee sees
    unchanged.
    """
    moment = now if now is not None else scenario.starts_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # naive times in YAML are UTC
    return _cached_queue(_ByContent(_digest(_Same(scenario)), scenario), moment.astimezone(UTC))


class _Same:
    """A scenario compared by identity: a frozen model keeps its JSON, so its digest is worked out once.
    (The cache holds the scenario, so its id is not reused while the entry lives.)"""

    __slots__ = ("scenario",)

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def __hash__(self) -> int:
        return id(self.scenario)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.scenario is self.scenario


@lru_cache(maxsize=64)
def _digest(same: _Same) -> str:
    return hashlib.sha256(same.scenario.model_dump_json().encode()).hexdigest()


@lru_cache(maxsize=32)
def _cached_queue(content: _ByContent, now: datetime) -> Queue:
    return _QueueBuilder(content.scenario, now).build()


# ---------------------------------------------------------------- builder


def cover_band(days_of_cover: float) -> str:
    """The Inventory Heatmap colour: red under 7 days of cover, green over 14."""
    return "red" if days_of_cover < 7 else "yellow" if days_of_cover <= 14 else "green"


class _QueueBuilder:
    """Walks the scenario once in file order, so the random draws are the same every time."""

    def __init__(self, scenario: Scenario, now: datetime):
        self.scenario, self.now, self.now_ts = scenario, now, unix(now)
        self.seed = scenario_seed(scenario)
        self.rng = random.Random(self.seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(self.seed)
        self.people: deque[Person] = deque()  # drawn ahead for a generated block, used in order
        self.conversations = 0
        self.messages = 0
        self.order_ids = {  # generated orders never reuse a scripted order's number
            item.order.id
            for item in scenario.scripted_items
            if isinstance(item, ConversationItem) and item.order and item.order.id
        }
        self.facts: dict[str, ConversationFacts] = {}
        self.scripted = {item.id: item for item in scenario.scripted_items}
        self.parents = {child: item.id for item in scenario.scripted_items for child in item.follow_ups.values()}

    def build(self) -> Queue:
        entries: list[QueueEntry] = []
        follow_ups: dict[str, QueueEntry] = {}
        number = 0
        for block in self.scenario.queue:
            if isinstance(block, (ConversationItem, InventoryItem, TileItem)):
                entry = self._scripted(block)
                if block.follow_up:
                    follow_ups[block.id] = entry
                else:
                    entries.append(entry)
                continue
            intents = self._draw_intents(block.generated)
            self.people.extend(self._draw_people(len(intents)))
            for intent in intents:
                number += 1
                while f"bg-{number:02d}" in self.scripted:
                    number += 1
                entries.append(self._background(f"bg-{number:02d}", intent))
        return Queue(self.scenario.id, self.scenario.version, self.seed, self.now, tuple(entries), follow_ups)

    def _draw_intents(self, spec: GeneratedSpec) -> list[Intent]:
        return self.rng.choices(list(spec.intents), weights=list(spec.intents.values()), k=spec.count)

    def _scripted(self, item: Item) -> QueueEntry:
        if isinstance(item, InventoryItem):
            stock: dict[str, Any] = {
                "sku": item.sku,
                "product": item.product,
                "units": item.units,
                "days_of_cover": item.days_of_cover,
                "band": cover_band(item.days_of_cover),
                "note": item.note,
            }
            return QueueEntry(item, stock, generated=False)
        if isinstance(item, TileItem):
            tile: dict[str, Any] = {
                "tile": item.tile,
                "title": TILE_TITLES[item.tile],
                "state": item.state,
                "message": item.message,
                "retries": item.retries,
            }
            return QueueEntry(item, tile, generated=False)
        intent = intent_of(item)
        facts = self._facts_for(item)
        thread = list(item.messages) + ([Message(text=item.message)] if item.message else [])
        if thread:
            thread = shift_thread(thread, item.waiting_minutes)
        else:
            thread = build_thread(facts, intent, item.tier, item.waiting_minutes, self.rng)
        priority = item.priority or self.rng.choice(INTENT_PRIORITIES[intent])
        labels = item.labels or facts.labels(intent)
        payload = conversation_payload(
            item, facts, intent, thread, labels, priority, self.now_ts, self._message_ids(thread)
        )
        return QueueEntry(item, payload, generated=False)

    def _facts_for(self, item: ConversationItem) -> ConversationFacts:
        """Generated facts with the author's fields on top; a follow-up continues its parent's."""
        if item.id not in self.facts:
            parent = self.scripted.get(self.parents.get(item.id, ""))
            if isinstance(parent, ConversationItem):
                base = self._facts_for(parent)
            else:
                base = self._new_facts(intent_of(item))
            self.facts[item.id] = override_facts(base, item, self.rng)
        return self.facts[item.id]

    def _new_facts(self, intent: str) -> ConversationFacts:
        self.conversations += 1
        order_id = f"#HR-1{self.rng.randint(0, 9999):04d}"
        while order_id in self.order_ids:
            if len(self.order_ids) > 9000:  # the #HR-1xxxx range is nearly used up
                order_id = f"#HR-{20000 + self.conversations}"
                break
            order_id = f"#HR-1{self.rng.randint(0, 9999):04d}"
        self.order_ids.add(order_id)
        person = self.people.popleft() if self.people else self._draw_people(1)[0]
        return new_facts(intent, self.conversations, order_id, self.rng, person, self.now)

    def _draw_people(self, count: int) -> list[Person]:
        """`count` customers in a row from Faker, a generated block's worth at a time.

        Faker picks each name from thousands of weighted entries; asked for
        them in one run rather than between the rest of each conversation, it
        finds those entries still in the CPU cache. It has its own random
        source, so the order it is asked in is all that decides the names.
        """
        first_name, last_name, numerify = self.fake.first_name, self.fake.last_name, self.fake.numerify
        return [Person(first_name(), last_name(), numerify("(%##) %##-####")) for _ in range(count)]

    def _background(self, item_id: str, intent: Intent) -> QueueEntry:
        facts = self._new_facts(intent)
        if intent == "bulk_order" and self.rng.random() < 0.3:
            facts = replace(facts, vip=True)
        tier = "executive" if facts.vip else INTENT_TIERS[intent]
        thread = build_thread(facts, intent, tier, None, self.rng)
        call, alternatives, rule, rationale = expected_call(intent, facts)
        item = ConversationItem(
            kind="conversation",
            id=item_id,
            title=f"{INTENT_TITLES[intent]}: {facts.name}",
            intent=intent,
            expected=call,
            alternatives=alternatives,
            rule=rule,
            rationale=rationale,
            customer=Customer(name=facts.name, email=facts.email, phone=facts.phone, vip=facts.vip),
            channel=facts.channel,
            status=self.rng.choices(("open", "pending"), cum_weights=(9, 10))[0],  # 9 : 1
            priority=self.rng.choice(INTENT_PRIORITIES[intent]),
            labels=facts.labels(intent),
            tier=tier,
            waiting_minutes=waiting_minutes(thread),
            messages=tuple(thread),
            order=Order(
                id=facts.order_id,
                value=facts.order_value,
                sku=facts.sku,
                part=facts.part,
                vehicle=facts.vehicle,
                carrier=facts.carrier,
                tracking_number=facts.tracking_number,
                eta=facts.eta,
            ),
        )
        payload = conversation_payload(
            item, facts, intent, thread, item.labels, item.priority, self.now_ts, self._message_ids(thread)
        )
        return QueueEntry(item, payload, generated=True)

    def _message_ids(self, thread: list[Message]) -> int:
        """The first of a run of message ids, unique across the whole queue."""
        self.messages += len(thread)
        return self.messages - len(thread) + 1


def template_context(entry: QueueEntry, agent_name: str = f"Sam from {SHOP_NAME}") -> dict[str, str]:
    """A value for every template variable, taken from a conversation's payload."""
    if not isinstance(entry.item, ConversationItem):
        raise TemplateError(
            f"'{entry.item.id}' is not a conversation (kind: {entry.item.kind}); "
            "reply templates are for conversations only"
        )
    payload = entry.payload
    sender, attrs = payload["meta"]["sender"], payload["custom_attributes"]
    first, _, last = str(sender["name"]).partition(" ")
    value = attrs["order_value"]
    return {
        "contact.name": sender["name"] or "",
        "contact.first_name": first,
        "contact.last_name": last,
        "contact.email": sender["email"] or "",
        "contact.phone": sender["phone_number"] or "",
        "order.id": attrs["order_id"] or "",
        "order.total": money(value) if value is not None else "",
        "order.carrier": attrs["carrier"] or "",
        "order.tracking_number": attrs["tracking_number"] or "",
        "order.eta": attrs["eta"] or "",
        "agent.name": agent_name,
        "shop.name": SHOP_NAME,
        "conversation.id": str(payload["id"]),
    }
