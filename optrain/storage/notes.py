"""Trainer observations on an attempt: the confusion, hesitation and wrong actions a trainer saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction
from optrain.vocab import NoteTag as NoteTag


@dataclass(frozen=True)
class TrainerNote:
    id: int
    attempt_id: int
    item_id: str | None
    tag: NoteTag
    note: str
    trainer: str
    created_at: datetime


def add_note(
    db: Database,
    *,
    attempt_id: int,
    item_id: str | None,
    tag: NoteTag,
    note: str,
    trainer: str,
    now: datetime,
) -> TrainerNote:
    """`item_id` None means the note is about the attempt as a whole."""
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO trainer_notes (attempt_id, item_id, tag, note, trainer, created_at)
            VALUES (:attempt_id, :item_id, :tag, :note, :trainer, :created_at)
            """,
            {
                "attempt_id": attempt_id,
                "item_id": item_id,
                "tag": tag,
                "note": note,
                "trainer": trainer,
                "created_at": utc_iso(now),
            },
        )
        return _query_notes(db, "id = :id", {"id": cursor.lastrowid})[0]


def list_notes(db: Database, attempt_id: int) -> tuple[TrainerNote, ...]:
    """Oldest first, in the order the trainer wrote them."""
    return _query_notes(db, "attempt_id = :attempt_id", {"attempt_id": attempt_id})


def _query_notes(db: Database, condition: str, params: dict[str, Any]) -> tuple[TrainerNote, ...]:
    return fetch_all(
        db,
        "SELECT id, attempt_id, item_id, tag, note, trainer, created_at FROM trainer_notes WHERE "
        + condition
        + " ORDER BY created_at, id",
        params,
        _note_from_row,
    )


def _note_from_row(row: dict[str, Any]) -> TrainerNote:
    return TrainerNote(**{**row, "created_at": cast(datetime, from_iso(row["created_at"]))})
