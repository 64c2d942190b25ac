"""Old attempts keep their version: Review shows and scores them against the version they were taken on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from optrain import storage, training
from optrain.scenario_versions import custom_scenarios, save_draft

from .harness import ROOT, Env, operator

NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
V1 = (ROOT / "fixtures" / "scenarios" / "valid" / "brake_day.yaml").read_text(encoding="utf-8")
V2 = V1.replace("expected: {call: reorder}", "expected: {call: mark_intentional}").replace(
    "rule: low_cover_reorder", "rule: intentional_low_stock"
)


def test_an_attempt_on_version_1_is_reviewed_against_version_1(app: Callable[..., AppTest], env: Env) -> None:
    db = storage.open_db(env.db_path)
    save_draft(db, V1, author="trainer", now=NOW, builtin_ids=())
    v1 = custom_scenarios(db)["brake_day"]
    attempt = training.start_attempt(db, v1, operator("trainee"), NOW)
    state = training.load_state(db, v1, attempt.id, "trainee")
    training.record_call(
        db, state, operator("trainee"), training.CallInput("pads", "reorder"), now=NOW, elapsed_seconds=5
    )
    training.finish(db, training.load_state(db, v1, attempt.id, "trainee"), now=NOW)
    assert save_draft(db, V2, author="trainer", now=NOW, builtin_ids=()).scenario.version == 2

    at = app("trainer", "review")
    at.selectbox(key="review_pick").set_value(attempt.id).run()
    assert not at.exception
    calls = at.dataframe[1].value  # the attempt's calls, below the attempts table
    row = calls[calls["Item"] == "pads"].iloc[0]
    assert row["Expected"] == "Reorder (draft PO)" and row["Verdict"] == "correct"
    assert "Right call." in row["Feedback"]
