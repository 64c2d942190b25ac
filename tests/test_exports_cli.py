"""`optrain export tickets|evidence|verify` and `optrain db purge`: output, exit codes, files written."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from exports_records import answer, attempt, decide, parse_csv, read_export

from optrain.cli import main
from optrain.exports import parse_age, range_end, range_start
from optrain.storage import list_answers, list_decision_log, open_db


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database file with one trainee's attempt, and the exports, uploads and config folders under tmp_path."""
    monkeypatch.setenv("OPTRAIN_DB", str(tmp_path / "optrain.db"))
    monkeypatch.setenv("OPTRAIN_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.setenv("OPTRAIN_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("OPTRAIN_AUTH", str(tmp_path / "config" / "auth.yaml"))  # the signing key goes beside it
    db = open_db(tmp_path / "optrain.db")
    now = datetime.now(UTC)
    made = attempt(db, now=now - timedelta(days=200))
    decide(db, made, "old_call", at=now - timedelta(days=200))
    decide(db, made, "recent_call", at=now - timedelta(days=10))
    answer(db, made, "what_is_confusing", answer="=1+1 the tile colours", severity="critical", now=now)
    db.close()
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def written(out: str) -> Path:
    """The file an export command says it wrote (its progress bar goes to stderr, before that line)."""
    (line,) = [line for line in out.splitlines() if line.startswith("Wrote ")]
    return Path(line.removeprefix("Wrote ").split(": ")[0])


def test_export_tickets_writes_linear_csv_with_question_texts(env: Path) -> None:
    code, out = run("export", "tickets", "--format", "linear")
    assert code == 0, out
    path = Path(out.split("Wrote ", 1)[1].split(": ", 1)[0])
    assert path.parent == (env / "exports").resolve() and out.rstrip().endswith(": 1 ticket(s)")
    rows = parse_csv(read_export(path))
    assert rows[1][2] == "Urgent" and "Question: What is confusing?" in rows[1][1]


def test_mark_filed_then_the_default_status_finds_nothing_new(env: Path) -> None:
    code, out = run("export", "tickets", "--format", "json", "--mark-filed")
    assert code == 0 and "marked 1 answer(s) as ticket filed" in out
    assert {a.status for a in list_answers(open_db(env / "optrain.db"))} == {"ticket_filed"}
    code, out = run("export", "tickets", "--format", "json")
    assert code == 1 and "Nothing to export: no answers match these filters" in out
    assert run("export", "tickets", "--format", "json", "--status", "any")[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "yesterday"), "'yesterday' is not a date"),
        (("--part", "lunch"), "'lunch' is not one of"),
        (("--severity", "urgent"), "'urgent' is not one of"),
    ],
)
def test_bad_ticket_options_exit_2_with_the_reason(env: Path, args: tuple[str, ...], message: str) -> None:
    code, out = run("export", "tickets", "--format", "linear", *args)
    assert code == 2 and message in out


def test_export_evidence_prints_path_and_row_counts_and_verifies(env: Path) -> None:
    code, out = run("export", "evidence", "--trainee", "casey")
    assert code == 0, out
    assert out.startswith("Writing the evidence pack"), "the progress bar's label comes first"
    path = written(out)
    assert path.name.startswith("training_evidence_") and path.suffix == ".zip"
    assert "decisions.csv          2 row(s)" in out and "qa.csv                 1 row(s)" in out
    code, out = run("export", "verify", str(path))
    assert code == 0 and out.startswith("OK: ")


def test_verify_exits_1_listing_the_problems(env: Path) -> None:
    out = run("export", "evidence")[1]
    path = written(out)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("extra.txt", "added later")
    code, out = run("export", "verify", str(path))
    assert code == 1
    assert "extra.txt: in the pack but not listed in manifest.json." in out and "1 problem(s)" in out


def test_export_to_a_folder_under_a_file_says_what_to_do(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "blocker").write_text("a file, not a folder")
    monkeypatch.setenv("OPTRAIN_EXPORTS", str(env / "blocker" / "exports"))
    code, out = run("export", "evidence")
    assert code == 1 and "cannot be written" in out and "OPTRAIN_EXPORTS" in out


def test_export_help_documents_the_formula_prefix() -> None:
    for command in (("export", "--help"), ("export", "tickets", "--help"), ("export", "evidence", "--help")):
        code, out = run(*command)
        assert code == 0 and "gets a leading '" in out


@pytest.mark.parametrize(
    ("args", "kept", "message"),
    [
        (("--dry-run",), 2, "Dry run: 1 decision-log record(s) created before "),
        ((), 1, "Deleted 1 decision-log record(s) created before "),
        (("--older-than", "1w"), 0, "Deleted 2 decision-log record(s)"),
        (("--older-than", "300d", "--dry-run"), 2, "Dry run: 0 decision-log record(s)"),
    ],
)
def test_purge_keeps_the_retention_window(env: Path, args: tuple[str, ...], kept: int, message: str) -> None:
    code, out = run("db", "purge", *args)
    assert code == 0 and out.startswith(message)
    assert len(list_decision_log(open_db(env / "optrain.db"))) == kept


def test_purge_refuses_an_unreadable_age(env: Path) -> None:
    code, out = run("db", "purge", "--older-than", "3 months")
    assert code == 2 and "'3 months' is not an age" in out
    assert len(list_decision_log(open_db(env / "optrain.db"))) == 2


@pytest.mark.parametrize(("text", "days"), [("90d", 90), ("2w", 14), (" 13W ", 91), ("1d", 1)])
def test_parse_age_reads_days_and_weeks(text: str, days: int) -> None:
    assert parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["90", "d", "0d", "-1d", "1.5d", "90m", ""])
def test_parse_age_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="e.g. 90d or 13w"):
        parse_age(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-06-30", "2026-06-30T00:00:00+00:00", "2026-07-01T00:00:00+00:00"),
        ("2026-06-30T14:00:00Z", "2026-06-30T14:00:00+00:00", "2026-06-30T14:00:00+00:00"),
        ("2026-06-30T14:00", "2026-06-30T14:00:00+00:00", "2026-06-30T14:00:00+00:00"),
        ("2026-06-30T16:00:00+02:00", "2026-06-30T16:00:00+02:00", "2026-06-30T16:00:00+02:00"),
    ],
)
def test_date_filters_include_the_whole_last_day(text: str, start: str, end: str) -> None:
    assert (range_start(text).isoformat(), range_end(text).isoformat()) == (start, end)


def test_json_tickets_from_the_cli_parse(env: Path) -> None:
    code, out = run("export", "tickets", "--format", "json", "--severity", "critical", "--part", "hands_on")
    path = Path(out.split("Wrote ", 1)[1].split(": ", 1)[0])
    assert code == 0 and json.loads(read_export(path))[0]["answer"] == "=1+1 the tile colours"
