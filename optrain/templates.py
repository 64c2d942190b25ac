"""Canned reply templates with Chatwoot-style variables.

Rendering is strict: a variable that is not known, or known but without a
value for this conversation, raises TemplateError instead of leaving a blank
in a reply that a customer would read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from optrain.errors import TemplateError

VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")

KNOWN_VARIABLES: tuple[str, ...] = (
    "contact.name",
    "contact.first_name",
    "contact.last_name",
    "contact.email",
    "contact.phone",
    "order.id",
    "order.total",
    "order.carrier",
    "order.tracking_number",
    "order.eta",
    "agent.name",
    "shop.name",
    "conversation.id",
)
ALIASES: dict[str, str] = {"name": "contact.name"}


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    body: str


BUILTIN_TEMPLATES: dict[str, Template] = {
    t.id: t
    for t in (
        Template(
            "ack_delay",
            "Acknowledge delay",
            "Hi {{contact.first_name}},\n\n"
            "Thanks for your patience, and I'm sorry we haven't got back to you sooner "
            "about order {{order.id}}. I've flagged it with our fulfilment team and "
            "we're checking where it is right now. You'll hear from me again within "
            "24 hours, sooner if we get tracking news.\n\n"
            "{{agent.name}}\n{{shop.name}} customer care",
        ),
        Template(
            "ship_update",
            "Shipping updated",
            "Hi {{contact.first_name}},\n\n"
            "Good news: order {{order.id}} is on its way with {{order.carrier}}. "
            "Your tracking number is {{order.tracking_number}} and the current "
            "estimated delivery is {{order.eta}}. If anything changes we'll let you "
            "know straight away.\n\n"
            "{{agent.name}}\n{{shop.name}} customer care",
        ),
        Template(
            "refund_offer",
            "Refund offer",
            "Hi {{contact.first_name}},\n\n"
            "I'm sorry the part from order {{order.id}} didn't hold up; that's not the "
            "standard we aim for. We'd like to make it right with a full refund of "
            "{{order.total}} to your original payment method. There's no need to ship "
            "the faulty part back unless we ask for it. Just reply to confirm and "
            "we'll process it today.\n\n"
            "{{agent.name}}\n{{shop.name}} customer care",
        ),
    )
}


def unknown_variables(body: str) -> tuple[str, ...]:
    """Variables in a body that the renderer would refuse."""
    return tuple(
        match.group(1)
        for match in VARIABLE_RE.finditer(body)
        if ALIASES.get(match.group(1), match.group(1)) not in KNOWN_VARIABLES
    )


def render(body: str, context: Mapping[str, str]) -> str:
    """Fill every {{variable}} from context; unknown or empty variables are errors."""

    def fill(match: re.Match[str]) -> str:
        raw = match.group(1)
        name = ALIASES.get(raw, raw)
        if name not in KNOWN_VARIABLES:
            raise TemplateError(f"{{{{{raw}}}}} is not a known variable; use one of: " + ", ".join(KNOWN_VARIABLES))
        value = context.get(name)
        if value is None or str(value) == "":
            raise TemplateError(f"{{{{{raw}}}}} has no value for this conversation")
        return str(value)

    return VARIABLE_RE.sub(fill, body)
