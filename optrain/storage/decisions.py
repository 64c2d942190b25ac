"""Decisions and the audit log, written together so neither exists without the other.

The runbook's rule is that every operator decision is logged; the simulator
keeps that promise by inserting the decision row and its `decision_log`
record in one transaction, committed before `record_decision` returns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.errors import AlreadyDecided
from optrain.storage.attempts import raise_not_in_progress
from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction

_DUPLICATE_DECISION = "UNIQUE constraint failed: decisions.attempt_id, decisions.item_id"

# Read under the write lock, right before the INSERT: the attempt's status and the call's number.
_STATUS_AND_NEXT_SEQ = """
    SELECT a.status, COALESCE((SELECT MAX(d.seq) FROM decisions AS d WHERE d.attempt_id = a.id), 0) + 1
    FROM attempts AS a WHERE a.id = ?
"""
_INSERT_DECISION = """
    INSERT INTO decisions (id, attempt_id, item_id, call, template, body, note, decided_at, elapsed_seconds, seq,
                           points, max_points, verdict)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# With a quantity (m011's column). A call without one is written as before m011, so databases seeded at an
# older schema (the upgrade tests build them) still take it.
_INSERT_DECISION_WITH_QUANTITY = """
    INSERT INTO decisions (id, attempt_id, item_id, call, template, body, note, decided_at, elapsed_seconds, seq,
                           points, max_points, verdict, quantity)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_LOG = """
    INSERT INTO decision_log (shop_domain, action_type, operator_email, created_at, payload, attempt_id)
    VALUES (?, ?, ?, ?, ?, ?)
"""
# One encoder for every payload: `json.dumps` with options builds a new one per call.
# Sorted keys keep the stored text stable whatever order the caller built the payload in; compact, as the
# evidence pack's decision log copies it (records stored before had spaces after separators, still valid JSON).
_PAYLOAD_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

# A changed call (exam mode): the row it replaces, read under the write lock.
# The new row's id is past every id there is, read before the old row goes: SQLite would otherwise give
# it the id just freed, and a second click naming that id would pass for the first. So decision ids only
# grow, and a state that holds a call's id was read after that call (the shift relies on it).
_CURRENT_CALL = """
    SELECT id, seq, (SELECT MAX(id) FROM decisions) + 1 FROM decisions WHERE attempt_id = ? AND item_id = ?
"""
_DELETE_CALL = "DELETE FROM decisions WHERE attempt_id = ? AND item_id = ?"

# Every column, read by name: a database made before m011 has no quantity, and its calls read as having none.
_SELECT_DECISION = "SELECT * FROM decisions "


@dataclass(frozen=True)
class DecisionLogEntry:
    """What the audit log says about a decision; its time is the decision's time."""

    shop_domain: str
    action_type: str
    operator_email: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class DecisionLogRecord:
    id: int
    shop_domain: str
    action_type: str
    operator_email: str
    created_at: datetime
    payload: Mapping[str, Any]
    attempt_id: int | None


@dataclass(frozen=True)
class DecisionRow:
    id: int
    attempt_id: int
    item_id: str
    call: str
    template: str | None
    body: str | None
    note: str | None
    decided_at: datetime
    elapsed_seconds: float | None
    seq: int
    points: float | None
    max_points: float | None
    verdict: str | None
    quantity: float | None = None


_DECISION_FIELDS = tuple(f.name for f in fields(DecisionRow))


def _decision_from_row(row: dict[str, Any]) -> DecisionRow:
    known = {name: row[name] for name in _DECISION_FIELDS if name in row}
    return DecisionRow(**{**known, "decided_at": cast(datetime, from_iso(row["decided_at"]))})


def _log_record_from_row(row: dict[str, Any]) -> DecisionLogRecord:
    return DecisionLogRecord(
        **{
            **row,
            "created_at": cast(datetime, from_iso(row["created_at"])),
            "payload": json.loads(row["payload"]),
        }
    )


def record_decision(
    db: Database,
    attempt_id: int,
    *,
    item_id: str,
    call: str,
    template: str | None,
    body: str | None,
    note: str | None,
    decided_at: datetime,
    elapsed_seconds: float | None,
    points: float | None = None,
    max_points: float | None = None,
    verdict: str | None = None,
    log: DecisionLogEntry,
    replaces: int | None = None,
    withdraw: Sequence[str] = (),
    quantity: float | None = None,
) -> DecisionRow:
    """Store one call and its audit record atomically; committed (durable) on return.

    Raises `AlreadyDecided` for a second call on the same item and
    `AttemptError` unless the attempt is in progress. The transaction takes
    the write lock first (`BEGIN IMMEDIATE`), so the status read, the `seq`
    numbering and both INSERTs see and leave the database as one step.

    A changed call (exam mode) names the decision row it `replaces`: that row
    gives way to the new one, which keeps its place in the order of work, and
    the calls on the items in `withdraw` (follow-ups the old call had opened)
    are removed with it. The audit log keeps every earlier record: only its
    new record is added. When the item's row is no longer the one named (the
    change was already made, by a double click or another tab), nothing is
    written and `AlreadyDecided` is raised.

    The returned row is built from what was written instead of being read back.
    """
    created_at = utc_iso(decided_at)  # refuses a time without a zone
    payload = _PAYLOAD_JSON.encode(log.payload if isinstance(log.payload, dict) else dict(log.payload))
    with write_transaction(db):
        found = db.execute(_STATUS_AND_NEXT_SEQ, (attempt_id,)).fetchone()
        if found is None or found[0] != "in_progress":
            raise_not_in_progress(db, attempt_id)
        seq = int(found[1])
        new_id: int | None = None  # the next rowid
        if replaces is not None:
            current = db.execute(_CURRENT_CALL, (attempt_id, item_id)).fetchone()
            if current is None or current[0] != replaces:
                raise AlreadyDecided(
                    f"The call on {item_id} was already changed in attempt {attempt_id}; nothing was saved twice."
                )
            seq, new_id = int(current[1]), int(current[2])
            for withdrawn in (*withdraw, item_id):
                db.execute(_DELETE_CALL, (attempt_id, withdrawn))
        try:
            decision_id = db.execute(
                _INSERT_DECISION if quantity is None else _INSERT_DECISION_WITH_QUANTITY,
                (
                    new_id,
                    attempt_id,
                    item_id,
                    call,
                    template,
                    body,
                    note,
                    created_at,
                    elapsed_seconds,
                    seq,
                    points,
                    max_points,
                    verdict,
                    *(() if quantity is None else (quantity,)),
                ),
            ).lastrowid
        except sqlite3.IntegrityError as exc:
            if _DUPLICATE_DECISION not in str(exc):
                raise
            raise AlreadyDecided(
                f"Item {item_id} already has a call in attempt {attempt_id}; each item is decided once."
            ) from exc
        db.execute(_INSERT_LOG, (log.shop_domain, log.action_type, log.operator_email, created_at, payload, attempt_id))
    assert decision_id is not None
    return DecisionRow(
        id=decision_id,
        attempt_id=attempt_id,
        item_id=item_id,
        call=call,
        template=template,
        body=body,
        note=note,
        decided_at=decided_at.astimezone(UTC),
        elapsed_seconds=elapsed_seconds,
        seq=seq,
        points=points,
        max_points=max_points,
        verdict=verdict,
        quantity=quantity,
    )


def list_decisions(db: Database, attempt_id: int) -> tuple[DecisionRow, ...]:
    """The attempt's calls in the order they were made: enough to resume it after a restart."""
    return _query_decisions(db, "WHERE attempt_id = :attempt_id ORDER BY seq", {"attempt_id": attempt_id})


def _query_decisions(db: Database, where: str, params: dict[str, Any]) -> tuple[DecisionRow, ...]:
    return fetch_all(db, _SELECT_DECISION + where, params, _decision_from_row)


def list_decision_log(
    db: Database,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    attempt_id: int | None = None,
) -> tuple[DecisionLogRecord, ...]:
    """Audit records oldest first, for the NDJSON export; `since` inclusive, `until` exclusive."""
    params = {
        "since": None if since is None else utc_iso(since),
        "until": None if until is None else utc_iso(until),
        "attempt_id": attempt_id,
    }
    return fetch_all(
        db,
        """
        SELECT id, shop_domain, action_type, operator_email, created_at, payload, attempt_id
        FROM decision_log
        WHERE (:since IS NULL OR created_at >= :since)
          AND (:until IS NULL OR created_at < :until)
          AND (:attempt_id IS NULL OR attempt_id = :attempt_id)
        ORDER BY created_at, id
        """,
        params,
        _log_record_from_row,
    )


def purge_decision_log(db: Database, *, older_than: datetime) -> int:
    """Delete audit records created before `older_than` (the retention window); returns how many."""
    with write_transaction(db):
        cursor = db.execute("DELETE FROM decision_log WHERE created_at < :cutoff", {"cutoff": utc_iso(older_than)})
        return cursor.rowcount
