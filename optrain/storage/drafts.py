"""Unsent work on a shift: drafts per item and input, and items flagged for review (migration m010)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from optrain.storage.db import fetch_all, utc_iso, write_transaction


def save_draft(db: Database, attempt_id: int, item_id: str, field: str, text: str | None, *, now: datetime) -> None:
    """Keep what was typed (or chosen) for one input of one item; empty text drops the draft."""
    with write_transaction(db, durable=False):  # not a call: see storage/db.py
        if text:
            db.execute(
                """
                INSERT INTO drafts (attempt_id, item_id, field, text, updated_at)
                VALUES (:attempt_id, :item_id, :field, :text, :now)
                ON CONFLICT (attempt_id, item_id, field) DO UPDATE SET text = excluded.text,
                    updated_at = excluded.updated_at
                """,
                {"attempt_id": attempt_id, "item_id": item_id, "field": field, "text": text, "now": utc_iso(now)},
            )
        else:
            db.execute(
                "DELETE FROM drafts WHERE attempt_id = :a AND item_id = :i AND field = :f",
                {"a": attempt_id, "i": item_id, "f": field},
            )


def drop_drafts(db: Database, attempt_id: int, item_id: str) -> None:
    """The call is recorded: what was typed for it is no longer a draft."""
    with write_transaction(db):
        db.execute("DELETE FROM drafts WHERE attempt_id = :a AND item_id = :i", {"a": attempt_id, "i": item_id})


def drafts_of(db: Database, attempt_id: int, item_id: str) -> dict[str, str]:
    """field -> text for one item."""
    rows = fetch_all(
        db,
        "SELECT field, text FROM drafts WHERE attempt_id = :a AND item_id = :i",
        {"a": attempt_id, "i": item_id},
        lambda row: (str(row["field"]), str(row["text"])),
    )
    return dict(rows)


def set_flag(db: Database, attempt_id: int, item_id: str, flagged: bool, *, now: datetime) -> None:
    with write_transaction(db, durable=False):  # not a call: see storage/db.py
        if flagged:
            db.execute(
                "INSERT OR IGNORE INTO flags (attempt_id, item_id, flagged_at) VALUES (:a, :i, :now)",
                {"a": attempt_id, "i": item_id, "now": utc_iso(now)},
            )
        else:
            db.execute("DELETE FROM flags WHERE attempt_id = :a AND item_id = :i", {"a": attempt_id, "i": item_id})


def flagged_items(db: Database, attempt_id: int) -> frozenset[str]:
    rows = fetch_all(
        db, "SELECT item_id FROM flags WHERE attempt_id = :a", {"a": attempt_id}, lambda row: str(row["item_id"])
    )
    return frozenset(rows)
