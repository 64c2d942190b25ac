"""Target 1: a trainee decision on the large database, server side, against a one-line page's rerun.

A decision is what a browser sends while the trainee works the queue: open
the item (`pick_<attempt>`), choose the call (`call_<attempt>_<item>`) and
submit it (`submit_<attempt>_<item>`, which records the call durably and
draws the next item); each is one rerun. Each repetition starts a fresh
attempt of the demo trainee (untimed), makes its first call through the page
(untimed, as a trainee does after reading the replica), then times a decision
on an item the queue did not preselect, so every step changes the screen.
The first call of a shift, with the replica open, is reported too.

Reading of the limit: the issue compares a decision with "the rerun" of a
one-line page, and a browser waits on each rerun separately, so the check is
that every rerun of a decision (the slowest of the three steps) costs at most
5x a one-line rerun; the three together are reported beside it. The baseline
is a rerun of `st.write('x')` in the same process through the same AppTest
machinery.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from bench.app_env import (
    app_environment,
    app_folder,
    checked,
    one_line_page,
    signed_in,
)
from bench.generate import load_builtin
from bench.measure import (
    Case,
    Check,
    Context,
    Figure,
    Outcome,
    Timing,
    interleaved,
    ms,
    profile_text,
)
from optrain import storage, training
from optrain.scenarios.model import ConversationItem

NAME = "decision"
TITLE = "Trainee decision (open item, make the call, rerun) vs a one-line page rerun"
SCENARIO = "cx_escalations_basics"
CALL = "escalate_specialist"  # needs no template, note or body, so the decision is exactly three reruns
LIMIT = 5.0
BASELINE_RUNS = 5  # one sample of the baseline is the mean of this many reruns
RUNS_PER_REPEAT = 3  # a decision takes milliseconds: three times the usual samples steady the median
STEPS = ("open item", "choose call", "submit")


FIRST_CALL = {"conversation": CALL, "inventory": "no_action", "tile": "no_action"}  # no input needed


class _Trainee:
    """The demo trainee on the Train page, one fresh attempt per decision."""

    def __init__(self, at: AppTest, db_path: str):
        self.at = at
        self.db = storage.open_db(db_path)
        self.scenario = {s.id: s for s in load_builtin()}[SCENARIO]
        self.operator = training.Operator("trainee", "Casey Morgan", "trainee@hotrodan.example")
        self.attempt_id = 0
        self.item_id = ""
        self.steps: dict[str, list[float]] = {step: [] for step in STEPS}
        self.first: dict[str, list[float]] = {step: [] for step in STEPS[1:]}

    def _timed(self, into: list[float], action: Callable[[], AppTest]) -> None:
        began = time.perf_counter()
        checked(action())
        into.append(time.perf_counter() - began)

    def open_fresh_attempt(self) -> None:
        """A fresh shift, its first call made through the page (the replica open), then a target item."""
        at = self.at
        attempt = training.start_attempt(self.db, self.scenario, self.operator, datetime.now(UTC))
        self.attempt_id = a = attempt.id
        at.query_params["attempt"] = str(a)
        checked(at.run())
        first = str(at.radio(key=f"pick_{a}").value)
        call = FIRST_CALL[self.scenario_item_kind(first)]
        self._timed(self.first["choose call"], lambda: at.radio(key=f"call_{a}_{first}").set_value(call).run())
        self._timed(self.first["submit"], lambda: at.button(key=f"submit_{a}_{first}").click().run())
        state = training.load_state(self.db, self.scenario, a, "trainee")
        preselected = at.radio(key=f"pick_{a}").value
        # Not the item the queue preselects, so opening it changes the screen.
        self.item_id = next(
            i for i in state.pending if i != preselected and isinstance(state.queue.item(i), ConversationItem)
        )

    def scenario_item_kind(self, item_id: str) -> str:
        return training.load_state(self.db, self.scenario, self.attempt_id, "trainee").queue.item(item_id).kind

    def decide(self) -> None:
        at, a, i = self.at, self.attempt_id, self.item_id
        actions = (
            lambda: at.radio(key=f"pick_{a}").set_value(i).run(),
            lambda: at.radio(key=f"call_{a}_{i}").set_value(CALL).run(),
            lambda: at.button(key=f"submit_{a}_{i}").click().run(),
        )
        for step, action in zip(STEPS, actions, strict=False):
            self._timed(self.steps[step], action)

    def recorded(self) -> int:
        return len(storage.list_decisions(self.db, self.attempt_id))


def run(ctx: Context) -> Outcome:
    with app_environment(app_folder(ctx)) as db_path:
        page = one_line_page()
        at = signed_in("trainee")
        checked(at.run())
        checked(at.switch_page("app_pages/train.py").run())
        trainee = _Trainee(at, str(db_path))
        runs = ctx.repeats * RUNS_PER_REPEAT
        timings = interleaved(
            {
                "baseline": Case(lambda: [page.run() for _ in range(BASELINE_RUNS)], per=BASELINE_RUNS),
                "decision": Case(trainee.decide, trainee.open_fresh_attempt),
            },
            runs,
        )
        if trainee.recorded() != 2:
            raise RuntimeError("the submitted calls were not recorded; the benchmark is not measuring a decision")
        baseline, decision = timings["baseline"], timings["decision"]
        steps = {step: Timing(tuple(s[1 : runs + 1])) for step, s in trainee.steps.items()}
        first = {step: Timing(tuple(s[1 : runs + 1])) for step, s in trainee.first.items()}
        slowest = max(steps, key=lambda step: steps[step].median)
        ratio = steps[slowest].median / baseline.median
        profile = ""
        if ratio > LIMIT:
            trainee.open_fresh_attempt()
            profile = profile_text(trainee.decide)
    figures = [Figure("one-line page rerun (baseline)", ms(baseline.median), "ms")]
    figures += [Figure(f"step: {step}", ms(t.median), "ms") for step, t in steps.items()]
    figures += [
        Figure("decision (3 reruns)", ms(decision.median), "ms"),
        Figure("decision (3 reruns) / one-line rerun", decision.median / baseline.median, "x"),
        Figure("decision, slowest run", ms(decision.spread[1]), "ms"),
    ]
    figures += [Figure(f"first call of a shift, replica open: {step}", ms(t.median), "ms") for step, t in first.items()]
    check = Check(f"each rerun of a decision (slowest step: {slowest}) / one-line rerun", ratio, LIMIT, "x")
    return Outcome(NAME, TITLE, tuple(figures), (check,), profile=profile)
