"""What a call is: one registry read by the scenario model, the service, the pages and the CLI.

A call's label, its button text, the action it writes to the decision log,
the confirmation the replica shows, the item kinds that allow it and what it
needs (a template, an AI draft, a body or a reason) are all here, so adding or
renaming a call is one entry, not a hunt through the tree.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ItemKind = Literal["conversation", "inventory", "tile"]
ITEM_KINDS: tuple[ItemKind, ...] = typing.get_args(ItemKind)


@dataclass(frozen=True)
class CallSpec:
    """One call an operator can make on a queue item."""

    id: str
    label: str
    kinds: tuple[ItemKind, ...]
    action_type: str  # the decision-log action the real dashboard writes
    confirmation: str  # str.format fields: {name} (customer), {sku}, {title} (tile)
    button: str = ""  # the submit button's text; "Confirm: <label>" when empty
    needs_template: bool = False
    needs_draft: bool = False  # only on a conversation that carries an AI draft
    needs_body: bool = False  # a body, when given, must not be empty
    note_required: str | None = None  # the message shown when the required reason is missing

    @property
    def button_text(self) -> str:
        return self.button or f"Confirm: {self.label}"

    def confirm(self, *, name: str, sku: str, title: str) -> str:
        return self.confirmation.format(name=name, sku=sku, title=title)


_SPECS: tuple[CallSpec, ...] = (
    CallSpec(
        "approve_template",
        "Approve template reply",
        ("conversation",),
        "reply_approved",
        "Reply sent to {name}",
        button="Approve & Send Reply",
        needs_template=True,
        needs_body=True,
    ),
    CallSpec(
        "approve_draft",
        "Approve AI draft",
        ("conversation",),
        "ai_draft_approved",
        "Reply sent to {name}",
        button="Approve & Send Draft",
        needs_draft=True,
    ),
    CallSpec(
        "edit_draft",
        "Edit AI draft, then send",
        ("conversation",),
        "ai_draft_edited",
        "Reply sent to {name}",
        button="Send Edited Reply",
        needs_draft=True,
        needs_body=True,
    ),
    CallSpec(
        "reject_draft",
        "Reject AI draft",
        ("conversation",),
        "ai_draft_rejected",
        "AI draft rejected; {name}'s conversation stays open",
        needs_draft=True,
    ),
    CallSpec(
        "escalate_manager",
        "Escalate to manager",
        ("conversation",),
        "escalated_to_manager",
        "Escalated to a manager: {name}'s conversation is tagged and must be acknowledged within 2 hours",
        button="Escalate to Manager",
        note_required="Give the manager a reason for the escalation.",
    ),
    CallSpec(
        "escalate_specialist",
        "Escalate to product specialist",
        ("conversation",),
        "escalated_to_specialist",
        "Escalated to a product specialist: {name}'s conversation is assigned",
    ),
    CallSpec(
        "reorder", "Reorder (draft PO)", ("inventory",), "draft_po_created", "Draft purchase order created for {sku}"
    ),
    CallSpec(
        "mark_intentional",
        "Mark intentional",
        ("inventory",),
        "marked_intentional",
        "{sku} marked as intentionally low",
    ),
    CallSpec("adjust_quantity", "Adjust quantity", ("inventory",), "quantity_adjusted", "Quantity of {sku} adjusted"),
    CallSpec("file_ticket", "File a ticket", ("tile",), "ticket_filed", "Ticket filed for {title}"),
    CallSpec(
        "alert_reliability",
        "Alert reliability",
        ("tile",),
        "reliability_alerted",
        "Reliability team alerted about {title}",
    ),
    CallSpec("retry", "Retry", ("tile",), "retried", "Retried {title}"),
    CallSpec("no_action", "No action", ("inventory", "tile"), "no_action", "No action taken; the decision is logged"),
)

CALLS: Mapping[str, CallSpec] = {spec.id: spec for spec in _SPECS}
"""Every call by id, in the order the pages offer them."""

CALLS_BY_KIND: Mapping[str, tuple[str, ...]] = {
    kind: tuple(spec.id for spec in _SPECS if kind in spec.kinds) for kind in ITEM_KINDS
}
DRAFT_CALLS: tuple[str, ...] = tuple(spec.id for spec in _SPECS if spec.needs_draft)
CALL_LABELS: Mapping[str, str] = {spec.id: spec.label for spec in _SPECS}


def label_of(call: str) -> str:
    """The call's label; an unknown id (an old record) is shown as it is."""
    spec = CALLS.get(call)
    return spec.label if spec else call


def calls_for(kind: str, *, has_draft: bool) -> tuple[str, ...]:
    """The calls offered on an item of this kind; the draft calls only when it carries an AI draft."""
    return tuple(c for c in CALLS_BY_KIND[kind] if has_draft or not CALLS[c].needs_draft)
