"""The Review page: every section's table and chart, drawn from the read models, on seeded attempts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

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
    """Three finished attempts on hands_on_practice, whose seven root items are worth 8 points
    (jordan_lee_refund, the critical one, 2; the others 1 each; pass mark 80%):
    the trainee's first misses alex_rivera_sla (7/8 = 87.5%, still a pass), the trainee's
    second and the trainer's only one are perfect. Every figure below follows from that."""
    right = expected_calls(seed.scenario())
    assert right["alex_rivera_sla"] == ("approve_template", "ack_delay")
    seed.finished("trainee", {**right, "alex_rivera_sla": ("escalate_manager", None)})
    seed.finished("trainee")
    seed.finished("trainer")

    at = app("trainer", "review")
    assert not at.exception
    scenarios = frame_with(at, "Attempts to first pass")
    assert scenarios.to_dict("records") == [
        {
            "Scenario": "hands_on_practice",
            "Trainees": 2,
            "Attempts": 3,
            "Pass rate": 100,
            "Mean": 96,  # (87.5 + 100 + 100) / 3
            "Median": 100,
            "First attempt": 94,  # (87.5 + 100) / 2
            "Best": 100,
            "Attempts to first pass": 1.0,
        }
    ]
    drawn = charts(at)
    assert drawn["Pass rate by scenario"] == [{"Scenario": "hands_on_practice", "Pass rate": 100, "Attempts": 3}]
    assert drawn["Score distribution"] == [{"Score": "80-89%", "Attempts": 1}, {"Score": "90-100%", "Attempts": 2}]

    # Item analysis reads each trainee's first attempt: alex_rivera_sla is right once in two.
    items = frame_with(at, "Facility")
    facility = dict(zip(items["Item"], items["Facility"], strict=False))
    assert facility == {item: 100.0 for item in right} | {"alex_rivera_sla": 50.0}
    assert max(drawn["Items most often missed"], key=lambda v: v["Missed"])["Item"] == "alex_rivera_sla"
    chosen = {(c["Item"], c["Chosen"]): c["Count"] for c in drawn["Expected vs chosen (all calls per item)"]}
    assert chosen[("alex_rivera_sla", "Approve template reply: ack_delay (Acknowledge delay)")] == 1
    assert chosen[("alex_rivera_sla", "Escalate to manager")] == 1
    assert chosen[("jordan_lee_refund", "Escalate to manager")] == 2
    assert sum(chosen.values()) == 2 * len(right)

    trainees = frame_with(at, "Agenda parts passed")
    assert list(trainees["Username"]) == ["trainee", "trainer"]
    at.selectbox(key="review_trend").set_value("trainee").run()
    assert not at.exception
    assert [point["Score"] for point in charts(at)["Score trend"]] == [87.5, 100.0]


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
