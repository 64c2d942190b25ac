"""Sign-in events: failures feed throttling, logouts revoke remember-me cookies, all feed the audit.

Outcomes: `success` (password accepted), `failure` (rejected), `locked`
(refused because of too many failures), `cookie` (signed in again from the
remember-me cookie) and `logout` (signed out; cookies issued earlier no
longer sign in).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from optrain.storage.db import from_iso, storage_errors, utc_iso, write_transaction

LoginOutcome = Literal["success", "failure", "locked", "cookie", "logout"]


def log_login(db: Database, *, username: str, outcome: LoginOutcome, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO login_events (username, created_at, outcome) VALUES (:username, :created_at, :outcome)",
            {"username": username, "created_at": utc_iso(now), "outcome": outcome},
        )


def recent_failures(db: Database, username: str, since: datetime) -> int:
    """Failed sign-ins at or after `since` and after the last successful one.

    A successful sign-in wipes the slate, so a lockout counts consecutive
    failures; the caller decides the window and the limit.
    """
    with storage_errors():
        row = db.execute(
            """
            SELECT COUNT(*) FROM login_events
            WHERE username = :username AND outcome = 'failure' AND created_at >= :since
              AND created_at > COALESCE(
                  (SELECT MAX(created_at) FROM login_events WHERE username = :username AND outcome = 'success'), ''
              )
            """,
            {"username": username, "since": utc_iso(since)},
        ).fetchone()
    return int(row[0])


def last_event_at(db: Database, username: str, outcome: LoginOutcome) -> datetime | None:
    """When `username` last had an event with this outcome, e.g. the last logout; None if never."""
    with storage_errors():
        row = db.execute(
            "SELECT MAX(created_at) FROM login_events WHERE username = :username AND outcome = :outcome",
            {"username": username, "outcome": outcome},
        ).fetchone()
    return from_iso(row[0])
