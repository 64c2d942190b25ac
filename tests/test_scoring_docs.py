"""Every worked example of the scoring rules in docs/scenario-format.md scores as the docs say."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from optrain.answers import parse_answers
from optrain.scenarios.loader import parse_scenario_text
from optrain.scoring import score_attempt

DOC = (Path(__file__).resolve().parent.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
BLOCKS = [textwrap.dedent(t) for t in re.findall(r"^ *```yaml\n(.*?)^ *```", DOC, re.DOTALL | re.MULTILINE)]
EXAMPLES = [b for b in BLOCKS if b.startswith("# Scoring example:")]
HEAD = {
    "id": "example",
    "title": "Example",
    "version": 1,
    "module": "custom",
    "difficulty": "beginner",
    "briefing": "A worked example of a scoring rule.",
    "seed": 7,
}


def test_the_scoring_section_has_an_example_per_rule() -> None:
    rules = re.findall(r"^\*\*(\d+)\. ", DOC[DOC.index("## Scoring") : DOC.index("## Limits")], re.MULTILINE)
    assert len(rules) == 10 and len(EXAMPLES) == 10


@pytest.mark.parametrize("text", EXAMPLES, ids=lambda t: t.split("\n", 1)[0].removeprefix("# Scoring example: "))
def test_each_scoring_example_scores_as_documented(text: str) -> None:
    data: dict[str, Any] = yaml.safe_load(text)
    answers, expected = data.pop("answers"), data.pop("result")
    scenario = parse_scenario_text(yaml.safe_dump({**HEAD, **data}, sort_keys=False), "example.yaml", "example")
    result = score_attempt(scenario, parse_answers(answers))
    assert (result.score, result.max_score) == (expected["score"], expected["max_score"]), [
        r.feedback for r in result.items
    ]
    assert {r.item_id: r.verdict for r in result.items} == expected["verdicts"]
    if "passed" in expected:
        assert result.passed is expected["passed"]
