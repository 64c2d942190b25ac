"""Q&A answers as tickets for product and engineering: Linear CSV, Jira CSV, Markdown or JSON.

Every ticket carries its evidence: the question, the trainee's exact words
(verbatim, in quotes), who said it, in which scenario and version and agenda
part, the severity they gave, when (UTC) and the screenshot's file name.
Skipped questions are not tickets.

Mappings, chosen to match what each importer accepts:

- Linear priority from severity: critical Urgent, high High, medium Medium,
  low Low, none "No priority". Status `Backlog`.
- Jira priority: critical Highest, high High, medium Medium, low Low, none
  Lowest (the trainee did not say it gets in their way). Issue Type
  `Improvement` for a free-text answer (an improvement opportunity in the
  trainee's words), `Task` for a rating or yes/somewhat/no answer (a follow-up
  to look into). Labels as repeated `Labels` columns with spaces replaced by
  `-`, because Jira labels cannot contain spaces.
- Labels: `training-feedback`, the agenda part, the scenario id, then any
  labels support adds for the batch (no commas: Linear splits on them).

CSV cells are neutralised against formula injection (see `csv_safety`);
Markdown and JSON are not spreadsheets and keep the text as it is.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, TextIO, get_args

from sqlite_utils import Database

from optrain.errors import ExportError, OptrainError
from optrain.exports import markdown
from optrain.exports.csv_safety import SafeCsvWriter
from optrain.exports.files import published_file, utc_stamp, utc_text
from optrain.scenarios.model import AGENDA_TITLES
from optrain.storage import set_answer_status, write_transaction
from optrain.storage.export_queries import AnswerFilter, AnswerForTicket, iter_answers_for_tickets, read_snapshot

TicketFormat = Literal["linear", "jira", "markdown", "json"]
TICKET_FORMATS: tuple[str, ...] = get_args(TicketFormat)
EXTENSIONS: dict[str, str] = {"linear": "csv", "jira": "csv", "markdown": "md", "json": "json"}
NOTHING_TO_EXPORT = (
    "Nothing to export: no answers match these filters; widen the filters (status, dates) and try again."
)
FEEDBACK_LABEL = "training-feedback"
DEFAULT_REPORTER = "support@hotrodan.example"
TITLE_SNIPPET_CHARS = 80
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

LINEAR_PRIORITY: dict[str | None, str] = {
    "critical": "Urgent",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    None: "No priority",
}
JIRA_PRIORITY: dict[str | None, str] = {
    "critical": "Highest",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    None: "Lowest",
}
LINEAR_STATUS = "Backlog"
LINEAR_COLUMNS: tuple[str, ...] = ("Title", "Description", "Priority", "Status", "Labels", "Created")


@dataclass(frozen=True)
class Ticket:
    answer_id: int
    title: str
    question_id: str
    question: str
    answer: str
    kind: str
    username: str
    display_name: str | None
    scenario_id: str
    scenario_version: int
    part: str
    severity: str | None
    created_at: datetime
    screenshot: str | None
    labels: tuple[str, ...]

    @property
    def trainee(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    @property
    def part_title(self) -> str:
        return AGENDA_TITLES.get(self.part, self.part)

    @property
    def evidence(self) -> tuple[tuple[str, str], ...]:
        """The facts every format shows, in this order, as (label, value) lines."""
        lines = [
            ("Question", self.question),
            ("Trainee", self.trainee),
            ("Scenario", f"{self.scenario_id} (version {self.scenario_version})"),
            ("Agenda part", self.part_title),
            ("Severity", self.severity or "none given"),
            ("Answered at", utc_text(self.created_at)),
        ]
        if self.screenshot:
            lines.append(("Screenshot", self.screenshot))
        lines.append(("Q&A answer id", str(self.answer_id)))
        return tuple(lines)

    @property
    def description(self) -> str:
        facts = "\n".join(f"{label}: {value}" for label, value in self.evidence)
        return f'Trainee\'s words (verbatim):\n"{self.answer}"\n\n{facts}'


@dataclass(frozen=True)
class TicketExport:
    path: Path
    tickets: int
    marked_filed: int


def one_line(text: str) -> str:
    return " ".join(text.split())


def build_ticket(source: AnswerForTicket, question_text: str | None, extra_labels: tuple[str, ...] = ()) -> Ticket:
    answer = source.answer
    words = answer.answer or ""
    question = question_text or answer.question_id
    snippet = one_line(words if answer.kind == "text" else f"{question} {words}")
    if len(snippet) > TITLE_SNIPPET_CHARS:
        snippet = snippet[: TITLE_SNIPPET_CHARS - 1].rstrip() + "…"
    return Ticket(
        answer_id=answer.id,
        title=f"Training feedback, {AGENDA_TITLES.get(answer.part, answer.part)}: {snippet}",
        question_id=answer.question_id,
        question=question,
        answer=words,
        kind=answer.kind,
        username=answer.username,
        display_name=source.display_name,
        scenario_id=answer.scenario_id,
        scenario_version=answer.scenario_version,
        part=answer.part,
        severity=answer.severity,
        created_at=answer.created_at,
        screenshot=answer.screenshot,
        labels=(FEEDBACK_LABEL, answer.part, answer.scenario_id, *extra_labels),
    )


TicketSource = Callable[[], Iterator[Ticket]]


def write_linear(tickets: TicketSource, stream: TextIO, reporter: str) -> None:
    writer = SafeCsvWriter(stream)
    writer.writerow(LINEAR_COLUMNS)
    for t in tickets():
        writer.writerow(
            (
                t.title,
                t.description,
                LINEAR_PRIORITY.get(t.severity, "No priority"),
                LINEAR_STATUS,
                ", ".join(t.labels),
                utc_text(t.created_at),
            )
        )


def jira_label(label: str) -> str:
    return "-".join(label.split())


def write_jira(tickets: TicketSource, stream: TextIO, reporter: str) -> None:
    """Jira wants one `Labels` column per label, so a first pass finds the widest row."""
    width = max((len(t.labels) for t in tickets()), default=0)
    writer = SafeCsvWriter(stream)
    writer.writerow(("Summary", "Issue Type", "Priority", *(["Labels"] * width), "Description", "Reporter"))
    for t in tickets():
        labels = [jira_label(label) for label in t.labels]
        labels += [""] * (width - len(labels))
        issue_type = "Improvement" if t.kind == "text" else "Task"
        writer.writerow(
            (t.title, issue_type, JIRA_PRIORITY.get(t.severity, "Lowest"), *labels, t.description, reporter)
        )


def write_markdown(tickets: TicketSource, stream: TextIO, reporter: str) -> None:
    """One section per ticket; the trainee's words go in a code fence, verbatim and inert."""
    stream.write("# Training feedback tickets\n")
    for number, t in enumerate(tickets(), start=1):
        stream.write(f"\n## {number}. {markdown.inline(t.title)}\n\n")
        stream.write(f"- Priority: {LINEAR_PRIORITY.get(t.severity, 'No priority')}\n")
        stream.write(f"- Labels: {markdown.inline(', '.join(t.labels))}\n")
        for label, value in t.evidence:
            stream.write(f"- {label}: {markdown.inline(value)}\n")
        stream.write(f"\nTrainee's words (verbatim):\n\n{markdown.fenced(t.answer)}")


def write_json(tickets: TicketSource, stream: TextIO, reporter: str) -> None:
    """A JSON list written object by object, so it streams like the other formats."""
    separator = "[\n"
    for t in tickets():
        stream.write(separator)
        stream.write(textwrap.indent(json.dumps(ticket_object(t), ensure_ascii=False, indent=2), "  "))
        separator = ",\n"
    stream.write("[]\n" if separator == "[\n" else "\n]\n")


def ticket_object(t: Ticket) -> dict[str, object]:
    return {
        "answer_id": t.answer_id,
        "title": t.title,
        "description": t.description,
        "priority": LINEAR_PRIORITY.get(t.severity, "No priority"),
        "severity": t.severity,
        "labels": list(t.labels),
        "created": utc_text(t.created_at),
        "question_id": t.question_id,
        "question": t.question,
        "answer": t.answer,
        "trainee": t.username,
        "display_name": t.display_name,
        "scenario_id": t.scenario_id,
        "scenario_version": t.scenario_version,
        "part": t.part,
        "part_title": t.part_title,
        "screenshot": t.screenshot,
    }


WRITERS: dict[str, Callable[[TicketSource, TextIO, str], None]] = {
    "linear": write_linear,
    "jira": write_jira,
    "markdown": write_markdown,
    "json": write_json,
}


def export_tickets(
    db: Database,
    filters: AnswerFilter,
    *,
    fmt: str,
    exports_dir: Path,
    now: datetime,
    questions: Mapping[tuple[str, str], str] | None = None,
    reporter: str = DEFAULT_REPORTER,
    labels: tuple[str, ...] = (),
    mark_filed: bool = False,
) -> TicketExport:
    """Write the matching answers as tickets to `exports_dir`; optionally mark them "ticket filed".

    `questions` maps (scenario id, question id) to the question's text (from
    the scenario catalog); an unknown question shows its id. The answers are
    marked only after the file is complete, all in one transaction.
    """
    if fmt not in WRITERS:
        raise ExportError(f"Unknown ticket format {fmt!r}; choose one of {', '.join(TICKET_FORMATS)}.")
    if fmt == "jira" and not _EMAIL.fullmatch(reporter):
        raise ExportError(f"The reporter {reporter!r} is not an e-mail address; Jira matches reporters by e-mail.")
    texts = questions or {}
    extra = tuple(label.strip() for label in labels if label.strip())
    for label in extra:
        if "," in label:
            raise ExportError(f"The label {label!r} contains a comma, which importers read as two labels; remove it.")
    exported: list[int] = []

    def tickets() -> Iterator[Ticket]:
        exported.clear()
        for source in iter_answers_for_tickets(db, filters):
            exported.append(source.answer.id)
            question = texts.get((source.answer.scenario_id, source.answer.question_id))
            yield build_ticket(source, question, extra)

    name = f"qa_tickets_{fmt}_{utc_stamp(now)}.{EXTENSIONS[fmt]}"
    with read_snapshot(db), published_file(exports_dir, name) as (path, handle):
        with io.TextIOWrapper(handle, encoding="utf-8", newline="") as stream:
            WRITERS[fmt](tickets, stream, reporter)
            if not exported:
                raise ExportError(NOTHING_TO_EXPORT)
    marked = mark_answers_filed(db, exported, path) if mark_filed else 0
    return TicketExport(path=path, tickets=len(exported), marked_filed=marked)


def mark_answers_filed(db: Database, answer_ids: list[int], path: Path) -> int:
    """All or none: a failure leaves every answer as it was, and says the file itself is fine."""
    try:
        with write_transaction(db):
            for answer_id in answer_ids:
                set_answer_status(db, answer_id, "ticket_filed")
    except OptrainError as exc:
        raise ExportError(
            f"The tickets were written to {path}, but the answers could not be marked as filed ({exc}); "
            "mark them again from the Q&A list, or export again with the same filters."
        ) from exc
    return len(answer_ids)
