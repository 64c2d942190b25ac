"""The scenario format as strict, immutable pydantic models.

Unknown keys are rejected everywhere (`extra="forbid"`) so a typo in a YAML
file is an error with a path, never a silently ignored setting. Cross-field
rules (templates exist, calls fit the item kind, follow-ups point somewhere)
live in `optrain.scenarios.checks` so that each error can name its own path.
"""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AllowInfNan, AwareDatetime, BaseModel, ConfigDict, Discriminator, Field, Strict, Tag

# What a call is lives in optrain.calls; the names stay importable from here.
from optrain.calls import CALL_LABELS as CALL_LABELS
from optrain.calls import CALLS_BY_KIND as CALLS_BY_KIND
from optrain.calls import DRAFT_CALLS as DRAFT_CALLS
from optrain.scenarios.reply_model import DraftDefect, ReplyChecks

Module = Literal[
    "introduction",
    "navigation",
    "cx_escalations",
    "sales_inventory",
    "decision_logging",
    "error_handling",
    "hands_on",
    "custom",
]
AGENDA: tuple[str, ...] = typing.get_args(Module)
AGENDA_TITLES: dict[str, str] = {
    "introduction": "1. Introduction",
    "navigation": "2. Dashboard navigation",
    "cx_escalations": "3. CX escalations",
    "sales_inventory": "4. Sales and inventory",
    "decision_logging": "5. Decision logging",
    "error_handling": "6. Error handling",
    "hands_on": "7. Hands-on practice",
    "custom": "Custom scenarios",
}
Difficulty = Literal["beginner", "intermediate", "advanced"]
FeedbackMode = Literal["coach", "exam"]
TileStatus = Literal["healthy", "attention", "error", "unconfigured"]
TileId = Literal["ops_pulse", "sales_pulse", "fulfillment_health", "inventory_heatmap", "cx_escalations", "seo_watch"]
TILE_TITLES: dict[str, str] = {
    "ops_pulse": "Ops Pulse",
    "sales_pulse": "Sales Pulse",
    "fulfillment_health": "Fulfillment Health",
    "inventory_heatmap": "Inventory Heatmap",
    "cx_escalations": "CX Escalations",
    "seo_watch": "SEO & Content Watch",
}
Channel = Literal["email", "web_chat", "phone", "social"]
ConversationStatus = Literal["open", "pending", "resolved", "snoozed"]
Priority = Literal["low", "medium", "high", "urgent"]
Tier = Literal["self_service", "tier1", "tier2", "tier3", "executive"]
Intent = Literal[
    "shipping_delay",
    "order_status",
    "defect",
    "refund_request",
    "policy_exception",
    "fitment_doubt",
    "rush_order",
    "warranty",
    "bulk_order",
]
AnswerKind = Literal["text", "yes_somewhat_no", "rating"]
TileState = Literal["error", "unconfigured", "empty", "rate_limited", "wrong_data"]

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
DEFAULT_START = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)

# Numbers and booleans are strict: YAML's `true`, `"15"` or `.nan` in a number field is an
# error with its place, never a silent 1, 15 or NaN that breaks scoring later.
Number = Annotated[float, Strict(), AllowInfNan(False)]
WholeNumber = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------- templates


class TemplateSpec(Frozen):
    """A reply template added by a scenario, next to the built-in ones."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: ShortText
    body: LongText


# ---------------------------------------------------------------- dashboard


class TileBase(Frozen):
    status: TileStatus = "healthy"
    source: ShortText
    refreshed_minutes_ago: Annotated[WholeNumber, Field(ge=0, le=10_080)] = 2
    banner: ShortText | None = None
    error: ShortText | None = None


class TopSku(Frozen):
    sku: ShortText
    title: ShortText
    units_sold: Annotated[WholeNumber, Field(ge=0)]


class StuckOrder(Frozen):
    order_id: ShortText
    state: Literal["pending", "processing"]
    reason: ShortText
    age_hours: Annotated[Number, Field(ge=0)]


class StockLevel(Frozen):
    sku: ShortText
    title: ShortText
    units: Annotated[WholeNumber, Field(ge=0)]
    days_of_cover: Annotated[Number, Field(ge=0)]


class PageDrop(Frozen):
    path: ShortText
    sessions_last_week: Annotated[WholeNumber, Field(ge=0)]
    sessions_this_week: Annotated[WholeNumber, Field(ge=0)]


class OpsPulse(TileBase):
    source: ShortText = "Chatwoot reports API"
    activation_rate: Annotated[Number, Field(ge=0, le=1)] = 0.82
    first_response_minutes: Annotated[Number, Field(ge=0)] = 38.0
    resolved_within_sla: Annotated[Number, Field(ge=0, le=1)] = 0.91
    open_conversations: Annotated[WholeNumber, Field(ge=0)] = 42


class SalesPulse(TileBase):
    source: ShortText = "Shopify Admin API"
    revenue: Annotated[Number, Field(ge=0)] = 18_420.50
    order_count: Annotated[WholeNumber, Field(ge=0)] = 97
    open_fulfillments: Annotated[WholeNumber, Field(ge=0)] = 23
    top_skus: tuple[TopSku, ...] = (
        TopSku(sku="LS3-COIL-8", title="LS3 ignition coil pack (set of 8)", units_sold=31),
        TopSku(sku="HDR-SBC-LT", title="Small-block Chevy long-tube headers", units_sold=12),
        TopSku(sku="EDL-1406", title="Edelbrock 1406 600 cfm carburetor", units_sold=9),
    )


class FulfillmentHealth(TileBase):
    source: ShortText = "Shopify Admin API"
    stuck_orders: tuple[StuckOrder, ...] = (
        StuckOrder(order_id="#HR-10391", state="pending", reason="Payment review", age_hours=26),
        StuckOrder(order_id="#HR-10402", state="processing", reason="Freight quote missing (LTL)", age_hours=49),
    )


class InventoryHeatmap(TileBase):
    source: ShortText = "Shopify inventory levels"
    skus: tuple[StockLevel, ...] = (
        StockLevel(sku="HOODIE-BLK-M", title="Hot Rodan hoodie, black, M", units=15, days_of_cover=5),
        StockLevel(sku="BRK-PAD-CER-F", title="Ceramic front brake pads", units=64, days_of_cover=11),
        StockLevel(sku="OIL-10W30-5Q", title="Racing oil 10W-30, 5 qt", units=220, days_of_cover=31),
    )


class CxEscalations(TileBase):
    source: ShortText = "Chatwoot conversations API"
    empty_message: ShortText = "No SLA breaches detected"


class SeoWatch(TileBase):
    source: ShortText = "Google Search Console"
    pages: tuple[PageDrop, ...] = (
        PageDrop(path="/collections/headers", sessions_last_week=1840, sessions_this_week=1215),
        PageDrop(path="/blogs/tech/ls-swap-guide", sessions_last_week=960, sessions_this_week=702),
    )


class Dashboard(Frozen):
    """The mock figures of the six tiles; every tile has realistic defaults."""

    ops_pulse: OpsPulse = OpsPulse()
    sales_pulse: SalesPulse = SalesPulse()
    fulfillment_health: FulfillmentHealth = FulfillmentHealth()
    inventory_heatmap: InventoryHeatmap = InventoryHeatmap()
    cx_escalations: CxEscalations = CxEscalations()
    seo_watch: SeoWatch = SeoWatch()


# ---------------------------------------------------------------- queue items


class Call(Frozen):
    """A call an operator can make: the action, and the template for template replies."""

    call: Annotated[str, Field(min_length=1, max_length=40)]
    template: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class Alternative(Call):
    """An accepted call other than the expected one, worth a share of the points."""

    credit: Annotated[Number, Field(ge=0, le=1)]
    feedback: LongText | None = None


class Customer(Frozen):
    name: ShortText | None = None
    email: ShortText | None = None
    phone: ShortText | None = None
    vip: StrictBool = False


class Order(Frozen):
    id: ShortText | None = None
    value: Annotated[Number, Field(ge=0, le=10_000_000)] | None = None
    sku: ShortText | None = None
    part: ShortText | None = None
    vehicle: ShortText | None = None
    carrier: ShortText | None = None
    tracking_number: ShortText | None = None
    eta: ShortText | None = None


class Message(Frozen):
    sender: Literal["customer", "agent"] = "customer"
    text: LongText
    minutes_ago: Annotated[WholeNumber, Field(ge=0, le=100_000)] = 0


class ItemBase(Frozen):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: ShortText | None = None
    follow_up: StrictBool = False
    expected: Call
    alternatives: tuple[Alternative, ...] = ()
    points: Annotated[Number, Field(gt=0, le=100)] = 1
    critical: StrictBool = False
    rationale: LongText
    rule: Annotated[str, Field(min_length=1, max_length=64)]
    follow_ups: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=dict)
    time_target_seconds: Annotated[WholeNumber, Field(ge=5, le=3600)] = 90


class ConversationItem(ItemBase):
    kind: Literal["conversation"]
    intent: Intent | None = None
    customer: Customer | None = None
    channel: Channel | None = None
    status: ConversationStatus = "open"
    priority: Priority | None = None
    labels: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    tier: Tier = "tier1"
    waiting_minutes: Annotated[WholeNumber, Field(ge=0, le=100_000)] | None = None
    messages: tuple[Message, ...] = ()
    message: LongText | None = None
    order: Order | None = None
    ai_draft: LongText | None = None
    draft_defects: tuple[DraftDefect, ...] = ()
    reply_checks: ReplyChecks | None = None


# More than this for one SKU is a typing slip, not an order (and the most a scenario's range may name).
MAX_ORDER_QUANTITY = 100_000


class QuantityRange(Frozen):
    """The quantity a reorder (draft PO) should ask for; outside it the call earns `credit_outside` of its points."""

    min: Annotated[WholeNumber, Field(ge=1, le=MAX_ORDER_QUANTITY)]
    max: Annotated[WholeNumber, Field(ge=1, le=MAX_ORDER_QUANTITY)]
    unit: Annotated[str, Field(min_length=1, max_length=20)] = "units"
    credit_outside: Annotated[Number, Field(ge=0, le=1)] = 0.5


class InventoryItem(ItemBase):
    kind: Literal["inventory"]
    sku: ShortText
    product: ShortText
    units: Annotated[WholeNumber, Field(ge=0)]
    days_of_cover: Annotated[Number, Field(ge=0)]
    note: LongText | None = None
    reorder_quantity: QuantityRange | None = None
    time_target_seconds: Annotated[WholeNumber, Field(ge=5, le=3600)] = 60


class TileItem(ItemBase):
    kind: Literal["tile"]
    tile: TileId
    state: TileState
    message: LongText
    retries: Annotated[WholeNumber, Field(ge=0, le=10)] = 0
    time_target_seconds: Annotated[WholeNumber, Field(ge=5, le=3600)] = 60


class GeneratedSpec(Frozen):
    count: Annotated[WholeNumber, Field(ge=1, le=1000)]
    intents: dict[Intent, Annotated[Number, Field(gt=0)]] = Field(min_length=1)


class GeneratedBlock(Frozen):
    """Background conversations made by the mock queue from weighted intents."""

    generated: GeneratedSpec


Item = ConversationItem | InventoryItem | TileItem


def _entry_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "generated" in value:
            return "generated"
        kind = value.get("kind")
        return kind if kind in CALLS_BY_KIND else None
    if isinstance(value, GeneratedBlock):
        return "generated"
    return getattr(value, "kind", None)


QueueEntry = Annotated[
    Annotated[ConversationItem, Tag("conversation")]
    | Annotated[InventoryItem, Tag("inventory")]
    | Annotated[TileItem, Tag("tile")]
    | Annotated[GeneratedBlock, Tag("generated")],
    Discriminator(
        _entry_tag,
        custom_error_type="queue_entry",
        custom_error_message=("each queue entry needs kind: conversation, inventory or tile, or a generated: block"),
    ),
]
QUEUE_TAGS: frozenset[str] = frozenset({"conversation", "inventory", "tile", "generated"})


# ---------------------------------------------------------------- scenario


class Question(Frozen):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    text: Annotated[str, Field(min_length=1, max_length=500)]
    part: Module
    kind: AnswerKind = "text"


class Scenario(Frozen):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: ShortText
    version: Annotated[WholeNumber, Field(ge=1, strict=True)]
    module: Module
    difficulty: Difficulty
    estimated_minutes: Annotated[WholeNumber, Field(ge=1, le=240)] | None = None
    briefing: LongText
    feedback_mode: FeedbackMode = "coach"
    # Moodle's quiz convention: at the limit the attempt is finished for the trainee (see training.py).
    time_limit_minutes: Annotated[WholeNumber, Field(ge=1, le=600)] | None = None
    required: StrictBool = True
    certification: StrictBool = False
    pass_mark: Annotated[Number, Field(ge=0, le=1)] = 0.8
    seed: Annotated[WholeNumber, Field(ge=0, le=2**63 - 1)] | None = None
    shift_minutes: Annotated[WholeNumber, Field(ge=1, le=720)] = 60
    starts_at: AwareDatetime = DEFAULT_START
    shop_domain: ShortText = "hotrodan.myshopify.com"
    templates: tuple[TemplateSpec, ...] = ()
    dashboard: Dashboard = Dashboard()
    queue: tuple[QueueEntry, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = ()

    @property
    def scripted_items(self) -> tuple[Item, ...]:
        """Scripted items in file order, follow-up items included."""
        return tuple(e for e in self.queue if not isinstance(e, GeneratedBlock))

    @property
    def generated_specs(self) -> tuple[GeneratedSpec, ...]:
        return tuple(e.generated for e in self.queue if isinstance(e, GeneratedBlock))
