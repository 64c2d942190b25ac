"""Q&A answers as Linear / Jira CSV, Markdown and JSON tickets, each parsed back."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from exports_records import (
    OWASP_PAYLOADS,
    T0,
    TRICKY_TEXT,
    answer,
    attempt,
    parse_csv,
    parse_with_pandas,
    read_export,
)
from sqlite_utils import Database

from optrain.errors import ExportError
from optrain.exports import AnswerFilter, export_tickets
from optrain.exports.csv_safety import neutralise
from optrain.exports.tickets import Ticket, jira_label, write_jira
from optrain.storage import list_answers

QUESTIONS = {("hands_on_practice", "what_is_confusing"): "What is confusing?"}
WORDS = 'The "days of cover" number, honestly:\nis it 5 or 7, when the tile says red?'


def export(db: Database, folder: Path, fmt: str, filters: AnswerFilter = AnswerFilter(), **options: Any) -> Path:
    return export_tickets(
        db, filters, fmt=fmt, exports_dir=folder, now=T0 + timedelta(hours=1), questions=QUESTIONS, **options
    ).path


def one_answer(db: Database, **changes: Any) -> int:
    made = attempt(db, display_name="Casey Morgan")
    fields = {"answer": WORDS, "severity": "high", "screenshot": "qa1-what_is_confusing_0a1b2c3d.png"}
    return answer(db, made, **{**fields, **changes}).id


def test_linear_csv_has_the_importer_columns_and_values(db: Database, tmp_path: Path) -> None:
    one_answer(db)
    text = read_export(export(db, tmp_path, "linear"))
    for rows in (parse_csv(text), [list(parse_with_pandas(text).columns), *parse_with_pandas(text).values.tolist()]):
        assert rows[0] == ["Title", "Description", "Priority", "Status", "Labels", "Created"]
        title, description, priority, status, labels, created = rows[1]
        assert title.startswith('Training feedback, 7. Hands-on practice: The "days of cover" number')
        assert f'"{WORDS}"' in description
        assert (priority, status, created) == ("High", "Backlog", "2026-06-05T09:00:00Z")
        assert labels == "training-feedback, hands_on, hands_on_practice"


@pytest.mark.parametrize(
    ("severity", "linear", "jira"),
    [
        ("critical", "Urgent", "Highest"),
        ("high", "High", "High"),
        ("medium", "Medium", "Medium"),
        ("low", "Low", "Low"),
        (None, "No priority", "Lowest"),
    ],
)
def test_priority_follows_severity(db: Database, tmp_path: Path, severity: str | None, linear: str, jira: str) -> None:
    one_answer(db, severity=severity)
    assert parse_csv(read_export(export(db, tmp_path, "linear")))[1][2] == linear
    assert parse_csv(read_export(export(db, tmp_path, "jira")))[1][2] == jira


def test_jira_csv_repeats_labels_columns_and_names_the_reporter(db: Database, tmp_path: Path) -> None:
    one_answer(db)
    path = export(db, tmp_path, "jira", reporter="sam.patel@hotrodan.example", labels=("needs triage",))
    rows = parse_csv(read_export(path))
    assert rows[0] == [
        "Summary",
        "Issue Type",
        "Priority",
        "Labels",
        "Labels",
        "Labels",
        "Labels",
        "Description",
        "Reporter",
    ]
    assert rows[1][1] == "Improvement"
    assert rows[1][3:7] == ["training-feedback", "hands_on", "hands_on_practice", "needs-triage"]
    assert rows[1][-1] == "sam.patel@hotrodan.example"
    frame = parse_with_pandas(read_export(path))  # pandas renames repeated headers Labels.1, Labels.2 ...
    assert frame.iloc[0]["Labels.3"] == "needs-triage" and f'"{WORDS}"' in frame.iloc[0]["Description"]


@pytest.mark.parametrize(
    ("kind", "given", "issue_type"),
    [("text", WORDS, "Improvement"), ("rating", "2", "Task"), ("yes_somewhat_no", "no", "Task")],
)
def test_jira_issue_type_follows_the_answer_kind(
    db: Database, tmp_path: Path, kind: str, given: str, issue_type: str
) -> None:
    one_answer(db, kind=kind, answer=given)
    assert parse_csv(read_export(export(db, tmp_path, "jira")))[1][1] == issue_type


def _ticket(labels: tuple[str, ...]) -> Ticket:
    return Ticket(
        answer_id=1,
        title="t",
        question_id="q",
        question="Q?",
        answer="a",
        kind="text",
        username="u",
        display_name=None,
        scenario_id="s",
        scenario_version=1,
        part="hands_on",
        severity=None,
        created_at=T0,
        screenshot=None,
        labels=labels,
    )


def test_jira_pads_rows_with_fewer_labels_with_blanks(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_jira(lambda: iter([_ticket(("a",)), _ticket(("a", "b c", "d"))]), stream, "r@x.example")
    rows = parse_csv(read_export(path))
    assert rows[0].count("Labels") == 3
    assert rows[1][3:6] == ["a", "", ""] and rows[2][3:6] == ["a", "b-c", "d"]


@pytest.mark.parametrize(("label", "expected"), [("needs triage", "needs-triage"), ("a  b\tc", "a-b-c"), ("x", "x")])
def test_jira_labels_have_no_spaces(label: str, expected: str) -> None:
    assert jira_label(label) == expected


def test_markdown_has_one_section_per_ticket_with_the_words_verbatim(db: Database, tmp_path: Path) -> None:
    first = one_answer(db)
    second = answer(
        db, attempt(db, "riley", display_name="<script>alert(1)</script>"), answer="```\nfenced", kind="text"
    ).id
    text = read_export(export(db, tmp_path, "markdown"))
    assert len(re.findall(r"^## \d+\. ", text, flags=re.MULTILINE)) == 2
    assert f"- Q&A answer id: {first}" in text and f"- Q&A answer id: {second}" in text
    assert "```text\n" + WORDS + "\n```\n" in text
    assert "````text\n```\nfenced\n````\n" in text
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_json_is_a_list_of_ticket_objects(db: Database, tmp_path: Path) -> None:
    answer_id = one_answer(db)
    tickets = json.loads(read_export(export(db, tmp_path, "json")))
    assert isinstance(tickets, list) and len(tickets) == 1
    ticket = tickets[0]
    assert ticket["answer_id"] == answer_id and ticket["answer"] == WORDS
    assert ticket["labels"] == ["training-feedback", "hands_on", "hands_on_practice"]
    assert (ticket["priority"], ticket["created"], ticket["question"]) == (
        "High",
        "2026-06-05T09:00:00Z",
        "What is confusing?",
    )


EVIDENCE = (
    "Question: What is confusing?",
    "Trainee: Casey Morgan (casey)",
    "Scenario: hands_on_practice (version 1)",
    "Agenda part: 7. Hands-on practice",
    "Severity: high",
    "Answered at: 2026-06-05T09:00:00Z",
    "Screenshot: qa1-what_is_confusing_0a1b2c3d.png",
)


@pytest.mark.parametrize("fmt", ["linear", "jira", "json", "markdown"])
def test_every_format_carries_the_evidence(db: Database, tmp_path: Path, fmt: str) -> None:
    one_answer(db)
    text = read_export(export(db, tmp_path, fmt))
    if fmt in ("linear", "jira"):
        text = parse_csv(text)[1][1 if fmt == "linear" else -2]
    elif fmt == "json":
        text = json.loads(text)[0]["description"]
        assert f'Trainee\'s words (verbatim):\n"{WORDS}"' in text
    for line in EVIDENCE:
        assert line in text


@pytest.mark.parametrize("fmt", ["linear", "jira"])
@pytest.mark.parametrize("words", [*OWASP_PAYLOADS, *TRICKY_TEXT])
def test_csv_tickets_keep_hostile_words_verbatim_and_inert(db: Database, tmp_path: Path, fmt: str, words: str) -> None:
    one_answer(db, answer=words)
    path = export(db, tmp_path, fmt, labels=(words.strip().replace(",", ";") or "x",) if fmt == "jira" else ())
    text = read_export(path)
    for rows in (parse_csv(text), parse_with_pandas(text).values.tolist()):
        cells = rows[-1]
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
        description = cells[1] if fmt == "linear" else cells[-2]
        assert f'"{words}"' in description


def test_skipped_answers_are_not_tickets(db: Database, tmp_path: Path) -> None:
    made = attempt(db)
    kept = answer(db, made, "what_is_confusing").id
    answer(db, made, "most_valuable_features", answer=None, skipped=True)
    assert [t["answer_id"] for t in json.loads(read_export(export(db, tmp_path, "json")))] == [kept]


def _seed_for_filters(db: Database) -> dict[str, int]:
    casey = attempt(db, "casey")
    riley = attempt(db, "riley", scenario_id="cx_escalations_basics")
    return {
        "a": answer(db, casey, "q_a", part="hands_on", severity="high", now=T0).id,
        "b": answer(db, casey, "q_b", part="navigation", severity=None, now=T0 + timedelta(days=1)).id,
        "c": answer(db, riley, "q_a", part="cx_escalations", severity="low", now=T0 + timedelta(days=2)).id,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AnswerFilter(), "abc"),
        (AnswerFilter(part="navigation"), "b"),
        (AnswerFilter(question_id="q_a"), "ac"),
        (AnswerFilter(scenario_id="cx_escalations_basics"), "c"),
        (AnswerFilter(severity="high"), "a"),
        (AnswerFilter(severity="none"), "b"),
        (AnswerFilter(since=T0 + timedelta(days=1)), "bc"),
        (AnswerFilter(until=T0 + timedelta(days=1)), "a"),
        (AnswerFilter(status="ticket_filed"), "a"),
        (AnswerFilter(status="new"), "bc"),
    ],
)
def test_filters_select_the_answers(db: Database, tmp_path: Path, filters: AnswerFilter, expected: str) -> None:
    ids = _seed_for_filters(db)
    export(db, tmp_path / "setup", "json", AnswerFilter(ids=(ids["a"],)), mark_filed=True)
    exported = [t["answer_id"] for t in json.loads(read_export(export(db, tmp_path, "json", filters)))]
    assert exported == [ids[key] for key in expected]


def test_mark_filed_marks_exactly_the_exported_answers(db: Database, tmp_path: Path) -> None:
    ids = _seed_for_filters(db)
    result = export_tickets(
        db, AnswerFilter(ids=(ids["a"], ids["c"])), fmt="linear", exports_dir=tmp_path, now=T0, mark_filed=True
    )
    assert (result.tickets, result.marked_filed) == (2, 2)
    assert {a.id: a.status for a in list_answers(db)} == {
        ids["a"]: "ticket_filed",
        ids["b"]: "new",
        ids["c"]: "ticket_filed",
    }


def test_without_mark_filed_statuses_stay_new(db: Database, tmp_path: Path) -> None:
    _seed_for_filters(db)
    assert export_tickets(db, AnswerFilter(), fmt="linear", exports_dir=tmp_path, now=T0).marked_filed == 0
    assert {a.status for a in list_answers(db)} == {"new"}


@pytest.mark.parametrize("fmt", ["linear", "jira", "markdown", "json"])
def test_nothing_to_export_raises_and_writes_no_file(db: Database, tmp_path: Path, fmt: str) -> None:
    answer(db, attempt(db), answer=None, skipped=True)
    with pytest.raises(ExportError, match="^Nothing to export: no answers match these filters"):
        export_tickets(db, AnswerFilter(), fmt=fmt, exports_dir=tmp_path, now=T0, mark_filed=True)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_exports_folder_is_named_in_the_error(db: Database, tmp_path: Path) -> None:
    one_answer(db)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    with pytest.raises(ExportError) as caught:
        export_tickets(db, AnswerFilter(), fmt="linear", exports_dir=blocker / "exports", now=T0, mark_filed=True)
    assert str(blocker / "exports") in str(caught.value) and "OPTRAIN_EXPORTS" in str(caught.value)
    assert {a.status for a in list_answers(db)} == {"new"}


def test_two_exports_in_the_same_second_do_not_overwrite_each_other(db: Database, tmp_path: Path) -> None:
    one_answer(db)
    first, second = export(db, tmp_path, "json"), export(db, tmp_path, "json")
    assert first != second and first.parent == second.parent == tmp_path.resolve()
    assert (first.name, second.name) == (
        "qa_tickets_json_20260605T100000Z.json",
        "qa_tickets_json_20260605T100000Z-2.json",
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fmt": "xlsx"}, "Unknown ticket format 'xlsx'"),
        ({"fmt": "linear", "labels": ("a,b",)}, "contains a comma"),
        ({"fmt": "jira", "reporter": "Sam Patel"}, "'Sam Patel' is not an e-mail address"),
    ],
)
def test_bad_options_are_refused(db: Database, tmp_path: Path, options: dict[str, Any], message: str) -> None:
    one_answer(db)
    with pytest.raises(ExportError, match=message):
        export_tickets(db, AnswerFilter(), exports_dir=tmp_path, now=T0, **options)
    assert list(tmp_path.iterdir()) == []


def test_a_formula_looking_reporter_is_neutralised(db: Database, tmp_path: Path) -> None:
    one_answer(db)
    path = export(db, tmp_path, "jira", reporter="=1+1@hotrodan.example")
    assert parse_csv(read_export(path))[1][-1] == neutralise("=1+1@hotrodan.example") == "'=1+1@hotrodan.example"
