"""The Operator Control Center widget: six tiles in a 3x2 grid above the work queue.

Only drawing happens here; what each tile says comes from `optrain.dashboard`.
Every string that came from a scenario or the queue goes through `plain()` or
into an element that renders plain text (chart tooltips), because alerts,
captions, metric labels and `st.table` cells all parse Markdown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

import altair as alt
import pyarrow as pa
import streamlit as st

from optrain.dashboard import (
    EscalationRow,
    PageRow,
    StockRow,
    StuckOrderRow,
    TileView,
    TopSellerRow,
)
from optrain.ui.text import plain

MOCK_NOTICE = "Mock mode: training data, no real customer or order is affected"
STATUS_BADGES: dict[str, tuple[str, str]] = {
    "healthy": ("green", ":material/check_circle:"),
    "attention": ("orange", ":material/warning:"),
    "error": ("red", ":material/error:"),
    "unconfigured": ("gray", ":material/settings:"),
}
BANDS: dict[str, tuple[str, str]] = {
    "red": ("<7", "#d93025"),
    "yellow": ("7-14", "#f2a600"),
    "green": (">14", "#1e8e3e"),
}
EDGES = (7, 14)
# The queue marks a SKU's band with the same dots.
COVER_LEGEND = ":small[:red[●] :gray[under 7] · :orange[●] :gray[7-14] · :green[●] :gray[over 14 days]]"
NBSP = "\u00a0"
MAX_ESCALATIONS = 4


def render_dashboard(
    tiles: Sequence[TileView], *, key_prefix: str = "dash", height: int | None = None, notice: bool = True
) -> None:
    """The mock-mode notice (unless the page shows its own), then the tiles three to a row.

    By default each tile is as tall as its content: a fixed height hid the last rows (Ops Pulse's second
    row of metrics, the third top seller) behind a scroll bar inside the tile.
    """
    if notice:
        st.info(MOCK_NOTICE, icon=":material/science:")
    for start in range(0, len(tiles), 3):
        for column, tile in zip(st.columns(3), tiles[start : start + 3], strict=False):
            with column:
                with st.container(border=True, height=height or "content", key=f"{key_prefix}-{tile.id}"):
                    render_tile(tile, key_prefix=key_prefix)


def status_badge(status: str) -> str:
    color, icon = STATUS_BADGES[status]
    return f":{color}-badge[{icon} {status}]"


def render_tile(tile: TileView, *, key_prefix: str = "dash") -> None:
    st.markdown(f"**{plain(tile.title)}** {status_badge(tile.status)}")
    st.caption(plain(tile.metadata))
    if tile.status == "error" and tile.error:
        st.error(plain(tile.error), icon=":material/error:")
    elif tile.status == "unconfigured" and tile.error:
        st.info(plain(tile.error), icon=":material/settings:")
    elif tile.banner:
        st.warning(plain(tile.banner), icon=":material/hourglass_top:")
    if tile.note:
        st.caption(f":orange[:material/report:] {plain(tile.note)}")
    for action in tile.actions:  # the trainee's own call on this tile, as the live dashboard marks it
        st.caption(f":blue[:material/task_alt:] {plain(action)}")
    if not tile.shows_content:
        return
    _metrics(tile)
    if tile.is_empty:
        st.caption(f":green[:material/check:] {plain(tile.empty_message)}")
        return
    if not tile.rows:
        return
    key = f"{key_prefix}-{tile.id}"
    rows = tile.rows
    if tile.id == "sales_pulse":
        _top_sellers([r for r in rows if isinstance(r, TopSellerRow)])
    elif tile.id == "fulfillment_health":
        _stuck_orders([r for r in rows if isinstance(r, StuckOrderRow)])
    elif tile.id == "inventory_heatmap":
        _inventory([r for r in rows if isinstance(r, StockRow)], key)
    elif tile.id == "cx_escalations":
        _escalations([r for r in rows if isinstance(r, EscalationRow)])
    elif tile.id == "seo_watch":
        _pages([r for r in rows if isinstance(r, PageRow)])


def _metrics(tile: TileView) -> None:
    if not tile.metrics:
        return
    with st.container(horizontal=True, gap="small"):
        for metric in tile.metrics:
            st.metric(
                plain(metric.label), plain(metric.value), help=metric.help and plain(metric.help), width="content"
            )


def _top_sellers(rows: Sequence[TopSellerRow]) -> None:
    """A static table whose cells wrap, so the units column fits a tile a third of the page wide.

    A scrolling dataframe cut it off. `st.table` cells parse Markdown, so scenario text goes through `plain()`.
    """
    records = [{"Top seller": f"{plain(r.title)}  \n:gray[{plain(r.sku)}]", "Units": r.units_sold} for r in rows]
    st.table(
        pa.Table.from_pylist(records),
        border="horizontal",
        hide_index=True,
        hide_header=False,
        alt="Top sellers by units sold",
    )


def _stuck_orders(rows: Sequence[StuckOrderRow]) -> None:
    """One order per line, the reason under it: four columns did not fit a narrow tile."""
    for row in rows:
        st.markdown(
            f"**{plain(row.order_id)}** · {plain(row.state)} · {_together('stuck', row.age)}  \n{plain(row.reason)}"
        )


def _pages(rows: Sequence[PageRow]) -> None:
    """One landing page per line, its figures under it: a path does not wrap, so four columns never fit a tile."""
    for row in rows:
        change = "no sessions last wk" if row.change_pct is None else f"{row.change_pct:+.0f}% WoW"
        color = "red" if (row.change_pct or 0) < 0 else "gray"
        this_week = _together("This wk", f"{row.sessions_this_week:,}")
        last_week = _together("last wk", f"{row.sessions_last_week:,}")
        st.markdown(f"**{plain(row.path)}**  \n{this_week} · {last_week} · :{color}[{plain(_together(change))}]")


def _together(*words: str) -> str:
    """Words joined by no-break spaces, so a figure is never parted from its unit at a line end."""
    return NBSP.join(" ".join(words).split(" "))


def _inventory(rows: Sequence[StockRow], key: str) -> None:
    """Days of cover as bars on a fixed colour scale, so red always means under 7 days."""
    summary = ", ".join(f"{r.sku} {r.days_of_cover:g} days ({r.units} units)" for r in rows)
    st.vega_lite_chart(
        spec=json.loads(heatmap_spec(tuple(rows))), key=f"{key}-chart", alt=f"Days of cover per SKU: {summary}"
    )
    st.markdown(COVER_LEGEND)


@functools.lru_cache(maxsize=256)
def heatmap_spec(rows: tuple[StockRow, ...]) -> str:
    """The heatmap chart's Vega-Lite JSON, built and validated by Altair once per set of rows.

    Building and validating the chart took about 25 ms, as long as the rest of the rerun that draws the
    replica; the rows repeat (every fresh shift of a scenario shows the same ones), so they key a cache.
    """
    return heatmap_chart(rows).to_json(indent=None)


def heatmap_chart(rows: Sequence[StockRow]) -> alt.LayerChart:
    """Bars of days of cover per SKU, lowest first, with dashed rules at the band edges and units as labels."""
    records = [
        {
            "SKU": r.sku,
            "Product": r.title,
            "Units": r.units,
            "Days of cover": r.days_of_cover,
            "Cover": BANDS[r.band][0],
            "Label": f"{r.units} units" + (f" · {r.action}" if r.action else ""),
        }
        for r in rows
    ]
    top = max(r.days_of_cover for r in rows)
    room = max(16.0, top * 1.35, top + 8)  # the units label after the longest bar stays inside the chart
    ticks = [0, *EDGES, *([int(top)] if top >= 2 * EDGES[-1] else [])]
    x = alt.X(
        "Days of cover:Q",
        title="Days of cover",
        axis=alt.Axis(values=ticks, grid=False),
        scale=alt.Scale(domain=[0, room], nice=False),
    )
    y = alt.Y("SKU:N", sort=[r.sku for r in rows], title=None)
    tooltip = [
        alt.Tooltip("SKU:N"),
        alt.Tooltip("Product:N"),
        alt.Tooltip("Units:Q", title="Units left"),
        alt.Tooltip("Days of cover:Q", format=".1f"),
    ]
    color = alt.Color(
        "Cover:N",
        scale=alt.Scale(domain=[b[0] for b in BANDS.values()], range=[b[1] for b in BANDS.values()]),
        legend=None,  # the caption under the chart: a legend under the bars ran past a narrow tile's edge
    )
    edges = (
        alt.Chart(alt.Data(values=[{"Days of cover": e} for e in EDGES]))
        .mark_rule(strokeDash=[3, 3], color="#999")
        .encode(x="Days of cover:Q")
    )
    stock = alt.Chart(alt.Data(values=records)).encode(x=x, y=y, tooltip=tooltip)
    bars = stock.mark_bar(cornerRadiusEnd=3).encode(color=color)
    labels = stock.mark_text(align="left", dx=3, fontSize=11, color="#555").encode(text="Label:N")
    return alt.LayerChart(layer=[edges, bars, labels], height=alt.Step(22))


def _escalations(rows: Sequence[EscalationRow]) -> None:
    for row in rows[:MAX_ESCALATIONS]:
        tags = ", ".join(row.labels) or "no tags"
        st.markdown(
            f"**{plain(row.customer, 60)}** · {plain(row.status)} · :red[{plain(row.breach)}]  \n"
            f":gray[{plain(tags, 80)}]"
        )
    hidden = len(rows) - MAX_ESCALATIONS
    if hidden > 0:
        st.caption(f"and {hidden} more breached conversations in the queue")
