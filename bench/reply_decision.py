"""Target 1 for a decision that sends a reply: every rerun of it against a one-line page's rerun.

The decision benchmark times a call without a reply (`escalate_specialist`).
Since replies are checked on the four review dimensions when they are sent,
this one times the same decision with `approve_template` and the `ack_delay`
template: open the item, choose the call, pick the template (the prefilled
reply appears), submit (the reply is checked, recorded and the next item is
drawn). The limit is the decision benchmark's: each rerun at most 5x a
one-line rerun.
"""

from __future__ import annotations

from bench import decision as base
from bench.app_env import app_environment, app_folder, checked, one_line_page, signed_in
from bench.measure import Case, Check, Context, Figure, Outcome, Timing, interleaved, ms
from optrain import storage

NAME = "reply_decision"
TITLE = "Trainee decision that sends a reply (open item, call, template, submit) vs a one-line page rerun"
TEMPLATE = "ack_delay"
STEPS = ("open item", "choose call", "pick template", "submit")


class _ReplyTrainee(base._Trainee):
    def __init__(self, at, db_path: str):  # type: ignore[no-untyped-def]
        super().__init__(at, db_path)
        self.steps = {step: [] for step in STEPS}

    def decide(self) -> None:
        at, a, i = self.at, self.attempt_id, self.item_id
        actions = (
            lambda: at.radio(key=f"pick_{a}").set_value(i).run(),
            lambda: at.radio(key=f"call_{a}_{i}").set_value("approve_template").run(),
            lambda: at.selectbox(key=f"template_{a}_{i}").set_value(TEMPLATE).run(),
            lambda: at.button(key=f"submit_{a}_{i}").click().run(),
        )
        for step, action in zip(STEPS, actions, strict=False):
            self._timed(self.steps[step], action)


def run(ctx: Context) -> Outcome:
    with app_environment(app_folder(ctx)) as db_path:
        page = one_line_page()
        at = signed_in("trainee")
        checked(at.run())
        checked(at.switch_page("app_pages/train.py").run())
        trainee = _ReplyTrainee(at, str(db_path))
        runs = ctx.repeats * base.RUNS_PER_REPEAT
        timings = interleaved(
            {
                "baseline": Case(lambda: [page.run() for _ in range(base.BASELINE_RUNS)], per=base.BASELINE_RUNS),
                "decision": Case(trainee.decide, trainee.open_fresh_attempt),
            },
            runs,
        )
        rows = storage.list_decisions(trainee.db, trainee.attempt_id)
        if len(rows) != 2 or not rows[-1].body or rows[-1].template != TEMPLATE:
            raise RuntimeError("the reply was not recorded; the benchmark is not measuring a decision with a reply")
        baseline, decision = timings["baseline"], timings["decision"]
        steps = {step: Timing(tuple(s[1 : runs + 1])) for step, s in trainee.steps.items()}
        slowest = max(steps, key=lambda step: steps[step].median)
        ratio = steps[slowest].median / baseline.median
    figures = [Figure("one-line page rerun (baseline)", ms(baseline.median), "ms")]
    figures += [Figure(f"step: {step}", ms(t.median), "ms") for step, t in steps.items()]
    figures += [Figure("decision with a reply (4 reruns)", ms(decision.median), "ms")]
    check = Check(
        f"each rerun of a decision with a reply (slowest step: {slowest}) / one-line rerun", ratio, base.LIMIT, "x"
    )
    return Outcome(NAME, TITLE, tuple(figures), (check,))
