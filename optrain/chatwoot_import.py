"""A real Chatwoot conversation turned into a draft queue item, its personal details replaced or flagged.

Trainers learn most from the conversations their team actually got wrong, but
real customers must never appear in training. The import takes what Chatwoot
gives (the Application API's conversation object or messages list, or a
`conversation_created` / `message_created` webhook body), keeps what the call
depends on (thread, channel, status, priority, labels, how long the customer
has waited) and replaces the personal details it recognises through `optrain.pii`;
what still looks personal (a name written only in the text, a long number) is
listed in `flags` for the trainer to review before the draft is saved
(`optrain.pii_review`; recall per kind: `python -m bench.pii_recall`). The draft
is a valid `ConversationItem` whose right call, rationale and rule are visible
placeholders, so a trainer starts from a file that loads and only has to think
about the judgement.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from optrain.config import Settings
from optrain.errors import ChatwootImportError
from optrain.pii import ReviewFlag, Scrubber, plural
from optrain.pii_review import COMMON_ENGLISH, review_flags, shop_vocabulary
from optrain.scenarios.model import ID_PATTERN, ConversationItem, ConversationStatus, Priority

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
NOT_A_CONVERSATION = (
    "not a Chatwoot conversation: expected an object with 'messages' and 'meta.sender' (API conversation) "
    "or an 'event' of conversation_created / message_created (webhook)"
)
CONVERSATION_EVENTS = frozenset({"conversation_created", "conversation_updated", "conversation_status_changed"})
MESSAGE_EVENTS = frozenset({"message_created", "message_updated"})
MESSAGE_TYPES: dict[object, str] = {
    0: "incoming",
    1: "outgoing",
    2: "activity",
    3: "template",
    "incoming": "incoming",
    "outgoing": "outgoing",
    "activity": "activity",
    "template": "template",
}
CHANNELS: dict[str, str] = {
    "Channel::Email": "email",
    "Channel::WebWidget": "web_chat",
    "Channel::Api": "phone",
    "Channel::Sms": "phone",
    "Channel::TwilioSms": "phone",
    "Channel::Whatsapp": "phone",
    "Channel::Voice": "phone",
    "Channel::FacebookPage": "social",
    "Channel::Instagram": "social",
    "Channel::TwitterProfile": "social",
    "Channel::Telegram": "social",
    "Channel::Line": "social",
    "Channel::Tiktok": "social",
}
PLACEHOLDER_CALL = "escalate_manager"
PLACEHOLDER_RULE = "policy_exception"
PLACEHOLDER_RATIONALE = "TODO: explain the right call"
ORDER_KEYS = ("order_id", "order_number", "order_name", "order", "shopify_order_id")
VALUE_KEYS = ("order_value", "order_total", "total_price", "total", "amount")
ORDER_FIELDS = ("sku", "part", "vehicle", "carrier", "eta")
TODO_COMMENTS: dict[str, str] = {
    "expected": "TODO: the right call; escalate_manager is only a placeholder",
    "rationale": "TODO: say why that call is right and the tempting ones are wrong",
    "rule": "TODO: the runbook rule this item teaches (optrain/rules.py); policy_exception is a placeholder",
    "tier": "TODO: the support tier the conversation sits in (sets the SLA targets)",
}


@dataclass(frozen=True)
class DraftItem:
    """A queue item made from a real conversation: `item` validates as a ConversationItem."""

    item: dict[str, Any]
    source_id: str
    shape: str
    replaced: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]
    flags: tuple[ReviewFlag, ...] = ()

    def model(self) -> ConversationItem:
        return ConversationItem.model_validate(self.item)

    @property
    def replaced_total(self) -> int:
        return sum(count for _, count in self.replaced)


@dataclass(frozen=True)
class _Source:
    conversation: dict[str, Any]
    messages: tuple[dict[str, Any], ...]
    contact: dict[str, Any]
    shape: str
    account_id: str


# ---------------------------------------------------------------- reading


Vocabulary = tuple[frozenset[str], frozenset[str]]


def curriculum_vocabulary() -> Vocabulary:
    """The words of the built-in scenarios: what the review list takes as the shop's own."""
    settings = Settings.from_env()
    return shop_vocabulary((settings.scenarios_dir,))


def import_file(path: Path, *, item_id: str | None = None) -> DraftItem:
    """The draft item of a Chatwoot JSON file; too large, unreadable or foreign files are refused."""
    if not path.is_file():
        raise ChatwootImportError(f"{path}: no such file; give the path of a Chatwoot conversation JSON file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ChatwootImportError(_too_large(path.name, path.stat().st_size))
    return import_bytes(path.read_bytes(), source_name=path.name, item_id=item_id)


def import_bytes(raw: bytes, *, source_name: str, item_id: str | None = None) -> DraftItem:
    """The same as `import_file` for an uploaded file's content."""
    try:
        return _import_bytes(raw, source_name=source_name, item_id=item_id)
    except ChatwootImportError as exc:
        logger.info("Chatwoot import refused: %s", exc)
        raise


def _import_bytes(raw: bytes, *, source_name: str, item_id: str | None) -> DraftItem:
    if len(raw) > MAX_FILE_BYTES:
        raise ChatwootImportError(_too_large(source_name, len(raw)))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ChatwootImportError(f"{source_name}: not UTF-8 text; save the Chatwoot JSON as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ChatwootImportError(
            f"{source_name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); expected a "
            "Chatwoot conversation as JSON: the API response or webhook body exactly as Chatwoot sent it"
        ) from None
    except RecursionError:
        raise ChatwootImportError(f"{source_name}: the JSON is nested too deeply for a conversation") from None
    return import_conversation(data, source_name=source_name, item_id=item_id)


def _too_large(name: str, size: int) -> str:
    return (
        f"{name}: {size / 1024 / 1024:.1f} MB is over the {MAX_FILE_BYTES // 1024 // 1024} MB limit "
        "for one conversation; export a single conversation"
    )


def _source(data: Any, source_name: str) -> _Source:
    """Whichever Chatwoot shape `data` has, as one conversation with its visible-or-not messages."""
    if not isinstance(data, dict):
        raise ChatwootImportError(f"{source_name}: {NOT_A_CONVERSATION}")
    event = data.get("event")
    if event is not None:
        if event in CONVERSATION_EVENTS and isinstance(data.get("messages"), list):
            return _Source(data, tuple(_dicts(data["messages"])), _contact(data), str(event), _account(data))
        if event in MESSAGE_EVENTS and isinstance(data.get("conversation"), dict):
            return _from_message_event(data, str(event))
        raise ChatwootImportError(f"{source_name}: event {str(event)[:40]!r}: {NOT_A_CONVERSATION}")
    if isinstance(data.get("messages"), list) and _contact(data):
        return _Source(data, tuple(_dicts(data["messages"])), _contact(data), "api_conversation", _account(data))
    if isinstance(data.get("payload"), list) and isinstance(_dict(data.get("meta")).get("contact"), dict):
        return _from_messages_endpoint(data)
    raise ChatwootImportError(f"{source_name}: {NOT_A_CONVERSATION}")


def _from_message_event(data: dict[str, Any], event: str) -> _Source:
    """A webhook's one message joined to the messages its conversation carries."""
    conversation = data["conversation"]
    by_id = {m.get("id"): m for m in _dicts(conversation.get("messages"))}
    by_id[data.get("id")] = data
    contact = _contact(conversation) or _dict(data.get("contact"))
    if not contact and MESSAGE_TYPES.get(data.get("message_type")) == "incoming":
        contact = _dict(data.get("sender"))
    return _Source(conversation, tuple(by_id.values()), contact, event, _account(data, conversation))


def _from_messages_endpoint(data: dict[str, Any]) -> _Source:
    """GET .../conversations/{id}/messages: the contact and labels sit in `meta`, the thread in `payload`."""
    meta, messages = data["meta"], tuple(_dicts(data["payload"]))
    conversation = {
        "id": next((m.get("conversation_id") for m in messages if m.get("conversation_id")), None),
        "labels": meta.get("labels") or [],
        "additional_attributes": _dict(meta.get("additional_attributes")),
        "meta": {"sender": meta["contact"], "assignee": meta.get("assignee")},
    }
    return _Source(conversation, messages, meta["contact"], "api_messages", _account(data, *messages))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _contact(conversation: dict[str, Any]) -> dict[str, Any]:
    return _dict(_dict(conversation.get("meta")).get("sender"))


def _account(*objects: dict[str, Any]) -> str:
    for obj in objects:
        found = obj.get("account_id") or _dict(obj.get("account")).get("id")
        if found:
            return str(found)
    return ""


def _timestamp(value: Any) -> float | None:
    """Seconds since the epoch from Chatwoot's unix numbers or its ISO / 'UTC' date strings."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(re.sub(r"\s*(UTC|Z)$", "+00:00", text))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# ---------------------------------------------------------------- building the draft


def import_conversation(data: Any, *, source_name: str, item_id: str | None = None) -> DraftItem:
    """A valid draft queue item from a Chatwoot conversation, recognised personal details replaced."""
    source = _source(data, source_name)
    conversation = source.conversation
    source_id = str(conversation.get("id") or conversation.get("display_id") or "").strip()
    if not source_id:
        raise ChatwootImportError(f"{source_name}: the conversation has no 'id'; export it from Chatwoot with its id")
    if item_id is not None and not re.fullmatch(ID_PATTERN, item_id):
        raise ChatwootImportError(
            f"item id {item_id!r} is not valid: use 1-64 lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    digest = hashlib.sha256(f"chatwoot:{source.account_id}:{source_id}".encode()).digest()
    vocabulary = curriculum_vocabulary()
    scrubber = Scrubber(int.from_bytes(digest[:8], "big"), shop_words=vocabulary[0] | vocabulary[1] | COMMON_ENGLISH)
    thread = _visible(source.messages)
    if not thread:
        raise ChatwootImportError(
            f"{source_name}: conversation {source_id} has no customer or agent messages to import "
            "(private notes and activity messages are left out)"
        )
    customer = _register_people(source, scrubber)
    texts = [text for _, text, _ in thread]
    subject = str(_dict(conversation.get("additional_attributes")).get("mail_subject") or "").strip()
    raw_labels = conversation.get("labels")
    labels = [str(label) for label in raw_labels if str(label).strip()] if isinstance(raw_labels, list) else []
    scrubber.learn([*texts, subject, *labels])
    labels = list(dict.fromkeys(scrubber.text(label).strip()[:40] for label in labels))
    if customer and "vip" in {label.lower() for label in labels}:
        customer["vip"] = True
    status, priority = conversation.get("status"), conversation.get("priority")
    notes: list[str] = []
    fields: dict[str, Any] = {
        "kind": "conversation",
        "id": item_id or _item_id(source_id),
        "title": scrubber.text(subject)[:200],
        "expected": {"call": PLACEHOLDER_CALL},
        "rationale": PLACEHOLDER_RATIONALE,
        "rule": PLACEHOLDER_RULE,
        "tier": "tier1",
        "customer": customer,
        "channel": _channel(source, notes),
        "status": status if status in get_args(ConversationStatus) else "open",
        "priority": priority if priority in get_args(Priority) else None,
        "labels": labels,
        "waiting_minutes": _waiting_minutes(conversation, thread),
        "messages": [
            {"sender": sender, "text": scrubber.text(text)[:20_000], "minutes_ago": _minutes(thread[-1][2] - at)}
            for sender, text, at in thread
        ],
        "order": _order(_dict(conversation.get("custom_attributes")), texts, scrubber),
    }
    if not fields["order"]:
        notes.append("no order number found: add an order if the right call depends on it")
    item = {key: value for key, value in fields.items() if value not in (None, "", [], {})}
    try:
        ConversationItem.model_validate(item)
    except ValidationError as exc:  # a bug here, not in the trainer's file: say so plainly
        raise ChatwootImportError(f"{source_name}: the draft item is not valid: {exc.errors()[0]['msg']}") from None
    replaced = tuple(sorted(scrubber.counts().items()))
    flags = review_flags(item, stand_ins=scrubber.stand_ins(), vocabulary=vocabulary)
    draft = DraftItem(item, source_id, source.shape, replaced, tuple(notes), flags)
    logger.info(
        "Chatwoot conversation imported from %s as item %s: %d personal detail(s) replaced, %d flagged",
        source_name,
        item["id"],
        draft.replaced_total,
        len(flags),
    )
    return draft


def _item_id(source_id: str) -> str:
    return ("imported_" + re.sub(r"[^a-z0-9_-]+", "_", source_id.lower()))[:64]


def _visible(messages: tuple[dict[str, Any], ...]) -> list[tuple[str, str, float]]:
    """What the customer and the agents said, oldest first: (sender, text, unix time)."""
    found: list[tuple[float | None, int, str, str]] = []
    for index, message in enumerate(messages):
        kind = MESSAGE_TYPES.get(message.get("message_type"))
        text = str(message.get("content") or "").strip()
        if kind in (None, "activity") or message.get("private") or not text:
            continue
        sender = "customer" if kind == "incoming" else "agent"
        found.append((_timestamp(message.get("created_at")), index, sender, text))
    known = [at for at, *_ in found if at is not None]
    fallback = min(known) if known else 0.0
    ordered = sorted(((at if at is not None else fallback), index, sender, text) for at, index, sender, text in found)
    return [(sender, text, at) for at, _, sender, text in ordered]


def _minutes(seconds: float) -> int:
    return max(0, min(100_000, int(seconds // 60)))


def _waiting_minutes(conversation: dict[str, Any], thread: list[tuple[str, str, float]]) -> int | None:
    """Chatwoot's `waiting_since`, else the first unanswered customer message, against the last activity."""
    moments = [_timestamp(conversation.get(key)) for key in ("last_activity_at", "timestamp")]
    latest = max([m for m in moments if m is not None] + [thread[-1][2]])
    since = _timestamp(conversation.get("waiting_since"))
    if since:
        return _minutes(latest - since)
    unanswered: float | None = None
    for sender, _, at in thread:
        if sender == "agent":
            unanswered = None
        elif unanswered is None:
            unanswered = at
    return None if unanswered is None else _minutes(latest - unanswered)


def _channel(source: _Source, notes: list[str]) -> str | None:
    conversation = source.conversation
    kind = str(_dict(conversation.get("meta")).get("channel") or conversation.get("channel") or "")
    if kind == "Channel::Api":
        notes.append("Channel::Api inbox mapped to channel: phone; change it if the inbox is something else")
    elif kind not in CHANNELS:
        notes.append(f"inbox type {kind[:40] or 'unknown'!r}: set channel to email, web_chat, phone or social")
    return CHANNELS.get(kind)


def _register_people(source: _Source, scrubber: Scrubber) -> dict[str, Any]:
    """Meet everyone in a fixed order (so the stand-ins never depend on chance) and return the customer card."""
    contact, conversation = source.contact, source.conversation
    customer: dict[str, Any] = {}
    if str(contact.get("name") or "").strip():
        customer["name"] = scrubber.person(str(contact["name"]))
    if str(contact.get("email") or "").strip():
        customer["email"] = scrubber.email(str(contact["email"]), owner=customer.get("name"))
    if str(contact.get("phone_number") or "").strip():
        customer["phone"] = scrubber.phone(str(contact["phone_number"]))
    if contact.get("identifier"):
        scrubber.handle(str(contact["identifier"]))
    people = [_dict(_dict(conversation.get("meta")).get("assignee"))]
    people += [_dict(m.get("sender")) for m in source.messages]
    for person in people:
        if str(person.get("name") or "").strip() and person.get("type") != "agent_bot":
            scrubber.person(str(person["name"]))
        if str(person.get("email") or "").strip():
            scrubber.email(str(person["email"]))
    for attributes in (
        contact.get("additional_attributes"),
        contact.get("custom_attributes"),
        conversation.get("custom_attributes"),
        conversation.get("additional_attributes"),
    ):
        scrubber.attributes(_dict(attributes))
    if str(_dict(conversation.get("custom_attributes")).get("vip")).lower() in ("true", "yes", "1") and customer:
        customer["vip"] = True
    return customer


def _order(attributes: dict[str, Any], texts: list[str], scrubber: Scrubber) -> dict[str, Any]:
    """The order from the conversation's custom attributes, else the first order number in the text."""
    order: dict[str, Any] = {}
    found = next((str(attributes[k]).strip() for k in ORDER_KEYS if str(attributes.get(k) or "").strip()), "")
    order_id = scrubber.order_id(found) if re.search(r"\d{3,}", found) else scrubber.first_order(texts)
    if order_id:
        order["id"] = order_id
    value = next((attributes[k] for k in VALUE_KEYS if attributes.get(k) not in (None, "")), None)
    amount = re.sub(r"[$,\s]", "", str(value))
    if value is not None and re.fullmatch(r"\d{1,8}(\.\d+)?", amount):
        order["value"] = float(amount)
    for key in ORDER_FIELDS:
        if str(attributes.get(key) or "").strip():
            order[key] = scrubber.text(str(attributes[key]).strip())[:200]
    if str(attributes.get("tracking_number") or "").strip():
        order["tracking_number"] = scrubber.reference(str(attributes["tracking_number"]).strip())[:200]
    return order


# ---------------------------------------------------------------- YAML


class _Dumper(yaml.SafeDumper):
    """Multi-line messages as literal blocks, so the draft reads like the conversation did."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def review_lines(draft: DraftItem) -> list[str]:
    """The review list as YAML comments: what still looks personal, and where."""
    if not draft.flags:
        return ["# Nothing else looks personal to the importer; read it through anyway before use."]
    lines = [
        f"# REVIEW before saving: {len(draft.flags)} thing(s) still look personal; replace or delete each one that is:"
    ]
    lines += [f"#   {flag.where}: {flag.text!r} ({flag.reason})" for flag in draft.flags]
    return lines


def to_yaml(draft: DraftItem) -> str:
    """The draft as a queue entry to paste under `queue:`, with the fields to finish marked TODO."""
    replaced = ", ".join(f"{count} {kind if count == 1 else plural(kind)}" for kind, count in draft.replaced)
    header = [
        f"# Draft queue item imported from Chatwoot conversation {draft.source_id} ({draft.shape.replace('_', ' ')}).",
        f"# Personal details replaced with generated stand-ins: {replaced or 'none found'}.",
        *review_lines(draft),
        "# TODO: paste this entry under `queue:` in a scenario file and fill in every TODO below.",
        *(f"# TODO: {note}" for note in draft.notes),
    ]
    body = yaml.dump([draft.item], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines: list[str] = []
    for line in body.splitlines():
        key = line[2:].split(":", 1)[0] if line[:2] in ("- ", "  ") and line[2:3] != " " else ""
        if key in TODO_COMMENTS:
            lines.append(f"  # {TODO_COMMENTS[key]}")
        lines.append(line)
    return "\n".join(header + lines) + "\n"
