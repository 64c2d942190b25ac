"""The six tiles: order, the states tile items put them in, the heatmap bands and the CX breach list."""

from dataclasses import replace
from datetime import timedelta

import pytest

from optrain.dashboard import (
    CONFIGURATION_REQUIRED,
    DEFAULT_ERRORS,
    RATE_LIMIT_BANNER,
    TILE_ORDER,
    PageRow,
    ago,
    build_dashboard,
    tile_of,
)
from optrain.queue import generate_queue
from optrain.scenarios.model import DEFAULT_START, TILE_TITLES, Scenario
from optrain.sla import policy_for

NOW = DEFAULT_START
RETRY_ONCE = "API rate limit exceeded. (You have retried twice; it came back both times.)"


def make_scenario(queue: list[dict], dashboard: dict | None = None) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "dash",
            "title": "Dashboard",
            "version": 1,
            "module": "error_handling",
            "difficulty": "beginner",
            "briefing": "Read the tiles.",
            "seed": 7,
            "dashboard": dashboard or {},
            "queue": queue,
        }
    )


def tile_item(item_id: str, tile: str, state: str, message: str, **fields: object) -> dict:
    return {
        "kind": "tile",
        "id": item_id,
        "tile": tile,
        "state": state,
        "message": message,
        "expected": {"call": "file_ticket"},
        "rationale": "Because.",
        "rule": "tile_integration_error",
        **fields,
    }


def stock_item(item_id: str, sku: str, days: float, units: int = 10) -> dict:
    return {
        "kind": "inventory",
        "id": item_id,
        "sku": sku,
        "product": f"Product {sku}",
        "units": units,
        "days_of_cover": days,
        "expected": {"call": "reorder"},
        "rationale": "Because.",
        "rule": "low_cover_reorder",
    }


def conversation(item_id: str, name: str, waiting: int, **fields: object) -> dict:
    return {
        "kind": "conversation",
        "id": item_id,
        "intent": "shipping_delay",
        "customer": {"name": name},
        "messages": [{"text": "Where is my order?", "minutes_ago": waiting}],
        "expected": {"call": "approve_template", "template": "ack_delay"},
        "rationale": "Because.",
        "rule": "sla_breached_no_news",
        **fields,
    }


def tiles_of(scenario: Scenario, **kwargs: object) -> dict:
    return {t.id: t for t in build_dashboard(scenario, generate_queue(scenario, NOW), **kwargs)}


# ---------------------------------------------------------------- order and defaults


def test_six_tiles_in_fixed_order_with_their_titles():
    scenario = make_scenario([stock_item("s", "X-1", 3)])
    tiles = build_dashboard(scenario, generate_queue(scenario, NOW))
    assert [t.id for t in tiles] == list(TILE_ORDER)
    assert [t.title for t in tiles] == [TILE_TITLES[t] for t in TILE_ORDER]
    assert len(set(TILE_ORDER)) == 6 == len(TILE_TITLES)


def test_metadata_names_source_and_refresh_time():
    tiles = tiles_of(
        make_scenario(
            [stock_item("s", "X-1", 3)], {"seo_watch": {"source": "Search Console", "refreshed_minutes_ago": 14}}
        )
    )
    assert tiles["seo_watch"].metadata == "Source: Search Console · refreshed 14 min ago"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "just now"),
        (0.9, "just now"),
        (1, "1 min ago"),
        (119, "119 min ago"),
        (120, "2 h ago"),
        (48 * 60 - 1, "47 h ago"),
        (48 * 60, "2 d ago"),
    ],
)
def test_ago(minutes, text):
    assert ago(minutes) == text


# ---------------------------------------------------------------- tile item states


STATE_CASES = [
    # state, message, status, error, banner, note
    ("error", "Shop API down (HTTP 502).", "error", "Shop API down (HTTP 502).", None, None),
    (
        "unconfigured",
        "the app lacks read_orders.",
        "unconfigured",
        f"{CONFIGURATION_REQUIRED}: the app lacks read_orders.",
        None,
        None,
    ),
    (
        "unconfigured",
        "Configuration required: token missing.",
        "unconfigured",
        "Configuration required: token missing.",
        None,
        None,
    ),
    ("rate_limited", RATE_LIMIT_BANNER, "attention", None, RATE_LIMIT_BANNER, None),
    ("rate_limited", RETRY_ONCE, "attention", None, RATE_LIMIT_BANNER, RETRY_ONCE),
    ("wrong_data", "Revenue $18,420.50 from 0 orders.", "attention", None, None, "Revenue $18,420.50 from 0 orders."),
    ("empty", "Nothing to show today", "healthy", None, None, None),
]


@pytest.mark.parametrize("tile_id", TILE_ORDER)
@pytest.mark.parametrize(("state", "message", "status", "error", "banner", "note"), STATE_CASES)
def test_tile_item_puts_its_tile_in_the_state(tile_id, state, message, status, error, banner, note):
    plain = tiles_of(make_scenario([stock_item("s", "X-1", 3)]))[tile_id]
    tile = tiles_of(make_scenario([stock_item("s", "X-1", 3), tile_item("t", tile_id, state, message)]))[tile_id]
    assert (tile.status, tile.error, tile.banner, tile.note) == (status, error, banner, note)
    assert tile.item_ids[-1] == "t"
    assert tile.shows_content == (state in ("wrong_data", "empty"))
    if state == "empty":
        assert (tile.rows, tile.metrics, tile.empty_message, tile.is_empty) == ((), (), message, True)
    else:
        assert (tile.rows, tile.metrics) == (plain.rows, plain.metrics)


@pytest.mark.parametrize("tile_id", TILE_ORDER)
def test_other_tiles_are_untouched_by_a_tile_item(tile_id):
    others = [t for t in TILE_ORDER if t != tile_id]
    before = tiles_of(make_scenario([stock_item("s", "X-1", 3)]))
    after = tiles_of(make_scenario([stock_item("s", "X-1", 3), tile_item("t", tile_id, "error", "Down.")]))
    assert [after[t] for t in others] == [before[t] for t in others]


def test_error_replaces_an_authored_banner():
    scenario = make_scenario(
        [tile_item("t", "ops_pulse", "error", "Chatwoot unreachable.")],
        {"ops_pulse": {"banner": RATE_LIMIT_BANNER, "status": "attention"}},
    )
    tile = tiles_of(scenario)["ops_pulse"]
    assert (tile.status, tile.error, tile.banner) == ("error", "Chatwoot unreachable.", None)


def test_later_items_for_the_same_tile_win():
    scenario = make_scenario(
        [
            tile_item("first", "seo_watch", "rate_limited", RATE_LIMIT_BANNER),
            tile_item("second", "seo_watch", "error", "Search Console returned HTTP 503."),
        ]
    )
    tile = tiles_of(scenario)["seo_watch"]
    assert (tile.status, tile.error, tile.banner, tile.item_ids) == (
        "error",
        "Search Console returned HTTP 503.",
        None,
        ("first", "second"),
    )


def test_follow_up_items_show_only_once_revealed():
    scenario = make_scenario(
        [
            tile_item("first", "ops_pulse", "rate_limited", RATE_LIMIT_BANNER, follow_ups={"retry": "again"}),
            tile_item("again", "ops_pulse", "rate_limited", RETRY_ONCE, follow_up=True),
        ]
    )
    assert tiles_of(scenario)["ops_pulse"].note is None
    revealed = tiles_of(scenario, revealed={"again"})["ops_pulse"]
    assert (revealed.note, revealed.item_ids) == (RETRY_ONCE, ("first", "again"))


@pytest.mark.parametrize(
    ("authored", "status", "error"),
    [
        ({"status": "error"}, "error", DEFAULT_ERRORS["error"]),
        ({"status": "error", "error": "HTTP 500 from Shopify."}, "error", "HTTP 500 from Shopify."),
        ({"status": "unconfigured"}, "unconfigured", DEFAULT_ERRORS["unconfigured"]),
        ({"status": "unconfigured", "error": "no API token."}, "unconfigured", "Configuration required: no API token."),
        ({"status": "attention", "error": "ignored while not failing"}, "attention", None),
    ],
)
def test_authored_status_and_error_text(authored, status, error):
    tile = tiles_of(make_scenario([stock_item("s", "X-1", 3)], {"sales_pulse": authored}))["sales_pulse"]
    assert (tile.status, tile.error) == (status, error)


# ---------------------------------------------------------------- inventory heatmap


@pytest.mark.parametrize(("days", "band"), [(0, "red"), (6.9, "red"), (7, "yellow"), (14, "yellow"), (14.1, "green")])
def test_heatmap_band_edges_match_the_queue(days, band):
    scenario = make_scenario([stock_item("s", "EDGE-1", days)], {"inventory_heatmap": {"skus": []}})
    row = tiles_of(scenario)["inventory_heatmap"].rows[0]
    assert (row.sku, row.band) == ("EDGE-1", band)
    assert generate_queue(scenario, NOW).entry("s").payload["band"] == band


def test_heatmap_merges_dashboard_skus_and_items_without_duplicates():
    dashboard = {
        "inventory_heatmap": {
            "skus": [
                {"sku": "A-1", "title": "Authored A", "units": 50, "days_of_cover": 20},
                {"sku": "B-2", "title": "Authored B", "units": 9, "days_of_cover": 12},
            ]
        }
    }
    tile = tiles_of(make_scenario([stock_item("b", "B-2", 2.5, units=3), stock_item("c", "C-3", 8)], dashboard))[
        "inventory_heatmap"
    ]
    assert [(r.sku, r.title, r.units, r.days_of_cover, r.item_id) for r in tile.rows] == [
        ("B-2", "Product B-2", 3, 2.5, "b"),
        ("C-3", "Product C-3", 10, 8, "c"),
        ("A-1", "Authored A", 50, 20, None),
    ]
    assert tile.item_ids == ("b", "c")


@pytest.mark.parametrize(
    ("days", "authored", "status"),
    [
        (3, {}, "attention"),
        (20, {}, "healthy"),
        (3, {"status": "healthy"}, "healthy"),
        (20, {"status": "attention"}, "attention"),
    ],
)
def test_heatmap_status_follows_red_skus_unless_the_author_set_one(days, authored, status):
    dashboard = {"inventory_heatmap": {"skus": [], **authored}}
    assert tiles_of(make_scenario([stock_item("s", "X-1", days)], dashboard))["inventory_heatmap"].status == status


# ---------------------------------------------------------------- CX escalations


def frt_minutes() -> int:
    return policy_for("tier1").first_response_time_threshold // 60


def test_breached_conversations_are_listed_oldest_breach_first():
    frt = frt_minutes()
    scenario = make_scenario(
        [
            conversation("fresh", "Casey Fresh", frt // 2),
            conversation("late", "Alex Rivera", frt + 30, labels=["shipping", "vip"], priority="high"),
            conversation("later", "Jordan Lee", frt + 300),
        ]
    )
    tile = tiles_of(scenario)["cx_escalations"]
    assert [(r.item_id, r.customer, r.status) for r in tile.rows] == [
        ("later", "Jordan Lee", "open"),
        ("late", "Alex Rivera", "open"),
    ]
    assert [r.breach for r in tile.rows] == ["breached 5 h ago", "breached 30 min ago"]
    late = tile.rows[1]
    assert (late.labels, late.priority, late.missed, late.last_message) == (
        ("shipping", "vip"),
        "high",
        ("first response",),
        "Where is my order?",
    )
    assert late.breached_at > late.created_at
    assert (tile.status, tile.item_ids) == ("attention", ("later", "late"))


def test_a_resolved_conversation_that_missed_its_sla_is_listed():
    scenario = make_scenario(
        [
            conversation(
                "closed",
                "Sam Ortiz",
                0,
                status="resolved",
                messages=[
                    {"text": "Hello?", "minutes_ago": 300},
                    {"sender": "agent", "text": "Sorted.", "minutes_ago": 10},
                ],
            )
        ]
    )
    queue = generate_queue(scenario, NOW)
    assert queue.entry("closed").payload["applied_sla"]["sla_status"] == "missed"
    rows = tiles_of(scenario)["cx_escalations"].rows
    assert [(r.customer, r.status, r.last_message) for r in rows] == [("Sam Ortiz", "resolved", "Sorted.")]


@pytest.mark.parametrize(
    ("authored", "message"),
    [({}, "No SLA breaches detected"), ({"empty_message": "All caught up"}, "All caught up")],
)
def test_no_breaches_is_a_healthy_empty_list(authored, message):
    scenario = make_scenario([conversation("fresh", "Casey Fresh", 5)], {"cx_escalations": authored})
    tile = tiles_of(scenario)["cx_escalations"]
    assert (tile.rows, tile.status, tile.empty_message, tile.is_empty) == ((), "healthy", message, True)


# ---------------------------------------------------------------- sales, ops, seo


def test_sales_pulse_metrics_and_top_sellers_by_units():
    dashboard = {
        "sales_pulse": {
            "revenue": 1234.5,
            "order_count": 12,
            "open_fulfillments": 3,
            "top_skus": [
                {"sku": "S-1", "title": "Small", "units_sold": 2},
                {"sku": "B-1", "title": "Big", "units_sold": 40},
            ],
        }
    }
    tile = tiles_of(make_scenario([stock_item("s", "X-1", 3)], dashboard))["sales_pulse"]
    assert [(m.label, m.value) for m in tile.metrics] == [
        ("Revenue", "$1,234.50"),
        ("Orders", "12"),
        ("Open fulfillments", "3"),
    ]
    assert [r.sku for r in tile.rows] == ["B-1", "S-1"]


def test_ops_pulse_lists_metrics_and_is_not_empty():
    dashboard = {
        "ops_pulse": {
            "activation_rate": 0.5,
            "first_response_minutes": 12.4,
            "resolved_within_sla": 0.875,
            "open_conversations": 1200,
        }
    }
    tile = tiles_of(make_scenario([stock_item("s", "X-1", 3)], dashboard))["ops_pulse"]
    assert [m.value for m in tile.metrics] == ["50%", "12 min", "88%", "1,200"]
    assert (tile.rows, tile.is_empty) == ((), False)


@pytest.mark.parametrize(
    ("last", "this", "change"),
    [(1000, 750, -25.0), (200, 300, 50.0), (0, 40, None), (80, 80, 0.0)],
)
def test_week_over_week_change(last, this, change):
    assert PageRow("/p", last, this).change_pct == change


def test_seo_pages_biggest_drop_first():
    dashboard = {
        "seo_watch": {
            "pages": [
                {"path": "/a", "sessions_last_week": 100, "sessions_this_week": 90},
                {"path": "/new", "sessions_last_week": 0, "sessions_this_week": 5},
                {"path": "/b", "sessions_last_week": 100, "sessions_this_week": 40},
            ]
        }
    }
    rows = tiles_of(make_scenario([stock_item("s", "X-1", 3)], dashboard))["seo_watch"].rows
    assert [r.path for r in rows] == ["/b", "/a", "/new"]


def test_stuck_orders_oldest_first_with_age():
    dashboard = {
        "fulfillment_health": {
            "stuck_orders": [
                {"order_id": "#1", "state": "pending", "reason": "Payment review", "age_hours": 3},
                {"order_id": "#2", "state": "processing", "reason": "Freight quote missing", "age_hours": 50},
            ]
        }
    }
    rows = tiles_of(make_scenario([stock_item("s", "X-1", 3)], dashboard))["fulfillment_health"].rows
    assert [(r.order_id, r.reason, r.age) for r in rows] == [
        ("#2", "Freight quote missing", "2 d"),
        ("#1", "Payment review", "3 h"),
    ]


def test_tile_views_are_frozen():
    tile = tiles_of(make_scenario([stock_item("s", "X-1", 3)]))["ops_pulse"]
    with pytest.raises(AttributeError):
        tile.status = "error"  # type: ignore[misc]
    assert replace(tile, status="error").status == "error"


# ---------------------------------------------------------------- the live replica


def test_an_answered_conversation_leaves_cx_escalations_and_the_count_drops():
    frt = frt_minutes()
    scenario = make_scenario(
        [
            conversation("late", "Alex Rivera", frt + 30),
            conversation("later", "Jordan Lee", frt + 300),
        ]
    )
    before = tiles_of(scenario)["cx_escalations"]
    after = tiles_of(scenario, calls={"late": "approve_template"})["cx_escalations"]
    escalated = tiles_of(scenario, calls={"late": "escalate_manager"})["cx_escalations"]
    assert [r.item_id for r in before.rows] == ["later", "late"]
    assert [r.item_id for r in after.rows] == ["later"]
    assert [r.item_id for r in escalated.rows] == ["later", "late"], "an escalation is not an answer"


def test_sla_countdowns_run_on_the_shift_clock():
    frt = frt_minutes()
    scenario = make_scenario([conversation("soon", "Casey Soon", frt - 10)])
    assert tiles_of(scenario)["cx_escalations"].rows == ()
    later = tiles_of(scenario, now=NOW + timedelta(minutes=25))["cx_escalations"]
    assert [(r.item_id, r.breach, r.missed) for r in later.rows] == [
        ("soon", "breached 15 min ago", ("first response",))
    ]
    assert later.status == "attention"


def test_a_drafted_purchase_order_shows_on_its_heatmap_row():
    scenario = make_scenario([stock_item("low", "X-1", 3), stock_item("ok", "X-2", 30)])
    rows = {r.sku: r for r in tiles_of(scenario, calls={"low": "reorder"})["inventory_heatmap"].rows}
    assert (rows["X-1"].action, rows["X-2"].action) == ("PO drafted", None)


def test_a_filed_ticket_marks_its_tile():
    scenario = make_scenario([tile_item("helpdesk", "ops_pulse", "error", "Helpdesk API returned 500")])
    assert tiles_of(scenario)["ops_pulse"].actions == ()
    tile = tiles_of(scenario, calls={"helpdesk": "file_ticket"})["ops_pulse"]
    assert (tile.actions, tile.status) == (("Ticket filed",), "error")


def test_an_item_is_found_on_its_tile():
    scenario = make_scenario(
        [tile_item("quiet", "sales_pulse", "empty", "No sales in this period"), stock_item("low", "X-1", 3)]
    )
    tiles = build_dashboard(scenario, generate_queue(scenario, NOW))
    assert tile_of(tiles, "quiet").status == "healthy"
    assert tile_of(tiles, "low").id == "inventory_heatmap"
    assert tile_of(tiles, "nothing") is None
