"""The Review page's charts as plain Vega-Lite specs, drawn with `st.vega_lite_chart`.

Written out as dicts rather than built through Altair: Altair validates every
chart against the whole Vega-Lite JSON Schema when it is drawn, which cost
most of a Review rerun's own (non-SQL) time. The specs say what the Altair
charts said, field for field; the data travels inline as `values`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optrain.storage.analytics import ScenarioStats

Spec = dict[str, Any]


def _field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"field": name, "type": kind, **extra}


def pass_rate_bars(stats: Sequence[ScenarioStats]) -> Spec:
    """Pass rate by scenario, highest first, on a fixed 0-100 % scale."""
    values = [{"Scenario": s.scenario_id, "Pass rate": round(s.pass_rate * 100), "Attempts": s.attempts}
              for s in stats]
    return {
        "title": "Pass rate by scenario",
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _field("Pass rate", "quantitative", scale={"domain": [0, 100]}, title="Pass rate (%)"),
            "y": _field("Scenario", "nominal", sort="-x", title=None),
            "tooltip": [_field("Scenario", "nominal"), _field("Pass rate", "quantitative"),
                        _field("Attempts", "quantitative")],
        },
    }


def score_bars(histogram: Sequence[tuple[int, int]]) -> Spec:
    """Completed attempts per 10-point score bucket, in bucket order."""
    values = [{"Score": f"{b}-{b + 9 if b < 90 else 100}%", "Attempts": n} for b, n in histogram]
    return {
        "title": "Score distribution",
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _field("Score", "nominal", sort=None),
            "y": _field("Attempts", "quantitative"),
            "tooltip": [_field("Score", "nominal"), _field("Attempts", "quantitative")],
        },
    }


def missed_item_bars(rows: Sequence[dict[str, Any]]) -> Spec:
    """The ten items most often missed; `rows` are the item table's rows (Item, Facility, Most common wrong call)."""
    values = [{"Item": r["Item"], "Missed": 100 - r["Facility"], "Most common wrong call": r["Most common wrong call"]}
              for r in rows]
    values = sorted(values, key=lambda v: v["Missed"], reverse=True)[:10]  # stable, as pandas' sort_values was
    return {
        "title": "Items most often missed",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#d9534f"},
        "encoding": {
            "x": _field("Missed", "quantitative", title="Missed (%)"),
            "y": _field("Item", "nominal", sort="-x", title=None),
            "tooltip": [_field("Item", "nominal"), _field("Missed", "quantitative"),
                        _field("Most common wrong call", "nominal")],
        },
    }


def call_heatmap(cells: Sequence[tuple[str, str, int]]) -> Spec:
    """(item, call chosen, count) as a heat map: the expected call is the dark cell of a healthy row."""
    values = [{"Item": item, "Chosen": chosen, "Count": count} for item, chosen, count in cells]
    return {
        "title": "Expected vs chosen (all calls per item)",
        "data": {"values": values},
        "mark": {"type": "rect"},
        "encoding": {
            "x": _field("Chosen", "nominal", title="Call chosen"),
            "y": _field("Item", "nominal", title=None),
            "color": _field("Count", "quantitative", scale={"scheme": "blues"}),
            "tooltip": [_field("Item", "nominal"), _field("Chosen", "nominal"), _field("Count", "quantitative")],
        },
    }


def trend_lines(points: Sequence[dict[str, Any]]) -> Spec:
    """A trainee's scores over time, one line per scenario; `Finished` is ISO-8601 text."""
    return {
        "data": {"values": list(points)},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _field("Finished", "temporal", title=None),
            "y": _field("Score", "quantitative", scale={"domain": [0, 100]}),
            "color": _field("Scenario", "nominal"),
            "tooltip": [_field("Scenario", "nominal"), _field("Score", "quantitative"),
                        _field("Finished", "temporal")],
        },
    }
