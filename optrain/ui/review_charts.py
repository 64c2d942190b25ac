"""The Review page's charts, built with Altair like every chart of the app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from optrain.storage.analytics import ScenarioStats


def pass_rate_bars(stats: Sequence[ScenarioStats]) -> alt.Chart:
    """Pass rate by scenario, highest first, on a fixed 0-100 % scale."""
    data = pd.DataFrame(
        [{"Scenario": s.scenario_id, "Pass rate": round(s.pass_rate * 100), "Attempts": s.attempts} for s in stats],
        columns=["Scenario", "Pass rate", "Attempts"],
    )
    return (
        alt.Chart(data, title="Pass rate by scenario")
        .mark_bar()
        .encode(
            x=alt.X("Pass rate:Q", scale=alt.Scale(domain=[0, 100]), title="Pass rate (%)"),
            y=alt.Y("Scenario:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("Scenario:N"), alt.Tooltip("Pass rate:Q"), alt.Tooltip("Attempts:Q")],
        )
    )


def score_bars(histogram: Sequence[tuple[int, int]]) -> alt.Chart:
    """Completed attempts per 10-point score bucket, in bucket order."""
    data = pd.DataFrame(
        [{"Score": f"{b}-{b + 9 if b < 90 else 100}%", "Attempts": n} for b, n in histogram],
        columns=["Score", "Attempts"],
    )
    return (
        alt.Chart(data, title="Score distribution")
        .mark_bar()
        .encode(
            x=alt.X("Score:N", sort=None),
            y=alt.Y("Attempts:Q"),
            tooltip=[alt.Tooltip("Score:N"), alt.Tooltip("Attempts:Q")],
        )
    )


def missed_item_bars(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """The ten items most often missed; `rows` are the item table's rows (Item, Facility, Most common wrong call)."""
    values = [
        {"Item": r["Item"], "Missed": 100 - r["Facility"], "Most common wrong call": r["Most common wrong call"]}
        for r in rows
    ]
    data = pd.DataFrame(
        sorted(values, key=lambda v: v["Missed"], reverse=True)[:10],
        columns=["Item", "Missed", "Most common wrong call"],
    )
    return (
        alt.Chart(data, title="Items most often missed", height=260)
        .mark_bar(color="#d9534f")
        .encode(
            x=alt.X("Missed:Q", title="Missed (%)"),
            y=alt.Y("Item:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("Item:N"), alt.Tooltip("Missed:Q"), alt.Tooltip("Most common wrong call:N")],
        )
    )


def call_heatmap(cells: Sequence[tuple[str, str, int]]) -> alt.Chart:
    """(item, call chosen, count) as a heat map: the expected call is the dark cell of a healthy row."""
    data = pd.DataFrame(cells, columns=["Item", "Chosen", "Count"])
    return (
        alt.Chart(data, title="Expected vs chosen (all calls per item)")
        .mark_rect()
        .encode(
            x=alt.X("Chosen:N", title="Call chosen"),
            y=alt.Y("Item:N", title=None),
            color=alt.Color("Count:Q", scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("Item:N"), alt.Tooltip("Chosen:N"), alt.Tooltip("Count:Q")],
        )
    )


def trend_lines(points: Sequence[dict[str, Any]]) -> alt.Chart:
    """A trainee's scores over time, one line per scenario; `Finished` is ISO-8601 text."""
    data = pd.DataFrame(list(points), columns=["Finished", "Scenario", "Score"])
    return (
        alt.Chart(data, title="Score trend")
        .mark_line(point=True)
        .encode(
            x=alt.X("Finished:T", title=None),
            y=alt.Y("Score:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("Scenario:N"),
            tooltip=[alt.Tooltip("Scenario:N"), alt.Tooltip("Score:Q"), alt.Tooltip("Finished:T")],
        )
    )
