"""The replica's tiles and the results page show their whole content, on a laptop and on a 390 px phone:
nothing runs past its box and nothing hides in a scroll box inside the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from optrain import storage, training
from optrain.calls import CALLS, CALLS_BY_KIND
from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenario_file

from .driver import AppDriver
from .server import ROOT, AppServer

pytestmark = pytest.mark.e2e
SCENARIO = "hands_on_practice"
WIDTHS = {"laptop": 1280, "phone": 390}
TILES = ("ops_pulse", "sales_pulse", "fulfillment_health", "inventory_heatmap", "cx_escalations", "seo_watch")
# Elements of `selector` whose content runs past them or scrolls inside them (HTML only: a chart's SVG
# draws its labels where it likes).
OVERFLOWING = r"""(selector) => [...document.querySelectorAll(selector)].flatMap(box => {
    const edge = box.getBoundingClientRect();
    return [...box.querySelectorAll('*')].filter(e => {
        if (!(e instanceof HTMLElement) || e.closest('svg')) return false;
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return false;
        const style = getComputedStyle(e), scrolling = ['auto', 'scroll'];
        const scrolls = (scrolling.includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1)
            || (scrolling.includes(style.overflowY) && e.scrollHeight > e.clientHeight + 1);
        return r.right > edge.right + 1 || r.left < edge.left - 1 || scrolls;
    }).map(e => {
        const name = (box.className.match(/st-key-\S+/) || [box.dataset.testid])[0];
        return `${name}: <${e.tagName.toLowerCase()}> ${(e.innerText || '').slice(0, 40)}`;
    });
})"""


def finished_attempt(server: AppServer) -> tuple[int, int]:
    """A finished shift of the trainee, every second call wrong (so the results explain right and wrong calls),
    and how many items its results list."""
    scenario = load_scenario_file(ROOT / "scenarios" / f"{SCENARIO}.yaml")
    db = storage.open_db(server.db_path)
    casey = training.Operator("trainee", "Casey Morgan", "trainee@hotrodan.example")
    start = datetime.now(UTC) - timedelta(hours=2)
    attempt = training.start_attempt(db, scenario, casey, start)
    state = training.load_state(db, scenario, attempt.id, "trainee")
    for n, entry in enumerate(generate_queue(scenario).entries, start=1):
        item, expected = entry.item, entry.item.expected
        right = n % 2 == 1
        chosen = expected.call if right else other_call(item.kind, expected.call)
        call = training.CallInput(
            item.id,
            chosen,
            expected.template if right else None,
            note="Needs a manager's approval" if chosen.startswith("escalate") else None,
        )
        training.record_call(db, state, casey, call, now=start + timedelta(minutes=n), elapsed_seconds=40.0 * n)
        state = training.load_state(db, scenario, attempt.id, "trainee")
    training.finish(db, state, now=start + timedelta(minutes=30))
    items = len(training.result_of(training.load_state(db, scenario, attempt.id, "trainee")).items)
    db.close()
    return attempt.id, items


def other_call(kind: str, expected: str) -> str:
    """A wrong call for an item of `kind` that needs nothing typed."""
    return next(
        c
        for c in CALLS_BY_KIND[kind]
        if c != expected and not (CALLS[c].needs_template or CALLS[c].needs_draft or CALLS[c].needs_body)
    )


def at_width(app: AppDriver, width: int) -> None:
    app.page.set_viewport_size({"width": width, "height": 900})
    app.settle()


def test_tiles_show_their_whole_content(own_server: AppServer, open_app: Callable[..., AppDriver]) -> None:
    app = open_app(own_server)
    app.sign_in("trainee")
    app.goto(f"/train?scenario={SCENARIO}")
    app.button("Start shift").click()
    expect(app.page.get_by_role("radiogroup", name="Work queue")).to_be_visible()
    app.settle()
    page = app.page
    for name, width in WIDTHS.items():
        at_width(app, width)
        tiles = {tile: page.locator(f".st-key-dash-{tile}") for tile in TILES}
        for tile in tiles.values():
            expect(tile).to_be_visible()
        app.shot(f"replica_{name}")
        assert page.evaluate(OVERFLOWING, ", ".join(f".st-key-dash-{tile}" for tile in TILES)) == []
        ops = tiles["ops_pulse"].get_by_test_id("stMetric")
        expect(ops).to_have_count(4)
        for metric in ops.all():  # both rows of figures, the second one too
            expect(metric).to_be_visible()
        sellers = tiles["sales_pulse"].get_by_role("table")
        expect(sellers.get_by_role("columnheader")).to_have_text(["Top seller", "Units"])
        expect(sellers.get_by_role("row")).to_have_count(4)  # the header and three top sellers
        expect(sellers.get_by_role("cell", name="31", exact=True)).to_be_visible()
        expect(
            tiles["seo_watch"].get_by_text(re.compile(r"This\swk\s1,215 · last\swk\s1,840 · -34%\sWoW"))
        ).to_be_visible()
        expect(
            tiles["fulfillment_health"].get_by_text(re.compile(r"#HR-10402 · processing · stuck\s2\sd"))
        ).to_be_visible()


def test_results_fit_the_page(own_server: AppServer, open_app: Callable[..., AppDriver]) -> None:
    attempt, items = finished_attempt(own_server)
    app = open_app(own_server)
    app.sign_in("trainee")
    app.goto(f"/train?attempt={attempt}")
    page = app.page
    expect(app.metric("Result")).to_be_visible()
    for name, width in WIDTHS.items():
        at_width(app, width)
        app.shot(f"results_{name}")
        assert page.evaluate(OVERFLOWING, "[data-testid=stMainBlockContainer]") == []
        expected = page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"Expected: "))
        expect(expected).to_have_count(items)
        for item in expected.all():
            expect(item).to_contain_text("Your call: ")
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)  # no table with its own scroll box
