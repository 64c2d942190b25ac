"""Training records for the export tests, written through the storage functions the app uses."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from optrain import storage

T0 = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
SHOP = "hotrodan.myshopify.com"

# OWASP CSV-injection payloads, and text that stresses CSV quoting.
OWASP_PAYLOADS: tuple[str, ...] = (
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    '=HYPERLINK("http://x","y")',
    "\t=1",
    "\r=1",
)
TRICKY_TEXT: tuple[str, ...] = (
    "Días de cobertura — ¿claro? 日本語 🚗",
    "commas, everywhere, here",
    'she said "refund", then left',
    "line one\nline two\r\nline three",
    "'already quoted",
    "  leading spaces",
    "<script>alert('x')</script>",
)


def attempt(
    db: Database,
    username: str = "casey",
    *,
    display_name: str | None = "Casey Morgan",
    scenario_id: str = "hands_on_practice",
    version: int = 1,
    now: datetime = T0,
    official: bool = True,
) -> storage.Attempt:
    return storage.start_attempt(
        db,
        username=username,
        display_name=display_name,
        scenario_id=scenario_id,
        scenario_version=version,
        seed=7,
        now=now,
        official=official,
    )


def decide(
    db: Database, made: storage.Attempt, item_id: str, *, at: datetime = T0, **changes: Any
) -> storage.DecisionRow:
    fields: dict[str, Any] = {
        "call": "approve_template",
        "template": "ack_delay",
        "body": "Hi Alex, sorry for the wait.",
        "note": None,
        "elapsed_seconds": 12.5,
        "points": 1.0,
        "max_points": 1.0,
        "verdict": "correct",
    }
    fields.update(changes)
    log = storage.DecisionLogEntry(
        shop_domain=SHOP,
        action_type="approve_reply",
        operator_email=f"{made.username}@hotrodan.example",
        payload={"item_id": item_id, "call": fields["call"], "body": fields["body"]},
    )
    return storage.record_decision(db, made.id, item_id=item_id, decided_at=at, log=log, **fields)


def finish(
    db: Database,
    made: storage.Attempt,
    *,
    score: float,
    max_score: float = 10,
    passed: bool,
    at: datetime = T0 + timedelta(minutes=30),
) -> storage.Attempt:
    return storage.finish_attempt(
        db,
        made.id,
        now=at,
        score=score,
        max_score=max_score,
        percent=score / max_score,
        passed=passed,
        critical_failures=0,
    )


def answer(
    db: Database, made: storage.Attempt | None, question_id: str = "what_is_confusing", **changes: Any
) -> storage.QaAnswer:
    fields: dict[str, Any] = {
        "attempt_id": None if made is None else made.id,
        "username": "casey" if made is None else made.username,
        "scenario_id": "hands_on_practice" if made is None else made.scenario_id,
        "scenario_version": 1 if made is None else made.scenario_version,
        "question_id": question_id,
        "part": "hands_on",
        "kind": "text",
        "answer": "The heatmap colours are clear.",
        "skipped": False,
        "severity": None,
        "screenshot": None,
        "now": T0,
    }
    fields.update(changes)
    return storage.save_answer(db, **fields)


def bulk_decisions(db: Database, rows: int, *, per_attempt: int = 100, trainees: int = 20) -> None:
    """Many decisions in one transaction (one commit, not one per row)."""
    with storage.write_transaction(db):
        for number in range(rows // per_attempt):
            made = attempt(db, f"trainee{number % trainees:02d}", display_name=None)
            for item in range(per_attempt):
                decide(db, made, f"item{item:03d}", at=T0 + timedelta(seconds=item), verdict="partial")


def parse_csv(text: str) -> list[list[str]]:
    """The rows as Python's csv module reads them back."""
    return list(csv.reader(io.StringIO(text, newline="")))


def parse_with_pandas(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)


def read_export(path: Path) -> str:
    """The file's text exactly as written (`read_text` would turn a \\r inside a cell into \\n)."""
    return path.read_bytes().decode("utf-8")
