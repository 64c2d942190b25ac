"""Q&A capture at the end of a scenario: validated answers, saved together or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from optrain import storage
from optrain.errors import AnswerError, UploadError
from optrain.scenarios.model import Question, Scenario
from optrain.uploads import image_type, store_screenshot
from optrain.vocab import SEVERITIES as SEVERITIES
from optrain.vocab import AnswerStatus

MAX_ANSWER_CHARS = 5_000
YES_SOMEWHAT_NO: tuple[str, ...] = ("yes", "somewhat", "no")


@dataclass(frozen=True)
class AnswerInput:
    question_id: str
    answer: str | None = None
    severity: str | None = None
    screenshot: bytes | None = None


def check_answer(question: Question, given: AnswerInput) -> str | None:
    """The problem with one answer in words for the trainee, or None."""
    answer = (given.answer or "").strip()
    if given.severity is not None and given.severity not in SEVERITIES:
        return f"Severity must be one of {', '.join(SEVERITIES)}."
    if not answer:
        return None
    if question.kind == "text" and len(answer) > MAX_ANSWER_CHARS:
        return f"The answer is {len(answer):,} characters; keep it under {MAX_ANSWER_CHARS:,}."
    if question.kind == "yes_somewhat_no" and answer not in YES_SOMEWHAT_NO:
        return "Answer yes, somewhat or no."
    if question.kind == "rating" and answer not in {"1", "2", "3", "4", "5"}:
        return "Give a rating from 1 to 5."
    return None


def save_qa(
    db: Database,
    scenario: Scenario,
    attempt: storage.Attempt,
    answers: Sequence[AnswerInput],
    *,
    uploads_dir: Path,
    now: datetime,
) -> tuple[storage.QaAnswer, ...]:
    """Validate everything first, then store screenshots and rows; a failure leaves nothing behind.

    A question with no answer is recorded as skipped, so trainers can tell
    "not asked" from "chose not to answer".
    """
    by_id = {a.question_id: a for a in answers}
    problems: list[str] = []
    for question in scenario.questions:
        given = by_id.get(question.id, AnswerInput(question.id))
        problem = check_answer(question, given)
        if problem is None and given.screenshot:
            try:
                image_type(given.screenshot)
            except UploadError as exc:
                problem = str(exc)
        if problem:
            problems.append(f"{question.text} {problem}")
    if problems:
        raise AnswerError(" ".join(problems))
    written: list[Path] = []
    try:
        rows = []
        with storage.write_transaction(db):
            for question in scenario.questions:
                given = by_id.get(question.id, AnswerInput(question.id))
                shot = None
                if given.screenshot:
                    shot = store_screenshot(uploads_dir, given.screenshot, prefix=f"qa{attempt.id}-{question.id}")
                    written.append(uploads_dir / shot)
                text = (given.answer or "").strip() or None
                rows.append(
                    storage.save_answer(
                        db,
                        attempt_id=attempt.id,
                        username=attempt.username,
                        scenario_id=scenario.id,
                        scenario_version=scenario.version,
                        question_id=question.id,
                        part=question.part,
                        kind=question.kind,
                        answer=text,
                        skipped=text is None,
                        severity=given.severity,
                        screenshot=shot,
                        now=now,
                    )
                )
        return tuple(rows)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def mark_answers(db: Database, answer_ids: Sequence[int], status: AnswerStatus) -> int:
    """Set the support status of several answers: all of them, or none when one is refused."""
    with storage.write_transaction(db):
        for answer_id in answer_ids:
            storage.set_answer_status(db, answer_id, status)
    return len(answer_ids)
