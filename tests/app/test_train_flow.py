"""A whole shift through the UI: the score on screen is the CLI's, exam mode hides verdicts, broken files stay backstage."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.cli import main
from optrain.ui.results_view import VERDICT
from optrain.ui.text import HARD_BREAK

from .harness import SCENARIOS, Calls, Env, TrainSteps, texts

HANDS_ON = "hands_on_practice"
# Right, partial and wrong calls, with a wrong call on the critical refund over $500.
MIXED: Calls = {
    "alex_rivera_sla": ("approve_template", "ack_delay"),
    "hoodie_blk_m": ("reorder", None),
    "jordan_lee_refund": ("approve_template", "refund_offer"),
    "helpdesk_tile_error": ("alert_reliability", None),
    "race_weekend_brake_pads": ("approve_template", "ack_delay"),
    "ai_draft_oil_pan_ship": ("approve_draft", None),
    "nationals_event_tee": ("no_action", None),
}
# Partial credit twice, every critical call right: still above the pass mark.
MOSTLY_RIGHT: Calls = {
    **MIXED,
    "jordan_lee_refund": ("escalate_manager", None),
    "nationals_event_tee": ("mark_intentional", None),
}
TOTAL = re.compile(
    r"^Total: (?P<score>[\d.]+)/(?P<max>[\d.]+) \((?P<percent>\d+)%\).*: (?P<status>PASSED|FAILED)", re.M
)


def simulate(tmp_path: Path, calls: Calls) -> re.Match[str]:
    """`optrain simulate` on an answers file holding exactly the calls made in the browser."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                item: {"call": call, "template": template} if template else call
                for item, (call, template) in calls.items()
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["simulate", HANDS_ON, "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    match = TOTAL.search(result.output)
    assert match, result.output
    return match


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def verdicts(at: AppTest) -> list[str]:
    """The first line of each item on the results page: its title, verdict and points."""
    heads = [m.value.split(HARD_BREAK)[0] for m in at.markdown]
    return [h for h in heads if any(f" · {v} · " in h for v in VERDICT.values())]


@pytest.mark.parametrize("calls", [MIXED, MOSTLY_RIGHT], ids=["mixed-critical-miss", "mostly-right"])
def test_score_on_screen_is_what_optrain_simulate_prints(app, train: TrainSteps, tmp_path: Path, calls: Calls) -> None:
    at = app("trainee", "train")
    attempt_id = train.open(at, HANDS_ON)
    taken = train.work_queue(at, attempt_id, calls)
    assert sorted(taken) == sorted(calls)
    at.button(key="finish").click().run()
    assert not at.exception

    cli = simulate(tmp_path, calls)
    score, top = (float(x) for x in metric(at, "Score").split(" / "))
    assert (score, top) == (float(cli["score"]), float(cli["max"]))
    assert metric(at, "Percent") == f"{cli['percent']}%"
    assert metric(at, "Result") == {"PASSED": "Passed", "FAILED": "Not passed"}[cli["status"]]
    shown = " ".join(verdicts(at))
    assert "partial" in shown and "correct" in shown
    assert ("CRITICAL" in shown) is (cli["status"] == "FAILED")
    assert at.button(key="try_again")


@pytest.fixture
def scenarios_as(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A private scenarios folder holding hands_on_practice with `changes` applied (id stays the file stem)."""

    def write(**changes: object) -> Path:
        folder = tmp_path / "scenarios"
        folder.mkdir(exist_ok=True)
        data = yaml.safe_load((SCENARIOS / f"{HANDS_ON}.yaml").read_text(encoding="utf-8"))
        data.update(changes)
        (folder / f"{HANDS_ON}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("OPTRAIN_SCENARIOS", str(folder))
        return folder

    return write


VERDICT_WORDS = ("**Correct**", "**Partial**", "**Wrong**")


def verdict_alerts(at: AppTest) -> list[str]:
    return [t for t in texts([*at.success, *at.warning, *at.error]) if any(w in t for w in VERDICT_WORDS)]


@pytest.mark.parametrize("mode", ["coach", "exam"])
def test_exam_mode_reveals_verdicts_only_at_the_end(app, train: TrainSteps, scenarios_as, mode: str) -> None:
    scenarios_as(feedback_mode=mode)
    at = app("trainee", "train")
    attempt_id = train.open(at, HANDS_ON)
    first = train.pick(at, attempt_id)
    train.decide(at, attempt_id, first, *MIXED[first])
    assert bool(verdict_alerts(at)) is (mode == "coach")
    train.pick(at, attempt_id, first)  # look at the decided item again
    assert bool(verdict_alerts(at)) is (mode == "coach")
    assert any("verdict is revealed when you finish" in c for c in texts(at.caption)) is (mode == "exam")

    rest = {k: v for k, v in MIXED.items() if k != first}
    train.pick(at, attempt_id, next(iter(rest)))
    train.work_queue(at, attempt_id, rest)
    at.button(key="finish").click().run()
    assert not at.exception
    assert len(verdicts(at)) == len(MIXED)
    assert metric(at, "Result") == "Not passed"
    assert any("critical item went wrong" in e for e in texts(at.error))


def test_broken_scenario_file_is_shown_to_trainers_only(app, scenarios_as) -> None:
    folder = scenarios_as()
    text = (folder / f"{HANDS_ON}.yaml").read_text(encoding="utf-8")
    (folder / "broken_copy.yaml").write_text(
        text.replace(f"id: {HANDS_ON}", "id: broken_copy").replace("call: reorder", "call: reordr"), encoding="utf-8"
    )

    trainee = app("trainee", "train")
    assert trainee.button(key=f"open_{HANDS_ON}")
    assert not [b for b in trainee.button if b.key == "open_broken_copy"]
    assert not [e for e in trainee.expander if "could not be loaded" in e.label]
    assert not [m for m in texts(trainee.markdown) if "broken" in m]

    trainer = app("trainer", "train")
    assert trainer.button(key=f"open_{HANDS_ON}")
    (problems,) = [e for e in trainer.expander if "could not be loaded" in e.label]
    assert "1 scenario file(s) could not be loaded" in problems.label
    listed = texts(problems.markdown)
    assert listed and all("broken" in m for m in listed)
    assert any("reordr" in m for m in listed)


@pytest.mark.parametrize(
    ("query", "message", "back"),
    [
        ({"attempt": "999"}, "Attempt 999 does not exist", "back_error"),
        ({"scenario": "no_such_scenario"}, "That scenario is not in the catalog any more.", "back_unknown"),
        ({"attempt": "abc"}, None, None),
        ({"attempt": "\u00b2"}, None, None),  # a superscript two: str.isdigit() says yes, int() says no
        ({"attempt": "1" * 30}, "Attempt 111", "back_error"),  # over SQLite's 64-bit integers
    ],
    ids=["unknown-attempt", "unknown-scenario", "not-a-number", "superscript-digit", "thirty-digits"],
)
def test_a_bad_train_url_explains_itself_and_leads_back(
    app, query: dict[str, str], message: str | None, back: str | None
) -> None:
    at = app("trainee", "train", **query)
    if message is None:  # not an attempt id at all: the catalog
        assert texts(at.title) == ["Train"] and not at.error
        return
    assert any(message in e for e in texts(at.error))
    at.button(key=back).click().run()
    assert not at.exception
    assert texts(at.title) == ["Train"] and at.query_params == {}


def test_try_again_starts_a_new_attempt_and_keeps_the_finished_one(app, seed) -> None:
    finished = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(finished))
    at.button(key="try_again").click().run()
    assert not at.exception
    fresh = int(at.query_params["attempt"])
    assert fresh != finished
    assert [p.text for p in at.get("progress")] == [f"0 of {len(MIXED)} decided"]
    assert storage.get_attempt(seed.db, finished).status == "completed"


def test_home_resumes_the_shift_in_progress(app, seed) -> None:
    attempt_id = seed.start("trainee")
    at = app("trainee")
    at.button(key="home_resume").click().run()
    assert not at.exception
    assert at.query_params == {"attempt": str(attempt_id)}
    assert at.radio(key=f"pick_{attempt_id}")


def test_scenario_title_is_shown_as_written_on_the_shift(app, train: TrainSteps, scenarios_as) -> None:
    title = "Refunds over $500 and under $5,000: *escalate*"
    scenarios_as(title=title)
    at = app("trainee", "train")
    train.open(at, HANDS_ON)
    (shown,) = texts(at.title)
    assert "$500" not in shown.replace("\\$", "") and "*escalate*" not in shown, "Markdown or math would reformat it"
    assert shown.replace("\\", "") == title
