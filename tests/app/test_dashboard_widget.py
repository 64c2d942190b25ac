"""The dashboard widget draws every tile state an operator must read, with scenario text made inert."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from optrain.dashboard import RATE_LIMIT_BANNER, build_dashboard
from optrain.queue import generate_queue
from optrain.scenarios.model import DEFAULT_START, TILE_TITLES, Scenario
from optrain.ui.dashboard import BANDS, COVER_LEGEND, MAX_ESCALATIONS, MOCK_NOTICE, heatmap_spec
from optrain.ui.text import plain

HOSTILE_ERROR = "<script>alert(1)</script> **Shop API** [down](javascript:alert(1))"
UNCONFIGURED = "the Shopify app is missing the read_fulfillments permission."


def tile_item(item_id: str, tile: str, state: str, message: str) -> dict:
    return {
        "kind": "tile",
        "id": item_id,
        "tile": tile,
        "state": state,
        "message": message,
        "expected": {"call": "file_ticket"},
        "rationale": "Because.",
        "rule": "tile_integration_error",
    }


def training_tiles():
    scenario = Scenario.model_validate(
        {
            "id": "widget",
            "title": "Widget",
            "version": 1,
            "module": "error_handling",
            "difficulty": "beginner",
            "briefing": "Read the tiles.",
            "seed": 3,
            "queue": [
                tile_item("seo_down", "seo_watch", "error", HOSTILE_ERROR),
                tile_item("no_perm", "fulfillment_health", "unconfigured", UNCONFIGURED),
                tile_item("limited", "ops_pulse", "rate_limited", RATE_LIMIT_BANNER),
                tile_item("calm", "cx_escalations", "empty", "No SLA breaches detected"),
                {
                    "kind": "inventory",
                    "id": "low",
                    "sku": "HOODIE-BLK-M",
                    "product": "Hoodie <b>black</b>",
                    "units": 15,
                    "days_of_cover": 5,
                    "expected": {"call": "reorder"},
                    "rationale": "Because.",
                    "rule": "low_cover_reorder",
                },
            ],
        }
    )
    return build_dashboard(scenario, generate_queue(scenario, DEFAULT_START))


def draw(tiles):
    from optrain.ui.dashboard import render_dashboard

    render_dashboard(tiles, key_prefix="dash")


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = AppTest.from_function(draw, args=(training_tiles(),), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def test_mock_mode_notice_comes_first(app):
    assert app.info[0].value == MOCK_NOTICE


def test_every_tile_title_and_status_is_shown(app):
    headers = [m.value for m in app.markdown if m.value.startswith("**")]
    for title, status in [
        ("Ops Pulse", "attention"),
        ("Sales Pulse", "healthy"),
        ("Fulfillment Health", "unconfigured"),
        ("Inventory Heatmap", "attention"),
        ("CX Escalations", "healthy"),
        ("SEO & Content Watch", "error"),
    ]:
        assert any(h.startswith(f"**{plain(title)}**") and h.endswith(f" {status}]") for h in headers), title
    assert len(headers) == len(TILE_TITLES)


def test_error_tile_shows_the_message_inert(app):
    assert [e.value for e in app.error] == [plain(HOSTILE_ERROR)]
    assert "<script>" not in app.error[0].value


def test_unconfigured_tile_says_configuration_required(app):
    assert plain(f"Configuration required: {UNCONFIGURED}") in [i.value for i in app.info]


def test_rate_limit_banner(app):
    assert [w.value for w in app.warning] == [plain(RATE_LIMIT_BANNER)]


def test_empty_cx_list_is_shown_as_normal(app):
    assert any(c.value.endswith(plain("No SLA breaches detected")) for c in app.caption)


def test_metadata_captions_name_sources(app):
    captions = [c.value for c in app.caption]
    assert sum(c.startswith(plain("Source: ")) for c in captions) == len(TILE_TITLES)
    assert plain("Source: Google Search Console · refreshed 2 min ago") in captions


def test_content_of_healthy_tiles(app):
    assert [m.label for m in app.metric] == ["Revenue", "Orders", "Open fulfillments"]
    assert app.metric[0].value == plain("$18,420.50")
    (sellers,) = [t.value for t in app.table]
    assert list(sellers.columns) == ["Top seller", "Units"]


def test_tiles_are_as_tall_as_their_content(app):
    """A fixed tile height hid Ops Pulse's second row of metrics and the last top sellers behind a scroll bar."""
    tiles = [c for c in app.get("flex_container") if (getattr(c, "key", None) or "").startswith("dash-")]
    assert len(tiles) == len(TILE_TITLES)
    assert all(t.proto.height_config.use_content for t in tiles)


def test_heatmap_chart_has_a_fixed_colour_scale(app):
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")  # written by Altair
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "bar", "text"]
    bars = spec["layer"][1]["encoding"]
    assert bars["color"]["scale"] == {"domain": [b[0] for b in BANDS.values()], "range": [b[1] for b in BANDS.values()]}
    assert bars["y"]["sort"][0] == "HOODIE-BLK-M"
    assert [t["field"] for t in bars["tooltip"]] == ["SKU", "Product", "Units", "Days of cover"]
    assert bars["color"]["legend"] is None and COVER_LEGEND in [m.value for m in app.markdown]


def test_heatmap_chart_is_built_once_per_set_of_rows():
    """Altair builds and validates the chart in about 25 ms: a redraw of the same rows must not pay it again."""
    heatmap_spec.cache_clear()
    tiles = training_tiles()
    for _ in range(2):
        at = AppTest.from_function(draw, args=(tiles,), default_timeout=30)
        at.run()
        assert not at.exception
    assert heatmap_spec.cache_info().misses == 1 and heatmap_spec.cache_info().hits == 1


def test_tiles_carry_stable_keys(app):
    keys = {getattr(c, "key", None) for c in app.get("flex_container")}
    assert {f"dash-{t}" for t in TILE_TITLES} <= keys


def healthy_tiles():
    """The default board of every tile, as a scenario without a dashboard block shows it."""
    scenario = Scenario.model_validate(
        {
            "id": "healthy",
            "title": "Healthy",
            "version": 1,
            "module": "navigation",
            "difficulty": "beginner",
            "briefing": "Read the tiles.",
            "seed": 3,
            "dashboard": {
                "seo_watch": {
                    "pages": [
                        {"path": "/collections/headers", "sessions_last_week": 1840, "sessions_this_week": 1215},
                        {"path": "/pages/new-**bold**", "sessions_last_week": 0, "sessions_this_week": 40},
                    ]
                }
            },
            "queue": [tile_item("calm", "cx_escalations", "empty", "No SLA breaches detected")],
        }
    )
    return build_dashboard(scenario, generate_queue(scenario, DEFAULT_START))


@pytest.fixture(scope="module")
def healthy() -> AppTest:
    at = AppTest.from_function(draw, args=(healthy_tiles(),), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def test_ops_pulse_shows_all_four_figures(healthy):
    labels = [m.label for m in healthy.metric]
    assert labels[:4] == ["Activation rate", "First response", "Resolved within SLA", "Open conversations"]
    assert [m.value for m in healthy.metric[:4]] == ["82%", "38 min", "91%", "42"]


def test_sales_pulse_lists_every_top_seller_with_its_units(healthy):
    (sellers,) = [t.value for t in healthy.table]
    assert list(sellers["Units"]) == [31, 12, 9]
    assert sellers["Top seller"][0] == "LS3 ignition coil pack \\(set of 8\\)  \n:gray[LS3\\-COIL\\-8]"
    assert sellers["Top seller"][2].startswith("Edelbrock 1406 600 cfm carburetor")


def test_stuck_orders_show_state_age_and_reason(healthy):
    rows = [m.value for m in healthy.markdown if "stuck" in m.value]
    assert rows == [
        "**\\#HR\\-10402** · processing · stuck\u00a02\u00a0d  \nFreight quote missing \\(LTL\\)",
        "**\\#HR\\-10391** · pending · stuck\u00a026\u00a0h  \nPayment review",
    ]


def test_seo_pages_show_this_week_and_the_change(healthy):
    rows = [m.value for m in healthy.markdown if "wk" in m.value]
    assert rows == [
        "**/collections/headers**  \nThis\u00a0wk\u00a01,215 · last\u00a0wk\u00a01,840 · :red[\\-34%\u00a0WoW]",
        "**/pages/new\\-\\*\\*bold\\*\\***  \nThis\u00a0wk\u00a040 · last\u00a0wk\u00a00 · "
        ":gray[no\u00a0sessions\u00a0last\u00a0wk]",
    ]


def breached(item_id: str, name: str, minutes_ago: int) -> dict:
    return {
        "kind": "conversation",
        "id": item_id,
        "intent": "shipping_delay",
        "customer": {"name": name},
        "labels": ["shipping", "sla-breached"],
        "messages": [{"text": "Where is it?", "minutes_ago": minutes_ago}],
        "expected": {"call": "approve_template", "template": "ack_delay"},
        "rationale": "Because.",
        "rule": "sla_breached_no_news",
    }


def test_breached_conversations_list_with_a_count_of_the_rest():
    names = ["**Alex** [Rivera](http://x)", "Jordan Lee", "Sam Ortiz", "Casey Moore", "Riley Chen", "Drew Park"]
    scenario = Scenario.model_validate(
        {
            "id": "breaches",
            "title": "Breaches",
            "version": 1,
            "module": "cx_escalations",
            "difficulty": "beginner",
            "briefing": "Triage.",
            "seed": 3,
            "queue": [breached(f"c{i}", name, 600 - i * 30) for i, name in enumerate(names)],
        }
    )
    tiles = build_dashboard(scenario, generate_queue(scenario, DEFAULT_START))
    at = AppTest.from_function(draw, args=(tiles,), default_timeout=30)
    at.run()
    assert not at.exception
    rows = [m.value for m in at.markdown if "breached" in m.value]
    assert len(rows) == MAX_ESCALATIONS
    assert rows[0].startswith(f"**{plain(names[0], 60)}** · open · :red[{plain('breached 9 h ago')}]")
    assert "[Rivera](" not in rows[0]
    assert f"and {len(names) - MAX_ESCALATIONS} more breached conversations in the queue" in [
        c.value for c in at.caption
    ]
