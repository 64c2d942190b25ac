"""Attempts and decisions: the audit log, refusals, durability, resume and cascades."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from optrain.errors import AlreadyDecided, AttemptError
from optrain.storage import (
    Attempt,
    DecisionLogEntry,
    DecisionRow,
    abandon_attempt,
    add_note,
    find_in_progress,
    finish_attempt,
    get_attempt,
    list_attempts,
    list_decision_log,
    list_decisions,
    list_notes,
    open_db,
    purge_decision_log,
    record_decision,
    save_answer,
    start_attempt,
)

T0 = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)


def begin(db: Database, *, username: str = "sam", scenario_id: str = "sla", minute: int = 0) -> Attempt:
    return start_attempt(
        db,
        username=username,
        display_name=username.title(),
        scenario_id=scenario_id,
        scenario_version=2,
        seed=42,
        now=T0 + timedelta(minutes=minute),
    )


def decide(db: Database, attempt_id: int, item_id: str, call: str = "approve_template", **payload: Any) -> DecisionRow:
    return record_decision(
        db,
        attempt_id,
        item_id=item_id,
        call=call,
        template="ack_delay" if call == "approve_template" else None,
        body=None,
        note=None,
        decided_at=T0 + timedelta(minutes=5),
        elapsed_seconds=12.5,
        log=DecisionLogEntry(
            shop_domain="hotrodan.myshopify.com",
            action_type=call,
            operator_email=f"{attempt_id}@example.com",
            payload=payload or {"item": item_id},
        ),
    )


def finish(db: Database, attempt_id: int) -> Attempt:
    return finish_attempt(
        db,
        attempt_id,
        now=T0 + timedelta(hours=1),
        score=7.5,
        max_score=10,
        percent=75.0,
        passed=False,
        critical_failures=1,
    )


def abandon(db: Database, attempt_id: int) -> Attempt:
    return abandon_attempt(db, attempt_id, now=T0 + timedelta(hours=1))


def test_start_attempt_round_trips_every_field(db: Database) -> None:
    started = start_attempt(
        db,
        username="sam",
        display_name="Sam Ortiz",
        scenario_id="sla",
        scenario_version=3,
        seed=2**62,
        now=T0,
        official=False,
    )
    assert started == get_attempt(db, started.id)
    assert (started.username, started.display_name, started.scenario_id) == ("sam", "Sam Ortiz", "sla")
    assert (started.scenario_version, started.seed, started.started_at) == (3, 2**62, T0)
    assert (started.status, started.finished_at, started.score, started.passed) == ("in_progress", None, None, None)
    assert started.official is False


def test_get_attempt_refuses_an_unknown_id(db: Database) -> None:
    with pytest.raises(AttemptError, match="Attempt 99 does not exist"):
        get_attempt(db, 99)


def test_find_in_progress_returns_the_latest_open_attempt_of_that_user_and_scenario(db: Database) -> None:
    begin(db, minute=0)
    latest = begin(db, minute=10)
    finish(db, begin(db, minute=20).id)
    begin(db, username="alex", minute=30)
    begin(db, scenario_id="inventory", minute=40)
    assert find_in_progress(db, "sam", "sla") == latest
    assert find_in_progress(db, "jordan", "sla") is None


@pytest.mark.parametrize(
    ("filters", "expected_minutes"),
    [
        ({}, [30, 20, 10, 0]),
        ({"username": "sam"}, [20, 10, 0]),
        ({"scenario_id": "inventory"}, [30, 10]),
        ({"username": "sam", "scenario_id": "inventory"}, [10]),
        ({"limit": 2}, [30, 20]),
    ],
)
def test_list_attempts_filters_newest_first(db: Database, filters: dict[str, Any], expected_minutes: list[int]) -> None:
    begin(db, minute=0)
    begin(db, scenario_id="inventory", minute=10)
    begin(db, minute=20)
    begin(db, username="alex", scenario_id="inventory", minute=30)
    found = list_attempts(db, **filters)
    assert [a.started_at for a in found] == [T0 + timedelta(minutes=m) for m in expected_minutes]


def test_finish_attempt_records_the_result(db: Database) -> None:
    finished = finish(db, begin(db).id)
    assert finished.status == "completed"
    assert finished.finished_at == T0 + timedelta(hours=1)
    assert (finished.score, finished.max_score, finished.percent) == (7.5, 10.0, 75.0)
    assert (finished.passed, finished.critical_failures) == (False, 1)


@pytest.mark.parametrize(("first", "status"), [(finish, "completed"), (abandon, "abandoned")])
@pytest.mark.parametrize("second", [finish, abandon])
def test_a_closed_attempt_cannot_be_closed_again(
    db: Database, first: Callable[[Database, int], Attempt], status: str, second: Callable[[Database, int], Attempt]
) -> None:
    attempt_id = begin(db).id
    closed = first(db, attempt_id)
    with pytest.raises(AttemptError, match=f"is {status}, not in progress"):
        second(db, attempt_id)
    assert get_attempt(db, attempt_id) == closed


def test_closing_an_unknown_attempt_is_refused(db: Database) -> None:
    with pytest.raises(AttemptError, match="does not exist"):
        finish(db, 404)


def test_record_decision_numbers_calls_and_writes_one_audit_record_each(db: Database) -> None:
    attempt_id = begin(db).id
    rows = [decide(db, attempt_id, item) for item in ("c3", "c1", "c2")]
    assert [(r.item_id, r.seq) for r in rows] == [("c3", 1), ("c1", 2), ("c2", 3)]
    assert rows[0].template == "ack_delay" and rows[0].elapsed_seconds == 12.5
    log = list_decision_log(db, attempt_id=attempt_id)
    assert [record.payload for record in log] == [{"item": "c3"}, {"item": "c1"}, {"item": "c2"}]
    assert {(r.shop_domain, r.operator_email, r.created_at) for r in log} == {
        ("hotrodan.myshopify.com", f"{attempt_id}@example.com", T0 + timedelta(minutes=5))
    }


def test_second_call_on_the_same_item_is_refused_without_an_audit_record(db: Database) -> None:
    attempt_id = begin(db).id
    first = decide(db, attempt_id, "c1")
    with pytest.raises(AlreadyDecided, match="Item c1 already has a call"):
        decide(db, attempt_id, "c1", call="escalate_manager")
    assert list_decisions(db, attempt_id) == (first,)
    assert len(list_decision_log(db)) == 1
    assert not db.conn.in_transaction


def test_same_item_may_be_decided_in_another_attempt(db: Database) -> None:
    rows = [decide(db, begin(db, minute=m).id, "c1") for m in (0, 1)]
    assert [r.seq for r in rows] == [1, 1]


@pytest.mark.parametrize("close", [finish, abandon])
def test_decision_on_an_attempt_not_in_progress_is_refused(
    db: Database, close: Callable[[Database, int], Attempt]
) -> None:
    attempt_id = begin(db).id
    close(db, attempt_id)
    with pytest.raises(AttemptError, match="not in progress"):
        decide(db, attempt_id, "c1")
    assert list_decisions(db, attempt_id) == ()
    assert list_decision_log(db) == ()


def test_decision_on_an_unknown_attempt_is_refused(db: Database) -> None:
    with pytest.raises(AttemptError, match="Attempt 7 does not exist"):
        decide(db, 7, "c1")
    assert list_decision_log(db) == ()


def test_naive_decision_time_is_rejected(db: Database) -> None:
    attempt_id = begin(db).id
    with pytest.raises(ValueError, match="no time zone"):
        record_decision(
            db,
            attempt_id,
            item_id="c1",
            call="reorder",
            template=None,
            body=None,
            note=None,
            decided_at=datetime(2026, 6, 5, 14, 5),
            elapsed_seconds=None,
            log=DecisionLogEntry("hotrodan.myshopify.com", "reorder", "sam@example.com", {}),
        )
    assert list_decisions(db, attempt_id) == ()


@pytest.mark.parametrize(
    "payload",
    [
        {"conversation_id": 1042, "template": "ack_delay", "body": "Hi Alex, sorry for the wait."},
        {"sku": "HOODIE-BLK-M", "days_of_cover": 5.0, "units": 15, "intentional": False},
        {"nested": {"labels": ["vip", "sla"], "order": {"total": 612.5}}, "note": None},
        {"customer": "Zoë Müller", "body": "Ihre Bestellung 🚗 ist unterwegs"},
    ],
)
def test_decision_log_payload_round_trips_as_sorted_compact_json(db: Database, payload: dict[str, Any]) -> None:
    attempt_id = begin(db).id
    decide(db, attempt_id, "c1", **payload)
    (record,) = list_decision_log(db)
    assert record.payload == payload
    stored = db.table("decision_log").get(record.id)["payload"]
    assert stored == json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_list_decision_log_filters_by_time_window(db: Database) -> None:
    attempt_id = begin(db).id
    for minute in (0, 30, 60):
        record_decision(
            db,
            attempt_id,
            item_id=f"c{minute}",
            call="reorder",
            template=None,
            body=None,
            note=None,
            decided_at=T0 + timedelta(minutes=minute),
            elapsed_seconds=None,
            log=DecisionLogEntry("hotrodan.myshopify.com", "reorder", "sam@example.com", {"m": minute}),
        )
    window = list_decision_log(db, since=T0 + timedelta(minutes=30), until=T0 + timedelta(minutes=60))
    assert [r.payload["m"] for r in window] == [30]
    assert purge_decision_log(db, older_than=T0 + timedelta(minutes=30)) == 1
    assert [r.payload["m"] for r in list_decision_log(db)] == [30, 60]
    assert len(list_decisions(db, attempt_id)) == 3


def test_recorded_decision_is_visible_to_a_second_connection(tmp_path: Path) -> None:
    path = tmp_path / "optrain.db"
    db = open_db(path)
    attempt_id = begin(db).id
    row = decide(db, attempt_id, "c1")
    assert not db.conn.in_transaction
    with sqlite3.connect(path) as other:
        decisions = other.execute("SELECT id, item_id FROM decisions").fetchall()
        log = other.execute("SELECT attempt_id, payload FROM decision_log").fetchall()
    assert decisions == [(row.id, "c1")]
    assert log == [(attempt_id, '{"item":"c1"}')]


def test_attempt_resumes_from_the_database_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "optrain.db"
    calls = [("c2", "escalate_manager"), ("inv1", "reorder"), ("c1", "approve_template"), ("tile1", "file_ticket")]
    with open_db(path) as db:
        attempt = begin(db)
        made = [decide(db, attempt.id, item, call) for item, call in calls]
    with open_db(path) as db:
        resumed = find_in_progress(db, "sam", "sla")
        assert resumed == attempt
        assert list_decisions(db, attempt.id) == tuple(made)
        assert [(d.item_id, d.call) for d in list_decisions(db, attempt.id)] == calls


def test_deleting_an_attempt_cascades_to_its_decisions_and_notes_but_keeps_audit_and_feedback(
    db: Database,
) -> None:
    attempt_id = begin(db).id
    kept_id = begin(db, minute=1).id
    decide(db, attempt_id, "c1")
    decide(db, kept_id, "c1")
    add_note(db, attempt_id=attempt_id, item_id="c1", tag="hesitation", note="paused", trainer="tess", now=T0)
    save_answer(
        db,
        attempt_id=attempt_id,
        username="sam",
        scenario_id="sla",
        scenario_version=2,
        question_id="q1",
        part="navigation",
        kind="text",
        answer="clear",
        skipped=False,
        severity=None,
        screenshot=None,
        now=T0,
    )
    db.table("attempts").delete(attempt_id)
    assert list_decisions(db, attempt_id) == ()
    assert list_notes(db, attempt_id) == ()
    assert len(list_decisions(db, kept_id)) == 1
    assert [r.attempt_id for r in list_decision_log(db)] == [None, kept_id]
    assert [row["attempt_id"] for row in db.table("qa_answers").rows] == [None]
