"""Reply checks in the scenario format: what a reply sent to a customer must and must not do.

Kept apart from `model.py` so the scenario models stay readable; the item models
reference `ReplyChecks` and `DraftDefect` with one field each. Everything has a
default taken from the item's own data (see `optrain.reply_checks`), so an
author writes only what differs.
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Dimension = Literal["factuality", "helpfulness", "tone", "policy"]
DIMENSIONS: tuple[str, ...] = typing.get_args(Dimension)
DIMENSION_TITLES: dict[str, str] = {
    "factuality": "Factuality",
    "helpfulness": "Helpfulness",
    "tone": "Tone",
    "policy": "Policy",
}
Fact = Literal[
    "order.id",
    "order.tracking_number",
    "order.eta",
    "order.carrier",
    "order.total",
    "customer.first_name",
]
FACTS: tuple[str, ...] = typing.get_args(Fact)
# The built-in checks an item can switch off or re-weight by name.
CheckKind = Literal[
    "facts",
    "answer",
    "greeting",
    "apology",
    "no_blame",
    "no_shouting",
    "length",
    "no_placeholder",
    "refund_limit",
    "no_unlisted_date",
    "no_internal_note",
    "no_other_customer",
]
CHECK_KINDS: tuple[str, ...] = typing.get_args(CheckKind)
DefectKind = Literal[
    "wrong_order_id",
    "wrong_eta",
    "wrong_tracking",
    "wrong_name",
    "wrong_amount",
    "wrong_part",
    "over_policy_promise",
    "policy_breach",
    "unlisted_date",
    "internal_note",
    "other_customer",
    "rude",
    "blame",
    "shouting",
    "placeholder",
    "unhelpful",
]
DEFECT_KINDS: tuple[str, ...] = typing.get_args(DefectKind)
# Each defect kind's dimension, and whether leaving it in fails the reply outright.
DEFECT_DIMENSIONS: dict[str, tuple[Dimension, bool]] = {
    "wrong_order_id": ("factuality", False),
    "wrong_eta": ("factuality", False),
    "wrong_tracking": ("factuality", False),
    "wrong_name": ("factuality", False),
    "wrong_amount": ("factuality", False),
    "wrong_part": ("factuality", False),
    "over_policy_promise": ("policy", True),
    "policy_breach": ("policy", True),
    "unlisted_date": ("policy", False),
    "internal_note": ("policy", True),
    "other_customer": ("policy", True),
    "rude": ("tone", False),
    "blame": ("tone", False),
    "shouting": ("tone", False),
    "placeholder": ("factuality", True),
    "unhelpful": ("helpfulness", False),
}

Weight = Annotated[float, Field(gt=0, le=10)]
Phrase = Annotated[str, Field(min_length=1, max_length=200)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PhraseCheck(_Frozen):
    """A phrase (`text`, any case) or a regular expression (`pattern`) the reply must not / must contain."""

    text: Phrase | None = None
    pattern: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    dimension: Dimension | None = None
    weight: Weight = 1
    critical: bool = False
    why: Annotated[str, Field(min_length=1, max_length=500)] | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _one_of(self) -> PhraseCheck:
        if (self.text is None) == (self.pattern is None):
            raise ValueError("give exactly one of text or pattern")
        return self

    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern or re.escape(self.text or ""), re.IGNORECASE)


class ReplyChecks(_Frozen):
    """What a reply to this item must and must not do; each field overrides one default."""

    facts: tuple[Fact, ...] | None = None
    answer: Literal["tracking", "next_step", "none"] | None = None
    apology: bool | None = None
    refund_limit: Annotated[float, Field(ge=0, le=10_000_000)] | None = None
    min_chars: Annotated[int, Field(ge=0, le=5_000)] = 40
    max_chars: Annotated[int, Field(ge=1, le=5_000)] = 1_500
    forbid: tuple[PhraseCheck, ...] = ()
    require: tuple[PhraseCheck, ...] = ()
    off: tuple[CheckKind, ...] = ()
    critical: tuple[CheckKind, ...] = ()
    weights: dict[CheckKind, Weight] = Field(default_factory=dict)


class DraftDefect(_Frozen):
    """A defect the AI draft carries: its kind, the text as the draft has it, and what a fixed draft says."""

    kind: DefectKind
    text: Phrase
    fix: Annotated[str, Field(max_length=500)] = ""
