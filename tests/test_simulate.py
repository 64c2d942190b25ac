"""`optrain simulate`: reply bodies per item, impossible answers refused, duplicate keys refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from optrain.cli import main

ROOT = Path(__file__).resolve().parent.parent
HANDS_ON = ROOT / "scenarios" / "hands_on_practice.yaml"
EXPECTED = {
    "alex_rivera_sla": "approve_template:ack_delay",
    "jordan_lee_refund": "escalate_manager",
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "alex_rivera_sla: approve_template:ack_dely\n",
            (
                "alex_rivera_sla: 'ack_dely' is not a template of this scenario; use one of: ack_delay, ship_update, "
                "refund_offer"
            ),
        ),
        (
            "jordan_lee_refund: escalate_manager:refund_offer\n",
            "jordan_lee_refund: 'escalate_manager' takes no template (only approve_template does)",
        ),
        (
            "alex_rivera_sla: approve_draft\n",
            (
                "alex_rivera_sla: 'approve_draft' needs an AI draft and this conversation has none; use one of: "
                "approve_template, escalate_manager, escalate_specialist"
            ),
        ),
        (
            "alex_rivera_sla: escalate_manager\njordan_lee_refund: escalate_manager\nalex_rivera_sla: approve_template:ack_delay\n",
            "'alex_rivera_sla' is given twice (lines 1 and 3); each item takes one call",
        ),
        (
            '{"alex_rivera_sla": "escalate_manager", "alex_rivera_sla": "approve_template:ack_delay"}',
            "'alex_rivera_sla' is given twice",
        ),
        ("alex_rivera_sla: {call: approve_template, template: ack_delay, body: [1]}\n", "body must be text"),
    ],
)
def test_simulate_refuses_an_impossible_answer_with_the_item_and_what_is_allowed(
    tmp_path: Path, content: str, message: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    code, out = run("simulate", str(HANDS_ON), "--answers", str(answers))
    assert code == 1 and message in out and "Traceback" not in out


def test_simulate_checks_the_reply_body_given_per_item(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "alex_rivera_sla:\n"
        "  call: approve_template\n"
        "  template: ack_delay\n"
        "  body: |\n"
        "    Hi Alex, sorry for the wait on order #HR-10389. We'll refund the full $742 today.\n"
        "    I'll write again within 24 hours.\n"
    )
    code, out = run("simulate", str(HANDS_ON), "--answers", str(answers), "--json")
    assert code == 0
    item = next(i for i in json.loads(out)["items"] if i["item"] == "alex_rivera_sla")
    assert (item["verdict"], item["points"]) == ("wrong", 0)
    failed = {c["check"]: c for c in item["reply_checks"] if not c["passed"]}
    assert failed["refund_limit"]["quote"] == "We'll refund the full $742 today."
    assert failed["refund_limit"]["dimension"] == "policy" and failed["refund_limit"]["critical"]
    code, text = run("simulate", str(HANDS_ON), "--answers", str(answers))
    assert "reply: Policy (critical, refund_limit)" in text and "“We'll refund the full $742 today.”" in text
