"""Decisions and the audit log, written together so neither exists without the other.

The runbook's rule is that every operator decision is logged; the simulator
keeps that promise by inserting the decision row and its `decision_log`
record in one transaction, committed before `record_decision` returns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.errors import AlreadyDecided
from optrain.storage.attempts import raise_not_in_progress
from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction

_DUPLICATE_DECISION = "UNIQUE constraint failed: decisions.attempt_id, decisions.item_id"

_SELECT_DECISION = """
    SELECT id, attempt_id, item_id, call, template, body, note, decided_at, elapsed_seconds,
           seq, points, max_points, verdict
    FROM decisions
"""


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


def _decision_from_row(row: dict[str, Any]) -> DecisionRow:
    return DecisionRow(**{**row, "decided_at": cast(datetime, from_iso(row["decided_at"]))})


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
) -> DecisionRow:
    """Store one call and its audit record atomically; committed (durable) on return.

    Raises `AlreadyDecided` for a second call on the same item and
    `AttemptError` unless the attempt is in progress. The INSERT selects from
    `attempts` so that checking the status and writing are one statement
    holding the write lock; `seq` is numbered under the same lock.
    """
    created_at = utc_iso(decided_at)
    payload = json.dumps(dict(log.payload), sort_keys=True, ensure_ascii=False)
    with write_transaction(db):
        try:
            cursor = db.execute(
                """
                INSERT INTO decisions (attempt_id, item_id, call, template, body, note, decided_at,
                                       elapsed_seconds, seq, points, max_points, verdict)
                SELECT a.id, :item_id, :call, :template, :body, :note, :decided_at, :elapsed_seconds,
                       COALESCE((SELECT MAX(d.seq) FROM decisions AS d WHERE d.attempt_id = a.id), 0) + 1,
                       :points, :max_points, :verdict
                FROM attempts AS a
                WHERE a.id = :attempt_id AND a.status = 'in_progress'
                RETURNING id, seq
                """,
                {
                    "attempt_id": attempt_id,
                    "item_id": item_id,
                    "call": call,
                    "template": template,
                    "body": body,
                    "note": note,
                    "decided_at": created_at,
                    "elapsed_seconds": elapsed_seconds,
                    "points": points,
                    "max_points": max_points,
                    "verdict": verdict,
                },
            )
        except sqlite3.IntegrityError as exc:
            if _DUPLICATE_DECISION not in str(exc):
                raise
            raise AlreadyDecided(
                f"Item {item_id} already has a call in attempt {attempt_id}; each item is decided once."
            ) from exc
        inserted = cursor.fetchone()
        if inserted is None:
            raise_not_in_progress(db, attempt_id)
        decision_id, seq = inserted
        db.execute(
            """
            INSERT INTO decision_log (shop_domain, action_type, operator_email, created_at, payload, attempt_id)
            VALUES (:shop_domain, :action_type, :operator_email, :created_at, :payload, :attempt_id)
            """,
            {
                "shop_domain": log.shop_domain,
                "action_type": log.action_type,
                "operator_email": log.operator_email,
                "created_at": created_at,
                "payload": payload,
                "attempt_id": attempt_id,
            },
        )
    # Built from what was written rather than read back: one statement less inside the write lock.
    return DecisionRow(id=decision_id, attempt_id=attempt_id, item_id=item_id, call=call, template=template, body=body,
                       note=note, decided_at=cast(datetime, from_iso(created_at)), elapsed_seconds=elapsed_seconds,
                       seq=seq, points=points, max_points=max_points, verdict=verdict)


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
