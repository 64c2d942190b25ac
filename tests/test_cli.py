"""The optrain command: exit codes and messages of validate, queue, simulate, schema and db."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from optrain import storage
from optrain.cli import main
from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenario_file

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "fixtures" / "scenarios" / "broken"
HANDS_ON = ROOT / "scenarios" / "hands_on_practice.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_validate_builtin_scenarios_passes_with_a_summary() -> None:
    code, out = run("validate", str(ROOT / "scenarios"))
    assert code == 0
    assert out.startswith("OK: ") and "no errors" in out


def test_validate_prints_every_error_and_exits_1() -> None:
    code, out = run("validate", str(BROKEN), str(HANDS_ON))
    assert code == 1
    files = sorted(p.name for p in BROKEN.glob("*.yaml"))
    for name in files:
        assert name in out
    assert f"in {len(files)} of {len(files) + 1} file(s)" in out


def test_queue_json_is_deterministic_and_chatwoot_shaped() -> None:
    code, first = run("queue", str(HANDS_ON), "--json")
    assert code == 0
    assert run("queue", "hands_on_practice", "--json")[1] == first
    data = json.loads(first)
    conversation = next(e["payload"] for e in data["entries"] if e["kind"] == "conversation")
    assert {"id", "status", "priority", "labels", "meta", "messages", "custom_attributes", "applied_sla"} <= set(
        conversation
    )


def test_queue_of_an_unknown_scenario_lists_the_known_ones() -> None:
    code, out = run("queue", "nope")
    assert code == 1 and "no scenario 'nope'; known scenarios:" in out and "hands_on_practice" in out


def answers_for_expected_path() -> dict[str, str]:
    scenario = load_scenario_file(HANDS_ON)
    queue = generate_queue(scenario)
    return {
        item.id: item.expected.call + (f":{item.expected.template}" if item.expected.template else "")
        for item in queue.all_items()
    }


def test_simulate_scores_an_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(answers_for_expected_path()))
    code, out = run("simulate", "hands_on_practice", "--answers", str(answers))
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("Total: ") and "PASSED" in out
    code, out = run("simulate", "hands_on_practice", "--answers", str(answers), "--json")
    assert json.loads(out)["percent"] == 1.0


def test_simulate_reports_a_critical_failure(tmp_path: Path) -> None:
    given = answers_for_expected_path()
    given["jordan_lee_refund"] = "approve_template:refund_offer"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(given))
    code, out = run("simulate", str(HANDS_ON), "--answers", str(answers))
    assert code == 0 and "FAILED; critical failure(s): jordan_lee_refund" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- just\n- a list\n", "expected a mapping of item id -> call"),
        ("alex_rivera_sla: [1, 2]\n", "alex_rivera_sla: expected a call"),
        ("ghost: reorder\n", "'ghost' is not an item of this scenario"),
        ("alex_rivera_sla: reorder\n", "'reorder' is not a call for a conversation item"),
        ("alex_rivera_sla: {call: approve_template, template: ack_delay, colour: red}\n", "unknown key(s) colour"),
        ("key: [unclosed\n", "not valid YAML or JSON"),
    ],
)
def test_simulate_refuses_a_bad_answers_file(tmp_path: Path, content: str, message: str) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    code, out = run("simulate", "hands_on_practice", "--answers", str(answers))
    assert code == 1 and message in out and "Traceback" not in out


def test_simulate_missing_answers_file(tmp_path: Path) -> None:
    code, out = run("simulate", "hands_on_practice", "--answers", str(tmp_path / "none.yaml"))
    assert code == 1 and "cannot be read" in out


def test_db_migrate_and_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "data" / "optrain.db"
    monkeypatch.setenv("OPTRAIN_DB", str(db_path))
    code, out = run("db", "migrate")
    assert code == 0 and "schema up to date" in out
    assert run("db", "migrate")[0] == 0
    db = storage.open_db(db_path)
    storage.log_login(db, username="casey", outcome="success", now=datetime.now(UTC))
    copy = tmp_path / "backup.db"
    code, out = run("db", "backup", str(copy))
    assert code == 0 and "Backed up" in out
    assert sqlite3.connect(copy).execute("SELECT COUNT(*) FROM login_events").fetchone() == (1,)
    code, out = run("db", "backup", str(db_path))
    assert code == 1


def test_schema_command_writes_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert run("schema", "--output", str(target))[0] == 0
    assert json.loads(target.read_text()) == json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())


def test_validate_with_no_scenario_found_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a scenario")
    code, out = run("validate", str(tmp_path))
    assert (code, out) == (1, f"No scenario files (.yaml or .yml) found in {tmp_path}\n")


def test_validate_reads_yml_files_in_subfolders(tmp_path: Path) -> None:
    (tmp_path / "cx").mkdir()
    minimal = (ROOT / "fixtures" / "scenarios" / "valid" / "minimal.yaml").read_text()
    (tmp_path / "cx" / "minimal.YML").write_text(minimal)
    code, out = run("validate", str(tmp_path))
    assert (code, out) == (0, "OK: 1 scenario(s), 1 scripted item(s), no errors\n")
