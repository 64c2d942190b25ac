"""`optrain scenario list|publish|archive|restore|delete|export`, and every command reading the one catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from optrain import qa_capture, storage, training
from optrain.cli import main
from optrain.scenario_versions import custom_scenarios, save_draft

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)
TEXT = (
    (ROOT / "fixtures" / "scenarios" / "valid" / "brake_day.yaml").read_text(encoding="utf-8")
    + """\
questions:
  - id: q1
    text: Was the days-of-cover figure clear?
    part: sales_inventory
"""
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPTRAIN_DB", str(tmp_path / "optrain.db"))
    monkeypatch.setenv("OPTRAIN_SCENARIOS", str(ROOT / "scenarios"))
    monkeypatch.setenv("OPTRAIN_EXPORTS", str(tmp_path / "exports"))
    (tmp_path / "brake_day.yaml").write_text(TEXT, encoding="utf-8")
    return tmp_path


def test_publish_a_file_from_ci_then_again_changes_nothing(home: Path) -> None:
    code, out = run("scenario", "publish", str(home / "brake_day.yaml"), "--by", "ci")
    assert (code, out) == (0, "Published 'brake_day' version 1: trainees see it from now on\n")
    code, out = run("scenario", "publish", str(home / "brake_day.yaml"), "--by", "ci")
    assert (code, out) == (0, "Unchanged: 'brake_day' version 1 is already published\n")
    (home / "brake_day.yaml").write_text(TEXT.replace("units: 4", "units: 3"), encoding="utf-8")
    assert run("scenario", "publish", str(home / "brake_day.yaml"))[1] == (
        "Published 'brake_day' version 2: trainees see it from now on\n"
    )  # a published version never changes


def test_list_shows_builtins_and_studio_states(home: Path) -> None:
    db = storage.open_db(home / "optrain.db")
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    code, out = run("scenario", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "source", "state", "published", "draft", "title"]
    assert any(line.split()[:3] == ["hands_on_practice", "built-in", "published"] for line in lines)
    (studio,) = [line for line in lines if line.startswith("brake_day ")]
    assert studio.split() == ["brake_day", "studio", "draft", "(not", "published)", "-", "1", "Brake", "day"]


def test_publish_an_id_archive_restore_delete(home: Path) -> None:
    db = storage.open_db(home / "optrain.db")
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    assert run("scenario", "publish", "brake_day", "--by", "sam")[0] == 0
    assert run("scenario", "archive", "brake_day") == (
        0,
        "Archived 'brake_day': trainees no longer see it; its attempts are kept\n",
    )
    assert run("scenario", "archive", "brake_day") == (1, "Error: 'brake_day' is already archived.\n")
    code, out = run("queue", "brake_day")
    assert code == 1 and "no scenario 'brake_day'" in out
    assert run("scenario", "restore", "brake_day") == (0, "Restored 'brake_day'\n")
    assert run("queue", "brake_day")[0] == 0
    assert run("scenario", "delete", "brake_day") == (
        1,
        "Error: 'brake_day' has been published; archive it instead (its attempts are kept).\n",
    )
    save_draft(db, TEXT.replace("id: brake_day", "id: scratch"), author="riley", now=NOW, builtin_ids=())
    assert run("scenario", "delete", "scratch") == (0, "Deleted 'scratch' (1 draft version(s))\n")
    assert "scratch" not in custom_scenarios(db)


def test_publish_refuses_a_broken_file_with_the_loaders_message(home: Path) -> None:
    (home / "brake_day.yaml").write_text(TEXT.replace("call: reorder", "call: reordr"), encoding="utf-8")
    code, out = run("scenario", "publish", str(home / "brake_day.yaml"))
    assert code == 1
    assert out == (
        f"Error: {home / 'brake_day.yaml'}: queue[0].expected.call: 'reordr' is not a call for an "
        "inventory item; did you mean 'reorder'? (line 14)\n"
    )


def test_export_a_builtin_byte_for_byte_and_a_studio_version(home: Path) -> None:
    source = ROOT / "scenarios" / "hands_on_practice.yaml"
    assert run("scenario", "export", "hands_on_practice", "--output", str(home / "out.yaml")) == (
        0,
        f"Wrote {home / 'out.yaml'}\n",
    )
    assert (home / "out.yaml").read_bytes() == source.read_bytes()
    assert run("scenario", "export", "hands_on_practice", "--output", str(home / "out.yaml"))[0] == 1
    db = storage.open_db(home / "optrain.db")
    save_draft(db, "# kept comment\n" + TEXT, author="riley", now=NOW, builtin_ids=())
    assert run("scenario", "export", "brake_day") == (0, "# kept comment\n" + TEXT)
    assert run("scenario", "export", "nothing") == (
        1,
        "Error: There is no scenario 'nothing' in the scenarios folder or the studio.\n",
    )


def test_ticket_export_names_a_studio_questions_text(home: Path) -> None:
    db = storage.open_db(home / "optrain.db")
    save_draft(db, TEXT, author="riley", now=NOW, builtin_ids=())
    code, _ = run("scenario", "publish", "brake_day")
    scenario = custom_scenarios(db)["brake_day"]
    operator = training.Operator("casey", "Casey Morgan", "casey@x.test")
    attempt = training.start_attempt(db, scenario, operator, NOW)
    qa_capture.save_qa(
        db,
        scenario,
        storage.get_attempt(db, attempt.id),
        [qa_capture.AnswerInput("q1", "The red band was clear.")],
        uploads_dir=home / "uploads",
        now=NOW,
    )
    code, out = run("export", "tickets", "--format", "markdown")
    assert code == 0, out
    (written,) = (home / "exports").glob("*.md")
    body = written.read_text(encoding="utf-8")
    assert "Was the days-of-cover figure clear?" in body
