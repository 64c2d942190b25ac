"""Q&A answers, trainer notes and sign-in events."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from sqlite_utils import Database

from optrain.errors import OptrainError
from optrain.storage import (
    AnswerStatus,
    LoginOutcome,
    NoteTag,
    QaAnswer,
    add_note,
    last_event_at,
    list_answers,
    list_notes,
    log_login,
    recent_failures,
    save_answer,
    set_answer_status,
    start_attempt,
)

T0 = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)


def attempt_for(db: Database, username: str) -> int:
    return start_attempt(
        db, username=username, display_name=None, scenario_id="intro", scenario_version=1, seed=1, now=T0
    ).id


def answer(db: Database, attempt_id: int | None, question_id: str = "q1", **changes: Any) -> QaAnswer:
    fields: dict[str, Any] = {
        "attempt_id": attempt_id,
        "username": "sam",
        "scenario_id": "intro",
        "scenario_version": 1,
        "question_id": question_id,
        "part": "navigation",
        "kind": "text",
        "answer": "The heatmap colours are clear.",
        "skipped": False,
        "severity": None,
        "screenshot": None,
        "now": T0,
    }
    return save_answer(db, **{**fields, **changes})


def test_save_answer_stores_every_field(db: Database) -> None:
    attempt_id = attempt_for(db, "sam")
    saved = answer(db, attempt_id, severity="minor", screenshot="qa-1.png", kind="yes_somewhat_no", answer="somewhat")
    assert list_answers(db) == (saved,)
    assert (saved.attempt_id, saved.question_id, saved.part) == (attempt_id, "q1", "navigation")
    assert (saved.kind, saved.answer, saved.severity, saved.screenshot) == (
        "yes_somewhat_no",
        "somewhat",
        "minor",
        "qa-1.png",
    )
    assert (saved.skipped, saved.created_at, saved.status) == (False, T0, "new")


def test_saving_the_same_question_again_replaces_the_answer_but_keeps_its_status(db: Database) -> None:
    attempt_id = attempt_for(db, "sam")
    first = answer(db, attempt_id)
    set_answer_status(db, first.id, "ticket_filed")
    later = T0 + timedelta(minutes=3)
    second = answer(db, attempt_id, answer=None, skipped=True, now=later)
    assert second.id == first.id
    assert (second.answer, second.skipped, second.created_at, second.status) == (None, True, later, "ticket_filed")
    assert list_answers(db) == (second,)


def test_answers_without_an_attempt_are_kept_separately(db: Database) -> None:
    saved = [answer(db, None), answer(db, None)]
    assert saved[0].id != saved[1].id
    assert list_answers(db) == tuple(saved)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [("sam", "q1"), ("sam", "q2"), ("alex", "q1")]),
        ({"username": "alex"}, [("alex", "q1")]),
        ({"status": "dismissed"}, [("sam", "q2")]),
        ({"username": "sam", "status": "new"}, [("sam", "q1")]),
    ],
)
def test_list_answers_filters_oldest_first(
    db: Database, filters: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    sam, alex = attempt_for(db, "sam"), attempt_for(db, "alex")
    answer(db, sam, "q1")
    set_answer_status(db, answer(db, sam, "q2", now=T0 + timedelta(minutes=1)).id, "dismissed")
    answer(db, alex, "q1", username="alex", now=T0 + timedelta(minutes=2))
    assert [(a.username, a.question_id) for a in list_answers(db, **filters)] == expected


def test_list_answers_by_attempt(db: Database) -> None:
    sam, alex = attempt_for(db, "sam"), attempt_for(db, "alex")
    answer(db, sam)
    mine = answer(db, alex, username="alex")
    assert list_answers(db, attempt_id=alex) == (mine,)


def test_set_answer_status_refuses_an_unknown_answer(db: Database) -> None:
    with pytest.raises(OptrainError, match="Q&A answer 5 does not exist"):
        set_answer_status(db, 5, "dismissed")


def test_notes_are_listed_per_attempt_oldest_first(db: Database) -> None:
    sam, alex = attempt_for(db, "sam"), attempt_for(db, "alex")
    later = add_note(
        db, attempt_id=sam, item_id=None, tag="other", note="good pace", trainer="tess", now=T0 + timedelta(minutes=9)
    )
    earlier = add_note(
        db, attempt_id=sam, item_id="c2", tag="confusion", note="asked about SLA", trainer="tess", now=T0
    )
    add_note(db, attempt_id=alex, item_id="c1", tag="wrong_action", note="refunded", trainer="tess", now=T0)
    assert list_notes(db, sam) == (earlier, later)
    assert (earlier.item_id, earlier.tag, earlier.note, earlier.trainer) == (
        "c2",
        "confusion",
        "asked about SLA",
        "tess",
    )


def test_note_needs_an_existing_attempt(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        add_note(db, attempt_id=123, item_id=None, tag="other", note="n", trainer="tess", now=T0)


@pytest.mark.parametrize(
    ("events", "since_minute", "expected"),
    [
        ([], 0, 0),
        ([(1, "failure"), (2, "failure"), (3, "failure")], 0, 3),
        ([(1, "failure"), (2, "failure"), (3, "failure")], 2, 2),
        ([(1, "failure"), (2, "success"), (3, "failure")], 0, 1),
        ([(1, "failure"), (2, "failure"), (3, "success")], 0, 0),
        ([(1, "failure"), (2, "locked"), (3, "failure")], 0, 2),
        ([(1, "failure"), (2, "cookie"), (3, "logout"), (4, "failure")], 0, 2),
    ],
)
def test_recent_failures_counts_failures_since_the_window_and_last_success(
    db: Database, events: list[tuple[int, str]], since_minute: int, expected: int
) -> None:
    for minute, outcome in events:
        log_login(db, username="sam", outcome=outcome, now=T0 + timedelta(minutes=minute))  # type: ignore[arg-type]
        log_login(db, username="alex", outcome="failure", now=T0 + timedelta(minutes=minute))
    assert recent_failures(db, "sam", T0 + timedelta(minutes=since_minute)) == expected


def test_last_event_at_finds_the_latest_event_of_that_outcome(db: Database) -> None:
    events = [(0, "success"), (5, "logout"), (9, "cookie"), (12, "logout"), (20, "success")]
    for minute, outcome in events:
        log_login(db, username="sam", outcome=outcome, now=T0 + timedelta(minutes=minute))  # type: ignore[arg-type]
    log_login(db, username="alex", outcome="logout", now=T0 + timedelta(minutes=30))
    assert last_event_at(db, "sam", "logout") == T0 + timedelta(minutes=12)
    assert last_event_at(db, "sam", "cookie") == T0 + timedelta(minutes=9)
    assert last_event_at(db, "sam", "locked") is None
    assert last_event_at(db, "jordan", "logout") is None


@pytest.mark.parametrize("outcome", get_args(LoginOutcome))
def test_every_login_outcome_is_accepted_by_the_schema(db: Database, outcome: LoginOutcome) -> None:
    log_login(db, username="sam", outcome=outcome, now=T0)
    assert last_event_at(db, "sam", outcome) == T0


@pytest.mark.parametrize("tag", get_args(NoteTag))
def test_every_note_tag_is_accepted_by_the_schema(db: Database, tag: NoteTag) -> None:
    note = add_note(db, attempt_id=attempt_for(db, "sam"), item_id=None, tag=tag, note="seen", trainer="tess", now=T0)
    assert note.tag == tag


@pytest.mark.parametrize("status", get_args(AnswerStatus))
def test_every_answer_status_is_accepted_by_the_schema(db: Database, status: AnswerStatus) -> None:
    saved = answer(db, attempt_for(db, "sam"))
    assert set_answer_status(db, saved.id, status).status == status
