"""Q&A browser search: filters, FTS5 full text, hostile search strings, status changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database

from optrain import storage
from optrain.storage.qa_search import QaFilter, fts_query, search_answers

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ROWS = [
    ("tiles_unclear", "navigation", "The inventory heatmap colours are confusing", "high"),
    ("template_clear", "cx_escalations", "Template selection is clear, escalation less so", None),
    ("error_msgs", "error_handling", "Who do I contact when the helpdesk tile is red?", "critical"),
    ("tiles_unclear", "navigation", None, None),  # skipped
]


@pytest.fixture()
def db(db: Database) -> Database:
    """The shared empty database with the answers above."""
    database = db
    for n, (question, part, answer, severity) in enumerate(ROWS):
        storage.save_answer(
            database,
            attempt_id=None,
            username=f"u{n}",
            scenario_id="s",
            scenario_version=1,
            question_id=question,
            part=part,
            kind="text",
            answer=answer,
            skipped=answer is None,
            severity=severity,
            screenshot=None,
            now=T0 + timedelta(hours=n),
        )
    return database


@pytest.mark.parametrize(
    ("f", "expected_users"),
    [
        (QaFilter(), ["u2", "u1", "u0"]),
        (QaFilter(include_skipped=True), ["u3", "u2", "u1", "u0"]),
        (QaFilter(parts=("navigation",)), ["u0"]),
        (QaFilter(severities=("critical", "high")), ["u2", "u0"]),
        (QaFilter(text="heatmap"), ["u0"]),
        (QaFilter(text="escalat"), ["u1"]),  # prefix match
        (QaFilter(text="helpdesk tile"), ["u2"]),
        (QaFilter(text="tile NOT red"), []),  # operators are plain words to match, not syntax
        (QaFilter(text='helpdesk" * ( ) : ^ tile'), ["u2"]),  # punctuation is dropped, never a syntax error
        (QaFilter(text='"; DROP TABLE qa_answers; --'), []),
        (QaFilter(since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=2)), ["u1"]),
        (QaFilter(question_ids=("template_clear",), statuses=("new",)), ["u1"]),
    ],
)
def test_filters_and_full_text(db, f: QaFilter, expected_users: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [a.username for a in search_answers(db, f)] == expected_users


def test_status_change_and_search_stays_in_step_with_edits(db) -> None:  # type: ignore[no-untyped-def]
    answer = search_answers(db, QaFilter(text="heatmap"))[0]
    storage.set_answer_status(db, answer.id, "ticket_filed")
    assert search_answers(db, QaFilter(statuses=("new",), text="heatmap")) == ()
    assert search_answers(db, QaFilter(statuses=("ticket_filed",)))[0].id == answer.id
    storage.save_answer(
        db,
        attempt_id=None,
        username="u9",
        scenario_id="s",
        scenario_version=1,
        question_id="q",
        part="custom",
        kind="text",
        answer="brand new wording",
        skipped=False,
        severity=None,
        screenshot=None,
        now=T0,
    )
    assert [a.username for a in search_answers(db, QaFilter(text="wording"))] == ["u9"]


@pytest.mark.parametrize(
    ("text", "query"), [("", None), ("  ", None), ("SLA breach", '"SLA"* "breach"*'), ('a"b', '"a"* "b"*')]
)
def test_fts_query_quotes_every_word(text: str, query: str | None) -> None:
    assert fts_query(text) == query


@pytest.fixture()
def emoji_db(db):  # type: ignore[no-untyped-def]
    for n, answer in enumerate(
        ["The heatmap is great 🔥", "Thumbs up 👍🏽 from me", "Family 👨‍👩‍👧 emoji", "So ? confusing"]
    ):
        storage.save_answer(
            db,
            attempt_id=None,
            username=f"e{n}",
            scenario_id="s",
            scenario_version=1,
            question_id="q",
            part="custom",
            kind="text",
            answer=answer,
            skipped=False,
            severity=None,
            screenshot=None,
            now=T0 + timedelta(days=1, hours=n),
        )
    return db


@pytest.mark.parametrize(
    ("text", "expected_users"),
    [
        ("🔥", ["e0"]),
        ("👍", ["e1"]),  # a skin-tone variant contains the plain emoji
        ("👨‍👩‍👧", ["e2"]),
        ("heatmap 🔥", ["e0"]),  # words and emoji together: both must be there
        ("heatmap 👍", []),
        ("🚗", []),  # an emoji nobody used matches nothing, not every answer
        ("?", ["e3", "u2"]),  # only punctuation: matched as typed ("...tile is red?")
    ],
)
def test_searching_for_an_emoji_returns_only_answers_with_it(
    emoji_db,
    text: str,  # type: ignore[no-untyped-def]
    expected_users: list[str],
) -> None:
    assert [a.username for a in search_answers(emoji_db, QaFilter(text=text))] == expected_users
