"""The Review page: every section's table and chart, drawn from the read models, on seeded attempts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from optrain.scoring import call_label
from optrain.storage.analytics import (
    AttemptFilter,
    scenario_overview,
    trainee_progress,
    trend,
)
from optrain.storage.item_analysis import scenario_item_analysis

from .harness import Env, Seed, expected_calls


def charts(at: AppTest) -> dict[str, list[dict[str, Any]]]:
    """The data of the page's Altair charts by title (Streamlit sends each chart's data as a named Arrow table)."""
    drawn = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        (dataset,) = chart.proto.datasets
        drawn[str(spec.get("title", ""))] = convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")
    return drawn


def frame_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_every_section_shows_the_read_models(app: Callable[..., AppTest], env: Env, seed: Seed) -> None:
    right = expected_calls(seed.scenario())
    first = next(item for item, (call, _) in right.items() if call == "approve_template")
    wrong = {first: ("escalate_manager", None)}  # a conversation answered with the wrong call
    seed.finished("trainee", {**right, **wrong})
    seed.finished("trainee")
    seed.finished("trainer")

    at = app("trainer", "review")
    assert not at.exception
    overview = scenario_overview(seed.db, AttemptFilter())
    scenarios = frame_with(at, "Attempts to first pass")
    assert scenarios.to_dict("records") == [{
        "Scenario": s.scenario_id, "Trainees": s.trainees, "Attempts": s.attempts,
        "Pass rate": round(s.pass_rate * 100), "Mean": round(s.mean_percent * 100),
        "Median": round(s.median_percent * 100), "First attempt": round(s.first_mean_percent * 100),
        "Best": round(s.best_mean_percent * 100), "Attempts to first pass": round(s.attempts_to_first_pass, 1),
    } for s in overview.stats]
    drawn = charts(at)
    assert drawn["Pass rate by scenario"] == [
        {"Scenario": s.scenario_id, "Pass rate": round(s.pass_rate * 100), "Attempts": s.attempts}
        for s in overview.stats]
    assert sum(v["Attempts"] for v in drawn["Score distribution"]) == 3

    analysis = scenario_item_analysis(seed.db, "hands_on_practice", seed.scenario().version)
    items = frame_with(at, "Facility")
    assert list(items["Item"]) == [s.item_id for s in analysis.items]
    assert list(items["Facility"]) == [round(s.facility * 100, 1) for s in analysis.items]
    assert max(drawn["Items most often missed"], key=lambda v: v["Missed"])["Item"] in wrong
    assert sorted(drawn["Expected vs chosen (all calls per item)"], key=repr) == sorted(
        ({"Item": c.item_id, "Chosen": call_label(c.call, c.template), "Count": c.count} for c in analysis.calls),
        key=repr)

    trainees = frame_with(at, "Agenda parts passed")
    assert list(trainees["Username"]) == [p.username for p in trainee_progress(seed.db, AttemptFilter())]
    at.selectbox(key="review_trend").set_value("trainee").run()
    assert not at.exception
    scores = [percent * 100 for _, _, percent in trend(seed.db, "trainee")]
    assert len(scores) == 2 and [point["Score"] for point in charts(at)["Score trend"]] == scores


def test_the_items_tab_obeys_the_filter_bar(app: Callable[..., AppTest], seed: Seed) -> None:
    right = expected_calls(seed.scenario())
    first = next(item for item, (call, _) in right.items() if call == "approve_template")
    seed.finished("trainee")  # every call right
    seed.finished("trainer", {**right, first: ("escalate_manager", None)})  # one wrong call

    at = app("trainer", "review")
    items = frame_with(at, "Facility").set_index("Item")
    assert set(items["Responses"]) == {2} and items.loc[first, "Wrong"] == 1

    at.multiselect(key="review_trainee").set_value(["trainee"]).run()
    assert not at.exception
    items = frame_with(at, "Facility").set_index("Item")
    assert set(items["Responses"]) == {1} and set(items["Wrong"]) == {0} and set(items["Facility"]) == {100.0}

    at.multiselect(key="review_trainee").set_value(["trainer"]).run()
    assert not at.exception
    items = frame_with(at, "Facility").set_index("Item")
    assert set(items["Responses"]) == {1} and items.loc[first, "Wrong"] == 1

    at.multiselect(key="review_trainee").set_value([]).run()
    at.multiselect(key="review_scenario").set_value(["intro_control_center"]).run()
    assert not at.exception
    assert at.selectbox(key="items_scenario").options == ["Introduction: the Control Center and the approval rule"]
    assert "No completed attempts of this scenario version match the filters." in [i.value for i in at.info]
