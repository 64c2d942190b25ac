"""The Operator Control Center as a trainee sees it: six tiles from a scenario and its queue.

Reading the dashboard is a skill the curriculum scores (an error is not an
empty list, a rate-limit banner is not an outage), so what each tile shows is
decided here, in one pure function the tests can pin down, and the Streamlit
widget only draws it. The author's `dashboard:` block gives the figures; the
queue adds what the trainee will be asked about: tile items put a tile into
their state, inventory items join the heatmap, and breached conversations fill
CX Escalations.

The replica is live: given the calls made so far and the shift clock, an
answered conversation leaves CX Escalations, one whose SLA runs out during the
shift joins it, a drafted purchase order shows on its heatmap row and a filed
ticket marks its tile, as the real dashboard would show them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from optrain.queue import Queue, QueueEntry, cover_band
from optrain.scenarios.model import (
    TILE_TITLES,
    ConversationItem,
    CxEscalations,
    FulfillmentHealth,
    InventoryHeatmap,
    InventoryItem,
    OpsPulse,
    SalesPulse,
    Scenario,
    SeoWatch,
    TileBase,
    TileId,
    TileItem,
    TileState,
    TileStatus,
)
from optrain.shift import sla_at
from optrain.sla import MISS_LABELS, unix

TILE_ORDER: tuple[TileId, ...] = (
    "ops_pulse",
    "sales_pulse",
    "fulfillment_health",
    "inventory_heatmap",
    "cx_escalations",
    "seo_watch",
)
RATE_LIMIT_BANNER = "API rate limit exceeded."
CONFIGURATION_REQUIRED = "Configuration required"
DEFAULT_ERRORS: dict[str, str] = {
    "error": "The integration failed: the data source did not answer.",
    "unconfigured": f"{CONFIGURATION_REQUIRED}: credentials are missing or setup is unfinished.",
}
EMPTY_MESSAGES: dict[str, str] = {
    "ops_pulse": "No SLA activity in this period",
    "sales_pulse": "No sales in this period",
    "fulfillment_health": "No stuck orders",
    "inventory_heatmap": "No SKUs to watch",
    "cx_escalations": "No SLA breaches detected",
    "seo_watch": "No landing pages lost sessions",
}
BREACHED_SLA = frozenset({"missed", "active_with_misses"})
# Calls that send the customer a reply: the conversation is answered and leaves CX Escalations.
REPLY_CALLS = frozenset({"approve_template", "approve_draft", "edit_draft"})
# What the dashboard shows on a heatmap row or a tile once the call is made.
STOCK_ACTIONS: dict[str, str] = {
    "reorder": "PO drafted",
    "mark_intentional": "marked intentional",
    "adjust_quantity": "quantity adjusted",
}
TILE_ACTIONS: dict[str, str] = {
    "file_ticket": "Ticket filed",
    "alert_reliability": "Reliability team alerted",
    "retry": "Retried",
}


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str | None = None


@dataclass(frozen=True)
class TopSellerRow:
    sku: str
    title: str
    units_sold: int


@dataclass(frozen=True)
class StuckOrderRow:
    order_id: str
    state: str
    reason: str
    age_hours: float

    @property
    def age(self) -> str:
        return ago(self.age_hours * 60).removesuffix(" ago")


@dataclass(frozen=True)
class StockRow:
    sku: str
    title: str
    units: int
    days_of_cover: float
    band: str
    item_id: str | None = None
    note: str | None = None
    action: str | None = None  # "PO drafted" once the trainee's call is made


@dataclass(frozen=True)
class EscalationRow:
    """A breached conversation with what an operator needs to open it: who, since when, what was said."""

    item_id: str
    conversation_id: int
    customer: str
    status: str
    priority: str | None
    labels: tuple[str, ...]
    missed: tuple[str, ...]
    created_at: datetime
    breached_at: datetime
    breached_minutes_ago: int
    last_message: str

    @property
    def breach(self) -> str:
        return f"breached {ago(self.breached_minutes_ago)}"


@dataclass(frozen=True)
class PageRow:
    path: str
    sessions_last_week: int
    sessions_this_week: int

    @property
    def change_pct(self) -> float | None:
        """Week-over-week change in percent; None when last week had no sessions to compare with."""
        if self.sessions_last_week == 0:
            return None
        return (self.sessions_this_week - self.sessions_last_week) / self.sessions_last_week * 100


Row = TopSellerRow | StuckOrderRow | StockRow | EscalationRow | PageRow


@dataclass(frozen=True)
class TileView:
    """One tile as drawn. `error` is set only for the error and unconfigured statuses."""

    id: TileId
    title: str
    status: TileStatus
    source: str
    refreshed_minutes_ago: int
    banner: str | None = None
    error: str | None = None
    note: str | None = None
    empty_message: str = ""
    metrics: tuple[Metric, ...] = ()
    rows: tuple[Row, ...] = ()
    item_ids: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # "Ticket filed", from the trainee's calls on this tile's items

    @property
    def metadata(self) -> str:
        return f"Source: {self.source} · refreshed {ago(self.refreshed_minutes_ago)}"

    @property
    def shows_content(self) -> bool:
        """False when an error, a missing configuration or a banner takes the tile's place."""
        return self.error is None and self.banner is None

    @property
    def is_empty(self) -> bool:
        """Nothing to list: the empty message is shown (Ops Pulse only lists metrics)."""
        return not self.rows and (not self.metrics or self.id != "ops_pulse")


def ago(minutes: float) -> str:
    """'just now', '12 min ago', '5 h ago', '3 d ago': exact enough to judge how stale or late."""
    whole = int(minutes)
    if whole < 1:
        return "just now"
    if whole < 120:
        return f"{whole} min ago"
    if whole < 48 * 60:
        return f"{whole // 60} h ago"
    return f"{whole // (24 * 60)} d ago"


# ---------------------------------------------------------------- building


def build_dashboard(
    scenario: Scenario,
    queue: Queue,
    *,
    revealed: Collection[str] = (),
    calls: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> tuple[TileView, ...]:
    """The six tiles in their fixed order, as they stand after `calls` (item id -> call) at `now`.

    Follow-up items join only once `revealed` names them (the operator's call
    led there), so a rate-limit banner that "comes back" after two retries does
    not show before the first one. `now` is the shift clock (default: the
    queue's own moment), so SLA timers run on the same clock as the thread.
    """
    calls = calls or {}
    moment = now or queue.now
    entries = [*queue.entries, *(e for key, e in queue.follow_ups.items() if key in revealed)]
    board = scenario.dashboard
    open_entries = [e for e in entries if calls.get(e.item.id) not in REPLY_CALLS]
    tiles: dict[str, TileView] = {
        "ops_pulse": _ops_pulse(board.ops_pulse),
        "sales_pulse": _sales_pulse(board.sales_pulse),
        "fulfillment_health": _fulfillment(board.fulfillment_health),
        "inventory_heatmap": _inventory(board.inventory_heatmap, [e.item for e in entries], calls),
        "cx_escalations": _escalations(board.cx_escalations, open_entries, moment),
        "seo_watch": _seo(board.seo_watch),
    }
    for entry in entries:
        if isinstance(entry.item, TileItem):
            item = entry.item
            tiles[item.tile] = apply_tile_state(tiles[item.tile], item.state, item.message, item.id)
            if calls.get(item.id) in TILE_ACTIONS:
                tile = tiles[item.tile]
                tiles[item.tile] = dataclasses.replace(tile, actions=(*tile.actions, TILE_ACTIONS[calls[item.id]]))
    return tuple(tiles[tile_id] for tile_id in TILE_ORDER)


def tile_of(tiles: Iterable[TileView], item_id: str) -> TileView | None:
    """The tile an item belongs to, as drawn: the queue row and the item panel show its state."""
    return next((t for t in tiles if item_id in t.item_ids), None)


def apply_tile_state(tile: TileView, state: TileState, message: str, item_id: str | None = None) -> TileView:
    """Put a tile into the state a tile item trains: the figures stay, what covers them changes."""
    changes: dict[str, Any] = {}
    if state == "error":
        changes = {"status": "error", "error": message, "banner": None}
    elif state == "unconfigured":
        changes = {"status": "unconfigured", "error": configuration_text(message), "banner": None}
    elif state == "rate_limited":
        detail = None if message.strip() == RATE_LIMIT_BANNER else message
        changes = {"status": "attention", "banner": RATE_LIMIT_BANNER, "note": detail}
    elif state == "empty":
        changes = {
            "status": "healthy",
            "rows": (),
            "metrics": (),
            "empty_message": message,
            "error": None,
            "banner": None,
        }
    else:
        changes = {"status": "attention", "note": message}
    if item_id is not None:
        changes["item_ids"] = (*tile.item_ids, item_id)
    return dataclasses.replace(tile, **changes)


def configuration_text(message: str) -> str:
    """'Configuration required: <message>', without repeating the words when the message has them."""
    if message.lower().startswith(CONFIGURATION_REQUIRED.lower()):
        return message
    return f"{CONFIGURATION_REQUIRED}: {message}"


def _base(tile_id: TileId, model: TileBase, *, derived_status: TileStatus | None = None) -> TileView:
    """The author's status and texts; `derived_status` applies only when the author set no status."""
    status = model.status
    if derived_status is not None and "status" not in model.model_fields_set:
        status = derived_status
    error = None
    if status in DEFAULT_ERRORS:
        error = model.error or DEFAULT_ERRORS[status]
        if status == "unconfigured":
            error = configuration_text(error)
    return TileView(
        id=tile_id,
        title=TILE_TITLES[tile_id],
        status=status,
        source=model.source,
        refreshed_minutes_ago=model.refreshed_minutes_ago,
        banner=model.banner,
        error=error,
        empty_message=EMPTY_MESSAGES[tile_id],
    )


def _ops_pulse(model: OpsPulse) -> TileView:
    metrics = (
        Metric("Activation rate", f"{model.activation_rate:.0%}", "Share of operators active this shift"),
        Metric("First response", f"{model.first_response_minutes:.0f} min", "Median time to first reply"),
        Metric("Resolved within SLA", f"{model.resolved_within_sla:.0%}"),
        Metric("Open conversations", f"{model.open_conversations:,}"),
    )
    return dataclasses.replace(_base("ops_pulse", model), metrics=metrics)


def _sales_pulse(model: SalesPulse) -> TileView:
    metrics = (
        Metric("Revenue", f"${model.revenue:,.2f}"),
        Metric("Orders", f"{model.order_count:,}"),
        Metric("Open fulfillments", f"{model.open_fulfillments:,}"),
    )
    rows = tuple(
        TopSellerRow(s.sku, s.title, s.units_sold) for s in sorted(model.top_skus, key=lambda s: -s.units_sold)
    )
    return dataclasses.replace(_base("sales_pulse", model), metrics=metrics, rows=rows)


def _fulfillment(model: FulfillmentHealth) -> TileView:
    rows = tuple(
        StuckOrderRow(o.order_id, o.state, o.reason, o.age_hours)
        for o in sorted(model.stuck_orders, key=lambda o: -o.age_hours)
    )
    return dataclasses.replace(_base("fulfillment_health", model), rows=rows)


def _inventory(model: InventoryHeatmap, items: Iterable[object], calls: Mapping[str, str]) -> TileView:
    """The author's SKUs plus the queue's inventory items; an item replaces a SKU it shares."""
    rows: dict[str, StockRow] = {
        s.sku: StockRow(s.sku, s.title, s.units, s.days_of_cover, cover_band(s.days_of_cover)) for s in model.skus
    }
    for item in items:
        if isinstance(item, InventoryItem):
            rows[item.sku] = StockRow(
                item.sku,
                item.product,
                item.units,
                item.days_of_cover,
                cover_band(item.days_of_cover),
                item_id=item.id,
                note=item.note,
                action=STOCK_ACTIONS.get(calls.get(item.id, "")),
            )
    ordered = tuple(sorted(rows.values(), key=lambda r: (r.days_of_cover, r.sku)))
    red = any(r.band == "red" for r in ordered)
    tile = _base("inventory_heatmap", model, derived_status="attention" if red else "healthy")
    return dataclasses.replace(tile, rows=ordered, item_ids=tuple(r.item_id for r in ordered if r.item_id))


def _escalations(model: CxEscalations, entries: Iterable[QueueEntry], now: datetime) -> TileView:
    rows = [row for e in entries if (row := escalation_row(e, now)) is not None]
    rows.sort(key=lambda r: (r.breached_at, r.item_id))
    tile = _base("cx_escalations", model, derived_status="attention" if rows else "healthy")
    return dataclasses.replace(
        tile,
        rows=tuple(rows),
        empty_message=model.empty_message,
        item_ids=tuple(r.item_id for r in rows),
    )


def escalation_row(entry: QueueEntry, now: datetime) -> EscalationRow | None:
    """The CX Escalations row of a conversation whose SLA is breached, else None."""
    if not isinstance(entry.item, ConversationItem):
        return None
    payload = entry.payload
    sla = payload.get("applied_sla") or {}
    if sla.get("sla_status") in BREACHED_SLA and sla.get("breached_at") is not None:
        breached_at = int(sla["breached_at"])
        missed = tuple(sla.get("missed") or ())
    else:  # breached since the queue was drawn, as the shift clock ran on
        view = sla_at(payload, now)
        if view is None or not view.breached:
            return None
        breached_at, missed = unix(now) + view.seconds_to_breach, ("frt",)
    messages = payload.get("messages") or []
    return EscalationRow(
        item_id=entry.item.id,
        conversation_id=int(payload["id"]),
        customer=str(payload["meta"]["sender"].get("name") or "Unknown customer"),
        status=str(payload["status"]),
        priority=payload.get("priority"),
        labels=tuple(str(label) for label in payload.get("labels") or ()),
        missed=tuple(MISS_LABELS.get(kind, kind) for kind in missed),
        created_at=_utc(int(payload["created_at"])),
        breached_at=_utc(breached_at),
        breached_minutes_ago=max(0, unix(now) - breached_at) // 60,
        last_message=str(messages[-1]["content"]) if messages else "",
    )


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _seo(model: SeoWatch) -> TileView:
    rows = [PageRow(p.path, p.sessions_last_week, p.sessions_this_week) for p in model.pages]
    rows.sort(key=lambda r: (r.change_pct is None, r.change_pct or 0.0, r.path))
    return dataclasses.replace(_base("seo_watch", model), rows=tuple(rows))
